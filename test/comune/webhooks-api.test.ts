// Webhooks through the ente's REST API: registration validated (SSRF, trigger, reserved headers),
// the secret shown once, scopes, tenant isolation, the delivery log and switching off.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApiKey } from '../../src/core/auth/api-keys.ts';
import { TENANT_API_KEY_OWNER } from '../../src/comune/api/v1/auth.ts';
import { TenantRepository } from '../../src/comune/tenants/tenants.ts';
import { ServiceRepository } from '../../src/comune/catalog/services.ts';
import { startSystem, type TestSystem } from '../support/system.ts';

const BUGLIANO = 'comune-di-bugliano';
const OTHER = 'comune-di-vicopisano-demo';
let system: TestSystem;
let keys: { admin: string; reader: string; apps: string; other: string };
let serviceSlug: string;

const call = async (slug: string, path: string, key: string, init: RequestInit = {}) => {
  const res = await fetch(`${system.urls.comune}/${slug}/api/v1${path}`, { ...init, headers: { authorization: `Bearer ${key}`, ...(init.body ? { 'content-type': 'application/json' } : {}) } });
  return { status: res.status, body: res.status === 204 || res.status === 202 ? null : ((await res.json()) as any) };
};
const create = (body: Record<string, unknown>, key = keys.admin) => call(BUGLIANO, '/webhooks', key, { method: 'POST', body: JSON.stringify({ title: 'Gestionale', trigger: 'all', ...body }) });

beforeAll(async () => {
  system = await startSystem({ apps: ['comune'] });
  const db = system.ctx.database.db;
  const tenants = new TenantRepository(db);
  const [bugliano, other] = [(await tenants.bySlug(BUGLIANO))!, (await tenants.bySlug(OTHER))!];
  const key = async (ownerId: string, scopes: string[]) => (await createApiKey(db, 'comune', { ownerType: TENANT_API_KEY_OWNER, ownerId, label: 'test', scopes })).key;
  keys = { admin: await key(bugliano.id, ['webhooks:read', 'webhooks:write']), reader: await key(bugliano.id, ['webhooks:read']), apps: await key(bugliano.id, ['applications:read']), other: await key(other.id, ['webhooks:read', 'webhooks:write']) };
  serviceSlug = (await new ServiceRepository(db).list(bugliano.id))[0]!.slug;
}, 120_000);
afterAll(() => system?.stop());

it('refuses endpoints on internal addresses or other schemes, unknown triggers and services, reserved headers', async () => {
  for (const [endpoint, code] of [
    ['http://127.0.0.1:9/hook', 'internal-address'],
    ['http://169.254.169.254/latest/meta-data', 'internal-address'],
    ['http://[::1]/hook', 'internal-address'],
    ['http://10.0.0.1/hook', 'internal-address'],
    ['ftp://93.184.216.34/hook', 'scheme'],
    ['https://user:pw@93.184.216.34/hook', 'credentials'],
  ]) {
    const res = await create({ endpoint });
    expect(res.status, endpoint).toBe(400);
    expect(res.body.errors).toContainEqual(expect.objectContaining({ pointer: '/body/endpoint', code }));
  }
  const bad = await create({ endpoint: 'https://93.184.216.34/hook', trigger: '1234', services: ['nope'], headers: { 'X-Sportello-Signature': 'forged' } });
  expect(bad.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/body/headers/X-Sportello-Signature', '/body/services/0', '/body/trigger']);
});

it('registers a webhook with its secret shown once, lists it, logs its deliveries and switches it off', async () => {
  expect((await create({ endpoint: 'https://93.184.216.34/hook' }, keys.reader)).status).toBe(403);
  expect((await create({ endpoint: 'https://93.184.216.34/hook' }, keys.apps)).status).toBe(403);
  const created = await create({ endpoint: 'https://93.184.216.34/hook', trigger: '7000', services: [serviceSlug], headers: { 'X-Api-Token': 't' }, version: 2 });
  expect(created.status).toBe(201);
  expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
  expect(created.body.webhook).toMatchObject({ trigger: '7000', services: [serviceSlug], version: 2, active: true });
  const id = created.body.webhook.id;
  const list = await call(BUGLIANO, '/webhooks', keys.reader);
  expect(list.body).toEqual([expect.objectContaining({ id, endpoint: 'https://93.184.216.34/hook' })]);
  expect(JSON.stringify(list.body)).not.toContain(created.body.secret);
  expect((await call(BUGLIANO, `/webhooks/${id}/deliveries`, keys.reader)).body).toEqual([]);
  // Another ente's key sees nothing of it.
  expect((await call(BUGLIANO, `/webhooks/${id}/deliveries`, keys.other)).status).toBe(404);
  expect((await call(OTHER, `/webhooks/${id}/deliveries`, keys.other)).status).toBe(404);
  expect((await call(OTHER, `/webhooks/${id}`, keys.other, { method: 'DELETE' })).status).toBe(404);
  expect((await call(BUGLIANO, '/webhooks/events/00000000-0000-4000-8000-000000000000/replay', keys.admin, { method: 'POST' })).status).toBe(404);
  expect((await call(BUGLIANO, `/webhooks/${id}`, keys.admin, { method: 'DELETE' })).status).toBe(204);
  expect((await call(BUGLIANO, '/webhooks', keys.reader)).body[0].active).toBe(false);
});
