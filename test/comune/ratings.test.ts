// Page ratings over HTTP: JSON and plain-form ratings, refusals as problem+json or form errors, the
// thanks after a plain form, rate limiting, and the ente admin's figures (own ente only, admins only).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/core/auth/totp.ts';
import { sql } from '../../src/core/db.ts';
import { DEMO_STAFF } from '../../src/comune/seed.ts';
import { startSystem, type TestSystem } from '../support/system.ts';
import { WebClient } from '../support/web-client.ts';

const BUGLIANO = 'comune-di-bugliano';
const OTHER = 'comune-di-vicopisano-demo';

let system: TestSystem;
beforeAll(async () => {
  system = await startSystem({ apps: ['comune'], env: { LOGIN_RATE_LIMIT: '1000', TRUST_PROXY: '127.0.0.1' } });
});
afterAll(() => system?.stop());

const url = (path: string) => `${system.urls.comune}${path}`;
/** Each rating comes from its own address (behind the trusted local proxy): the route's limit is per client address. */
let lastAddress = 0;
const address = () => `10.0.0.${++lastAddress}`;

async function rate(tenant: string, fields: Record<string, string>, options: { json?: boolean; from?: string } = {}) {
  const body = options.json ? JSON.stringify(fields) : new URLSearchParams(fields).toString();
  return fetch(url(`/${tenant}/valutazioni`), {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': options.json ? 'application/json' : 'application/x-www-form-urlencoded',
      accept: options.json ? 'application/json' : 'text/html',
      'x-forwarded-for': options.from ?? address(),
    },
    body,
  });
}

async function login(client: WebClient, tenant: string, role: 'tenant_admin' | 'operator') {
  const person = DEMO_STAFF.find((s) => s.tenantSlug === tenant && s.role === role)!;
  const path = `/${tenant}/backoffice/accedi`;
  let page = await client.submit(await client.visit(url(path)), path, { email: person.email, password: person.password });
  if (person.totpSecret) page = await client.submit(page, `${path}/totp`, { code: totpCode(person.totpSecret) });
  return page;
}

const rows = async (tenant: string) =>
  (
    await sql<{ page: string; stars: number; reason: string | null; comment: string | null; locale: string }>`select r.page, r.stars, r.reason, r.comment, r.locale
      from comune.page_ratings r join comune.tenants t on t.id = r.tenant_id where t.slug = ${tenant}`.execute(system.ctx.database.db)
  ).rows;

describe('rating a page', () => {
  it('stores a JSON rating with the answer matching the stars, and answers 201', async () => {
    const response = await rate(BUGLIANO, { page: 'servizi/permesso-ztl', rating: '2', negativeReason: 'lost', positiveReason: 'clear', comment: 'Non trovavo gli orari.' }, { json: true });
    expect(response.status).toBe(201);
    const created = (await response.json()) as { id: string; page: string; rating: number };
    expect(created).toMatchObject({ page: 'servizi/permesso-ztl', rating: 2 });
    expect(await rows(BUGLIANO)).toContainEqual({ page: 'servizi/permesso-ztl', stars: 2, reason: 'lost', comment: 'Non trovavo gli orari.', locale: 'it' });
  });

  it('refuses bad ratings with problem+json naming the fields, and stores nothing', async () => {
    const before = (await rows(BUGLIANO)).length;
    const bad = await rate(BUGLIANO, { page: 'servizi/permesso-ztl', rating: '9', comment: 'x'.repeat(201) }, { json: true });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(((await bad.json()) as { errors: { pointer: string }[] }).errors.map((e) => e.pointer)).toEqual(['/body/rating', '/body/comment']);
    const personal = await rate(BUGLIANO, { page: '', rating: '5', comment: 'Chiamatemi al 333 1234567' }, { json: true });
    expect(((await personal.json()) as { errors: { code: string }[] }).errors.map((e) => e.code)).toEqual(['personal-data']);
    for (const page of ['servizi/non-esiste', 'area-personale', 'servizi/categoria/non-esiste', '../admin']) {
      const unknown = await rate(BUGLIANO, { page, rating: '4' }, { json: true });
      expect(unknown.status, page).toBe(400);
      expect(((await unknown.json()) as { errors: { pointer: string }[] }).errors[0]!.pointer).toBe('/body/page');
    }
    // Another ente's service is not a page of this ente.
    expect((await rate(OTHER, { page: 'servizi/permesso-ztl', rating: '4' }, { json: true })).status).toBe(400);
    expect((await rows(BUGLIANO)).length).toBe(before);
  });

  it('takes a plain form back to the page with the thanks, or shows the form again with its errors', async () => {
    const sent = await rate(BUGLIANO, { page: 'faq', rating: '5', positiveReason: 'complete', negativeReason: '' });
    expect(sent.status).toBe(303);
    const location = sent.headers.get('location')!;
    expect(location).toBe(`/${BUGLIANO}/faq?valutazione=grazie#feedback`);
    const back = await new WebClient().visit(url(location));
    expect(back.html).toContain('Grazie, il tuo parere ci aiuterà a migliorare il servizio!');
    expect(back.html).not.toContain('class="feedback-form"');
    expect(await rows(BUGLIANO)).toContainEqual({ page: 'faq', stars: 5, reason: 'complete', comment: null, locale: 'it' });

    const wrong = await rate(BUGLIANO, { page: 'faq', rating: '', comment: 'Scrivete a me@example.it' });
    expect(wrong.status).toBe(400);
    const html = await wrong.text();
    expect(html).toContain('href="#field-rating"');
    expect(html).toContain('Il testo sembra contenere dati personali');
    expect(html).toContain('name="page" value="faq"');
    expect(html).toContain('Scrivete a me@example.it</textarea>');
  });

  it('speaks the visitor’s language and stores it', async () => {
    const page = await new WebClient('en').visit(url(`/${BUGLIANO}/servizi/permesso-ztl`));
    expect(page.html).toContain('How clear is the information on this page?');
    const response = await fetch(url(`/${BUGLIANO}/valutazioni`), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'accept-language': 'de', 'x-forwarded-for': address() },
      body: JSON.stringify({ page: 'servizi', rating: 3 }),
    });
    expect(response.status).toBe(201);
    expect(await rows(BUGLIANO)).toContainEqual({ page: 'servizi', stars: 3, reason: null, comment: null, locale: 'de' });
  });

  it('limits how often one address can rate', async () => {
    const from = address();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await rate(OTHER, { page: '', rating: '4' }, { json: true, from })).status);
    expect(statuses.slice(0, 10).every((s) => s === 201)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
  });
});

describe('the ente admin’s figures', () => {
  it('shows counts, averages, answers and comments of its own ente only, to admins only', async () => {
    await rate(BUGLIANO, { page: 'servizi/permesso-ztl', rating: '5', positiveReason: 'clear' }, { json: true });
    await rate(OTHER, { page: '', rating: '1', negativeReason: 'unclear', comment: 'Commento di un altro ente' }, { json: true });
    const admin = new WebClient();
    await login(admin, BUGLIANO, 'tenant_admin');
    const page = await admin.visit(url(`/${BUGLIANO}/backoffice/valutazioni`));
    expect(page.status).toBe(200);
    expect(page.html).toContain(`href="/${BUGLIANO}/backoffice/valutazioni" aria-current="page"`);
    // permesso-ztl: 2 and 5 stars.
    const row = /<tr><th scope="row"><a href="\/comune-di-bugliano\/servizi\/permesso-ztl">Servizio: Permesso di accesso alla ZTL<\/a><\/th>([\s\S]*?)<\/tr>/.exec(page.html)![1]!;
    expect(row).toContain('<td class="text-end">2</td>');
    expect(row).toContain('3,5 su 5');
    expect(row).toContain('50%');
    expect(row).toContain('A volte non capivo se stavo procedendo correttamente (1)');
    expect(page.html).toContain('Non trovavo gli orari.');
    expect(page.html).not.toContain('Commento di un altro ente');

    expect((await admin.visit(url(`/${OTHER}/backoffice/valutazioni`))).status).toBe(403);
    const operator = new WebClient();
    await login(operator, BUGLIANO, 'operator');
    expect((await operator.visit(url(`/${BUGLIANO}/backoffice/valutazioni`))).status).toBe(403);
    const anonymous = await new WebClient().visit(url(`/${BUGLIANO}/backoffice/valutazioni`));
    expect(anonymous.url.pathname).toBe(`/${BUGLIANO}/backoffice/accedi`);
  });
});
