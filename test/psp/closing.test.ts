// The PSPs' day closing and the treasury bank, over real HTTP against the real pagoPA app: one published
// flow and one credit transfer per institution, the same numbers on both sides, a card payment made on pagoPA
// Checkout with the PSP reported with its counters' ones, nothing twice on a second closing; the statement
// only for the account's holder. On PostgreSQL and on the embedded PGlite of `npm start`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCart } from '../../src/clients/pagopa/checkout.ts';
import { DEMO_PSPS, demoPagopaKey } from '../../src/clients/pagopa/demo.ts';
import { fdrOrganizationClient } from '../../src/clients/pagopa/fdr.ts';
import { cumulativeRemittance, demoTreasuryKey, treasuryClient, TreasuryError } from '../../src/clients/psp/treasury.ts';
import { runPspCommand } from '../../src/simulators/psp/cli.ts';
import { romeDay } from '../../src/simulators/psp/payments.ts';
import { startSystem, type TestSystem } from '../support/system.ts';
import { WebClient } from '../support/web-client.ts';
import { debtPosition, inDays } from '../pagopa/support.ts';
import { BUGLIANO, VICOPISANO, gpdOf, publishedNotice } from './support.ts';

const [BANK, , TOBACCONIST] = DEMO_PSPS;
type Institution = typeof BUGLIANO | typeof VICOPISANO;

for (const database of ['postgres', 'pglite'] as const) describe(`day closing and treasury [${database}]`, () => {
  let system: TestSystem;
  const clerk = new WebClient('it');
  const today = romeDay(new Date());
  const treasury = (holder: Institution, apiKey = demoTreasuryKey(system.ctx.secret, holder.fiscalCode)) => treasuryClient({ baseUrl: system.urls.psp, apiKey });
  const fdrOf = (institution: Institution) =>
    fdrOrganizationClient({ pagopaUrl: system.urls.pagopa, subscriptionKey: demoPagopaKey(system.ctx.secret, institution.fiscalCode), organizationId: institution.fiscalCode });

  async function payAt(idPSP: string, institution: Institution, amount: number, notice?: { iupd: string; nav: string }) {
    notice ??= await publishedNotice(system, institution, amount);
    const page = await clerk.visit(`${system.urls.psp}/sportelli/${idPSP}/avviso?${new URLSearchParams({ codice: notice.nav, ente: institution.fiscalCode })}`);
    const receipt = await clerk.submit(page, '/incassi', { metodo: 'cash' });
    expect(receipt.url.pathname).toContain('/ricevute/');
    return notice;
  }

  /** A citizen pays a new notice online on pagoPA Checkout with a card, choosing the PSP `idPSP`. */
  async function payOnCheckout(idPSP: string, institution: Institution, amount: number) {
    const notice = await publishedNotice(system, institution, amount);
    const returnUrls = { returnOkUrl: 'https://ente.example/ok', returnCancelUrl: 'https://ente.example/annullato', returnErrorUrl: 'https://ente.example/errore' };
    const cartUrl = await createCart(
      { baseUrl: system.urls.pagopa, subscriptionKey: demoPagopaKey(system.ctx.secret, institution.fiscalCode) },
      { paymentNotices: [{ noticeNumber: notice.nav, fiscalCode: institution.fiscalCode, amount, companyName: institution.companyName, description: 'Diritti di segreteria' }], returnUrls },
    );
    const path = new URL(cartUrl).pathname;
    const post = async (step: string, form: Record<string, string>) => {
      const response = await fetch(`${system.urls.pagopa}${path}${step}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
      await response.body?.cancel();
      return response.headers.get('location');
    };
    expect(await post('', { email: 'marco.bianchi@example.it' })).toBe(`${path}/metodo`);
    expect(await post('/metodo', { method: 'CP', holder: 'Marco Bianchi', pan: '4242 4242 4242 4242', expiry: '12/30', cvv: '123' })).toBe(`${path}/psp`);
    expect(await post('/psp', { psp: idPSP })).toBe(`${path}/riepilogo`);
    expect(await post('/paga', {})).toBe(returnUrls.returnOkUrl);
    return notice;
  }

  beforeAll(async () => {
    system = await startSystem({ apps: ['pagopa', 'psp'], database });
  }, 120_000);
  afterAll(async () => system?.stop());

  it('publishes one flow and books one credit transfer per institution, counter and Checkout payments alike, the same sums on both sides; closing again does nothing', async () => {
    const bugliano = [await payAt(BANK.idPSP, BUGLIANO, 10_000), await payAt(BANK.idPSP, BUGLIANO, 2_550)];
    const vicopisano = await payAt(BANK.idPSP, VICOPISANO, 4_000);
    // A notice of Bugliano with a second transfer to Vicopisano (a shared service): each share goes to its own flow.
    const shared = await gpdOf(system, BUGLIANO).createPosition(
      debtPosition(`psp-test-shared-${database}`, [
        {
          amount: 5_000,
          description: 'Trasporto scolastico intercomunale',
          isPartialPayment: false,
          dueDate: inDays(30),
          transfer: [
            { idTransfer: '1', amount: 3_000, remittanceInformation: 'Quota Bugliano', category: '9/0101108TS/', iban: BUGLIANO.iban },
            { idTransfer: '2', amount: 2_000, organizationFiscalCode: VICOPISANO.fiscalCode, remittanceInformation: 'Quota Vicopisano', category: '9/0101108TS/', iban: VICOPISANO.iban },
          ],
        },
      ]),
      { toPublish: true },
    );
    await payAt(BANK.idPSP, BUGLIANO, 5_000, { iupd: shared.iupd, nav: shared.paymentOption[0]!.nav });
    const atTobacconist = await payAt(TOBACCONIST.idPSP, BUGLIANO, 990);
    // Online with the tobacconists' network as PSP: not at a counter, on the Nodo's statement of its day.
    const online = await payOnCheckout(TOBACCONIST.idPSP, BUGLIANO, 1_500);

    const closingPage = await clerk.visit(`${system.urls.psp}/chiusura`);
    expect(closingPage.html).toContain('Pagamenti da rendicontare: 5');
    const closed = await clerk.submit(closingPage, '/chiusura', { giorno: today, psp: BANK.idPSP });
    expect(closed.status).toBe(200);
    expect(closed.html).toContain('2 flussi pubblicati e riversati');
    expect(closed.html).toContain('Pagamenti da rendicontare: 2'); // the tobacconist's, at its counter and on Checkout, not closed
    expect((await gpdOf(system, BUGLIANO).getPosition(atTobacconist.iupd)).status).toBe('PAID');
    expect((await gpdOf(system, BUGLIANO).getPosition(online.iupd)).status).toBe('PAID');

    for (const [institution, amounts] of [
      [BUGLIANO, [10_000, 2_550, 3_000]],
      [VICOPISANO, [4_000, 2_000]],
    ] as const) {
      const flows = (await fdrOf(institution).list({ pspId: BANK.idPSP })).data;
      expect(flows).toHaveLength(1);
      const fdr = flows[0]!.fdr;
      expect(fdr).toMatch(new RegExp(`^${today}${BANK.idPSP}-\\d{7}$`));
      const flow = await fdrOf(institution).get(fdr, flows[0]!.revision, BANK.idPSP);
      const sum = amounts.reduce((a, b) => a + b, 0);
      expect(flow).toMatchObject({ status: 'PUBLISHED', totPayments: amounts.length, sumPayments: sum / 100, receiver: { organizationId: institution.fiscalCode } });
      const rows = await fdrOf(institution).allPayments(fdr, flows[0]!.revision, BANK.idPSP);
      const byAmount = (a: number, b: number) => a - b;
      expect(rows.map((r) => r.pay).sort(byAmount)).toEqual(amounts.map((a) => a / 100).sort(byAmount));
      const movements = await treasury(institution).movements(institution.iban);
      expect(movements).toEqual([
        expect.objectContaining({ valueDate: today, amount: sum, trn: flow.regulation, remittanceInformation: cumulativeRemittance(fdr), debtorName: BANK.companyName }),
      ]);
    }
    // Each row's IUV is the notice's last 17 digits (aux digit 3).
    const buglianoFlow = (await fdrOf(BUGLIANO).list({ pspId: BANK.idPSP })).data[0]!;
    const buglianoRows = await fdrOf(BUGLIANO).allPayments(buglianoFlow.fdr, buglianoFlow.revision, BANK.idPSP);
    expect(buglianoRows.map((r) => r.iuv).sort()).toEqual([...bugliano, { nav: shared.paymentOption[0]!.nav }].map((n) => n.nav.slice(1)).sort());
    const vicopisanoFlow = (await fdrOf(VICOPISANO).list({ pspId: BANK.idPSP })).data[0]!;
    const sharedRow = (await fdrOf(VICOPISANO).allPayments(vicopisanoFlow.fdr, vicopisanoFlow.revision, BANK.idPSP)).find((r) => r.idTransfer === 2);
    expect(sharedRow).toMatchObject({ iuv: shared.paymentOption[0]!.nav.slice(1), pay: 20, payStatus: 'EXECUTED' });
    // pagoPA applies the published flows to GPD: every share reported, the positions REPORTED.
    expect((await gpdOf(system, VICOPISANO).getPosition(vicopisano.iupd)).status).toBe('REPORTED');
    expect((await gpdOf(system, BUGLIANO).getPosition(shared.iupd)).status).toBe('REPORTED');

    // Again, from the page and from the command line: nothing reported or transferred twice.
    const again = await clerk.submit(await clerk.visit(`${system.urls.psp}/chiusura`), '/chiusura', { giorno: today, psp: BANK.idPSP });
    expect(again.html).toContain('nessun pagamento da rendicontare');
    expect(await runPspCommand(system.ctx, ['close-day', today, BANK.idPSP])).toEqual([`${BANK.idPSP} ${today}: nothing to report`]);
    expect((await fdrOf(BUGLIANO).list({ pspId: BANK.idPSP })).data).toHaveLength(1);
    expect(await treasury(BUGLIANO).movements(BUGLIANO.iban)).toHaveLength(1);

    // The tobacconist closes its own day from the command line: one flow to Bugliano with its counter's and its
    // Checkout payment, and a second credit; then nothing more.
    const lines = await runPspCommand(system.ctx, ['close-day', today, TOBACCONIST.idPSP]);
    expect(lines[0]).toBe(`${TOBACCONIST.idPSP} ${today}: 1 flows published and transferred`);
    expect(await runPspCommand(system.ctx, ['close-day', today, TOBACCONIST.idPSP])).toEqual([`${TOBACCONIST.idPSP} ${today}: nothing to report`]);
    const tobacconistFlows = (await fdrOf(BUGLIANO).list({ pspId: TOBACCONIST.idPSP })).data;
    expect(tobacconistFlows).toHaveLength(1);
    const tobacconistRows = await fdrOf(BUGLIANO).allPayments(tobacconistFlows[0]!.fdr, tobacconistFlows[0]!.revision, TOBACCONIST.idPSP);
    expect(tobacconistRows.map((r) => [r.iuv, r.pay]).sort()).toEqual([[atTobacconist.nav.slice(1), 9.9], [online.nav.slice(1), 15]].sort());
    expect((await gpdOf(system, BUGLIANO).getPosition(atTobacconist.iupd)).status).toBe('REPORTED');
    expect((await gpdOf(system, BUGLIANO).getPosition(online.iupd)).status).toBe('REPORTED');
    const credits = await treasury(BUGLIANO).movements(BUGLIANO.iban, { from: today, to: today });
    expect(credits.map((m) => [m.amount, m.debtorName, m.remittanceInformation])).toEqual([
      [15_550, BANK.companyName, cumulativeRemittance(buglianoFlow.fdr)],
      [2_490, TOBACCONIST.companyName, cumulativeRemittance(tobacconistFlows[0]!.fdr)],
    ]);
  });

  it('shows an account’s statement only to its holder', async () => {
    const refusal = (promise: Promise<unknown>) => promise.then(() => undefined, (err: TreasuryError) => err.status);
    expect(await refusal(treasury(BUGLIANO).movements(VICOPISANO.iban))).toBe(404);
    expect(await refusal(treasury(BUGLIANO).movements('IT60X0542811101000000123456'))).toBe(404);
    expect(await refusal(treasury(BUGLIANO, 'sk_000000000000.not-a-key-not-a-key-not-a-key-xx').movements(BUGLIANO.iban))).toBe(401);
    expect(await refusal(treasury(BUGLIANO, '').movements(BUGLIANO.iban))).toBe(401);
    // A pagoPA key is not a bank key.
    expect(await refusal(treasury(BUGLIANO, demoPagopaKey(system.ctx.secret, BUGLIANO.fiscalCode)).movements(BUGLIANO.iban))).toBe(401);
    const response = await fetch(`${system.urls.psp}/tesoreria/v1/accounts/${BUGLIANO.iban}/movements?from=2026-13-01`, {
      headers: { authorization: `Bearer ${demoTreasuryKey(system.ctx.secret, BUGLIANO.fiscalCode)}` },
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(await treasury(BUGLIANO).movements(BUGLIANO.iban, { from: '2999-01-01' })).toEqual([]);
  });
});
