// The ente's payment reconciliation end to end, over real HTTP: notices paid at the PSP simulator's counters
// (Nodo → receipts), one PSP's day closed (FdR published + cumulative credit at the treasury bank), then the
// tenant admin's "Aggiorna ora": reconciled, paid, and what does not match, filtered and paged in SQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, transaction } from '../../src/core/db.ts';
import { listJobs } from '../../src/core/jobs.ts';
import { totpCode } from '../../src/core/auth/totp.ts';
import { DEMO_PSPS } from '../../src/clients/pagopa/demo.ts';
import { cumulativeRemittance } from '../../src/clients/psp/treasury.ts';
import { DEMO_STAFF } from '../../src/comune/seed.ts';
import { runReconciliation } from '../../src/comune/payments/reconciliation/pull.ts';
import { findItems, lastRun } from '../../src/comune/payments/reconciliation/store.ts';
import { RECONCILIATION_JOB, reconciliationHandler, reconciliationRunAt } from '../../src/comune/payments/reconciliation/job.ts';
import { runPspCommand } from '../../src/simulators/psp/cli.ts';
import { romeDay } from '../../src/simulators/psp/payments.ts';
import { bookTransfer } from '../../src/simulators/psp/treasury.ts';
import { startSystem, type TestSystem } from '../support/system.ts';
import { WebClient } from '../support/web-client.ts';
import { BUGLIANO, gpdOf, publishedNotice } from '../psp/support.ts';

const TENANT = 'comune-di-bugliano';
const PAGE = `/${TENANT}/backoffice/pagamenti/riconciliazione`;
const [BANK, , TOBACCONIST] = DEMO_PSPS;
const staffOf = (role: string) => DEMO_STAFF.find((s) => s.tenantSlug === TENANT && s.role === role)!;

describe('payment reconciliation of the ente', () => {
  let system: TestSystem;
  let tenantId: string;
  const today = romeDay(new Date());
  const url = (path: string) => `${system.urls.comune}${path}`;
  const iuvs: Record<string, string> = {};

  const iupds: string[] = [];
  async function payAt(idPSP: string, amount: number): Promise<string> {
    const notice = await publishedNotice(system, BUGLIANO, amount);
    iupds.push(notice.iupd);
    const clerk = new WebClient('it');
    const page = await clerk.visit(`${system.urls.psp}/sportelli/${idPSP}/avviso?${new URLSearchParams({ codice: notice.nav, ente: BUGLIANO.fiscalCode })}`);
    expect((await clerk.submit(page, '/incassi', { metodo: 'cash' })).url.pathname).toContain('/ricevute/');
    return notice.nav.slice(1);
  }

  async function login(role: string): Promise<WebClient> {
    const person = staffOf(role);
    const client = new WebClient();
    const loginPath = `/${TENANT}/backoffice/accedi`;
    let page = await client.submit(await client.visit(url(loginPath)), loginPath, { email: person.email, password: person.password });
    if (person.totpSecret) page = await client.submit(page, `${loginPath}/totp`, { code: totpCode(person.totpSecret) });
    expect(page.url.pathname).toBe(`/${TENANT}/backoffice`);
    return client;
  }

  beforeAll(async () => {
    system = await startSystem({ apps: ['comune', 'pagopa', 'psp'], database: 'postgres', env: { LOGIN_RATE_LIMIT: '1000' } });
    tenantId = (await sql<{ id: string }>`select id from comune.tenants where slug = ${TENANT}`.execute(system.ctx.database.db)).rows[0]!.id;
    iuvs.first = await payAt(BANK.idPSP, 10_000);
    iuvs.second = await payAt(BANK.idPSP, 2_550);
    iuvs.unreported = await payAt(TOBACCONIST.idPSP, 990);
    expect((await runPspCommand(system.ctx, ['close-day', today, BANK.idPSP]))[0]).toBe(`${BANK.idPSP} ${today}: 1 flows published and transferred`);
    // A credit naming a flow pagoPA never published to the ente.
    await bookTransfer(system.ctx.database.db, {
      iban: BUGLIANO.iban,
      valueDate: today,
      amountCents: 4_200,
      trn: 'TRNUNKNOWN0001',
      remittanceInformation: cumulativeRemittance(`${today}${TOBACCONIST.idPSP}-9999999`),
      debtorName: TOBACCONIST.companyName,
      debtorIban: 'IT60X0542811101000000123456',
    });
  }, 120_000);
  afterAll(() => system?.stop());

  it('runs from the back-office: receipts reconciled through the flow and the credit, the rest shown by what does not match', async () => {
    const admin = await login('tenant_admin');
    const before = await admin.visit(url(PAGE));
    expect(before.status).toBe(200);
    expect(before.html).toContain('<h1>Riconciliazione pagamenti</h1>');
    expect(before.html).toContain('La riconciliazione non è ancora stata eseguita.');
    expect(before.html).toMatch(/<a class="nav-link active" href="[^"]*\/pagamenti\/riconciliazione" aria-current="page">/);

    const after = await admin.submit(before, `${PAGE}/aggiorna`, {});
    expect(after.url.pathname + after.url.search).toBe(`${PAGE}?esito=aggiornato`);
    expect(after.html).toContain('Riconciliazione aggiornata.');
    expect(after.html).toContain('con 3 ricevute, 1 flussi di rendicontazione e 2 movimenti di tesoreria');
    for (const summary of ['Pagato: 1', 'Rendicontato: 0', 'Riconciliato: 2', 'Da verificare: 1']) expect(after.html).toContain(summary);

    const reconciled = await admin.visit(url(`${PAGE}?stato=reconciled`));
    expect(reconciled.html).toContain('2 voci');
    for (const iuv of [iuvs.first, iuvs.second]) expect(reconciled.html).toContain(`<td>${iuv}</td>`);
    expect(reconciled.html).toContain('100,00');
    const anomaly = await admin.visit(url(`${PAGE}?anomalia=movement-without-flow`));
    expect(anomaly.html).toContain('1 voci');
    expect(anomaly.html).toContain('Accredito senza flusso di rendicontazione');
    expect(anomaly.html).toContain(`${today}${TOBACCONIST.idPSP}-9999999`);
    expect((await admin.visit(url(`${PAGE}?q=${iuvs.unreported}`))).html).toContain('Pagato</span>');
    expect((await admin.visit(url(`${PAGE}?stato=altro`))).status).toBe(400);
    const german = await admin.visit(url(`${PAGE}?stato=reconciled&lang=de`));
    expect(german.html).toContain('<h1>Zahlungsabgleich</h1>');
  });

  it('has GPD report the positions the published flow names: REPORTED, the unreported one still PAID', async () => {
    const statuses = await Promise.all(iupds.map(async (iupd) => (await gpdOf(system, BUGLIANO).getPosition(iupd)).status));
    expect(statuses).toEqual(['REPORTED', 'REPORTED', 'PAID']);
  });

  it('flags a receipt no flow reports once the PSP is late', async () => {
    await runReconciliation(system.ctx, tenantId, new Date(Date.now() + 5 * 86_400_000));
    const late = await findItems(system.ctx.database.db, tenantId, { issue: 'not-reported' }, { offset: 0, limit: 10 });
    expect(late).toMatchObject([{ iuv: iuvs.unreported, pspId: TOBACCONIST.idPSP, amount: 990, state: 'anomaly' }]);
  });

  it('runs every morning at 06:00 in Italy for every ente with pagoPA, and schedules the next morning', async () => {
    expect(reconciliationRunAt('2026-11-24').toISOString()).toBe('2026-11-24T05:00:00.000Z');
    expect(reconciliationRunAt('2026-07-01').toISOString()).toBe('2026-07-01T04:00:00.000Z');
    const db = system.ctx.database.db;
    const scheduled = (await listJobs(db, 'comune', { kind: RECONCILIATION_JOB }));
    expect(scheduled).toHaveLength(1);
    const day = (scheduled[0]!.payload as { day: string }).day;
    expect(scheduled[0]!.runAt.getTime()).toBe(reconciliationRunAt(day).getTime());

    await reconciliationHandler(system.ctx)({ day }, { jobId: 0, kind: RECONCILIATION_JOB, attempt: 1, maxAttempts: 1, idempotencyKey: day, logger: system.ctx.logger, transaction: (fn) => transaction(db, fn) });
    // The previous test ran as of five days ahead: the job's run is as of now.
    expect(Math.abs((await lastRun(db, tenantId))!.ranAt.getTime() - Date.now())).toBeLessThan(60_000);
    const next = (await listJobs(db, 'comune', { kind: RECONCILIATION_JOB })).map((j) => (j.payload as { day: string }).day);
    expect(next).toHaveLength(2);
  });

  it('is for the ente’s administrator only', async () => {
    const operator = await login('operator');
    expect((await operator.visit(url(PAGE))).status).toBe(403);
    expect((await new WebClient().visit(url(PAGE))).url.pathname).toBe(`/${TENANT}/backoffice/accedi`);
  });
});
