// Paying a message's notice in the IO app (pagoPA model 1 through the IO channel, reference io.md §5.4): "Paga"
// verifies the notice with pagoPA (the creditor's amount wins), records a PENDING payment and sends the citizen
// to Checkout; back at /esito the receipt is read from pagoPA and kept (the return URL alone proves nothing).
// Also the payments history, a receipt with its PDF, and a message's due date as a calendar file.
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { checkFormCsrf, redirectTo } from '../../../core/auth/sessions.ts';
import { alert } from '../../../core/forms.ts';
import { html, type SafeHtml } from '../../../core/html.ts';
import type { App } from '../../../core/http.ts';
import { formatEuroCents, formatItalianTime } from '../../../core/i18n.ts';
import { notFound } from '../../../core/problem.ts';
import { dataTable } from '../../../core/ui.ts';
import { isValidEmail } from '../../../domain/contacts.ts';
import { formatNoticeNumber } from '../../../domain/pagopa/notice-number.ts';
import { EcommerceError, rptIdOf, type EcommerceClient, type FaultCodeCategory, type PaymentRequestInfo } from '../../../clients/pagopa/ecommerce.ts';
import { messageIcs } from '../content/ics.ts';
import { appPage, setFlash } from '../citizen/layout.ts';
import { appCitizen, requireAppCitizen, type AppDeps, type CitizenSession } from '../citizen/session.ts';
import { dueDay, paymentPath } from './box.ts';
import { paymentT, type PaymentKey } from './messages.ts';
import {
  citizenMessage,
  closePendingAttempts,
  insertPayment,
  isExpiredNotice,
  paymentOf,
  paymentOfNotice,
  paymentsOf,
  recordReceipt,
  setCartUrl,
  type PayableMessage,
  type Payment,
} from './store.ts';

/** The outcome page looks again every few seconds, for about half a minute, then says the payment is pending. */
const REFRESH_SECONDS = 2;
const MAX_CHECKS = 15;

const page = { config: { html: true }, schema: { hide: true } } as const;
const MessageParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
const PaymentParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
const Checks = Type.Object({ n: Type.Integer({ minimum: 0, maximum: 1000, default: 0 }) });

const messagePath = (id: string) => `/app/messaggi/${id}`;
const rptIdOfPayment = (p: Pick<Payment, 'payeeFiscalCode' | 'noticeNumber'>) => rptIdOf(p.payeeFiscalCode, p.noticeNumber);

/** What the citizen is told when pagoPA says the notice cannot be paid. */
const REFUSALS: Record<Exclude<FaultCodeCategory, 'PAYMENT_DUPLICATED'>, PaymentKey> = {
  PAYMENT_ONGOING: 'ongoing',
  PAYMENT_EXPIRED: 'noticeExpired',
  PAYMENT_CANCELED: 'noticeCancelled',
};

function citizenOf(request: FastifyRequest): CitizenSession {
  return appCitizen(request)!;
}

async function ownMessage(deps: AppDeps, request: FastifyRequest, id: string): Promise<PayableMessage> {
  const message = await citizenMessage(deps.db, citizenOf(request).fiscalCode, id);
  if (!message) throw notFound('No such message.');
  return message;
}

async function ownPayment(deps: AppDeps, request: FastifyRequest, id: string): Promise<Payment> {
  const payment = await paymentOf(deps.db, citizenOf(request).fiscalCode, id);
  if (!payment) throw notFound('No such payment.');
  return payment;
}

/** A notice pagoPA says is paid: its receipt kept on a payment of the citizen, shown; or only said, when pagoPA has none. */
async function alreadyPaid(deps: AppDeps, channel: EcommerceClient, request: FastifyRequest, reply: FastifyReply, message: PayableMessage): Promise<FastifyReply> {
  const tr = paymentT(request.locale);
  const citizen = citizenOf(request);
  const data = message.paymentData!;
  const receipt = await channel.findReceipt(rptIdOf(message.payeeFiscalCode, data.notice_number));
  if (!receipt) {
    setFlash(request, 'info', tr('alreadyPaidNoReceipt'));
    return redirectTo(reply, messagePath(message.id));
  }
  const payment =
    (await paymentOfNotice(deps.db, citizen.fiscalCode, message.payeeFiscalCode, data.notice_number)) ??
    (await insertPayment(deps.db, { fiscalCode: citizen.fiscalCode, messageId: message.id, payeeFiscalCode: message.payeeFiscalCode, noticeNumber: data.notice_number, amount: receipt.paymentAmount, description: receipt.description }));
  await recordReceipt(deps.db, payment.id, receipt);
  setFlash(request, 'info', tr('alreadyPaid'));
  return redirectTo(reply, paymentPath(payment.id));
}

function receiptView(request: FastifyRequest, payment: Payment): SafeHtml {
  const tr = paymentT(request.locale);
  const locale = request.locale;
  const receipt = payment.receipt!;
  const euro = (cents: number) => html`<span class="text-nowrap">${formatEuroCents(cents, locale)}</span>`;
  const rows: [string, SafeHtml | string][] = [
    [tr('object'), receipt.description],
    [tr('payee'), `${receipt.companyName} (${receipt.fiscalCode})`],
    [tr('noticeCode'), html`<span class="text-nowrap font-monospace">${formatNoticeNumber(receipt.noticeNumber)}</span>`],
    [tr('iuv'), receipt.creditorReferenceId],
    [tr('amount'), euro(receipt.paymentAmount)],
    [tr('fee'), euro(receipt.fee)],
    [tr('total'), euro(receipt.paymentAmount + receipt.fee)],
    [tr('paidAt'), formatItalianTime(locale, new Date(receipt.paymentDateTime), 'long', 'short')],
    [tr('psp'), receipt.PSPCompanyName],
    [tr('receiptId'), html`<span class="font-monospace text-break">${receipt.receiptId}</span>`],
  ];
  return html`<dl class="row">${rows.map(([label, value]) => html`<dt class="col-sm-4">${label}</dt><dd class="col-sm-8">${value}</dd>`)}</dl>
<p><a class="btn btn-primary" href="${paymentPath(payment.id, 'ricevuta.pdf')}">${tr('receiptPdf')}</a></p>`;
}

/** The pages of paying: an area of the citizen app (its session, CSRF and sign-in), talking to pagoPA through `channel`. */
export function paymentsArea(channel: EcommerceClient) {
  return (pages: App, deps: AppDeps): void => {
    const signedIn = { ...page, preHandler: requireAppCitizen };

    pages.get(`/app/messaggi/:id/promemoria.ics`, { ...signedIn, schema: { hide: true, params: MessageParams } }, async (request, reply) => {
      const message = await ownMessage(deps, request, request.params.id);
      if (!message.dueDate) throw notFound('The message has no due date.');
      const ics = messageIcs({ id: message.id, subject: message.subject, dueDate: message.dueDate, serviceName: message.serviceName, organizationName: message.organizationName, url: `${deps.publicUrl}${messagePath(message.id)}` });
      return reply.type('text/calendar; charset=utf-8').header('content-disposition', `attachment; filename="promemoria-${message.id}.ics"`).header('cache-control', 'private, no-store').send(ics);
    });

    pages.post(`/app/messaggi/:id/paga`, { ...signedIn, schema: { hide: true, params: MessageParams } }, async (request, reply) => {
      checkFormCsrf(request, deps.secret);
      const tr = paymentT(request.locale);
      const citizen = citizenOf(request);
      const message = await ownMessage(deps, request, request.params.id);
      const data = message.paymentData;
      if (!data) throw notFound('The message has no payment notice.');
      const back = () => redirectTo(reply, messagePath(message.id));
      if (isExpiredNotice(message)) {
        setFlash(request, 'warning', tr('expiredText', { date: dueDay(request.locale, message.dueDate!) }));
        return back();
      }
      const paid = await paymentOfNotice(deps.db, citizen.fiscalCode, message.payeeFiscalCode, data.notice_number);
      if (paid?.status === 'PAID') return redirectTo(reply, paymentPath(paid.id));

      let info: PaymentRequestInfo;
      try {
        info = await channel.paymentRequest(rptIdOf(message.payeeFiscalCode, data.notice_number));
      } catch (err) {
        if (!(err instanceof EcommerceError)) throw err;
        const category = err.faultCodeCategory;
        if (category === 'PAYMENT_DUPLICATED') return alreadyPaid(deps, channel, request, reply, message);
        setFlash(request, 'warning', tr(category ? REFUSALS[category] : err.status === 404 ? 'noticeUnknown' : 'unavailable'));
        return back();
      }
      // pagoPA says the notice is unpaid: earlier attempts of the citizen were abandoned.
      await closePendingAttempts(deps.db, citizen.fiscalCode, message.payeeFiscalCode, data.notice_number);
      const payment = await insertPayment(deps.db, { fiscalCode: citizen.fiscalCode, messageId: message.id, payeeFiscalCode: info.paFiscalCode, noticeNumber: data.notice_number, amount: info.amount, description: info.description });
      const esito = `${deps.publicUrl}${paymentPath(payment.id, 'esito')}`;
      const cart = await channel.createCart({
        paymentNotices: [{ noticeNumber: data.notice_number, fiscalCode: info.paFiscalCode, amount: info.amount }],
        returnUrls: { returnOkUrl: esito, returnCancelUrl: esito, returnErrorUrl: esito },
        ...(citizen.email && isValidEmail(citizen.email) ? { emailNotice: citizen.email } : {}),
      });
      await setCartUrl(deps.db, payment.id, cart.checkoutUrl);
      return reply.redirect(cart.checkoutUrl, 302);
    });

    pages.get(`/app/pagamenti/:id/esito`, { ...signedIn, schema: { hide: true, params: PaymentParams, querystring: Checks } }, async (request, reply) => {
      const tr = paymentT(request.locale);
      const payment = await ownPayment(deps, request, request.params.id);
      if (payment.status === 'PAID') return redirectTo(reply, paymentPath(payment.id));
      const receipt = await channel.findReceipt(rptIdOfPayment(payment));
      if (receipt) {
        await recordReceipt(deps.db, payment.id, receipt);
        setFlash(request, 'success', tr('paidNow'));
        return redirectTo(reply, paymentPath(payment.id));
      }
      const checks = request.query.n;
      const back = payment.messageId ? html`<a class="btn btn-outline-primary" href="${messagePath(payment.messageId)}">${tr('backToMessage')}</a>` : '';
      let body: SafeHtml;
      if (checks < MAX_CHECKS) {
        // No receipt yet: the browser looks again by itself (Refresh header); the page says so for screen readers too.
        reply.header('refresh', `${REFRESH_SECONDS}; url=${paymentPath(payment.id, 'esito')}?n=${checks + 1}`);
        body = html`<div role="status">${alert('info', tr('checking'))}</div>`;
      } else {
        body = html`<div role="status">${alert('warning', tr('waiting'))}</div><p class="d-flex gap-2"><a class="btn btn-primary" href="${paymentPath(payment.id, 'esito')}">${tr('checkAgain')}</a>${back}</p>`;
      }
      return appPage(request, reply, { title: tr('outcomeTitle'), body: html`<h1 class="h3">${tr('outcomeTitle')}</h1>${body}`, active: 'payments' });
    });

    pages.get(`/app/pagamenti`, signedIn, async (request, reply) => {
      const tr = paymentT(request.locale);
      const payments = await paymentsOf(deps.db, citizenOf(request).fiscalCode);
      const table = dataTable(
        tr('historyCaption'),
        [tr('date'), tr('object'), tr('amount'), tr('status'), tr('details')],
        payments.map((p) => [
          formatItalianTime(request.locale, p.paidAt ?? p.createdAt, 'medium'),
          html`${p.description}<br><span class="small text-muted">${p.receipt?.companyName ?? p.payeeFiscalCode}</span>`,
          html`<span class="text-nowrap">${formatEuroCents(p.amount, request.locale)}</span>`,
          html`<span class="badge ${p.status === 'PAID' ? 'bg-success' : 'bg-secondary'}">${tr(`st_${p.status}`)}</span>`,
          html`<a href="${paymentPath(p.id)}">${tr('details')}<span class="visually-hidden"> — ${p.description}</span></a>`,
        ]),
        tr('historyEmpty'),
      );
      return appPage(request, reply, { title: tr('historyTitle'), body: html`<h1 class="h3">${tr('historyTitle')}</h1><p>${tr('historyIntro')}</p>${table}`, active: 'payments' });
    });

    pages.get(`/app/pagamenti/:id`, { ...signedIn, schema: { hide: true, params: PaymentParams } }, async (request, reply) => {
      const tr = paymentT(request.locale);
      const payment = await ownPayment(deps, request, request.params.id);
      const title = payment.receipt ? tr('receiptTitle') : tr('paymentTitle');
      const body = payment.receipt
        ? receiptView(request, payment)
        : html`<p>${payment.description} — <span class="text-nowrap">${formatEuroCents(payment.amount, request.locale)}</span></p>${alert('info', tr('notPaidYet'))}<p><a class="btn btn-primary" href="${paymentPath(payment.id, 'esito')}">${tr('pendingLink')}</a></p>`;
      return appPage(request, reply, { title, body: html`<h1 class="h3">${title}</h1>${body}`, active: 'payments' });
    });

    pages.get(`/app/pagamenti/:id/ricevuta.pdf`, { ...signedIn, schema: { hide: true, params: PaymentParams } }, async (request, reply) => {
      const payment = await ownPayment(deps, request, request.params.id);
      if (!payment.receipt) throw notFound('The payment has no receipt yet.');
      const pdf = await channel.receiptPdf(rptIdOfPayment(payment));
      return reply.type('application/pdf').header('content-disposition', `inline; filename="ricevuta-${payment.receipt.creditorReferenceId}.pdf"`).header('cache-control', 'private, no-store').send(pdf);
    });
  };
}

