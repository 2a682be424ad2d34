// Back-office › Moduli over HTTP: a bad schema is refused (422) with its errors listed by pointer and nothing
// saved; a good one becomes a new version; the preview renders without saving, in the chosen language; a new
// blank form is created and attached to a service; operators and another ente's administrator are kept out.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { totpCode } from '../../src/core/auth/totp.ts';
import { DEMO_STAFF } from '../../src/comune/seed.ts';
import { TenantRepository } from '../../src/comune/tenants/tenants.ts';
import { FormRepository, type FormRecord } from '../../src/comune/forms/forms.ts';
import { ServiceRepository } from '../../src/comune/catalog/services.ts';
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
  expect(notJson.status).toBe(422);
  expect(notJson.html).toContain('id="schema-errors"');
  const bad = { display: 'form', components: [{ type: 'textfield', key: '1bad', label: 'Nome' }, { type: 'select', key: 'scelta', label: 'Scelta' }] };
  const refused = await admin.submit(page, path, { formName: form.name, formSchema: JSON.stringify(bad) });
  expect(refused.status).toBe(422);
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

it('saves texts in three languages, previews them in the chosen one, and refuses a translation without Italian', async () => {
  const admin = new WebClient();
  await login(admin, BUGLIANO, 'tenant_admin');
  const path = `/${BUGLIANO}/backoffice/moduli/${form.id}`;
  const page = await admin.visit(url(path));
  const before = (await forms.latest(tenantId, form.id))!.version;
  const grid = (validate: object) => ({
    display: 'form',
    components: [
      { type: 'textfield', key: 'nome', label: { it: 'Nome', en: 'First name', de: 'Vorname' }, errors: { required: { it: 'Scrivi il nome.', de: 'Geben Sie den Vornamen ein.' } }, validate: { required: true } },
      { type: 'editgrid', key: 'veicoli', label: { it: 'Veicoli', en: 'Vehicles' }, validate, components: [{ type: 'textfield', key: 'targa', label: { it: 'Targa', en: 'Number plate' } }] },
    ],
  });
  const english = await post(admin, page, `${path}/anteprima`, { formName: form.name, formSchema: JSON.stringify(grid({ minLength: 1, maxLength: 3 })), previewLocale: 'en' });
  expect(english.status).toBe(200);
  expect(english.html).toContain('<div class="form-preview-frame" inert lang="en">');
  expect(english.html).toContain('<label for="field-nome" class="active">First name');
  expect(english.html).toContain('Add to “Vehicles”');
  const german = await post(admin, page, `${path}/anteprima`, { formName: form.name, formSchema: JSON.stringify(grid({})), previewLocale: 'de' });
  expect(german.html).toContain('<legend class="h6">Veicoli</legend>'); // no German: the Italian

  const refused = await admin.submit(page, path, { formName: form.name, formSchema: JSON.stringify({ display: 'form', components: [{ type: 'textfield', key: 'a', label: { en: 'Name' } }, { type: 'editgrid', key: 'g', label: 'G', validate: { minLength: 4, maxLength: 2 }, components: [] }] }) });
  expect(refused.status).toBe(422);
  expect(refused.html).toMatch(/<code>\/components\/0\/label\/it<\/code>/);
  expect(refused.html).toMatch(/<code>\/components\/1\/components<\/code>/);
  expect((await forms.latest(tenantId, form.id))!.version).toBe(before);

  const saved = await admin.submit(page, path, { formName: form.name, formSchema: JSON.stringify(grid({ minLength: 1, maxLength: 3 })) });
  expect(saved.status).toBe(200);
  expect((await forms.latest(tenantId, form.id))!.schema.components[0]).toMatchObject({ label: { it: 'Nome', en: 'First name', de: 'Vorname' }, errors: { required: { de: 'Geben Sie den Vornamen ein.' } } });
  const bad = await admin.submit(saved, path, { formName: form.name, formSchema: JSON.stringify(grid({ minLength: 4, maxLength: 2 })) });
  expect(bad.status).toBe(422);
  expect(bad.html).toContain('<code>/components/1/validate/minLength</code> Il minimo supera il massimo. <small lang="en">(minLength is greater than maxLength)</small>');
});

it('creates a blank form, names it and attaches it to a service in one step', async () => {
  const admin = new WebClient();
  await login(admin, BUGLIANO, 'tenant_admin');
  const index = await admin.visit(url(`/${BUGLIANO}/backoffice/moduli`));
  expect(index.html).toContain(`href="/${BUGLIANO}/backoffice/moduli/nuovo"`);
  const newPath = `/${BUGLIANO}/backoffice/moduli/nuovo`;
  const page = await admin.visit(url(newPath));
  expect(page.status).toBe(200);
  const services = await new ServiceRepository(system.ctx.database.db).list(tenantId);
  const service = services.find((s) => s.slug === 'occupazione-suolo-pubblico')!;
  expect(page.html).toContain(`<option value="${service.id}">`);
  const count = (await forms.list(tenantId)).length;

  const unnamed = await admin.submit(page, newPath, { formName: ' ', display: 'wizard', serviceId: service.id });
  expect(unnamed.status).toBe(422);
  expect(unnamed.html).toContain('Il modulo deve avere un nome.');
  const elsewhere = await admin.submit(page, newPath, { formName: 'Prova', display: 'form', serviceId: '00000000-0000-4000-8000-000000000000' });
  expect(elsewhere.status).toBe(422);
  expect(elsewhere.html).toContain("Scegli un servizio dell&#39;elenco.");
  expect((await forms.list(tenantId)).length).toBe(count);

  const created = await admin.submit(page, newPath, { formName: 'Occupazione di suolo pubblico 2027', display: 'wizard', serviceId: service.id });
  expect(created.status).toBe(200);
  const id = /\/backoffice\/moduli\/([0-9a-f-]{36})$/.exec(created.url.pathname)?.[1];
  expect(id).toBeDefined();
  expect(created.html).toContain('Salvata la versione 1.');
  expect(created.html).toContain('usa ora questo modulo.');
  const form2 = (await forms.latest(tenantId, id!))!;
  expect(form2).toMatchObject({ version: 1, name: 'Occupazione di suolo pubblico 2027' });
  expect(form2.schema).toMatchObject({
    display: 'wizard',
    components: [{ type: 'panel', label: { it: 'Richiedente', en: 'Applicant' }, components: [{ type: 'codicefiscale', key: 'applicantFiscalCode', properties: { prefill: 'login.fiscalCode' } }] }],
  });
  expect((await new ServiceRepository(system.ctx.database.db).byId(tenantId, service.id))!.formId).toBe(id);
  expect((await admin.visit(url(`/${BUGLIANO}/backoffice/moduli`))).html).toMatch(new RegExp(`${id}">Occupazione di suolo pubblico 2027</a></td><td>[^<]*Concessione per l’occupazione`));

  // Without a service: a one-page form, attached to nothing.
  const alone = await admin.submit(page, newPath, { formName: 'Bozza', display: 'form', serviceId: '' });
  expect(alone.status).toBe(200);
  expect(alone.html).not.toContain('usa ora questo modulo.');
});

it('keeps operators and other entes out', async () => {
  const path = `/${BUGLIANO}/backoffice/moduli/${form.id}`;
  const operator = new WebClient();
  await login(operator, BUGLIANO, 'operator');
  expect((await operator.visit(url(`/${BUGLIANO}/backoffice/moduli`))).status).toBe(403);
  expect((await operator.visit(url(`/${BUGLIANO}/backoffice/moduli/nuovo`))).status).toBe(403);
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
