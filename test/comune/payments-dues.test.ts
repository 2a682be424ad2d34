// Bulk dues from a CSV through the back-office, the job and pagoPA's massive upload, on PostgreSQL: file-level
// refusals (encoding, columns), a file with 10% bad rows (the good ones become published debt positions with
// their notice numbers, the bad ones are reported), the same and the corrected file again (no duplicates),
// and who may do it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/core/auth/totp.ts';
import { sql } from '../../src/core/db.ts';
import { DEMO_STAFF } from '../../src/comune/seed.ts';
import { DEMO_CREDITOR_INSTITUTIONS, demoPagopaKey } from '../../src/clients/pagopa/demo.ts';
import { gpdBaseUrl, gpdClient } from '../../src/clients/pagopa/index.ts';
import { parseNoticeNumber } from '../../src/domain/pagopa/notice-number.ts';
import { startSystem, type TestSystem } from '../support/system.ts';
import { WebClient, type Visit } from '../support/web-client.ts';
import { duesCsv } from './payments-dues-fixtures.ts';

const BUGLIANO = 'comune-di-bugliano';
const OTHER = 'comune-di-vicopisano-demo';
const PATH = '/backoffice/pagamenti/dovuti';
const staffOf = (tenant: string, role: string) => DEMO_STAFF.find((s) => s.tenantSlug === tenant && s.role === role)!;

let system: TestSystem;
beforeAll(async () => {
  system = await startSystem({ apps: ['pagopa', 'comune'], database: 'postgres', env: { LOGIN_RATE_LIMIT: '1000' } });
}, 120_000);
afterAll(() => system?.stop());

const db = () => system.ctx.database.db;
const url = (path: string) => `${system.urls.comune}${path}`;

async function login(tenant: string, role = 'tenant_admin'): Promise<WebClient> {
  const person = staffOf(tenant, role);
  const client = new WebClient();
  const path = `/${tenant}/backoffice/accedi`;
  let page = await client.submit(await client.visit(url(path)), path, { email: person.email, password: person.password });
  if (person.totpSecret) page = await client.submit(page, `${path}/totp`, { code: totpCode(person.totpSecret) });
  expect(page.url.pathname).toBe(`/${tenant}/backoffice`);
  return client;
}

async function upload(client: WebClient, tenant: string, bytes: Uint8Array<ArrayBuffer> | string, chapter = '3050/1', name = 'dovuti.csv'): Promise<Visit> {
  const page = await client.visit(url(`/${tenant}${PATH}`));
  const form = new FormData();
  form.set('_csrf', /name="_csrf" value="([^"]+)"/.exec(page.html)![1]!);
  form.set('chapter', chapter);
  form.set('file', new Blob([bytes], { type: 'text/csv' }), name);
  return client.visit(url(`/${tenant}${PATH}`), { method: 'POST', body: form });
}

/** Follows the upload page until its job is done, checking that it asks to be refreshed meanwhile. */
async function finished(client: WebClient, page: Visit): Promise<Visit> {
  for (let i = 0; i < 200; i++) {
    if (!page.html.includes('In lavorazione')) {
      expect(page.headers.get('refresh')).toBeNull();
      return page;
    }
    expect(page.headers.get('refresh')).toBe('3');
    await new Promise((r) => setTimeout(r, 100));
    page = await client.visit(page.url);
  }
  throw new Error('the upload was not processed');
}

const count = (page: Visit, outcome: string) => Number(new RegExp(`data-outcome="${outcome}">(\\d+)<`).exec(page.html)![1]);
const positionsOnPagopa = async () => (await sql<{ n: number }>`select count(*)::int as n from pagopa.debt_positions where iupd like 'DOV-%'`.execute(db())).rows[0]!.n;

describe('bulk dues', () => {
  it('refuses a file that is not UTF-8, or lacks columns, with one clear message and nothing stored', async () => {
    const admin = await login(BUGLIANO);
    const windows = new Uint8Array([...new TextEncoder().encode('codice_fiscale;nome;importo;causale;scadenza\r\nRSSMRA85T10A562S;Niccol'), 0xf2, ...new TextEncoder().encode(';10;TARI;31/12/2030\r\n')]);
    const wrong = await upload(admin, BUGLIANO, windows);
    expect(wrong.status).toBe(422);
    expect(wrong.html).toContain('Windows-1252');
    const missing = await upload(admin, BUGLIANO, 'codice_fiscale;nome;email\r\nRSSMRA85T10A562S;Mario Rossi;m@example.it\r\n');
    expect(missing.status).toBe(422);
    expect(missing.html).toContain('Mancano le colonne obbligatorie: importo, causale, scadenza.');
    expect((await sql<{ n: number }>`select count(*)::int as n from comune.dues_uploads`.execute(db())).rows[0]!.n).toBe(0);
  });

  it('creates the good rows of a file with 10% bad ones, reports the bad ones, and never duplicates on a retry', async () => {
    const admin = await login(BUGLIANO);
    const bad = (n: number) => n % 10 === 0;
    let page = await upload(admin, BUGLIANO, duesCsv({ rows: 60, bad }));
    expect(page.status).toBe(200);
    expect(page.url.pathname).toMatch(new RegExp(`^/${BUGLIANO}${PATH}/[0-9a-f-]{36}$`));
    page = await finished(admin, page);
    expect(page.html).toMatch(/<progress[^>]*max="60" value="60"/);
    expect([count(page, 'created'), count(page, 'rejected'), count(page, 'failed'), count(page, 'pending')]).toEqual([54, 6, 0, 0]);
    expect(page.html).toContain('codice fiscale non valido');
    expect(page.html).toContain('la scadenza deve essere successiva a oggi: 01/01/2020');
    expect(page.html).toContain('numero di rate non valido (da 1 a 36): tre');
    expect(await positionsOnPagopa()).toBe(54);

    // The report: every row, the created ones with their notice numbers.
    const report = await admin.request(new URL(`${page.url.pathname}/resoconto.csv`, page.url));
    expect(report.headers.get('content-type')).toContain('text/csv');
    const lines = (await report.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines).toHaveLength(61);
    const third = lines.find((l) => l.startsWith('4,'))!;
    expect(third).toContain('Creati');
    const navs = /,DOV-[0-9a-f]{40},([0-9 ]+),/.exec(third)![1]!.split(' ');
    expect(navs).toHaveLength(3);
    for (const nav of navs) expect(parseNoticeNumber(nav).ok).toBe(true);

    // On pagoPA: published, the installments adding up to the row's amount (row 3: 53,03 € in 3 monthly rates, the 2 cents left over on the first two).
    const iupd = /,(DOV-[0-9a-f]{40}),/.exec(lines.find((l) => l.startsWith('4,'))!)![1]!;
    const bugliano = DEMO_CREDITOR_INSTITUTIONS[0];
    const gpd = gpdClient({ baseUrl: gpdBaseUrl(system.urls.pagopa), subscriptionKey: demoPagopaKey(system.ctx.secret, bugliano.fiscalCode), organizationFiscalCode: bugliano.fiscalCode });
    const position = await gpd.getPosition(iupd);
    expect(position.status).toBe('VALID');
    expect(position.paymentOption.map((o) => o.amount)).toEqual([1_768, 1_768, 1_767]);
    expect(position.paymentOption.map((o) => o.isPartialPayment)).toEqual([true, true, true]);
    expect(position.paymentOption[0]!.transfer[0]).toMatchObject({ iban: bugliano.iban, category: '9/0101108TS/' });
    expect(position.paymentOption.map((o) => o.nav)).toEqual(navs);

    // The same file again: nothing new, every good row already there with its notice numbers.
    let again = await finished(admin, await upload(admin, BUGLIANO, duesCsv({ rows: 60, bad })));
    expect([count(again, 'created'), count(again, 'existing'), count(again, 'rejected')]).toEqual([0, 54, 6]);
    expect(await positionsOnPagopa()).toBe(54);
    // The corrected file: only the rows that were bad are created.
    again = await finished(admin, await upload(admin, BUGLIANO, duesCsv({ rows: 60 })));
    expect([count(again, 'created'), count(again, 'existing'), count(again, 'rejected')]).toEqual([6, 54, 0]);
    expect(await positionsOnPagopa()).toBe(60);

    // The list shows the three uploads.
    const list = await admin.visit(url(`/${BUGLIANO}${PATH}`));
    expect(list.html.match(/href="\/comune-di-bugliano\/backoffice\/pagamenti\/dovuti\/[0-9a-f-]{36}"/g)).toHaveLength(3);
  });

  it('is for the ente’s administrator only: operators cannot upload, another ente’s administrator cannot see', async () => {
    const admin = await login(BUGLIANO);
    const page = await finished(admin, await upload(admin, BUGLIANO, duesCsv({ rows: 2, installments: 2 }).replace(/TARI 2027/g, 'Mensa')));
    const id = page.url.pathname.split('/').at(-1)!;

    const operator = await login(BUGLIANO, 'operator');
    expect((await operator.visit(url(`/${BUGLIANO}${PATH}`))).status).toBe(403);
    const form = new FormData();
    form.set('chapter', '3050/1');
    form.set('file', new Blob([duesCsv({ rows: 1 })]), 'x.csv');
    expect((await operator.visit(url(`/${BUGLIANO}${PATH}`), { method: 'POST', body: form })).status).toBe(403);
    expect((await operator.visit(url(`/${BUGLIANO}${PATH}/${id}`))).status).toBe(403);

    const other = await login(OTHER);
    expect((await other.visit(url(`/${OTHER}${PATH}/${id}`))).status).toBe(404);
    expect((await other.request(url(`/${OTHER}${PATH}/${id}/resoconto.csv`))).status).toBe(404);
    expect((await other.visit(url(`/${BUGLIANO}${PATH}/${id}`))).status).toBe(403);
    const otherList = await other.visit(url(`/${OTHER}${PATH}`));
    expect(otherList.html).not.toContain(id);
    // The nav of the admin's back-office links the page.
    expect((await admin.visit(url(`/${BUGLIANO}/backoffice`))).html).toContain(`href="/${BUGLIANO}${PATH}"`);
  });
});
