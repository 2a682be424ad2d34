// Back-office › Integrazioni over HTTP: an administrator creates an API key (shown once) and revokes
// it; the delivery log of a webhook shows the attempts and replays an event; operators are kept out.
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { totpCode } from '../../src/core/auth/totp.ts';
import { DEMO_STAFF } from '../../src/comune/seed.ts';
import { TenantRepository } from '../../src/comune/tenants/tenants.ts';
import { ServiceRepository } from '../../src/comune/catalog/services.ts';
import { ApplicationStore, type ApplicationActor } from '../../src/comune/applications/store.ts';
import { diskDocumentStore } from '../../src/comune/protocol/files.ts';
import { WebhookRepository } from '../../src/comune/webhooks/store.ts';
import { startSystem, type TestSystem } from '../support/system.ts';
import { WebClient, type Visit } from '../support/web-client.ts';

const BUGLIANO = 'comune-di-bugliano';
const BASE = `/${BUGLIANO}/backoffice/integrazioni`;
let system: TestSystem;
let receiver: FastifyInstance;
let receiverUrl: string;
const deliveries: string[] = [];

const url = (p: string) => `${system.urls.comune}${p}`;
async function login(client: WebClient, role: 'tenant_admin' | 'operator'): Promise<void> {
  const person = DEMO_STAFF.find((s) => s.tenantSlug === BUGLIANO && s.role === role)!;
  const p = `/${BUGLIANO}/backoffice/accedi`;
  let page = await client.submit(await client.visit(url(p)), p, { email: person.email, password: person.password });
  if (person.totpSecret) page = await client.submit(page, `${p}/totp`, { code: totpCode(person.totpSecret) });
}
const until = async (check: () => Promise<boolean> | boolean) => {
  for (let i = 0; i < 200 && !(await check()); i++) await new Promise((r) => setTimeout(r, 50));
  expect(await check()).toBe(true);
};

beforeAll(async () => {
  receiver = Fastify();
  receiver.post('/hook', async (request, reply) => {
    deliveries.push((request.body as { event_id: string }).event_id);
    return reply.status(204).send();
  });
  receiverUrl = await receiver.listen({ host: '127.0.0.1', port: 0 });
  system = await startSystem({ apps: ['comune'], env: { LOGIN_RATE_LIMIT: '1000', WEBHOOKS_ALLOW_PRIVATE_NETWORKS: 'true' } });
}, 120_000);
afterAll(async () => {
  await system?.stop();
  await receiver?.close();
});

it('creates an API key shown once, which then works on the API, and revokes it', async () => {
  const admin = new WebClient();
  await login(admin, 'tenant_admin');
  let page = await admin.visit(url(BASE));
  expect(page.status).toBe(200);
  const refused = await admin.submit(page, `${BASE}/chiavi`, { label: '' });
  expect(refused.status).toBe(400);
  expect(refused.html).toContain('id="error-summary"');
  page = await admin.submit(page, `${BASE}/chiavi`, { label: 'Gestionale mensa', scopes: 'applications:read' });
  const key = /<code id="new-api-key">([^<]+)<\/code>/.exec(page.html)?.[1];
  expect(key).toMatch(/^sk_/);
  const use = () => fetch(url(`/${BUGLIANO}/api/v1/applications`), { headers: { authorization: `Bearer ${key}` } });
  expect((await use()).status).toBe(200);
  page = await admin.visit(url(BASE));
  expect(page.html).not.toContain(key!);
  expect(page.html).toContain('Gestionale mensa');
  const prefix = key!.split('.')[0]!;
  const revokeAction = new RegExp(`${BASE}/chiavi/([0-9a-f-]{36})/revoca`).exec(page.html.slice(page.html.indexOf(prefix)))![0];
  await admin.submit(page, revokeAction, {});
  expect((await use()).status).toBe(401);
});

it('links Integrazioni in the admin menu only, and creates a webhook from the page with its secret shown once', async () => {
  const admin = new WebClient();
  await login(admin, 'tenant_admin');
  let page = await admin.visit(url(`/${BUGLIANO}/backoffice`));
  expect(page.html).toContain(`href="${BASE}"`);
  page = await admin.visit(url(BASE));
  const refused = await admin.submit(page, `${BASE}/webhook`, { title: 'Protocollo', endpoint: 'ftp://gestionale.example/hook', trigger: 'all' });
  expect(refused.status).toBe(400);
  expect(refused.html).toContain('id="field-endpoint-error"');
  expect((await admin.submit(page, `${BASE}/webhook`, { title: 'Protocollo', endpoint: `${receiverUrl}/hook`, trigger: '9999' })).status).toBe(400);
  page = await admin.submit(page, `${BASE}/webhook`, { title: 'Messaggi al cittadino', endpoint: `${receiverUrl}/messages`, trigger: 'message_created' });
  expect(/<code id="new-webhook-secret">(whsec_[^<]+)<\/code>/.exec(page.html)).not.toBeNull();
  const tenant = (await new TenantRepository(system.ctx.database.db).bySlug(BUGLIANO))!;
  const created = (await new WebhookRepository(system.ctx.database.db, system.ctx.secret).list(tenant.id)).filter((w) => w.title === 'Messaggi al cittadino');
  expect(created.map((w) => [w.endpoint, w.trigger, w.active])).toEqual([[`${receiverUrl}/messages`, 'message_created', true]]);
  page = await admin.visit(url(BASE));
  expect(page.html).not.toContain('new-webhook-secret');
  expect(page.html).toContain('Messaggi al cittadino');

  const operator = new WebClient();
  await login(operator, 'operator');
  expect((await operator.visit(url(`/${BUGLIANO}/backoffice`))).html).not.toContain(`href="${BASE}"`);
});

it('shows a webhook’s delivery log and replays an event', async () => {
  const db = system.ctx.database.db;
  const tenant = (await new TenantRepository(db).bySlug(BUGLIANO))!;
  const { webhook } = await new WebhookRepository(db, system.ctx.secret).create(tenant.id, { title: 'Gestionale', endpoint: `${receiverUrl}/hook`, trigger: '2000' }, { type: 'api_key', id: 'test' });
  const service = (await new ServiceRepository(db).list(tenant.id))[0]!;
  const store = new ApplicationStore(db, diskDocumentStore(path.join(system.config.dataDir, 'documents')));
  const anna: ApplicationActor = { kind: 'citizen', tenantId: tenant.id, fiscalCode: 'BNCNNA85M41G702X' };
  const draft = await store.createDraft(anna, tenant.id, { service: { id: service.id, name: service.content.it.name }, citizen: { fiscalCode: 'BNCNNA85M41G702X', name: 'Anna Bianchi' } });
  await store.submit(anna, draft.id, { idempotencyKey: draft.id });
  await until(() => deliveries.length === 1);

  const admin = new WebClient();
  await login(admin, 'tenant_admin');
  const logPath = `${BASE}/webhook/${webhook.id}`;
  await until(async () => (await admin.visit(url(logPath))).html.includes('Consegnato'));
  const page: Visit = await admin.visit(url(logPath));
  expect(page.html).toContain('HTTP 204');
  const replayAction = new RegExp(`${logPath}/eventi/[0-9a-f-]{36}/reinvia`).exec(page.html)![0];
  const after = await admin.submit(page, replayAction, {});
  expect(after.html).toContain('Evento in coda per un nuovo invio.');
  await until(() => deliveries.length === 2);
  expect(deliveries[1]).toBe(deliveries[0]);

  const operator = new WebClient();
  await login(operator, 'operator');
  expect((await operator.visit(url(BASE))).status).toBe(403);
  expect((await operator.visit(url(logPath))).status).toBe(403);
});
