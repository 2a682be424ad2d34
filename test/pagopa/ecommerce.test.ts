// pagoPA for IO over HTTP on PostgreSQL: the channel's key (and no other), verifying notices of any institution by
// RptId with the refusals as 409 categories, a cart of two institutions' notices paid on the checkout pages, the
// receipt (JSON and PDF) once paid, through the typed client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type TestSystem } from '../support/system.ts';
import { demoPagopaKey, pspKeyHolder } from '../../src/clients/pagopa/demo.ts';
import { channelKeyHolder, ecommerceClient, EcommerceError, rptIdOf, type EcommerceClient } from '../../src/clients/pagopa/ecommerce.ts';
import { noticeCheckDigits } from '../../src/domain/pagopa/notice-number.ts';
import { BUGLIANO, debtPosition, gpdOf, inDays, payCartByCard, singleTransferOption, VICOPISANO, type DemoInstitution } from './support.ts';

const RETURN = { returnOkUrl: 'https://io.example/app/pagamenti/1/esito', returnCancelUrl: 'https://io.example/app/pagamenti/1/esito', returnErrorUrl: 'https://io.example/app/pagamenti/1/esito' };

let system: TestSystem;
let client: EcommerceClient;
let seq = 0;

interface Notice {
  institution: DemoInstitution;
  iupd: string;
  nav: string;
  rptId: string;
  amount: number;
}

async function notice(institution: DemoInstitution = BUGLIANO, amount = 5_000): Promise<Notice> {
  const iupd = `ecommerce-${++seq}-${Date.now()}`;
  const created = await gpdOf(system, institution).createPosition(debtPosition(iupd, [singleTransferOption(amount, 'TARI 2026 rata unica', inDays(30), institution.iban)], institution), { toPublish: true });
  const nav = created.paymentOption[0]!.nav!;
  return { institution, iupd, nav, rptId: rptIdOf(institution.fiscalCode, nav), amount };
}

async function get(path: string, key?: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${system.urls.pagopa}/ecommerce/io/v1${path}`, { headers: key === undefined ? {} : { 'ocp-apim-subscription-key': key } });
  return { status: response.status, body: await response.json() };
}

const refusal = (promise: Promise<unknown>) => promise.then(() => undefined, (err: unknown) => err as EcommerceError);

beforeAll(async () => {
  system = await startSystem({ apps: ['mail', 'pagopa'], database: 'postgres' });
  client = ecommerceClient({ baseUrl: system.urls.pagopa, subscriptionKey: demoPagopaKey(system.ctx.secret, channelKeyHolder('io')) });
}, 120_000);
afterAll(async () => system?.stop());

describe('the channel key', () => {
  it('is required (401), and a key of an institution or a PSP is refused (403)', async () => {
    const n = await notice();
    expect((await get(`/payment-requests/${n.rptId}`)).status).toBe(401);
    expect((await get(`/payment-requests/${n.rptId}`, 'sk_aaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb')).status).toBe(401);
    expect((await get(`/payment-requests/${n.rptId}`, demoPagopaKey(system.ctx.secret, BUGLIANO.fiscalCode))).status).toBe(403);
    expect((await get(`/receipts/${n.rptId}`, demoPagopaKey(system.ctx.secret, pspKeyHolder('TABDITM1XXX')))).status).toBe(403);
  });

  it('is in the OpenAPI document', async () => {
    const openapi = await (await fetch(`${system.urls.pagopa}/openapi.json`)).json();
    expect(openapi.paths['/ecommerce/io/v1/payment-requests/{rptId}'].get.operationId).toBe('getPaymentRequestInfo');
    expect(openapi.paths['/ecommerce/io/v1/carts'].post.operationId).toBe('PostCarts');
  });
});

describe('GET /payment-requests/{rptId}', () => {
  it('verifies a notice of any institution: the creditor’s amount, name, description and due date', async () => {
    const n = await notice(VICOPISANO, 12_345);
    expect(await client.paymentRequest(n.rptId)).toEqual({
      rptId: n.rptId,
      amount: 12_345,
      paFiscalCode: VICOPISANO.fiscalCode,
      paName: VICOPISANO.companyName,
      description: 'TARI 2026 rata unica',
      dueDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    });
  });

  it('answers 400 for a malformed RptId, naming the reason', async () => {
    const n = await notice();
    const key = demoPagopaKey(system.ctx.secret, channelKeyHolder('io'));
    const wrongCheck = n.nav.slice(0, 16) + String((Number(n.nav.slice(16)) + 1) % 93).padStart(2, '0');
    for (const [rptId, code] of [
      ['123', 'invalid-rpt-id'],
      [`${n.rptId}0`, 'invalid-rpt-id'],
      [rptIdOf('80000990508', n.nav), 'invalid-fiscal-code'],
      [rptIdOf(BUGLIANO.fiscalCode, wrongCheck), 'invalid-check-digits'],
    ] as const) {
      const answer = await get(`/payment-requests/${rptId}`, key);
      expect(answer.status, rptId).toBe(400);
      expect(answer.body.errors[0]).toMatchObject({ pointer: '/params/rptId', code });
    }
  });

  it('answers 404 for an unknown notice or institution', async () => {
    const base = `3${BUGLIANO.segregationCode}999999999999999`.slice(0, 16);
    const unknownNav = base + noticeCheckDigits(base);
    expect((await refusal(client.paymentRequest(rptIdOf(BUGLIANO.fiscalCode, unknownNav))))?.status).toBe(404);
    expect((await refusal(client.paymentRequest(rptIdOf('00000000000', unknownNav))))?.status).toBe(404);
  });

  it('answers 409 PAYMENT_CANCELED for a cancelled notice', async () => {
    const n = await notice();
    await gpdOf(system, BUGLIANO).invalidatePosition(n.iupd);
    const err = await refusal(client.paymentRequest(n.rptId));
    expect(err?.status).toBe(409);
    expect(err?.faultCodeCategory).toBe('PAYMENT_CANCELED');
  });
});

describe('POST /carts and GET /receipts/{rptId}', () => {
  it('opens a cart of two institutions’ notices, paid on the checkout pages; then the receipts, and PAYMENT_DUPLICATED', async () => {
    const [a, b] = [await notice(BUGLIANO, 4_200), await notice(VICOPISANO, 800)];
    expect(await client.findReceipt(a.rptId)).toBeUndefined();
    const cart = await client.createCart({
      paymentNotices: [a, b].map((n) => ({ noticeNumber: n.nav, fiscalCode: n.institution.fiscalCode, amount: n.amount })),
      returnUrls: RETURN,
      emailNotice: 'marco.bianchi@example.it',
    });
    expect(cart.checkoutUrl).toBe(`${system.urls.pagopa}/checkout/carts/${cart.cartId}`);
    const summary = await (await fetch(cart.checkoutUrl)).text();
    expect(summary).toContain(VICOPISANO.companyName);

    expect(await payCartByCard(cart.checkoutUrl)).toBe(RETURN.returnOkUrl);
    const receipt = await client.findReceipt(b.rptId);
    expect(receipt).toMatchObject({ noticeNumber: b.nav, fiscalCode: VICOPISANO.fiscalCode, paymentAmount: 800, idPSP: 'TABDITM1XXX', outcome: 'OK' });
    expect((await client.findReceipt(a.rptId))?.fee).toBe(100);
    const pdf = await client.receiptPdf(a.rptId);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');

    const paid = await refusal(client.paymentRequest(a.rptId));
    expect(paid?.status).toBe(409);
    expect(paid?.faultCodeCategory).toBe('PAYMENT_DUPLICATED');
    expect((await refusal(client.createCart({ paymentNotices: [{ noticeNumber: a.nav, fiscalCode: BUGLIANO.fiscalCode, amount: 4_200 }], returnUrls: RETURN })))?.faultCodeCategory).toBe('PAYMENT_DUPLICATED');
  });

  it('refuses a cart at another amount or with bad fields (400, naming the field)', async () => {
    const n = await notice(BUGLIANO, 1_000);
    const amount = await refusal(client.createCart({ paymentNotices: [{ noticeNumber: n.nav, fiscalCode: BUGLIANO.fiscalCode, amount: 999 }], returnUrls: RETURN }));
    expect(amount?.status).toBe(400);
    expect(amount?.problem.errors).toEqual([expect.objectContaining({ pointer: '/body/paymentNotices/0/amount', code: 'amount-mismatch' })]);
    const url = await refusal(client.createCart({ paymentNotices: [{ noticeNumber: n.nav, fiscalCode: BUGLIANO.fiscalCode, amount: 1_000 }], returnUrls: { ...RETURN, returnOkUrl: 'javascript:alert(1)' } }));
    expect(url?.problem.errors).toEqual([expect.objectContaining({ pointer: '/body/returnUrls/returnOkUrl' })]);
    const twice = await refusal(client.createCart({ paymentNotices: [n, n].map(() => ({ noticeNumber: n.nav, fiscalCode: BUGLIANO.fiscalCode, amount: 1_000 })), returnUrls: RETURN }));
    expect(twice?.problem.errors).toEqual([expect.objectContaining({ pointer: '/body/paymentNotices/1/noticeNumber', code: 'duplicate' })]);
  });
});
