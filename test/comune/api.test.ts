// The ente's REST API v1 over HTTP: API-key auth (401/404/403), services, the applications list's
// envelope, links and filters, one application in OpenCity's shape, transitions (409 when illegal),
// attachments only of their own application, and the OpenAPI document.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/core/auth/api-keys.ts';
import { ServiceRepository } from '../../src/comune/catalog/services.ts';
import { ApplicationStore, type ApplicationActor } from '../../src/comune/applications/store.ts';
import { STATUS } from '../../src/comune/applications/states.ts';
import { diskDocumentStore } from '../../src/comune/protocol/files.ts';
import { TENANT_API_KEY_OWNER } from '../../src/comune/api/v1/auth.ts';
import { TenantRepository } from '../../src/comune/tenants/tenants.ts';
import { startSystem, type TestSystem } from '../support/system.ts';

const BUGLIANO = 'comune-di-bugliano';
const OTHER = 'comune-di-vicopisano-demo';
const ALL = ['services:read', 'applications:read', 'applications:write'];

let system: TestSystem;
let keys: { full: string; readOnly: string; other: string };
let store: ApplicationStore;
let serviceA: { id: string; slug: string; name: string };
let serviceB: { id: string; slug: string; name: string };
let mensa: string[]; // the applications of service A, oldest first
let ztl: string;
let foreign: string;
let attachment: string;
let foreignAttachment: string;

const api = (path: string, key?: string, init: RequestInit = {}) =>
  fetch(`${system.urls.comune}/${BUGLIANO}/api/v1${path}`, { ...init, headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers } });
const json = async (res: Response) => ({ status: res.status, body: (await res.json()) as any });

async function waitForStatus(id: string, status: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await (await import('../../src/core/db.ts')).sql<{ status: number }>`select status from comune.applications where id = ${id}`.execute(system.ctx.database.db);
    if (rows[0]?.status === status) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`application ${id} never reached ${status}`);
}

beforeAll(async () => {
  system = await startSystem({ apps: ['comune'] });
  const db = system.ctx.database.db;
  const tenants = new TenantRepository(db);
  const bugliano = (await tenants.bySlug(BUGLIANO))!;
  const other = (await tenants.bySlug(OTHER))!;
  const key = async (ownerId: string, scopes: string[]) => (await createApiKey(db, 'comune', { ownerType: TENANT_API_KEY_OWNER, ownerId, label: 'test', scopes })).key;
  keys = { full: await key(bugliano.id, ALL), readOnly: await key(bugliano.id, ['applications:read']), other: await key(other.id, ALL) };
  const services = await new ServiceRepository(db).list(bugliano.id);
  const [a, b] = services.slice(0, 2).map((s) => ({ id: s.id, slug: s.slug, name: s.content.it.name }));
  serviceA = a!;
  serviceB = b!;
  const files = diskDocumentStore(path.join(system.config.dataDir, 'documents'));
  store = new ApplicationStore(db, files);
  const submitted = async (tenantId: string, service: typeof serviceA, fiscalCode: string, file?: string) => {
    const citizen: ApplicationActor = { kind: 'citizen', tenantId, fiscalCode };
    const draft = await store.createDraft(citizen, tenantId, { service, citizen: { fiscalCode, name: 'Anna Bianchi' }, data: { classe: '3B' } });
    const stored = file ? await files.put(Buffer.from(`%PDF-1.7 ${file}`)) : undefined;
    await store.submit(citizen, draft.id, { idempotencyKey: draft.id, attachments: stored ? [{ ...stored, name: `${file}.pdf`, mime: 'application/pdf' }] : [] });
    await waitForStatus(draft.id, STATUS.registered);
    return { id: draft.id, sha256: stored?.sha256 };
  };
  mensa = [];
  for (const cf of ['BNCNNA85M41G702X', 'RSSMRA80A01G702Q', 'VRDLGI70A01G702U']) {
    const a = await submitted(bugliano.id, serviceA, cf, mensa.length === 0 ? 'certificato' : undefined);
    if (a.sha256) attachment = a.sha256;
    mensa.push(a.id);
  }
  ztl = (await submitted(bugliano.id, serviceB, 'BNCNNA85M41G702X', 'libretto')).id;
  foreignAttachment = (await store.attachments(db, ztl))[0]!.sha256;
  foreign = (await submitted(other.id, { id: serviceA.id, slug: 'x', name: 'Altro' }, 'BNCNNA85M41G702X')).id;
  // A draft is the applicant's: never listed.
  await store.createDraft({ kind: 'citizen', tenantId: bugliano.id, fiscalCode: 'BNCNNA85M41G702X' }, bugliano.id, { service: serviceA, citizen: { fiscalCode: 'BNCNNA85M41G702X', name: 'Anna Bianchi' } });
}, 120_000);
afterAll(() => system?.stop());

describe('authentication', () => {
  it('answers 401 without a valid key, 404 to another ente’s key, 403 without the scope', async () => {
    const none = await api('/applications');
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toContain('application/problem+json');
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect((await api('/applications', 'sk_000000000000.' + 'x'.repeat(43))).status).toBe(401);
    expect((await api('/applications', keys.other)).status).toBe(404);
    expect((await api(`/applications/${mensa[0]}`, keys.other)).status).toBe(404);
    expect((await api('/services', keys.readOnly)).status).toBe(403);
    expect((await api(`/applications/${mensa[0]}/transition/take-in-charge`, keys.readOnly, { method: 'POST', body: '{}' })).status).toBe(403);
    expect((await api('/applications', keys.readOnly)).status).toBe(200);
  });
});

it('lists services and finds one by id or slug, with OpenCity’s access-level codes', async () => {
  const list = await json(await api('/services', keys.full));
  expect(list.status).toBe(200);
  expect(list.body.map((s: { slug: string }) => s.slug)).toContain(serviceA.slug);
  const bySlug = await json(await api(`/services/${serviceA.slug}`, keys.full));
  expect(bySlug.body).toMatchObject({ id: serviceA.id, slug: serviceA.slug, name: serviceA.name });
  expect([0, 2000, 3000, 4000]).toContain(bySlug.body.access_level);
  expect((await json(await api(`/services/${serviceA.id}`, keys.full))).body.slug).toBe(serviceA.slug);
  expect((await api('/services/no-such-service', keys.full)).status).toBe(404);
});

describe('applications list', () => {
  it('pages with the {meta, links, data} envelope: prev/next follow the same query', async () => {
    const first = await json(await api(`/applications?service=${serviceA.slug}&limit=2&sort=ASC`, keys.full));
    expect(first.status).toBe(200);
    expect(first.body.meta.count).toBe(3);
    expect(first.body.data.map((a: { id: string }) => a.id)).toEqual(mensa.slice(0, 2));
    expect(first.body.links.prev).toBeNull();
    const next = new URL(first.body.links.next);
    expect(Object.fromEntries(next.searchParams)).toMatchObject({ service: serviceA.slug, limit: '2', offset: '2', sort: 'ASC' });
    const second = await json(await fetch(next, { headers: { authorization: `Bearer ${keys.full}` } }));
    expect(second.body.data.map((a: { id: string }) => a.id)).toEqual(mensa.slice(2));
    expect(second.body.links.next).toBeNull();
    expect(new URL(second.body.links.prev).searchParams.get('offset')).toBe('0');
    expect((await api('/applications?limit=101', keys.full)).status).toBe(400);
    expect((await api('/applications?offset=-1', keys.full)).status).toBe(400);
  });

  it('filters by service, status and time, orders both ways, and never lists drafts or another ente’s', async () => {
    const all = await json(await api('/applications?limit=100', keys.full));
    const ids = all.body.data.map((a: { id: string }) => a.id);
    expect(ids).toEqual(expect.arrayContaining([...mensa, ztl]));
    expect(ids).not.toContain(foreign);
    expect(all.body.data.every((a: { status: string }) => a.status !== '1000')).toBe(true);
    expect((await json(await api(`/applications?service=${serviceB.slug}`, keys.full))).body.data.map((a: { id: string }) => a.id)).toEqual([ztl]);
    expect((await json(await api('/applications?service=nope', keys.full))).body.meta.count).toBe(0);
    expect((await json(await api('/applications?status=7000', keys.full))).body.meta.count).toBe(0);
    expect((await json(await api('/applications?status=3000&limit=100', keys.full))).body.meta.count).toBeGreaterThanOrEqual(4);
    expect((await api('/applications?status=1234', keys.full)).status).toBe(400);
    const future = new Date(Date.now() + 3600_000).toISOString();
    expect((await json(await api(`/applications?created_since=${encodeURIComponent(future)}`, keys.full))).body.meta.count).toBe(0);
    expect((await json(await api(`/applications?updated_since=${encodeURIComponent(future)}`, keys.full))).body.meta.count).toBe(0);
    const desc = (await json(await api(`/applications?service=${serviceA.slug}&order=submission_time&sort=DESC`, keys.full))).body.data.map((a: { id: string }) => a.id);
    expect(desc).toEqual([...mensa].reverse());
  });
});

it('gives one application with OpenCity’s field names; another ente’s id is 404', async () => {
  const { status, body } = await json(await api(`/applications/${mensa[0]}`, keys.full));
  expect(status).toBe(200);
  expect(body).toMatchObject({ id: mensa[0], service: serviceA.slug, service_id: serviceA.id, user: 'BNCNNA85M41G702X', status: '3000', status_name: 'status_registered', data: { classe: '3B' }, outcome: null });
  expect(body.protocol_number).toMatch(/^\d+\/\d{4}$/);
  expect(typeof body.creation_time).toBe('number');
  expect(body.submission_time).toBeGreaterThanOrEqual(body.creation_time);
  expect(body.attachments).toEqual([expect.objectContaining({ id: attachment, name: 'certificato.pdf', mime_type: 'application/pdf' })]);
  expect(body.links.map((l: { action: string }) => l.action)).toEqual(['take-in-charge', 'revoke']);
  expect((await api(`/applications/${foreign}`, keys.full)).status).toBe(404);
  expect((await api('/applications/not-a-uuid', keys.full)).status).toBe(400);
});

it('moves applications by the state machine: an illegal transition is a 409 problem; accept keeps its message', async () => {
  const id = mensa[1]!;
  const early = await json(await api(`/applications/${id}/transition/accept`, keys.full, { method: 'POST', body: JSON.stringify({ message: 'ok' }) }));
  expect(early.status).toBe(409);
  expect(early.body.type).toBe('urn:sportello:problem:conflict');
  expect((await json(await api(`/applications/${id}/transition/take-in-charge`, keys.full, { method: 'POST', body: '{}' }))).body.status).toBe('4000');
  const accepted = await json(await api(`/applications/${id}/transition/accept`, keys.full, { method: 'POST', body: JSON.stringify({ message: 'Iscrizione confermata' }) }));
  expect(accepted.body).toMatchObject({ status: '7000', status_name: 'status_complete', outcome: true, outcome_motivation: 'Iscrizione confermata', links: [] });
  expect((await api(`/applications/${id}/transition/reject`, keys.full, { method: 'POST', body: '{}' })).status).toBe(409);
  expect((await api(`/applications/${id}/transition/fly`, keys.full, { method: 'POST', body: '{}' })).status).toBe(400);
  expect((await api(`/applications/${foreign}/transition/take-in-charge`, keys.full, { method: 'POST', body: '{}' })).status).toBe(404);
  expect((await json(await api('/applications?status=7000', keys.full))).body.data.map((a: { id: string }) => a.id)).toEqual([id]);
});

it('serves an attachment only through its own application', async () => {
  const res = await api(`/applications/${mensa[0]}/attachments/${attachment}`, keys.full);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/pdf');
  expect(Buffer.from(await res.arrayBuffer()).toString()).toBe('%PDF-1.7 certificato');
  expect((await api(`/applications/${mensa[0]}/attachments/${foreignAttachment}`, keys.full)).status).toBe(404);
  expect((await api(`/applications/${mensa[0]}/attachments/${attachment}`, keys.other)).status).toBe(404);
});

it('documents the API in /openapi.json with bearer security', async () => {
  const doc = (await (await fetch(`${system.urls.comune}/openapi.json`)).json()) as { paths: Record<string, Record<string, { security?: unknown }>> };
  const list = doc.paths['/{tenant}/api/v1/applications']?.get;
  expect(list?.security).toEqual([{ bearerAuth: [] }]);
  expect(doc.paths['/{tenant}/api/v1/applications/{id}/transition/{action}']?.post).toBeDefined();
  expect(doc.paths['/{tenant}/api/v1/webhooks']?.post).toBeDefined();
});
