// Back-office › Moduli over HTTP: a bad schema is refused with its errors listed by pointer and nothing
// saved; a good one becomes a new version; the preview renders without saving; operators and another
// ente's administrator are kept out.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { totpCode } from '../../src/core/auth/totp.ts';
import { DEMO_STAFF } from '../../src/comune/seed.ts';
import { TenantRepository } from '../../src/comune/tenants/tenants.ts';
import { FormRepository, type FormRecord } from '../../src/comune/forms/forms.ts';
import { startSystem, type TestSystem } from '../support/system.ts';
import { WebClient, type Visit } from '../support/web-client.ts';
import { CSRF_FIELD } from '../../src/core/auth/csrf.ts';

const BUGLIANO = 'comune-di-bugliano';
const VICOPISANO = 'comune-di-vicopisano-demo';
let system: TestSystem;
let form: FormRecord;
let forms: FormRepository;
let tenantId: string;

const url = (p: string) => `${system.urls.comune}${p}`;
async function login(client: WebClient, slug: string, role: 'tenant_admin' | 'operator'): Promise<void> {
  const person = DEMO_STAFF.find((s) => s.tenantSlug === slug && s.role === role)!;
  const p = `/${slug}/backoffice/accedi`;
  let page = await client.submit(await client.visit(url(p)), p, { email: person.email, password: person.password });
  if (person.totpSecret) page = await client.submit(page, `${p}/totp`, { code: totpCode(person.totpSecret) });
}

/** A POST the page's buttons make (the preview is a formaction), with the page's CSRF token. */
function post(client: WebClient, page: Visit, path: string, fields: Record<string, string>) {
  const token = new RegExp(`name="${CSRF_FIELD}" value="([^"]+)"`).exec(page.html)?.[1] ?? '';
  return client.visit(url(path), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ ...fields, [CSRF_FIELD]: token }).toString() });
}

beforeAll(async () => {
  system = await startSystem({ apps: ['comune'], env: { LOGIN_RATE_LIMIT: '1000' } });
  forms = new FormRepository(system.ctx.database.db);
  tenantId = (await new TenantRepository(system.ctx.database.db).bySlug(BUGLIANO))!.id;
  form = (await forms.list(tenantId))[0]!;
}, 120_000);
afterAll(() => system?.stop());

it('lists the forms, refuses a bad schema listing its errors, and saves a good one as a new version', async () => {
  const admin = new WebClient();
  await login(admin, BUGLIANO, 'tenant_admin');
  const list = await admin.visit(url(`/${BUGLIANO}/backoffice`));
  expect(list.html).toContain(`href="/${BUGLIANO}/backoffice/moduli"`);
  const index = await admin.visit(url(`/${BUGLIANO}/backoffice/moduli`));
  expect(index.html).toContain(`/${BUGLIANO}/backoffice/moduli/${form.id}`);
  const path = `/${BUGLIANO}/backoffice/moduli/${form.id}`;
  const page = await admin.visit(url(path));
  expect(page.status).toBe(200);
  expect(page.html).toContain('<script src="/assets/sportello/form-builder.js" defer>');

  const notJson = await admin.submit(page, path, { formName: form.name, formSchema: '{"display": ' });
  expect(notJson.status).toBe(400);
  expect(notJson.html).toContain('id="schema-errors"');
  const bad = { display: 'form', components: [{ type: 'textfield', key: '1bad', label: 'Nome' }, { type: 'select', key: 'scelta', label: 'Scelta' }] };
  const refused = await admin.submit(page, path, { formName: form.name, formSchema: JSON.stringify(bad) });
  expect(refused.status).toBe(400);
  expect(refused.html).toMatch(/<code>\/components\/0\/key<\/code>/);
  expect(refused.html).toMatch(/<code>\/components\/1[^<]*<\/code>/);
  expect((await forms.latest(tenantId, form.id))!.version).toBe(form.version);

  const schema = { ...form.schema, title: 'Nuovo titolo' };
  const preview = await post(admin, page, `${path}/anteprima`, { formName: form.name, formSchema: JSON.stringify(schema) });
  expect(preview.status).toBe(200);
  expect(preview.html).toContain('class="form-preview-frame" inert');
  expect((await forms.latest(tenantId, form.id))!.version).toBe(form.version);

  const saved = await admin.submit(page, path, { formName: `${form.name} (rivisto)`, formSchema: JSON.stringify(schema) });
  expect(saved.status).toBe(200);
  expect(saved.html).toContain(`Salvata la versione ${form.version + 1}.`);
  const latest = (await forms.latest(tenantId, form.id))!;
  expect(latest).toMatchObject({ version: form.version + 1, name: `${form.name} (rivisto)`, schema: { title: 'Nuovo titolo' } });
  // The previous version is still there for the applications filled in with it.
  expect((await forms.version(tenantId, form.id, form.version))!.name).toBe(form.name);
});

it('keeps operators and other entes out', async () => {
  const path = `/${BUGLIANO}/backoffice/moduli/${form.id}`;
  const operator = new WebClient();
  await login(operator, BUGLIANO, 'operator');
  expect((await operator.visit(url(`/${BUGLIANO}/backoffice/moduli`))).status).toBe(403);
  expect((await operator.visit(url(path))).status).toBe(403);
  expect((await operator.visit(url(`/${BUGLIANO}/backoffice`))).html).not.toContain('/backoffice/moduli');

  const other = new WebClient();
  await login(other, VICOPISANO, 'tenant_admin');
  // Signed in to another ente: here they are nobody, and their own ente does not know this form.
  const elsewhere = await other.visit(url(path), { redirect: 'manual' });
  expect(elsewhere.status).not.toBe(200);
  expect((await other.visit(url(`/${VICOPISANO}/backoffice/moduli/${form.id}`))).status).toBe(404);
  const before = (await forms.latest(tenantId, form.id))!.version;
  const own = await other.visit(url(`/${VICOPISANO}/backoffice/moduli`));
  expect((await post(other, own, path, { formName: 'x', formSchema: JSON.stringify(form.schema) })).status).not.toBe(200);
  expect((await forms.latest(tenantId, form.id))!.version).toBe(before);
});
