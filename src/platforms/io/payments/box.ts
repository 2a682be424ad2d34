// What the message page shows of a payable message (reference io.md §5.3–5.4): the notice (amount, code grouped,
// creditor, due date), "Paga con pagoPA" — or that it is paid, in progress or expired — and, for any message with
// a due date, the calendar file. Called once by the message page.
import type { FastifyRequest } from 'fastify';
import type { Executor } from '../../../core/db.ts';
import { html, type SafeHtml } from '../../../core/html.ts';
import { formatCalendarDate, formatEuroCents, formatItalianTime, type Locale } from '../../../core/i18n.ts';
import { pageCsrf } from '../../../core/ui.ts';
import { dateInItaly } from '../../../domain/dates.ts';
import { formatNoticeNumber } from '../../../domain/pagopa/notice-number.ts';
import { appCitizen } from '../citizen/session.ts';
import { paymentT, type PaymentT } from './messages.ts';
import { citizenMessage, isExpiredNotice, paymentOfNotice, type PayableMessage, type Payment } from './store.ts';

export const payPath = (messageId: string) => `/app/messaggi/${messageId}/paga`;
export const calendarPath = (messageId: string) => `/app/messaggi/${messageId}/promemoria.ics`;
export const paymentPath = (id: string, step = '') => `/app/pagamenti/${id}${step ? `/${step}` : ''}`;

/** A due date as the citizen's calendar day in Italy. */
export const dueDay = (locale: Locale, dueDate: string) => formatCalendarDate(locale, dateInItaly(new Date(dueDate)));

function noticeFacts(locale: Locale, tr: PaymentT, message: PayableMessage): SafeHtml {
  const data = message.paymentData!;
  const row = (label: string, value: SafeHtml | string) => html`<div class="col-sm-6"><dt class="small text-muted">${label}</dt><dd class="mb-2">${value}</dd></div>`;
  return html`<dl class="row mb-3">
${row(tr('amount'), html`<span class="h5 text-nowrap">${formatEuroCents(data.amount, locale)}</span>`)}
${row(tr('noticeCode'), html`<span class="text-nowrap font-monospace">${formatNoticeNumber(data.notice_number)}</span>`)}
${row(tr('payee'), message.organizationName)}
${row(tr('payeeFiscalCode'), message.payeeFiscalCode)}
${message.dueDate ? row(tr('dueDate'), dueDay(locale, message.dueDate)) : ''}
</dl>`;
}

function action(request: FastifyRequest, tr: PaymentT, message: PayableMessage, payment: Payment | undefined, now: Date): SafeHtml {
  const locale = request.locale;
  if (payment?.status === 'PAID') {
    return html`<p><span class="badge bg-success">${tr('paid')}</span> ${tr('paidText', { date: formatItalianTime(locale, payment.paidAt!, 'long') })}</p>
<p><a class="btn btn-outline-primary" href="${paymentPath(payment.id)}">${tr('receiptLink')}</a></p>`;
  }
  if (isExpiredNotice(message, now)) {
    return html`<p><span class="badge bg-danger">${tr('expired')}</span> ${tr('expiredText', { date: dueDay(locale, message.dueDate!) })}</p>
<p><button type="button" class="btn btn-primary" disabled aria-disabled="true">${tr('payButton')}</button></p>`;
  }
  const pending = payment?.status === 'PENDING' ? html`<p class="small">${tr('pendingText')} <a href="${paymentPath(payment.id, 'esito')}">${tr('pendingLink')}</a></p>` : '';
  return html`${pending}<form method="post" action="${payPath(message.id)}">${pageCsrf(request)}
<button type="submit" class="btn btn-primary">${tr('payButton')}</button>
<p class="small text-muted mt-2 mb-0">${tr('payHint')}</p></form>`;
}

/** The message page's payment box and calendar link (nothing for a message with neither); the citizen's own message only. */
export async function messagePaymentSlot(request: FastifyRequest, db: Executor, messageId: string, now = new Date()): Promise<SafeHtml> {
  const citizen = appCitizen(request);
  const message = citizen && (await citizenMessage(db, citizen.fiscalCode, messageId));
  if (!message) return html``;
  const tr = paymentT(request.locale);
  const calendar = message.dueDate
    ? html`<p><a class="btn btn-outline-primary btn-sm" href="${calendarPath(message.id)}" download="promemoria.ics">${tr('addToCalendar')}</a> <span class="small text-muted">${tr('calendarHint')}</span></p>`
    : html``;
  if (!message.paymentData) return calendar;
  const payment = await paymentOfNotice(db, citizen.fiscalCode, message.payeeFiscalCode, message.paymentData.notice_number);
  return html`<section class="card card-bg border-primary mb-4" aria-labelledby="payment-box"><div class="card-body">
<h2 id="payment-box" class="h5">${tr('boxTitle')}</h2>
${noticeFacts(request.locale, tr, message)}
${action(request, tr, message, payment, now)}
</div></section>
${calendar}`;
}
