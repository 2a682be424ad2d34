// The GPD API of the pagoPA app over HTTP, on PostgreSQL and on PGlite: debt positions through their states,
// refusals with GPD's status codes, notice numbers, and what each subscription key may see.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type TestSystem } from '../support/system.ts';
import { demoPagopaKey } from '../../src/clients/pagopa/demo.ts';
import { dateInItaly } from '../../src/domain/dates.ts';
import { parseNoticeNumber } from '../../src/domain/pagopa/notice-number.ts';
import { gpdBaseUrl, gpdClient, GpdError } from '../../src/clients/pagopa/index.ts';
import { BUGLIANO, debtPosition, inDays, singleTransferOption, VICOPISANO } from './support.ts';

const GPD = '/gpd/debt-positions-service/v1';

interface Answer {
  status: number;
  body: any;
}

const position = (iupd: string, over: Record<string, unknown> = {}, options = [singleTransferOption(10_000, 'Diritti di segreteria', inDays(30), BUGLIANO.iban)]) => ({
  ...debtPosition(iupd, options),
  ...over,
});

const installment = (amount: number, days: number, isPartialPayment = true) => singleTransferOption(amount, isPartialPayment ? 'Rata' : 'Rata unica', inDays(days), BUGLIANO.iban, isPartialPayment);

for (const database of ['postgres', 'pglite'] as const) {
  describe(`pagoPA GPD API [${database}]`, () => {
    let system: TestSystem;
    let call: (key: string | undefined, method: string, path: string, body?: unknown) => Promise<Answer>;
    let bugliano: (method: string, path: string, body?: unknown) => Promise<Answer>;

    beforeAll(async () => {
      system = await startSystem({ apps: ['pagopa'], database });
      call = async (key, method, path, body) => {
        const response = await fetch(`${system.urls.pagopa}${path}`, {
          method,
          headers: { ...(key ? { 'ocp-apim-subscription-key': key } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
          body: body !== undefined ? JSON.stringify(body) : undefined,
        });
        const text = await response.text();
        return { status: response.status, body: text ? JSON.parse(text) : undefined };
      };
      const key = demoPagopaKey(system.config.secret!, BUGLIANO.fiscalCode);
      bugliano = (method, path, body) => call(key, method, `${GPD}/organizations/${BUGLIANO.fiscalCode}${path}`, body);
    }, 120_000);
    afterAll(async () => system?.stop());

    it('seeds the demo comuni with published positions whose notice numbers carry the station’s segregation code', async () => {
      const list = await bugliano('GET', '/debtpositions?limit=50');
      expect(list.status).toBe(200);
      expect(list.body.page_info).toMatchObject({ page: 0, limit: 50, items_found: 3, total_pages: 1 });
      const tari = list.body.payment_position_list.find((p: { iupd: string }) => p.iupd === 'bug-tari-2026-0001');
      expect(tari).toMatchObject({ status: 'VALID', organizationFiscalCode: BUGLIANO.fiscalCode, companyName: BUGLIANO.companyName });
      expect(tari.paymentOption).toHaveLength(3);
      for (const option of tari.paymentOption) {
        expect(option.nav).toMatch(/^301\d{15}$/);
        expect(option.iuv).toBe(option.nav.slice(1));
        expect(parseNoticeNumber(option.nav).ok).toBe(true);
        expect(option.status).toBe('PO_UNPAID');
      }
      expect((await bugliano('GET', '/debtpositions?status=DRAFT')).body.payment_position_list.map((p: { iupd: string }) => p.iupd)).toEqual(['bug-mensa-2026-0001']);
    });

    it('creates a draft with generated notice numbers, publishes it (VALID), invalidates it, then refuses every change (409)', async () => {
      const created = await bugliano('POST', '/debtpositions', position('sportello-0001', {}, [installment(6_000, 30, false), installment(3_000, 30), installment(3_000, 60)]));
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ iupd: 'sportello-0001', status: 'DRAFT', organizationFiscalCode: BUGLIANO.fiscalCode });
      const navs = created.body.paymentOption.map((o: { nav: string }) => o.nav);
      expect(new Set(navs).size).toBe(3);
      expect(created.body.paymentOption[0].transfer[0]).toMatchObject({ organizationFiscalCode: BUGLIANO.fiscalCode, iban: BUGLIANO.iban, status: 'T_UNREPORTED' });

      expect((await bugliano('GET', '/debtpositions/sportello-0001')).body).toEqual(created.body);
      const published = await bugliano('POST', '/debtpositions/sportello-0001/publish');
      expect(published.status).toBe(200);
      expect(published.body).toMatchObject({ status: 'VALID', publishDate: expect.any(String) });
      expect((await bugliano('POST', '/debtpositions/sportello-0001/publish')).status).toBe(409);

      const byNav = await bugliano('GET', `/paymentoptions/${navs[1]}`);
      expect(byNav.status).toBe(200);
      expect(byNav.body).toMatchObject({ iupd: 'sportello-0001', paymentOption: [{ nav: navs[1], amount: 3_000, isPartialPayment: true }] });

      expect((await bugliano('POST', '/debtpositions/sportello-0001/invalidate')).body.status).toBe('INVALID');
      for (const [method, path, body] of [
        ['POST', '/debtpositions/sportello-0001/publish'],
        ['POST', '/debtpositions/sportello-0001/invalidate'],
        ['PUT', '/debtpositions/sportello-0001', position('sportello-0001')],
        ['DELETE', '/debtpositions/sportello-0001'],
      ] as const) {
        const refused = await bugliano(method, path, body);
        expect(refused.status, `${method} ${path}`).toBe(409);
        expect(refused.body).toMatchObject({ status: 409, type: expect.stringMatching(/^urn:sportello:problem:pagopa:DEBT_POSITION_NOT_/) });
      }
    });

    it('publishes with a future validity date to PUBLISHED, which is not yet payable (422)', async () => {
      const created = await bugliano('POST', '/debtpositions?toPublish=true', position('sportello-0002', { validityDate: inDays(2) }));
      expect(created).toMatchObject({ status: 201, body: { status: 'PUBLISHED' } });
      const paid = await bugliano('POST', `/paymentoptions/paids/${created.body.paymentOption[0].nav}`, {});
      expect(paid).toMatchObject({ status: 422, body: { code: 'PAYMENT_OPTION_NOT_PAYABLE' } });
      expect((await bugliano('POST', '/debtpositions/sportello-0002/invalidate')).body.status).toBe('INVALID');
    });

    it('updates a published position back to DRAFT, keeps given IUVs, deletes a draft', async () => {
      const created = await bugliano('POST', '/debtpositions?toPublish=true', position('sportello-0003'));
      expect(created.body.status).toBe('VALID');
      const iuv = created.body.paymentOption[0].iuv;
      const body = position('sportello-0003', { fullName: 'Marco Bianchi (aggiornato)' });
      body.paymentOption[0] = { ...(body.paymentOption[0] as object), iuv } as never;
      const updated = await bugliano('PUT', '/debtpositions/sportello-0003', body);
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({ status: 'DRAFT', fullName: 'Marco Bianchi (aggiornato)', paymentOption: [{ iuv, nav: created.body.paymentOption[0].nav }] });
      expect((await bugliano('PUT', '/debtpositions/sportello-0003?toPublish=true', body)).body.status).toBe('VALID');
      expect((await bugliano('PUT', '/debtpositions/sportello-0003', position('another-iupd'))).status).toBe(400);
      expect((await bugliano('DELETE', '/debtpositions/sportello-0003')).status).toBe(200);
      expect((await bugliano('GET', '/debtpositions/sportello-0003')).status).toBe(404);
      // An IUV is never given to another debt position, even after its own was deleted.
      const reuse = position('sportello-0004');
      reuse.paymentOption[0] = { ...(reuse.paymentOption[0] as object), iuv } as never;
      expect(await bugliano('POST', '/debtpositions', reuse)).toMatchObject({ status: 409, body: { code: 'DEBT_POSITION_UNIQUE_VIOLATION' } });
    });

    it('records installments paid: PARTIALLY_PAID then PAID; the single payment and changes are refused', async () => {
      const created = await bugliano('POST', '/debtpositions?toPublish=true', position('sportello-0005', {}, [installment(6_000, 30, false), installment(3_000, 30), installment(3_000, 60)]));
      const [total, first, second] = created.body.paymentOption.map((o: { nav: string }) => o.nav);
      expect((await bugliano('POST', `/paymentoptions/paids/${first}`, { paymentDate: new Date().toISOString() })).body.status).toBe('PARTIALLY_PAID');
      expect(await bugliano('POST', `/paymentoptions/paids/${first}`, {})).toMatchObject({ status: 409, body: { code: 'PAYMENT_OPTION_ALREADY_PAID' } });
      expect(await bugliano('POST', `/paymentoptions/paids/${total}`, {})).toMatchObject({ status: 409, body: { code: 'PAYMENT_OPTION_ALREADY_PAID' } });
      expect(await bugliano('PUT', '/debtpositions/sportello-0005', position('sportello-0005'))).toMatchObject({ status: 409, body: { code: 'DEBT_POSITION_PAYMENT_FOUND' } });
      expect(await bugliano('POST', '/debtpositions/sportello-0005/invalidate')).toMatchObject({ status: 409, body: { code: 'DEBT_POSITION_NOT_INVALIDABLE' } });
      const paid = await bugliano('POST', `/paymentoptions/paids/${second}`, {});
      expect(paid.body).toMatchObject({ status: 'PAID', paymentDate: expect.any(String) });
      expect(paid.body.paymentOption.map((o: { status: string }) => o.status)).toEqual(['PO_UNPAID', 'PO_PAID', 'PO_PAID']);
    });

    it('refuses a duplicate iupd (409)', async () => {
      expect((await bugliano('POST', '/debtpositions', position('sportello-dup'))).status).toBe(201);
      expect(await bugliano('POST', '/debtpositions', position('sportello-dup'))).toMatchObject({ status: 409, body: { code: 'DEBT_POSITION_UNIQUE_VIOLATION' } });
    });

    it('refuses amounts of zero or less, and transfers beyond their option (400, with the field)', async () => {
      for (const amount of [0, -100]) {
        const refused = await bugliano('POST', '/debtpositions', position('sportello-zero', {}, [{ ...installment(1_000, 30, false), amount }]));
        expect(refused.status).toBe(400);
        expect(refused.body.errors.map((e: { pointer: string }) => e.pointer)).toContain('/body/paymentOption/0/amount');
      }
      const over = await bugliano('POST', '/debtpositions', position('sportello-over', {}, [{ ...installment(1_000, 30, false), amount: 500 }]));
      expect(over).toMatchObject({ status: 400, body: { code: 'DEBT_POSITION_REQUEST_DATA_ERROR', errors: [{ pointer: '/body/paymentOption/0/transfer', code: 'amount-mismatch' }] } });
      const badIuv = await bugliano('POST', '/debtpositions', position('sportello-iuv', {}, [{ ...installment(1_000, 30, false), iuv: '01000000000000199' }]));
      expect(badIuv).toMatchObject({ status: 400, body: { errors: [{ pointer: '/body/paymentOption/0/iuv', code: 'invalid-check-digits' }] } });
      const strangerIban = await bugliano('POST', '/debtpositions', position('sportello-iban', {}, [{ ...installment(1_000, 30, false), transfer: [{ ...installment(1_000, 30).transfer[0]!, iban: VICOPISANO.iban }] }]));
      expect(strangerIban).toMatchObject({ status: 400, body: { errors: [{ code: 'iban-not-registered' }] } });
      expect((await bugliano('GET', '/debtpositions/sportello-over')).status).toBe(404);
    });

    it('splits an option across institutions with their own IBANs (multi-beneficiary)', async () => {
      const split = installment(10_000, 30, false);
      split.transfer = [
        { idTransfer: '1', amount: 7_000, remittanceInformation: 'Quota comunale', category: '9/0101108TS/', iban: BUGLIANO.iban },
        { idTransfer: '2', amount: 3_000, remittanceInformation: 'Quota Vicopisano', category: '9/0101108TS/', iban: VICOPISANO.iban, organizationFiscalCode: VICOPISANO.fiscalCode } as never,
      ];
      const created = await bugliano('POST', '/debtpositions', position('sportello-split', {}, [split]));
      expect(created.status).toBe(201);
      expect(created.body.paymentOption[0].transfer.map((t: { organizationFiscalCode: string }) => t.organizationFiscalCode)).toEqual([BUGLIANO.fiscalCode, VICOPISANO.fiscalCode]);
      // The beneficiary does not see the creditor's position.
      const vico = demoPagopaKey(system.config.secret!, VICOPISANO.fiscalCode);
      expect((await call(vico, 'GET', `${GPD}/organizations/${VICOPISANO.fiscalCode}/debtpositions/sportello-split`)).status).toBe(404);
    });

    it('answers a malformed notice number or wrong check digits with 400 and the reason; an unknown one with 404', async () => {
      const wrong = await bugliano('GET', '/paymentoptions/301000000000000199');
      expect(wrong).toMatchObject({ status: 400, body: { errors: [{ pointer: '/params/nav', code: 'invalid-check-digits' }] } });
      expect(wrong.body.detail).toMatch(/check digits/);
      expect(await bugliano('GET', '/paymentoptions/3010000000001')).toMatchObject({ status: 400, body: { errors: [{ code: 'invalid-length' }] } });
      expect(await bugliano('GET', '/paymentoptions/901000000000000199')).toMatchObject({ status: 400, body: { errors: [{ code: 'invalid-aux-digit' }] } });
      expect(await bugliano('GET', '/paymentoptions/300715700000000032')).toMatchObject({ status: 404, body: { code: 'PAYMENT_OPTION_NOT_FOUND' } });
    });

    it('lets a key act only for its own institution: 401 without a key, 403 on another organization', async () => {
      expect((await call(undefined, 'GET', `${GPD}/organizations/${BUGLIANO.fiscalCode}/debtpositions`)).status).toBe(401);
      expect((await call('sk_aaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 'GET', `${GPD}/organizations/${BUGLIANO.fiscalCode}/debtpositions`)).status).toBe(401);
      const vico = demoPagopaKey(system.config.secret!, VICOPISANO.fiscalCode);
      for (const [method, path, body] of [
        ['GET', '/debtpositions'],
        ['GET', '/debtpositions/bug-tari-2026-0001'],
        ['POST', '/debtpositions', position('intruder')],
        ['POST', '/debtpositions/bug-tari-2026-0001/invalidate'],
        ['DELETE', '/debtpositions/bug-mensa-2026-0001'],
      ] as const) {
        const answer = await call(vico, method, `${GPD}/organizations/${BUGLIANO.fiscalCode}${path}`, body);
        expect(answer.status, `${method} ${path}`).toBe(403);
      }
      // Through its own organization, Bugliano's positions do not exist for Vicopisano.
      expect((await call(vico, 'GET', `${GPD}/organizations/${VICOPISANO.fiscalCode}/debtpositions/bug-tari-2026-0001`)).status).toBe(404);
      expect((await bugliano('GET', '/debtpositions/bug-tari-2026-0001')).body.status).toBe('VALID');
    });

    it('never gives two concurrent creations the same notice number', async () => {
      const created = await Promise.all(Array.from({ length: 12 }, (_, i) => bugliano('POST', '/debtpositions', position(`sportello-par-${i}`))));
      expect(created.every((c) => c.status === 201)).toBe(true);
      expect(new Set(created.map((c) => c.body.paymentOption[0].nav)).size).toBe(12);
    });

    it('onboards an institution through the operators’ API and issues it a subscription key', async () => {
      const operator = demoPagopaKey(system.config.secret!, 'platform_operator');
      const admin = async (method: string, path: string, body?: unknown, key = operator) => {
        const response = await fetch(`${system.urls.pagopa}/admin/v1${path}`, {
          method,
          headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
          body: body !== undefined ? JSON.stringify(body) : undefined,
        });
        const text = await response.text();
        return { status: response.status, body: text ? JSON.parse(text) : undefined };
      };
      const milano = { fiscalCode: '01199250158', companyName: 'Comune di Milano', auxDigit: 3, segregationCode: '07', stationId: '01199250158_01', ibans: [{ iban: 'IT20S0306914000000000012345' }] };
      expect((await admin('POST', '/creditor-institutions', milano, demoPagopaKey(system.config.secret!, BUGLIANO.fiscalCode))).status).toBe(401);
      expect(await admin('POST', '/creditor-institutions', { ...milano, fiscalCode: '01199250159' })).toMatchObject({ status: 400, body: { errors: [{ pointer: '/body/fiscalCode' }] } });
      expect(await admin('POST', '/creditor-institutions', { ...milano, segregationCode: undefined })).toMatchObject({ status: 400 });
      expect(await admin('POST', '/creditor-institutions', milano)).toMatchObject({ status: 201, body: { fiscalCode: '01199250158', ibans: [{ iban: 'IT20S0306914000000000012345' }] } });
      expect((await admin('POST', '/creditor-institutions', milano)).status).toBe(409);
      const issued = await admin('POST', '/creditor-institutions/01199250158/subscription-keys', { label: 'gestionale tributi' });
      expect(issued.status).toBe(201);
      const created = await call(issued.body.key, 'POST', `${GPD}/organizations/01199250158/debtpositions?toPublish=true`, {
        ...position('mi-0001', { companyName: 'Comune di Milano' }),
        paymentOption: [{ ...installment(2_500, 30, false), transfer: [{ idTransfer: '1', amount: 2_500, remittanceInformation: 'Sanzione', category: '9/0101108TS/', iban: 'IT20S0306914000000000012345' }] }],
      });
      expect(created).toMatchObject({ status: 201, body: { status: 'VALID' } });
      expect(created.body.paymentOption[0].nav).toMatch(/^307/);
      expect((await admin('GET', '/creditor-institutions/01199250158/subscription-keys')).body).toHaveLength(1);
      expect((await admin('DELETE', `/creditor-institutions/01199250158/subscription-keys/${issued.body.id}`)).status).toBe(204);
      expect((await call(issued.body.key, 'GET', `${GPD}/organizations/01199250158/debtpositions`)).status).toBe(401);
    });

    it('serves the typed client of src/clients/pagopa: create, find, list with filters, refusals as GpdError with GPD’s code', async () => {
      const client = gpdClient({ baseUrl: gpdBaseUrl(system.urls.pagopa), subscriptionKey: demoPagopaKey(system.config.secret!, BUGLIANO.fiscalCode), organizationFiscalCode: BUGLIANO.fiscalCode });
      const created = await client.createPosition(position('client-0001', {}, [installment(1_500, 10, false)]) as never, { toPublish: true });
      expect(created).toMatchObject({ iupd: 'client-0001', status: 'VALID' });
      expect(await client.findPosition('client-0001')).toEqual(created);
      expect(await client.findPosition('client-none')).toBeUndefined();
      expect((await client.getPaymentOption(created.paymentOption[0]!.nav)).iupd).toBe('client-0001');
      // The GPD filters are calendar days in Italy.
      const due = dateInItaly(new Date(created.paymentOption[0]!.dueDate));
      const page = await client.listPositions({ dueDateFrom: due, dueDateTo: due, status: 'VALID', limit: 50 });
      expect(page.payment_position_list.map((p) => p.iupd)).toContain('client-0001');
      expect(page.payment_position_list.every((p) => p.status === 'VALID')).toBe(true);
      const refused = await client.publishPosition('client-0001').catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(GpdError);
      expect(refused).toMatchObject({ status: 409, code: 'DEBT_POSITION_NOT_PUBLISHABLE' });
      await expect(client.listPositions({ dueDateFrom: due, paymentDateFrom: due })).rejects.toMatchObject({ status: 400 });
      const paid = await client.markPaymentOptionPaid(created.paymentOption[0]!.nav);
      expect(paid.status).toBe('PAID');
      expect((await client.listPositions({ paymentDateFrom: dateInItaly(new Date(paid.paymentDate!)), limit: 50 })).payment_position_list.map((p) => p.iupd)).toContain('client-0001');
      const other = gpdClient({ baseUrl: gpdBaseUrl(system.urls.pagopa), subscriptionKey: demoPagopaKey(system.config.secret!, VICOPISANO.fiscalCode), organizationFiscalCode: BUGLIANO.fiscalCode });
      await expect(other.getPosition('client-0001')).rejects.toMatchObject({ status: 403 });
    });

    it('publishes the GPD paths in its OpenAPI document with the subscription-key scheme', async () => {
      const doc = await (await fetch(`${system.urls.pagopa}/openapi.json`)).json();
      expect(Object.keys(doc.paths)).toEqual(
        expect.arrayContaining([`${GPD}/organizations/{organizationfiscalcode}/debtpositions`, `${GPD}/organizations/{organizationfiscalcode}/debtpositions/{iupd}/publish`]),
      );
      expect(doc.components.securitySchemes.subscriptionKey).toMatchObject({ type: 'apiKey', in: 'header', name: 'Ocp-Apim-Subscription-Key' });
      expect((await fetch(`${system.urls.pagopa}/docs/`)).status).toBe(200);
      expect(await (await fetch(`${system.urls.pagopa}/health`)).json()).toMatchObject({ status: 'ok', app: 'pagopa', checks: { database: 'ok' } });
    });
  });
}
