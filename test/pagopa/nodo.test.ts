// The Nodo for PSPs over HTTP (model 3: verify → activate → outcome) on PostgreSQL and PGlite: every fault,
// tokens (expiry, idempotency key, one live token per notice), installments, who may call what, receipts read
// by their institution (JSON, PDF), and 20 PSPs racing to pay one notice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type TestSystem } from '../support/system.ts';
import { readPdf } from '../support/pdf.ts';
import { sql } from '../../src/core/db.ts';
import { dateInItaly } from '../../src/domain/dates.ts';
import { composeNoticeNumber } from '../../src/domain/pagopa/notice-number.ts';
import { DEMO_CREDITOR_INSTITUTIONS, DEMO_PSPS, demoPagopaKey, pspKeyHolder } from '../../src/clients/pagopa/demo.ts';
import { gpdBaseUrl, gpdClient, GpdError, type GpdClient, type PaymentPositionBody } from '../../src/clients/pagopa/index.ts';
import { isFault, nodoBaseUrl, nodoClient, NodoError, type NodoClient } from '../../src/clients/pagopa/nodo.ts';
import { receiptsBaseUrl, receiptsClient, type ReceiptsClient } from '../../src/clients/pagopa/receipts.ts';
import type { Ko, SendPaymentOutcomeRequest } from '../../src/clients/pagopa/nodo-wire.ts';
import { activatePayment, sendOutcome, verifyNotice } from '../../src/platforms/pagopa/nodo/payments.ts';
import { pspById } from '../../src/platforms/pagopa/nodo/psps.ts';
import { BUGLIANO, debtPosition, inDays, singleTransferOption, VICOPISANO } from './support.ts';

const [BANK, POSTE, TOBACCONIST] = DEMO_PSPS;
type DemoPsp = (typeof DEMO_PSPS)[number];
const DAY = 86_400_000;
const today = dateInItaly(new Date());
const ids = (psp: DemoPsp) => ({ idPSP: psp.idPSP, idBrokerPSP: psp.idBrokerPSP, idChannel: psp.idChannel });
const details: SendPaymentOutcomeRequest['details'] = { paymentMethod: 'creditCard', paymentChannel: 'onLine', fee: '1.50', applicationDate: today, transferDate: today };

const option = (amount: number, isPartialPayment = false, dueDays = 30) =>
  singleTransferOption(amount, isPartialPayment ? 'Rata' : 'Diritti di segreteria', inDays(dueDays), BUGLIANO.iban, isPartialPayment);

function faultOf(answer: { outcome: string }): Ko['fault'] {
  if (!isFault(answer)) throw new Error(`expected a fault, got ${JSON.stringify(answer)}`);
  return answer.fault;
}

for (const database of ['postgres', 'pglite'] as const) {
  describe(`pagoPA Nodo for PSPs [${database}]`, () => {
    let system: TestSystem;
    let gpd: GpdClient;
    let receipts: ReceiptsClient;
    let nodo: Record<string, NodoClient>;
    let keyOf: (holder: string) => string;
    let raw: (key: string | undefined, path: string, body: unknown) => Promise<{ status: number; body: any }>;
    let seq = 0;

    /** A published position of Bugliano with these options; its notice numbers. */
    async function notices(options: ReturnType<typeof option>[], over: Partial<PaymentPositionBody> = {}, toPublish = true): Promise<string[]> {
      const position = await gpd.createPosition(
        { ...debtPosition(`nodo-${database}-${++seq}`, options), ...over },
        { toPublish },
      );
      return position.paymentOption.map((o) => o.nav);
    }
    const qr = (noticeNumber: string, fiscalCode: string = BUGLIANO.fiscalCode) => ({ fiscalCode, noticeNumber });
    const activate = (psp: DemoPsp, nav: string, amount: string, extra: Record<string, unknown> = {}) => nodo[psp.idPSP]!.activatePaymentNotice({ ...ids(psp), qrCode: qr(nav), amount, ...extra });
    const outcome = (psp: DemoPsp, paymentToken: string, result: 'OK' | 'KO' = 'OK', over: Partial<typeof details> = {}) =>
      nodo[psp.idPSP]!.sendPaymentOutcome({ ...ids(psp), paymentToken, outcome: result, details: { ...details, ...over } });
    async function pay(psp: DemoPsp, nav: string, amount: string): Promise<string> {
      const activated = await activate(psp, nav, amount);
      if (isFault(activated)) throw new Error(`activation refused: ${activated.fault.faultCode}`);
      expect(await outcome(psp, activated.paymentToken)).toEqual({ outcome: 'OK' });
      return activated.paymentToken;
    }
    const receiptCount = async (nav: string) =>
      (await sql<{ n: number }>`select count(*)::int as n from pagopa.receipts where nav = ${nav}`.execute(system.ctx.database.db)).rows[0]!.n;

    beforeAll(async () => {
      system = await startSystem({ apps: ['pagopa'], database });
      const secret = system.config.secret!;
      keyOf = (holder) => demoPagopaKey(secret, holder);
      gpd = gpdClient({ baseUrl: gpdBaseUrl(system.urls.pagopa), subscriptionKey: keyOf(BUGLIANO.fiscalCode), organizationFiscalCode: BUGLIANO.fiscalCode });
      receipts = receiptsClient({ baseUrl: receiptsBaseUrl(system.urls.pagopa), subscriptionKey: keyOf(BUGLIANO.fiscalCode), organizationFiscalCode: BUGLIANO.fiscalCode });
      nodo = Object.fromEntries(DEMO_PSPS.map((p) => [p.idPSP, nodoClient({ baseUrl: nodoBaseUrl(system.urls.pagopa), subscriptionKey: keyOf(pspKeyHolder(p.idPSP)) })]));
      raw = async (key, path, body) => {
        const response = await fetch(`${system.urls.pagopa}${path}`, {
          method: body === undefined ? 'GET' : 'POST',
          headers: { ...(key ? { 'ocp-apim-subscription-key': key } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await response.text();
        return { status: response.status, body: text ? JSON.parse(text) : undefined };
      };
      // Receipts are only read here (the push has its own test): no station endpoint.
      for (const institution of DEMO_CREDITOR_INSTITUTIONS) {
        const answer = await fetch(`${system.urls.pagopa}/admin/v1/creditor-institutions/${institution.fiscalCode}/receipts-url`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${keyOf('platform_operator')}`, 'content-type': 'application/json' },
          body: JSON.stringify({ receiptsUrl: null }),
        });
        expect(await answer.json()).toEqual({ fiscalCode: institution.fiscalCode, receiptsUrl: null });
      }
    }, 120_000);
    afterAll(async () => system?.stop());

    it('pays a notice: verify, activate (token), outcome OK → option PO_PAID, position PAID, one receipt; then PPT_PAGAMENTO_DUPLICATO', async () => {
      const [nav] = await notices([option(12_550)]);
      const verified = await nodo[BANK.idPSP]!.verifyPaymentNotice({ ...ids(BANK), qrCode: qr(nav!) });
      expect(verified).toEqual({
        outcome: 'OK',
        paymentList: [{ amount: '125.50', options: 'EQ', dueDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), detailDescription: 'Diritti di segreteria', allCCP: false }],
        paymentDescription: 'Diritti di segreteria',
        fiscalCodePA: BUGLIANO.fiscalCode,
        companyName: BUGLIANO.companyName,
      });
      const activated = await activate(BANK, nav!, '125.50');
      if (isFault(activated)) throw new Error(activated.fault.faultCode);
      expect(activated).toMatchObject({
        outcome: 'OK',
        totalAmount: '125.50',
        fiscalCodePA: BUGLIANO.fiscalCode,
        creditorReferenceId: nav!.slice(1),
        transferList: [{ idTransfer: 1, transferAmount: '125.50', fiscalCodePA: BUGLIANO.fiscalCode, IBAN: BUGLIANO.iban, transferCategory: '9/0101108TS/' }],
      });
      expect(activated.paymentToken.length).toBeLessThanOrEqual(35);
      expect(await outcome(BANK, activated.paymentToken)).toEqual({ outcome: 'OK' });

      const position = await gpd.getPaymentOption(nav!);
      expect(position.status).toBe('PAID');
      expect(position.paymentOption[0]).toMatchObject({ status: 'PO_PAID', paymentMethod: 'creditCard', pspCompany: BANK.companyName, idReceipt: activated.paymentToken, paymentDate: expect.any(String) });
      expect(await receiptCount(nav!)).toBe(1);

      for (const psp of [BANK, POSTE]) {
        expect(faultOf(await nodo[psp.idPSP]!.verifyPaymentNotice({ ...ids(psp), qrCode: qr(nav!) })).faultCode).toBe('PPT_PAGAMENTO_DUPLICATO');
        expect(faultOf(await activate(psp, nav!, '125.50'))).toMatchObject({ faultCode: 'PPT_PAGAMENTO_DUPLICATO', id: 'NodoDeiPagamentiSPC', faultString: expect.any(String) });
      }
    });

    it('answers the institution’s refusals as PPT_ERRORE_EMESSO_DA_PAA: unknown, not yet valid, draft, cancelled, expired', async () => {
      const db = system.ctx.database.db;
      const bank = (await pspById(db, BANK.idPSP))!;
      const unknownNav = composeNoticeNumber({ auxDigit: 3, segregationCode: BUGLIANO.segregationCode }, 9_999_999_999_999n).noticeNumber;
      const [draft] = await notices([option(1_000)], {}, false);
      const [notYetValid] = await notices([option(1_000)], { validityDate: inDays(2) });
      const [cancelled] = await notices([option(1_000)]);
      await gpd.invalidatePosition(`nodo-${database}-${seq}`);
      const [expiring] = await notices([option(1_000, false, 1)], { switchToExpired: true });
      const cases: [string, string, Date?][] = [
        [unknownNav, 'PAA_PAGAMENTO_SCONOSCIUTO'],
        [draft!, 'PAA_PAGAMENTO_SCONOSCIUTO'],
        [notYetValid!, 'PAA_PAGAMENTO_SCONOSCIUTO'],
        [cancelled!, 'PAA_PAGAMENTO_ANNULLATO'],
        [expiring!, 'PAA_PAGAMENTO_SCADUTO', new Date(Date.now() + 3 * DAY)],
      ];
      for (const [nav, original, at] of cases) {
        const verified = at ? await verifyNotice(db, bank, qr(nav), at) : await nodo[BANK.idPSP]!.verifyPaymentNotice({ ...ids(BANK), qrCode: qr(nav) });
        expect(faultOf(verified), nav).toMatchObject({ faultCode: 'PPT_ERRORE_EMESSO_DA_PAA', originalFaultCode: original });
        const activated = at ? await activatePayment(db, bank, { qrCode: qr(nav), amount: '10.00' }, at) : await activate(BANK, nav, '10.00');
        expect(faultOf(activated), nav).toMatchObject({ faultCode: 'PPT_ERRORE_EMESSO_DA_PAA', originalFaultCode: original });
      }
      // An institution that is not on the platform.
      expect(faultOf(await nodo[BANK.idPSP]!.verifyPaymentNotice({ ...ids(BANK), qrCode: qr(unknownNav, '01199250158') })).faultCode).toBe('PPT_DOMINIO_SCONOSCIUTO');
      // A disabled PSP (Checkout calls these functions without the key check) starts no payment.
      const [payable] = await notices([option(1_000)]);
      expect(faultOf(await verifyNotice(db, { ...bank, enabled: false }, qr(payable!))).faultCode).toBe('PPT_AUTORIZZAZIONE');
      expect(faultOf(await activatePayment(db, { ...bank, enabled: false }, { qrCode: qr(payable!), amount: '10.00' })).faultCode).toBe('PPT_AUTORIZZAZIONE');
    });

    it('refuses an amount other than the notice’s (PPT_SEMANTICA) and malformed requests with 400 PPT_SINTASSI_EXTRAXSD and the reason', async () => {
      const [nav] = await notices([option(2_000)]);
      expect(faultOf(await activate(BANK, nav!, '19.99'))).toMatchObject({ faultCode: 'PPT_SEMANTICA', description: expect.stringContaining('20.00') });
      const key = keyOf(pspKeyHolder(BANK.idPSP));
      const wrongCheck = `${nav!.slice(0, 16)}${String((Number(nav!.slice(16)) + 1) % 93).padStart(2, '0')}`;
      const malformed: [string, unknown, string][] = [
        ['verifyPaymentNotice', { ...ids(BANK), qrCode: qr(nav!.slice(1)) }, 'invalid-length'],
        ['verifyPaymentNotice', { ...ids(BANK), qrCode: qr(wrongCheck) }, 'invalid-check-digits'],
        ['activatePaymentNotice', { ...ids(BANK), qrCode: qr('30100000000000000A') }, 'required'],
        ['activatePaymentNotice', { ...ids(BANK), qrCode: qr(nav!), amount: '20.0' }, 'pattern'],
        ['activatePaymentNotice', { ...ids(BANK), qrCode: qr(nav!), amount: '20.00', expirationTime: 1_800_001 }, 'maximum'],
        ['activatePaymentNotice', { ...ids(BANK), qrCode: qr(nav!), amount: '20.00', idempotencyKey: 'no-key' }, 'pattern'],
        ['sendPaymentOutcome', { ...ids(BANK), paymentToken: 'x', outcome: 'MAYBE', details }, 'enum'],
      ];
      for (const [primitive, body, code] of malformed) {
        const answer = await raw(key, `/nodo/node-for-psp/v1/${primitive}`, body);
        expect(answer.status, `${primitive} ${code}`).toBe(400);
        expect(answer.body, `${primitive} ${code}`).toMatchObject({ faultCode: 'PPT_SINTASSI_EXTRAXSD', detail: expect.stringContaining('Malformed request') });
        expect(answer.body.errors.map((e: { code: string }) => e.code)).toContain(code);
      }
      await expect(nodo[BANK.idPSP]!.verifyPaymentNotice({ ...ids(BANK), qrCode: qr(wrongCheck) })).rejects.toMatchObject({ status: 400, faultCode: 'PPT_SINTASSI_EXTRAXSD' } satisfies Partial<NodoError>);
    });

    it('lets a key act only as its own PSP; institutions’ keys cannot call the Nodo, PSPs’ keys cannot read receipts', async () => {
      const [nav] = await notices([option(3_000)]);
      expect(faultOf(await nodo[BANK.idPSP]!.verifyPaymentNotice({ ...ids(POSTE), qrCode: qr(nav!) })).faultCode).toBe('PPT_AUTORIZZAZIONE');
      expect(faultOf(await nodo[BANK.idPSP]!.activatePaymentNotice({ ...ids(BANK), idChannel: POSTE.idChannel, qrCode: qr(nav!), amount: '30.00' })).faultCode).toBe('PPT_AUTORIZZAZIONE');
      const token = await pay(BANK, nav!, '30.00');
      // Another PSP's token is not one the caller knows.
      expect(faultOf(await outcome(POSTE, token)).faultCode).toBe('PPT_TOKEN_SCONOSCIUTO');
      for (const key of [undefined, keyOf(BUGLIANO.fiscalCode), 'sk_000000000000.not-a-key-not-a-key-not-a-key-00000']) {
        expect((await raw(key, '/nodo/node-for-psp/v1/verifyPaymentNotice', { ...ids(BANK), qrCode: qr(nav!) })).status).toBe(401);
      }
      const receiptsPath = `/gpd/payments-receipts-service/v1/payments/${BUGLIANO.fiscalCode}/receipts`;
      expect((await raw(keyOf(pspKeyHolder(BANK.idPSP)), receiptsPath, undefined)).status).toBe(401);
      expect((await raw(keyOf(VICOPISANO.fiscalCode), receiptsPath, undefined)).status).toBe(403);
      expect((await raw(keyOf(VICOPISANO.fiscalCode), `${receiptsPath}/${nav!.slice(1)}`, undefined)).status).toBe(403);
      expect((await raw(keyOf(VICOPISANO.fiscalCode), `/gpd/payments-receipts-service/v1/payments/${VICOPISANO.fiscalCode}/receipts/${nav!.slice(1)}`, undefined)).status).toBe(404);
      expect((await raw(keyOf(BUGLIANO.fiscalCode), `${receiptsPath}/${nav!.slice(1)}`, undefined)).body).toMatchObject({ receiptId: token, idPSP: BANK.idPSP });
    });

    it('keeps one live token per notice: PPT_PAGAMENTO_IN_CORSO while it lives; KO releases the notice; an expired token is refused and frees it', async () => {
      const db = system.ctx.database.db;
      const [nav] = await notices([option(4_000)]);
      const first = await activate(BANK, nav!, '40.00');
      if (isFault(first)) throw new Error(first.fault.faultCode);
      expect(faultOf(await activate(POSTE, nav!, '40.00')).faultCode).toBe('PPT_PAGAMENTO_IN_CORSO');
      expect(faultOf(await nodo[POSTE.idPSP]!.verifyPaymentNotice({ ...ids(POSTE), qrCode: qr(nav!) })).faultCode).toBe('PPT_PAGAMENTO_IN_CORSO');
      expect(await outcome(BANK, first.paymentToken, 'KO')).toEqual({ outcome: 'OK' });
      expect(await outcome(BANK, first.paymentToken, 'KO')).toEqual({ outcome: 'OK' });
      expect(faultOf(await outcome(BANK, first.paymentToken, 'OK')).faultCode).toBe('PPT_ESITO_GIA_ACQUISITO');
      expect(faultOf(await outcome(BANK, 'unknowntoken0000')).faultCode).toBe('PPT_TOKEN_SCONOSCIUTO');

      // Time moves in the functions' `now`: a token of 60 s, its outcome after 61 s.
      const poste = (await pspById(db, POSTE.idPSP))!;
      const t0 = new Date();
      const second = await activatePayment(db, poste, { qrCode: qr(nav!), amount: '40.00', expirationTime: 60_000 }, t0);
      if (isFault(second)) throw new Error(second.fault.faultCode);
      expect(faultOf(await activatePayment(db, poste, { qrCode: qr(nav!), amount: '40.00' }, new Date(t0.getTime() + 59_000))).faultCode).toBe('PPT_PAGAMENTO_IN_CORSO');
      const late = new Date(t0.getTime() + 61_000);
      expect(faultOf(await sendOutcome(db, poste, { paymentToken: second.paymentToken, outcome: 'OK', details }, late)).faultCode).toBe('PPT_TOKEN_SCADUTO');
      // Without expirationTime a token lives 30 minutes.
      const third = await activatePayment(db, poste, { qrCode: qr(nav!), amount: '40.00' }, late);
      if (isFault(third)) throw new Error(third.fault.faultCode);
      expect(faultOf(await activatePayment(db, poste, { qrCode: qr(nav!), amount: '40.00' }, new Date(late.getTime() + 1_799_000))).faultCode).toBe('PPT_PAGAMENTO_IN_CORSO');
      const afterThirty = new Date(late.getTime() + 1_800_000);
      expect(faultOf(await sendOutcome(db, poste, { paymentToken: third.paymentToken, outcome: 'OK', details }, afterThirty)).faultCode).toBe('PPT_TOKEN_SCADUTO');
      expect(await receiptCount(nav!)).toBe(0);
      const tobacconist = (await pspById(db, TOBACCONIST.idPSP))!;
      const fourth = await activatePayment(db, tobacconist, { qrCode: qr(nav!), amount: '40.00' }, afterThirty);
      if (isFault(fourth)) throw new Error(fourth.fault.faultCode);
      expect(await sendOutcome(db, tobacconist, { paymentToken: fourth.paymentToken, outcome: 'OK', details }, afterThirty)).toEqual({ outcome: 'OK' });
      expect(await receiptCount(nav!)).toBe(1);
    });

    it('answers the same token for the same idempotencyKey and request, PPT_ERRORE_IDEMPOTENZA for another request; a repeated outcome is one receipt', async () => {
      const [nav, other] = await notices([option(5_000, true), option(5_000, true, 60)]);
      const key = `${BANK.idPSP}_AbCdE12345`;
      const first = await activate(BANK, nav!, '50.00', { idempotencyKey: key });
      const again = await activate(BANK, nav!, '50.00', { idempotencyKey: key });
      if (isFault(first)) throw new Error(first.fault.faultCode);
      expect(again).toEqual(first);
      expect(faultOf(await activate(BANK, nav!, '50.00', { idempotencyKey: key, expirationTime: 1000 })).faultCode).toBe('PPT_ERRORE_IDEMPOTENZA');
      expect(faultOf(await activate(BANK, other!, '50.00', { idempotencyKey: key })).faultCode).toBe('PPT_ERRORE_IDEMPOTENZA');
      // The same key is another PSP's own business.
      expect(isFault(await activate(POSTE, other!, '50.00', { idempotencyKey: key }))).toBe(false);

      expect(await outcome(BANK, first.paymentToken)).toEqual({ outcome: 'OK' });
      expect(await outcome(BANK, first.paymentToken)).toEqual({ outcome: 'OK' });
      expect(faultOf(await outcome(BANK, first.paymentToken, 'OK', { fee: '9.99' })).faultCode).toBe('PPT_ESITO_GIA_ACQUISITO');
      expect(await receiptCount(nav!)).toBe(1);
    });

    it('pays installments one by one (PARTIALLY_PAID, then PAID) and refuses the single payment once one is paid (PAA_PAGAMENTO_DUPLICATO)', async () => {
      const [total, first, second] = await notices([option(10_000), option(5_000, true), option(5_000, true, 60)]);
      const iupd = `nodo-${database}-${seq}`;
      // A live token on an installment holds the single payment too, and the other way round.
      const held = await activate(BANK, first!, '50.00');
      if (isFault(held)) throw new Error(held.fault.faultCode);
      expect(faultOf(await activate(POSTE, total!, '100.00')).faultCode).toBe('PPT_PAGAMENTO_IN_CORSO');
      expect(isFault(await activate(POSTE, second!, '50.00'))).toBe(false);
      expect(await outcome(BANK, held.paymentToken)).toEqual({ outcome: 'OK' });
      expect((await gpd.getPosition(iupd)).status).toBe('PARTIALLY_PAID');
      expect(faultOf(await activate(TOBACCONIST, total!, '100.00'))).toMatchObject({ faultCode: 'PPT_ERRORE_EMESSO_DA_PAA', originalFaultCode: 'PAA_PAGAMENTO_DUPLICATO' });
      const poste = await nodo[POSTE.idPSP]!.verifyPaymentNotice({ ...ids(POSTE), qrCode: qr(second!) });
      expect(faultOf(poste).faultCode).toBe('PPT_PAGAMENTO_IN_CORSO');
      expect((await sql<{ token: string }>`select token from pagopa.payment_sessions where nav = ${second!} and status = 'active'`.execute(system.ctx.database.db)).rows).toHaveLength(1);
      const token = (await sql<{ token: string }>`select token from pagopa.payment_sessions where nav = ${second!} and status = 'active'`.execute(system.ctx.database.db)).rows[0]!.token;
      expect(await outcome(POSTE, token)).toEqual({ outcome: 'OK' });
      const paid = await gpd.getPosition(iupd);
      expect(paid.status).toBe('PAID');
      expect(paid.paymentOption.map((o) => o.status)).toEqual(['PO_UNPAID', 'PO_PAID', 'PO_PAID']);
    });

    it('lets the institution read its receipts (filters, paging, by IUV, PDF) and nobody else', async () => {
      const [a] = await notices([option(6_000)]);
      const [b] = await notices([option(7_000)], { fiscalCode: 'RSSMRA80A01H501U', fullName: 'Mario Rossi' });
      const tokenA = await pay(TOBACCONIST, a!, '60.00');
      await nodo[POSTE.idPSP]!.activatePaymentNotice({ ...ids(POSTE), qrCode: qr(b!), amount: '70.00' }).then(async (answer) => {
        if (isFault(answer)) throw new Error(answer.fault.faultCode);
        await outcome(POSTE, answer.paymentToken, 'OK', {
          paymentMethod: 'cash',
          paymentChannel: 'frontOffice',
          fee: '2.00',
          payer: { uniqueIdentifier: { entityUniqueIdentifierType: 'F', entityUniqueIdentifierValue: 'VRDGPP80A01H501X' }, fullName: 'Giuseppe Verdi' },
        });
      });

      const byDebtor = await receipts.listReceipts({ debtor: 'rssmra80a01h501u' });
      expect(byDebtor.receipts_list.map((r) => r.creditorReferenceId)).toEqual([b!.slice(1)]);
      expect(byDebtor.receipts_list[0]).toMatchObject({ paymentAmount: 7_000, fee: 200, idPSP: POSTE.idPSP, PSPCompanyName: POSTE.companyName, paymentMethod: 'cash', payer: { fullName: 'Giuseppe Verdi' }, debtor: { fullName: 'Mario Rossi' } });
      const page = await receipts.listReceipts({ from: today, to: today, limit: 1, page: 0 });
      expect(page.page_info).toMatchObject({ page: 0, limit: 1, items_found: expect.any(Number) });
      expect(page.page_info.items_found).toBeGreaterThanOrEqual(2);
      expect(page.receipts_list).toHaveLength(1);
      expect((await receipts.listReceipts({ from: dateInItaly(new Date(Date.now() + DAY)) })).receipts_list).toEqual([]);

      const receipt = await receipts.findReceipt(a!.slice(1));
      expect(receipt).toMatchObject({ receiptId: tokenA, noticeNumber: a, fiscalCode: BUGLIANO.fiscalCode, outcome: 'OK', paymentAmount: 6_000, fee: 150, transferList: [{ transferAmount: 6_000, IBAN: BUGLIANO.iban }] });
      expect(await receipts.findReceipt('00000000000000000')).toBeUndefined();
      const pdf = await readPdf(await receipts.receiptPdf(a!.slice(1)));
      expect(pdf.info.Title).toBe('Ricevuta di pagamento pagoPA');
      for (const text of ['Ricevuta di pagamento pagoPA', BUGLIANO.companyName, 'Marco Bianchi', a!.slice(1), tokenA, '€ 60,00', '€ 1,50', TOBACCONIST.companyName]) expect(pdf.flat).toContain(text);

      const vicopisano = receiptsClient({ baseUrl: receiptsBaseUrl(system.urls.pagopa), subscriptionKey: keyOf(VICOPISANO.fiscalCode), organizationFiscalCode: BUGLIANO.fiscalCode });
      await expect(vicopisano.listReceipts()).rejects.toMatchObject({ status: 403 } satisfies Partial<GpdError>);
    });

    it('lets operators onboard a PSP, issue its key, list and disable it; the Nodo is described in /openapi.json', async () => {
      const admin = async (method: string, path: string, body?: unknown) => {
        const response = await fetch(`${system.urls.pagopa}/admin/v1${path}`, {
          method,
          headers: { authorization: `Bearer ${keyOf('platform_operator')}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        return { status: response.status, body: await response.json() };
      };
      const psp = { idPSP: 'NEWPSPIT', idBrokerPSP: 'NEWPSPIT', idChannel: 'NEWPSPIT_01', companyName: 'Nuovo PSP (test)', fiscalCode: '09123450505', fee: 90, paymentTypes: ['CP', 'PO'] };
      expect((await admin('POST', '/psps', psp)).body).toEqual({ ...psp, enabled: true });
      expect((await admin('POST', '/psps', psp)).status).toBe(409);
      expect((await admin('POST', '/psps', { ...psp, idPSP: 'OTHER', fiscalCode: '09123450506' })).status).toBe(400);
      expect((await admin('POST', '/psps', { ...psp, idPSP: 'OTHER', paymentTypes: ['CASH'] })).status).toBe(400);
      expect((await admin('GET', '/psps')).body.map((p: { idPSP: string }) => p.idPSP)).toEqual(expect.arrayContaining([...DEMO_PSPS.map((p) => p.idPSP), 'NEWPSPIT']));
      const issued = await admin('POST', '/psps/NEWPSPIT/subscription-keys', { label: 'test' });
      expect(issued.status).toBe(201);
      const [nav] = await notices([option(1_500)]);
      const body = { idPSP: 'NEWPSPIT', idBrokerPSP: 'NEWPSPIT', idChannel: 'NEWPSPIT_01', qrCode: qr(nav!) };
      expect((await raw(issued.body.key, '/nodo/node-for-psp/v1/verifyPaymentNotice', body)).body).toMatchObject({ outcome: 'OK', paymentList: [{ amount: '15.00' }] });
      expect((await admin('GET', '/psps/NEWPSPIT/subscription-keys')).body).toEqual([expect.objectContaining({ id: issued.body.id, label: 'test' })]);
      expect((await admin('PUT', '/psps/NEWPSPIT/enabled', { enabled: false })).body.enabled).toBe(false);
      expect((await raw(issued.body.key, '/nodo/node-for-psp/v1/verifyPaymentNotice', body)).status).toBe(401);
      expect((await admin('PUT', '/psps/NEWPSPIT/enabled', { enabled: true })).body.enabled).toBe(true);
      expect((await fetch(`${system.urls.pagopa}/admin/v1/psps/NEWPSPIT/subscription-keys/${issued.body.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${keyOf('platform_operator')}` } })).status).toBe(204);
      expect((await raw(issued.body.key, '/nodo/node-for-psp/v1/verifyPaymentNotice', body)).status).toBe(401);
      expect((await fetch(`${system.urls.pagopa}/admin/v1/psps`)).status).toBe(401);

      const openapi = (await (await fetch(`${system.urls.pagopa}/openapi.json`)).json()) as { paths: Record<string, Record<string, { requestBody?: unknown }>> };
      for (const primitive of ['verifyPaymentNotice', 'activatePaymentNotice', 'sendPaymentOutcome']) {
        expect(openapi.paths[`/nodo/node-for-psp/v1/${primitive}`]?.post?.requestBody, primitive).toBeDefined();
      }
      expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/gpd/payments-receipts-service/v1/payments/{organizationfiscalcode}/receipts/{iuv}/pdf', '/admin/v1/psps']));
    });

    it('pays a notice once when 20 PSP attempts race on it (activate + outcome)', async () => {
      const [nav] = await notices([option(8_000)]);
      const attempts = Array.from({ length: 20 }, async (_, i) => {
        const psp = DEMO_PSPS[i % DEMO_PSPS.length]!;
        const activated = await activate(psp, nav!, '80.00');
        if (isFault(activated)) return activated.fault.faultCode;
        const answer = await outcome(psp, activated.paymentToken);
        return isFault(answer) ? answer.fault.faultCode : 'PAID';
      });
      const results = await Promise.all(attempts);
      expect(results.filter((r) => r === 'PAID')).toHaveLength(1);
      expect(results.every((r) => ['PAID', 'PPT_PAGAMENTO_IN_CORSO', 'PPT_PAGAMENTO_DUPLICATO'].includes(r))).toBe(true);
      expect(await receiptCount(nav!)).toBe(1);
      expect((await gpd.getPaymentOption(nav!)).paymentOption[0]!.status).toBe('PO_PAID');
    });
  });
}
