// The printed notice of a debt position (docs/payments.md "Printed notice"), for the creditor institution with its
// subscription key: GET /print-payment-notice-service/v1/organizations/{organizationfiscalcode}/debtpositions/{iupd}/notice.
import { Type } from '@sinclair/typebox';
import type { App } from '../../../core/http.ts';
import type { Executor } from '../../../core/db.ts';
import { institutionKeyCheck, rateLimited } from '../api.ts';
import type { Institution } from '../institutions.ts';
import { getPosition, gpdProblem, type DebtPosition, type PaymentOption } from '../positions.ts';
import type { DebtPositionStatus } from '../rules.ts';
import { postalAccountOfIban, type NoticeData, type NoticeOption } from './model.ts';
import { renderNoticePdf } from './pdf.ts';

export const NOTICE_PREFIX = '/print-payment-notice-service/v1';

/** Why a position in this state has nothing to pay on paper. */
const NOT_PAYABLE: Partial<Record<DebtPositionStatus, string>> = {
  DRAFT: 'is a draft, not yet published',
  INVALID: 'was invalidated',
  EXPIRED: 'has expired',
  PAID: 'has been paid',
  REPORTED: 'has been paid and reported',
};

const toNoticeOption = (o: PaymentOption): NoticeOption => ({ amountCents: o.amount, dueDate: o.dueDate, nav: o.nav, iuv: o.iuv });
const byDueDate = (a: PaymentOption, b: PaymentOption) => a.dueDate.getTime() - b.dueDate.getTime() || a.nav.localeCompare(b.nav);

/**
 * What the notice of a payable position (VALID, PUBLISHED, PARTIALLY_PAID) says: its unpaid options only, the
 * single payment no longer once an installment is paid (rules.ts payOption); 409 with the reason otherwise.
 */
export function noticeOfPosition(institution: Institution, position: DebtPosition): NoticeData {
  const reason = NOT_PAYABLE[position.status];
  if (reason) throw gpdProblem(409, 'DEBT_POSITION_NOT_PAYABLE', `The debt position ${position.iupd} ${reason}: there is no notice to print`);
  const unpaid = position.paymentOption.filter((o) => o.status === 'PO_UNPAID').sort(byDueDate);
  const installmentPaid = position.paymentOption.some((o) => o.isPartialPayment && o.status !== 'PO_UNPAID');
  const single = installmentPaid ? undefined : unpaid.find((o) => !o.isPartialPayment);
  const installments = unpaid.filter((o) => o.isPartialPayment);
  const subjectOption = single ?? installments[0];
  if (!subjectOption) throw gpdProblem(409, 'DEBT_POSITION_NOT_PAYABLE', `The debt position ${position.iupd} has no payment option left to pay`);
  const postalAccount = institution.ibans.filter((i) => i.postal).map((i) => postalAccountOfIban(i.iban)).find(Boolean);
  const street = [position.streetName, position.civicNumber].filter(Boolean).join(' ');
  const place = [position.postalCode, position.city, position.province && `(${position.province})`].filter(Boolean).join(' ');
  return {
    subject: subjectOption.description,
    creditor: { name: position.companyName, office: position.officeName ?? institution.officeName ?? undefined, fiscalCode: institution.fiscalCode, cbillCode: institution.cbillCode ?? undefined },
    debtor: { name: position.fullName, fiscalCode: position.fiscalCode, address: [street, place].filter(Boolean) },
    single: single && toNoticeOption(single),
    installments: installments.map(toNoticeOption),
    postal: postalAccount ? { account: postalAccount, holder: institution.companyName } : undefined,
    issuedAt: position.lastUpdatedDate,
  };
}

const Params = Type.Object({ organizationfiscalcode: Type.String({ maxLength: 16 }), iupd: Type.String({ maxLength: 100 }) });

export async function registerNoticeApi(app: App, db: Executor): Promise<void> {
  await app.register(
    async (instance) => {
      const api = instance as App;
      api.addHook('onRequest', institutionKeyCheck(db));
      api.get(
        '/organizations/:organizationfiscalcode/debtpositions/:iupd/notice',
        {
          config: rateLimited,
          schema: {
            tags: ['Payment Notice API'],
            operationId: 'getPaymentNotice',
            summary: 'The printable "avviso di pagamento pagoPA" (PDF) of a payable debt position: its unpaid options, QR codes, postal slips',
            security: [{ subscriptionKey: [] }],
            params: Params,
            response: Object.fromEntries([401, 403, 404, 409].map((s) => [s, Type.Ref('Problem')])),
          },
        },
        async (request, reply) => {
          const institution = request.pagopaInstitution!;
          const position = await getPosition(db, institution, request.params.iupd);
          const pdf = await renderNoticePdf(noticeOfPosition(institution, position));
          return reply
            .type('application/pdf')
            .header('content-disposition', `inline; filename="avviso-${position.iupd.replace(/[^\w.-]/g, '_')}.pdf"`)
            .send(pdf);
        },
      );
    },
    { prefix: NOTICE_PREFIX },
  );
}
