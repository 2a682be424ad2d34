// Reporting flows (FdR) over HTTP, on PostgreSQL and on PGlite: PSPs create, fill and publish their flows; publishing checks
// the totals and reports GPD's transfers and positions; institutions read only the flows they receive.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type TestSystem } from '../support/system.ts';
import { DEMO_PSPS, demoPagopaKey, pspKeyHolder } from '../../src/clients/pagopa/demo.ts';
import type { GpdClient, PaymentPosition } from '../../src/clients/pagopa/index.ts';
import { FdrError, fdrOrganizationClient, fdrPspClient, type FdrCreateBody, type FdrPaymentRow } from '../../src/clients/pagopa/fdr.ts';
import { BUGLIANO, debtPosition, gpdOf, inDays, VICOPISANO, type DemoInstitution, type PaymentOptionBody } from './support.ts';

const PSP = DEMO_PSPS[0].idPSP;
const OTHER_PSP = DEMO_PSPS[1].idPSP;
const today = new Date().toISOString().slice(0, 10);
const PAY_DATE = new Date().toISOString();

const transfer = (idTransfer: PaymentOptionBody['transfer'][number]['idTransfer'], amount: number, iban: string, organizationFiscalCode?: string) => ({
  idTransfer,
  amount,
  remittanceInformation: 'Diritti',
  category: '9/0101108TS/',
  iban,
  ...(organizationFiscalCode ? { organizationFiscalCode } : {}),
});

function header(fdr: string, receiver: DemoInstitution, totPayments: number, sumPayments: number, pspId = PSP): FdrCreateBody {
  return {
    fdr,
    fdrDate: new Date().toISOString(),
    sender: { type: 'BIC_CODE', id: pspId, pspId, pspName: 'Banca di prova', pspBrokerId: '09123450505', channelId: '09123450505_01' },
    receiver: { id: receiver.fiscalCode, organizationId: receiver.fiscalCode, organizationName: receiver.companyName },
    regulation: `TRN${fdr.replace(/-/g, '').slice(-20)}`,
    regulationDate: new Date().toISOString(),
    bicCodePouringBank: 'BDEBITM1XXX',
    totPayments,
    sumPayments,
  };
}

const row = (index: number, iuv: string, idTransfer: number, pay: number, payStatus: FdrPaymentRow['payStatus'] = 'EXECUTED'): FdrPaymentRow => ({
  index,
  iuv,
  iur: `iur-${iuv}`,
  idTransfer,
  pay,
  payStatus,
  payDate: PAY_DATE,
});

async function refusal(promise: Promise<unknown>): Promise<FdrError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(FdrError);
  return error as FdrError;
}

for (const database of ['postgres', 'pglite'] as const) describe(`FdR: reporting flows [${database}]`, () => {
  let system: TestSystem;
  let bugliano: GpdClient;
  let pspKey: string;
  let otherPspKey: string;
  let single: PaymentPosition;
  let split: PaymentPosition;
  const psp = () => fdrPspClient({ pagopaUrl: system.urls.pagopa, subscriptionKey: pspKey, pspId: PSP });
  const org = (demo: DemoInstitution, organizationId: string = demo.fiscalCode) =>
    fdrOrganizationClient({ pagopaUrl: system.urls.pagopa, subscriptionKey: demoPagopaKey(system.config.secret!, demo.fiscalCode), organizationId });

  beforeAll(async () => {
    system = await startSystem({ apps: ['pagopa'], database });
    pspKey = demoPagopaKey(system.config.secret!, pspKeyHolder(PSP));
    otherPspKey = demoPagopaKey(system.config.secret!, pspKeyHolder(OTHER_PSP));
    bugliano = gpdOf(system, BUGLIANO);
    const position = (iupd: string, amount: number, transfers: PaymentOptionBody['transfer']) =>
      bugliano.createPosition(debtPosition(iupd, [{ amount, description: 'Diritti', isPartialPayment: false, dueDate: inDays(30), transfer: transfers }]), { toPublish: true });
    single = await position('fdr-single', 10_000, [transfer('1', 10_000, BUGLIANO.iban)]);
    split = await position('fdr-split', 10_000, [transfer('1', 7_000, BUGLIANO.iban), transfer('2', 3_000, VICOPISANO.iban, VICOPISANO.fiscalCode)]);
    for (const p of [single, split]) await bugliano.markPaymentOptionPaid(p.paymentOption[0]!.nav);
  }, 60_000);
  afterAll(() => system?.stop());

  const iuv = (p: PaymentPosition) => p.paymentOption[0]!.iuv;
  const flowId = (n: number) => `${today}${PSP}-${String(n).padStart(7, '0')}`;

  it('refuses a flow whose rows do not add up to its header, with the reason, and lets the PSP withdraw it', async () => {
    const fdr = flowId(1);
    await psp().create(header(fdr, BUGLIANO, 2, 171));
    expect((await refusal(psp().publish(fdr))).code).toBe('REPORTING_FLOW_NOT_IN_PUBLISHABLE_STATUS');
    await psp().addPayments(fdr, [row(1, iuv(single), 1, 100), row(2, iuv(split), 1, 70)]);
    const wrongSum = await refusal(psp().publish(fdr));
    expect(wrongSum.status).toBe(400);
    expect(wrongSum.code).toBe('REPORTING_FLOW_WRONG_SUM_PAYMENT');
    expect(wrongSum.problem.detail).toContain('sumPayments is 171.00, the payments add up to 170.00');
    // Rows sent again as they are (a retry) change nothing; another payment at a taken index is a conflict.
    await psp().addPayments(fdr, [row(2, iuv(split), 1, 70)]);
    const taken = await refusal(psp().addPayments(fdr, [row(2, iuv(split), 1, 71)]));
    expect([taken.status, taken.code]).toEqual([409, 'REPORTING_FLOW_PAYMENT_DUPLICATE_INDEX']);
    expect((await refusal(psp().addPayments(fdr, [row(3, iuv(split), 1, 1), row(3, iuv(split), 1, 1)]))).status).toBe(400);
    expect((await refusal(psp().create(header(fdr, BUGLIANO, 2, 170)))).status).toBe(409);
    await psp().remove(fdr);

    const fewer = flowId(2);
    await psp().create(header(fewer, BUGLIANO, 3, 170));
    await psp().addPayments(fewer, [row(1, iuv(single), 1, 100), row(2, iuv(split), 1, 70)]);
    const wrongCount = await refusal(psp().publish(fewer));
    expect(wrongCount.code).toBe('REPORTING_FLOW_WRONG_TOT_PAYMENT');
    expect(wrongCount.problem.detail).toContain('totPayments is 3, the flow has 2 payments');
    await psp().remove(fewer);
    expect((await bugliano.getPosition('fdr-single')).status).toBe('PAID');
    expect((await org(BUGLIANO).list()).count).toBe(0);
  });

  it('documents both sides in the OpenAPI document', async () => {
    const paths = Object.keys(((await (await fetch(`${system.urls.pagopa}/openapi.json`)).json()) as { paths: object }).paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/fdr-psp/service/v1/psps/{pspId}/fdrs/{fdr}',
        '/fdr-psp/service/v1/psps/{pspId}/fdrs/{fdr}/payments/add',
        '/fdr-psp/service/v1/psps/{pspId}/fdrs/{fdr}/publish',
        '/fdr-org/service/v1/organizations/{organizationId}/fdrs',
        '/fdr-org/service/v1/organizations/{organizationId}/fdrs/{fdr}/revisions/{revision}/psps/{pspId}/payments',
      ]),
    );
  });

  it('keeps a PSP to its own flows', async () => {
    const other = fdrPspClient({ pagopaUrl: system.urls.pagopa, subscriptionKey: otherPspKey, pspId: PSP });
    expect((await refusal(other.create(header(flowId(3), BUGLIANO, 1, 100)))).status).toBe(403);
    const own = fdrPspClient({ pagopaUrl: system.urls.pagopa, subscriptionKey: otherPspKey, pspId: OTHER_PSP });
    // The sender must be the PSP of the path.
    expect((await refusal(own.create(header(flowId(3), BUGLIANO, 1, 100)))).status).toBe(400);
    const institutionKey = fdrPspClient({ pagopaUrl: system.urls.pagopa, subscriptionKey: demoPagopaKey(system.config.secret!, BUGLIANO.fiscalCode), pspId: PSP });
    expect((await refusal(institutionKey.publish(flowId(3)))).status).toBe(401);
  });

  it('publishes a flow, which reports the transfers in GPD: a single payment REPORTED, a split one only once both beneficiaries are', async () => {
    const fdr = flowId(4);
    await psp().create(header(fdr, BUGLIANO, 3, 175));
    await psp().addPayments(fdr, [row(1, iuv(single), 1, 100), row(2, iuv(split), 1, 70)]);
    // A revoked row (codice esito 3) is part of the flow but reports nothing.
    await psp().addPayments(fdr, [row(3, '01000000000999999', 1, 5, 'REVOKED')]);
    await psp().publish(fdr);
    // Publishing again (a retry after the answer was lost) says it is done.
    expect((await refusal(psp().publish(fdr))).code).toBe('REPORTING_FLOW_ALREADY_PUBLISHED');

    const reportedSingle = await bugliano.getPosition('fdr-single');
    expect(reportedSingle).toMatchObject({ status: 'REPORTED', paymentOption: [{ status: 'PO_REPORTED', transfer: [{ status: 'T_REPORTED' }] }] });
    const halfSplit = await bugliano.getPosition('fdr-split');
    expect(halfSplit).toMatchObject({ status: 'PAID', paymentOption: [{ status: 'PO_PARTIALLY_REPORTED', transfer: [{ status: 'T_REPORTED' }, { status: 'T_UNREPORTED' }] }] });

    // Vicopisano's share comes in Vicopisano's own flow.
    const vico = `${today}${PSP}-0000005`;
    await psp().create(header(vico, VICOPISANO, 1, 30));
    await psp().addPayments(vico, [row(1, iuv(split), 2, 30)]);
    await psp().publish(vico);
    expect(await bugliano.getPosition('fdr-split')).toMatchObject({ status: 'REPORTED', paymentOption: [{ status: 'PO_REPORTED' }] });
  });

  it('shows an institution only the flows it receives', async () => {
    const list = await org(BUGLIANO).list();
    expect(list).toMatchObject({ count: 1, metadata: { pageNumber: 1, totPage: 1 }, data: [{ fdr: flowId(4), pspId: PSP, revision: 1 }] });
    const flow = await org(BUGLIANO).get(flowId(4), 1, PSP);
    expect(flow).toMatchObject({ status: 'PUBLISHED', totPayments: 3, sumPayments: 175, computedTotPayments: 3, computedSumPayments: 175, receiver: { organizationId: BUGLIANO.fiscalCode } });
    expect(flow.regulation).toMatch(/^TRN/);
    const page = await org(BUGLIANO).payments(flowId(4), 1, PSP, { page: 2, size: 2 });
    expect(page).toMatchObject({ count: 3, metadata: { pageNumber: 2, pageSize: 2, totPage: 2 }, data: [{ index: 3, payStatus: 'REVOKED', pay: 5 }] });
    expect((await org(BUGLIANO).allPayments(flowId(4), 1, PSP)).map((r) => r.pay)).toEqual([100, 70, 5]);

    expect((await org(VICOPISANO).list()).data.map((f) => f.fdr)).toEqual([`${today}${PSP}-0000005`]);
    // Another institution's flow is not found through one's own path, and another's path is forbidden.
    expect((await refusal(org(VICOPISANO).get(flowId(4), 1, PSP))).status).toBe(404);
    expect((await refusal(org(VICOPISANO, BUGLIANO.fiscalCode).list())).status).toBe(403);
    expect((await refusal(fdrOrganizationClient({ pagopaUrl: system.urls.pagopa, subscriptionKey: pspKey, organizationId: BUGLIANO.fiscalCode }).list())).status).toBe(401);
  });

  it('republishes a flow as its next revision; the list names the latest, earlier revisions stay readable', async () => {
    const fdr = flowId(4);
    await psp().create(header(fdr, BUGLIANO, 2, 170));
    await psp().addPayments(fdr, [row(1, iuv(single), 1, 100), row(2, iuv(split), 1, 70)]);
    await psp().publish(fdr);
    expect((await org(BUGLIANO).list()).data).toMatchObject([{ fdr, revision: 2 }]);
    expect((await org(BUGLIANO).get(fdr, 2, PSP)).totPayments).toBe(2);
    expect((await org(BUGLIANO).get(fdr, 1, PSP)).totPayments).toBe(3);
    expect((await bugliano.getPosition('fdr-single')).status).toBe('REPORTED');
  });
});
