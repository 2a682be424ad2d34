// The catalog over HTTP: the public pages of the demo comune with the PNRR 1.4.1 validator's markers,
// search and filters, languages, 404s; the admin console (CSRF, validation, tenant isolation, offices).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/core/auth/totp.ts';
import { DEMO_STAFF } from '../../src/comune/seed.ts';
import { ServiceRepository } from '../../src/comune/catalog/services.ts';
import { OfficeRepository } from '../../src/comune/catalog/offices.ts';
import { OFFICIAL_TOPICS } from '../../src/comune/catalog/topics.ts';
import { startSystem, type TestSystem } from '../support/system.ts';
import { WebClient, type Visit } from '../support/web-client.ts';

const BUGLIANO = 'comune-di-bugliano';
const OTHER = 'comune-di-vicopisano-demo';
const staffOf = (tenant: string, role: string) => DEMO_STAFF.find((s) => s.tenantSlug === tenant && s.role === role)!;

let system: TestSystem;
beforeAll(async () => {
  system = await startSystem({ apps: ['comune'], env: { LOGIN_RATE_LIMIT: '1000' } });
});
afterAll(() => system?.stop());

const url = (path: string) => `${system.urls.comune}${path}`;
const tenantId = async (slug: string) => (await system.ctx.database.db.selectFrom('comune.tenants' as never).select('id' as never).where('slug' as never, '=', slug as never).executeTakeFirstOrThrow() as { id: string }).id;
/** Every value of a data-element marker on the page, as text without tags. */
const marked = (page: string, element: string) =>
  [...page.matchAll(new RegExp(`<(\\w+)[^>]*data-element="${element}"[^>]*>([\\s\\S]*?)</\\1>`, 'g'))].map((m) => m[2]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim());

async function login(client: WebClient, tenant: string, role: 'tenant_admin' | 'operator'): Promise<Visit> {
  const person = staffOf(tenant, role);
  const path = `/${tenant}/backoffice/accedi`;
  let page = await client.submit(await client.visit(url(path)), path, { email: person.email, password: person.password });
  if (person.totpSecret) page = await client.submit(page, `${path}/totp`, { code: totpCode(person.totpSecret) });
  return page;
}

const serviceFields = (slug: string, extra: Record<string, string> = {}) => ({
  slug,
  status: 'active',
  accessLevel: 'spid-l2',
  deadlineDays: '30',
  protocolRequired: '1',
  channels: 'online',
  topics: 'patrimonio culturale, Tempo libero',
  'content.it.name': 'Iscrizione ai corsi della biblioteca',
  'content.it.description': 'Iscrizione ai corsi gratuiti di lettura della biblioteca comunale.',
  'content.it.who': 'Residenti maggiorenni.',
  'content.en.name': 'Library course enrolment',
  ...extra,
});

describe('public catalog', () => {
  it('links the services page from the home page and lists the six demo services by category', async () => {
    const home = await (await fetch(url(`/${BUGLIANO}/`))).text();
    expect(home).toMatch(new RegExp(`href="/${BUGLIANO}/servizi" data-element="all-services"`));
    const page = await new WebClient().visit(url(`/${BUGLIANO}/servizi`));
    expect(page.status).toBe(200);
    expect(marked(page.html, 'service-category-link')).toEqual(expect.arrayContaining(['Educazione e formazione', 'Mobilità e trasporti', 'Autorizzazioni']));
    expect(marked(page.html, 'service-link')).toHaveLength(6);
    expect(marked(page.html, 'breadcrumb')[0]).toContain('Servizi');
    // Grouped: the category's heading comes before its services.
    expect(page.html.indexOf('Mobilità e trasporti</a></h2>')).toBeLessThan(page.html.indexOf('Permesso di accesso alla ZTL'));
  });

  it('searches by words and filters by topic and category', async () => {
    const client = new WebClient();
    const links = async (query: string) => marked((await client.visit(url(`/${BUGLIANO}/servizi?${query}`))).html, 'service-link');
    expect(await links('q=ztl')).toEqual(['Contrassegno di parcheggio per persone con disabilità', 'Permesso di accesso alla ZTL']);
    expect(await links('q=affitto')).toEqual(['Contributo economico per il pagamento dell’affitto']);
    expect(await links(`argomento=${encodeURIComponent('Assistenza agli invalidi')}`)).toEqual(['Contrassegno di parcheggio per persone con disabilità']);
    expect(await links('categoria=mobilita-e-trasporti')).toHaveLength(2);
    expect(await links('categoria=nessuna')).toEqual([]);
    expect(await links('q=%25')).toEqual([]);
    const category = await client.visit(url(`/${BUGLIANO}/servizi/categoria/mobilita-e-trasporti`));
    expect(marked(category.html, 'service-link')).toHaveLength(2);
    expect(marked(category.html, 'breadcrumb')[0]).toMatch(/Home \/ Servizi \/ Mobilità e trasporti/);
  });

  it('shows a service card with the sections, index and markers the validator reads, and the start button', async () => {
    const page = await new WebClient().visit(url(`/${BUGLIANO}/servizi/permesso-ztl`));
    expect(page.status).toBe(200);
    const html = page.html;
    expect(marked(html, 'service-title')).toEqual(['Permesso di accesso alla ZTL']);
    expect(marked(html, 'service-status')).toEqual(['Servizio attivo']);
    expect(marked(html, 'service-description')[0]!.length).toBeGreaterThan(3);
    expect(marked(html, 'service-topic')).toEqual(['ZTL', 'Mobilità sostenibile']);
    // italia/pa-website-validator contentTypeItemsIndex: the eight mandatory entries, in this order.
    const index = /data-element="page-index">([\s\S]*?)<\/ul>/.exec(html)![1]!;
    const entries = [...index.matchAll(/<li[^>]*><a[^>]*>([^<]+)<\/a><\/li>/g)].map((m) => m[1]);
    const mandatory = ['A chi è rivolto', 'Come fare', 'Cosa serve', 'Cosa si ottiene', 'Tempi e scadenze', 'Accedi al servizio', 'Condizioni di servizio', 'Contatti'];
    expect(entries.filter((e) => mandatory.includes(e!))).toEqual(mandatory);
    for (const element of ['service-addressed', 'service-how-to', 'service-needed', 'service-achieved', 'service-calendar-text']) {
      expect(html, element).toMatch(new RegExp(`data-element="${element}"><p>[^<]{3,}`));
    }
    for (const element of ['service-online-access', 'service-file', 'service-area', 'metatag']) expect(html, element).toContain(`data-element="${element}"`);
    expect(marked(html, 'service-area')[0]).toContain('Polizia Municipale');
    // The validator wants "Servizi" followed by the category in the breadcrumb.
    expect(marked(html, 'breadcrumb')[0]).toMatch(/Servizi \/ Mobilità e trasporti \/ Permesso di accesso alla ZTL/);
    expect(html).toContain(`href="/${BUGLIANO}/servizi/permesso-ztl/domanda" data-element="service-online-access">Compila la domanda`);
    expect(html).toContain('entro 30 giorni');
    const meta = JSON.parse(/data-element="metatag">([^<]*)</.exec(html)![1]!);
    expect(meta).toMatchObject({ '@type': 'GovernmentService', name: 'Permesso di accesso alla ZTL', serviceOperator: { name: 'Comune di Bugliano' } });
  });

  it('lists the topics of the published services, all from the Designers Italia list, behind the header link', async () => {
    const home = await (await fetch(url(`/${BUGLIANO}/`))).text();
    expect(home).toContain(`href="/${BUGLIANO}/argomenti" data-element="all-topics"`);
    const page = await new WebClient().visit(url(`/${BUGLIANO}/argomenti`));
    expect(page.status).toBe(200);
    const topics = marked(page.html, 'topic-element').map((topic) => topic.replaceAll('&#39;', "'"));
    expect(topics).toEqual(expect.arrayContaining(['ZTL', 'Istruzione', 'Assistenza agli invalidi', "Accesso all'informazione"]));
    expect(topics.every((topic) => OFFICIAL_TOPICS.includes(topic as never))).toBe(true);
    expect(page.html).toContain(`href="/${BUGLIANO}/servizi?argomento=ZTL" data-element="topic-element"`);
    expect(marked(page.html, 'page-name')).toEqual(['Argomenti']);
    const services = await new WebClient().visit(url(`/${BUGLIANO}/servizi`));
    expect(marked(services.html, 'page-name')).toEqual(['Servizi']);
  });

  it('ends the services page, the category pages and every service card with the page rating', async () => {
    for (const path of [`/${BUGLIANO}/servizi`, `/${BUGLIANO}/servizi/categoria/mobilita-e-trasporti`, `/${BUGLIANO}/servizi/permesso-ztl`]) {
      const { html } = await new WebClient().visit(url(path));
      expect(marked(html, 'feedback-title'), path).toEqual(['Quanto sono chiare le informazioni su questa pagina?']);
      for (let n = 1; n <= 5; n++) expect(html, path).toContain(`data-element="feedback-rate-${n}"`);
      expect(html, path).toContain(`name="page" value="${path.slice(BUGLIANO.length + 2)}"`);
    }
  });

  it('speaks English and German where written, Italian elsewhere', async () => {
    const english = await new WebClient().visit(url(`/${BUGLIANO}/servizi/permesso-ztl?lang=en`));
    expect(marked(english.html, 'service-title')).toEqual(['Limited traffic zone (ZTL) access permit']);
    expect(english.html).toContain('Fill in the application');
    expect(marked(english.html, 'service-addressed')[0]).toContain('Residenti e domiciliati');
    const german = await new WebClient('de').visit(url(`/${BUGLIANO}/servizi`));
    expect(german.html).toContain('Mietzuschuss');
  });

  it('answers 404 pages for unknown services and categories, and for another ente', async () => {
    for (const path of [`/${BUGLIANO}/servizi/non-esiste`, `/${BUGLIANO}/servizi/categoria/non-esiste`, `/${OTHER}/servizi/permesso-ztl`]) {
      const page = await new WebClient().visit(url(path));
      expect(page.status, path).toBe(404);
      expect(page.html).toContain('La pagina che cerchi non esiste');
    }
  });
});

describe('admin console', () => {
  it('lets only the ente admin manage services: operators and other entes get 403', async () => {
    const operator = new WebClient();
    await login(operator, BUGLIANO, 'operator');
    expect((await operator.visit(url(`/${BUGLIANO}/backoffice/servizi`))).status).toBe(403);
    expect((await operator.visit(url(`/${BUGLIANO}/backoffice/uffici`))).status).toBe(403);
    const admin = new WebClient();
    await login(admin, BUGLIANO, 'tenant_admin');
    expect((await admin.visit(url(`/${OTHER}/backoffice/servizi`))).status).toBe(403);
    const list = await admin.visit(url(`/${BUGLIANO}/backoffice/servizi`));
    expect(list.status).toBe(200);
    expect(list.html).toContain('Contributo economico per il pagamento dell’affitto');
  });

  it("creates a service with CSRF, refuses bad input naming the fields, and suspending it removes the start button", async () => {
    const admin = new WebClient();
    await login(admin, BUGLIANO, 'tenant_admin');
    const form = await admin.visit(url(`/${BUGLIANO}/backoffice/servizi/nuovo`));
    expect((await admin.submit(form, '/backoffice/servizi', serviceFields('corsi-biblioteca'), { omitCsrf: true })).status).toBe(403);

    const bad = await admin.submit(form, '/backoffice/servizi', serviceFields('Corsi Biblioteca', { 'content.it.name': '', deadlineDays: '0', topics: 'Tempo libero, cultura' }));
    expect(bad.status).toBe(400);
    expect(bad.html).toContain('not in the Designers Italia list of topics: cultura');
    expect(bad.html).toContain('href="#field-content.it.name"');
    expect(bad.html).toContain('href="#field-deadlineDays"');
    expect(bad.html).toContain('href="#field-slug"');

    const saved = await admin.submit(form, '/backoffice/servizi', serviceFields('corsi-biblioteca'));
    expect(saved.status).toBe(200);
    expect(saved.url.searchParams.get('salvato')).toBe('1');
    expect(saved.html).toContain('Le modifiche sono state salvate.');
    const id = saved.url.pathname.split('/').pop()!;
    const stored = await new ServiceRepository(system.ctx.database.db).byId(await tenantId(BUGLIANO), id);
    expect(stored).toMatchObject({ slug: 'corsi-biblioteca', status: 'active', deadlineDays: 30, topics: ['patrimonio culturale', 'Tempo libero'], content: { en: { name: 'Library course enrolment' } } });
    expect((await admin.submit(form, '/backoffice/servizi', serviceFields('corsi-biblioteca'))).status).toBe(409);

    const open = await new WebClient().visit(url(`/${BUGLIANO}/servizi/corsi-biblioteca`));
    expect(open.html).toContain('data-element="service-online-access"');

    const suspended = await admin.submit(saved, `/backoffice/servizi/${id}`, serviceFields('corsi-biblioteca', { status: 'suspended' }));
    expect(suspended.status).toBe(200);
    const page = await new WebClient().visit(url(`/${BUGLIANO}/servizi/corsi-biblioteca`));
    expect(marked(page.html, 'service-status')).toEqual(['Servizio sospeso']);
    expect(page.html).not.toContain('data-element="service-online-access"');
    expect(page.html).not.toContain('/domanda');

    await admin.submit(saved, `/backoffice/servizi/${id}`, serviceFields('corsi-biblioteca', { status: 'draft' }));
    expect((await new WebClient().visit(url(`/${BUGLIANO}/servizi/corsi-biblioteca`))).status).toBe(404);
  });

  it("gives another ente's admin 404 for this ente's service, to read or to change", async () => {
    const id = (await new ServiceRepository(system.ctx.database.db).bySlug(await tenantId(BUGLIANO), 'accesso-agli-atti'))!.id;
    const other = new WebClient();
    await login(other, OTHER, 'tenant_admin');
    expect((await other.visit(url(`/${OTHER}/backoffice/servizi/${id}`))).status).toBe(404);
    const form = await other.visit(url(`/${OTHER}/backoffice/servizi/nuovo`));
    const attempt = await other.visit(url(`/${OTHER}/backoffice/servizi/${id}`), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: /name="_csrf" value="([^"]+)"/.exec(form.html)![1]!, ...serviceFields('accesso-agli-atti', { 'content.it.name': 'Preso da un altro ente' }) }),
    });
    expect(attempt.status).toBe(404);
    const after = await new ServiceRepository(system.ctx.database.db).byId(await tenantId(BUGLIANO), id);
    expect(after!.content.it.name).toBe('Accesso agli atti amministrativi');
  });

  it('creates an office, assigns operators of the ente to it, and edits a category', async () => {
    const admin = new WebClient();
    await login(admin, BUGLIANO, 'tenant_admin');
    const offices = await admin.visit(url(`/${BUGLIANO}/backoffice/uffici`));
    expect(offices.html).toContain('Ufficio Relazioni con il Pubblico (URP)');
    const bad = await admin.submit(offices, '/backoffice/uffici', { name: 'Anagrafe', email: 'non-una-mail' });
    expect(bad.status).toBe(400);
    const created = await admin.submit(offices, '/backoffice/uffici', { name: 'Ufficio Anagrafe', email: 'anagrafe@comune.bugliano.pi.it' });
    expect(created.html).toContain('Le modifiche sono state salvate.');
    const officeId = created.url.pathname.split('/').pop()!;
    const bugliano = await tenantId(BUGLIANO);
    const operatorId = (await system.ctx.database.db.selectFrom('comune.staff_users' as never).select('id' as never).where('email' as never, '=', staffOf(BUGLIANO, 'operator').email as never).executeTakeFirstOrThrow() as { id: string }).id;
    const assigned = await admin.submit(created, `/backoffice/uffici/${officeId}`, { name: 'Ufficio Anagrafe', members: operatorId });
    expect(assigned.status).toBe(200);
    expect(await new OfficeRepository(system.ctx.database.db).memberIds(officeId)).toEqual([operatorId]);
    // Unchecking everyone empties the office.
    await admin.submit(assigned, `/backoffice/uffici/${officeId}`, { name: 'Ufficio Anagrafe' });
    expect(await new OfficeRepository(system.ctx.database.db).memberIds(officeId)).toEqual([]);
    expect((await new OfficeRepository(system.ctx.database.db).byId(bugliano, officeId))?.email).toBeNull();

    const categories = await admin.visit(url(`/${BUGLIANO}/backoffice/servizi/categorie`));
    const mobility = /href="([^"]+)">Mobilità e trasporti</.exec(categories.html)![1]!;
    const edit = await admin.visit(url(mobility));
    const renamed = await admin.submit(edit, mobility, { slug: 'mobilita-e-trasporti', 'names.it': 'Mobilità e trasporti', 'names.de': 'Verkehr', position: '2' });
    expect(renamed.html).toContain('Le modifiche sono state salvate.');
    expect((await new WebClient('de').visit(url(`/${BUGLIANO}/servizi`))).html).toContain('Verkehr');
  });
});
