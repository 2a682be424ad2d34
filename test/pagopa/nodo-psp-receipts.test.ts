// A PSP's statement of a day on the Nodo over HTTP (GET /psps/{idPSP}/receipts?date=): the receipts of the payments it
// collected that Italian day, on every channel (its own through node-for-psp, Checkout's onLine), never another PSP's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type TestSystem } from '../support/system.ts';
import { sql } from '../../src/core/db.ts';
import { dateInItaly } from '../../src/domain/dates.ts';
import { DEMO_PSPS, demoPagopaKey, pspKeyHolder } from '../../src/clients/pagopa/demo.ts';
import { gpdBaseUrl, gpdClient, type GpdClient } from '../../src/clients/pagopa/index.ts';
import { isFault, nodoBaseUrl, nodoClient, NodoError, type NodoClient } from '../../src/clients/pagopa/nodo.ts';
import { BUGLIANO, debtPosition, inDays, singleTransferOption } from './support.ts';

const [BANK, , TOBACCONIST] = DEMO_PSPS;
type DemoPsp = (typeof DEMO_PSPS)[number];
const today = dateInItaly(new Date());

for (const database of ['postgres', 'pglite'] as const) {
  describe(`pagoPA Nodo: a PSP's receipts of a day [${database}]`, () => {
    let system: TestSystem;
    let gpd: GpdClient;
    let nodo: Record<string, NodoClient>;
    let seq = 0;

    /** Pays a new notice of Bugliano of `cents` as `psp` on `channel`; its notice number and receipt id. */
    async function pay(psp: DemoPsp, cents: number, channel: 'frontOffice' | 'onLine'): Promise<{ nav: string; receiptId: string }> {
      const position = await gpd.createPosition(debtPosition(`psp-receipts-${database}-${++seq}`, [singleTransferOption(cents, 'Diritti di segreteria', inDays(30), BUGLIANO.iban)]), { toPublish: true });
      const nav = position.paymentOption[0]!.nav;
      const ids = { idPSP: psp.idPSP, idBrokerPSP: psp.idBrokerPSP, idChannel: psp.idChannel };
      const activated = await nodo[psp.idPSP]!.activatePaymentNotice({ ...ids, qrCode: { fiscalCode: BUGLIANO.fiscalCode, noticeNumber: nav }, amount: (cents / 100).toFixed(2) });
      if (isFault(activated)) throw new Error(`activation refused: ${activated.fault.faultCode}`);
      const details = { paymentMethod: channel === 'onLine' ? 'creditCard' : 'cash', paymentChannel: channel, fee: '1.00', applicationDate: today, transferDate: today } as const;
      expect(await nodo[psp.idPSP]!.sendPaymentOutcome({ ...ids, paymentToken: activated.paymentToken, outcome: 'OK', details })).toEqual({ outcome: 'OK' });
      return { nav, receiptId: activated.paymentToken };
    }

    beforeAll(async () => {
      system = await startSystem({ apps: ['pagopa'], database });
      const secret = system.config.secret!;
      gpd = gpdClient({ baseUrl: gpdBaseUrl(system.urls.pagopa), subscriptionKey: demoPagopaKey(secret, BUGLIANO.fiscalCode), organizationFiscalCode: BUGLIANO.fiscalCode });
      nodo = Object.fromEntries(DEMO_PSPS.map((p) => [p.idPSP, nodoClient({ baseUrl: nodoBaseUrl(system.urls.pagopa), subscriptionKey: demoPagopaKey(secret, pspKeyHolder(p.idPSP)) })]));
    }, 120_000);
    afterAll(async () => system?.stop());

    it('lists the PSP’s own receipts of the day on every channel, with their transfers; another PSP’s day is refused', async () => {
      const atCounter = await pay(TOBACCONIST, 1_250, 'frontOffice');
      const online = await pay(TOBACCONIST, 3_000, 'onLine');
      const yesterday = await pay(TOBACCONIST, 700, 'frontOffice');
      await pay(BANK, 4_000, 'frontOffice');
      // A payment of the day before, in Italy: on yesterday's statement, not today's.
      await sql`update pagopa.receipts set payment_date_time = payment_date_time - interval '1 day' where receipt_id = ${yesterday.receiptId}`.execute(system.ctx.database.db);

      const statement = await nodo[TOBACCONIST.idPSP]!.receiptsOfDay(TOBACCONIST.idPSP, today);
      expect(statement).toMatchObject({ idPSP: TOBACCONIST.idPSP, date: today });
      expect(statement.receipts.map((r) => [r.receiptId, r.noticeNumber, r.paymentAmount, r.channelDescription])).toEqual([
        [atCounter.receiptId, atCounter.nav, 1_250, 'frontOffice'],
        [online.receiptId, online.nav, 3_000, 'onLine'],
      ]);
      expect(statement.receipts[1]).toMatchObject({
        fiscalCode: BUGLIANO.fiscalCode,
        creditorReferenceId: online.nav.slice(1),
        idPSP: TOBACCONIST.idPSP,
        fee: 100,
        transferList: [{ idTransfer: 1, transferAmount: 3_000, fiscalCodePA: BUGLIANO.fiscalCode, IBAN: BUGLIANO.iban }],
      });
      const dayBefore = dateInItaly(new Date(Date.parse(statement.receipts[0]!.paymentDateTime) - 86_400_000));
      expect((await nodo[TOBACCONIST.idPSP]!.receiptsOfDay(TOBACCONIST.idPSP, dayBefore)).receipts.map((r) => r.receiptId)).toEqual([yesterday.receiptId]);
      expect((await nodo[BANK.idPSP]!.receiptsOfDay(BANK.idPSP, today)).receipts).toHaveLength(1);

      const refusal = (promise: Promise<unknown>) => promise.then(() => undefined, (err: NodoError) => err.status);
      expect(await refusal(nodo[BANK.idPSP]!.receiptsOfDay(TOBACCONIST.idPSP, today))).toBe(403);
      expect(await refusal(nodoClient({ baseUrl: nodoBaseUrl(system.urls.pagopa), subscriptionKey: demoPagopaKey(system.config.secret!, BUGLIANO.fiscalCode) }).receiptsOfDay(BUGLIANO.fiscalCode, today))).toBe(401);
      expect(await refusal(nodo[BANK.idPSP]!.receiptsOfDay(BANK.idPSP, '2026-02-30'))).toBe(400);
    });
  });
}
