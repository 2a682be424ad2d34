// The counters' pages (Bootstrap Italia, the platforms' frame): choose a counter, type or scan a notice, see
// what the Nodo says of it, collect, print the receipt; the PSPs' day closing. Every form works without JS.
import type { FastifyRequest } from 'fastify';
import { attr, html, type SafeHtml } from '../../core/html.ts';
import { formatCalendarDate, formatEuroCents, formatItalianTime, translator, type Translate } from '../../core/i18n.ts';
import { alert, csrfField, errorSummary, textField, type FieldErrors } from '../../core/forms.ts';
import { dataTable, platformPage } from '../../core/ui.ts';
import type { ErrorPageInput } from '../../core/http.ts';
import { formatNoticeNumber } from '../../domain/pagopa/notice-number.ts';
import type { VerifyPaymentNoticeResponse } from '../../clients/pagopa/nodo-wire.ts';
import type { Counter } from './counters.ts';
import type { Flow } from './closing.ts';
import { messages, type MessageKey } from './messages.ts';
import type { Payment, Refusal } from './payments.ts';

type T = Translate<MessageKey>;

export const counterHref = (counter: Counter) => `/sportelli/${counter.idPSP}`;

function page(request: FastifyRequest, title: string, main: SafeHtml, breadcrumb: { label: string; href?: string }[] = []): string {
  const tr = translator(messages, request.locale);
  return platformPage({
    request,
    title,
    main,
    chrome: {
      brand: tr('brand'),
      tagline: tr('tagline'),
      homeHref: '/',
      footer: tr('footer'),
      skipToContent: tr('skipToContent'),
      languages: tr('languages'),
      mainNav: tr('mainNav'),
    },
    nav: [
      { label: tr('navCounters'), href: '/' },
      { label: tr('navClosing'), href: '/chiusura' },
    ],
    breadcrumb,
    breadcrumbLabel: tr('breadcrumb'),
  });
}

const counterCrumb = (counter: Counter) => ({ label: counter.name, href: counterHref(counter) });

export function homePage(request: FastifyRequest, counters: readonly Counter[]): string {
  const tr = translator(messages, request.locale);
  return page(
    request,
    tr('homeTitle'),
    html`<h1>${tr('homeTitle')}</h1>
<p class="lead">${tr('homeIntro')}</p>
<div class="row">${counters.map(
      (c) => html`<div class="col-12 col-lg-4 mb-4"><div class="card card-bg h-100"><div class="card-body">
  <p class="category-top">${tr(`kind.${c.kind}`)}</p>
  <h2 class="card-title h4">${c.name}</h2>
  <p class="card-text">${tr('pspOf', { psp: c.pspName, idPSP: c.idPSP, fee: formatEuroCents(c.feeCents, request.locale) })}</p>
  <a class="btn btn-primary" href="${counterHref(c)}">${tr('openCounter', { name: c.name })}</a>
</div></div></div>`,
    )}</div>`,
  );
}

export interface NoticeFormView {
  counter: Counter;
  csrf: string;
  code?: string;
  fiscalCode?: string;
  errors?: FieldErrors;
  todays: Payment[];
}

function noticeForm(tr: T, view: NoticeFormView): SafeHtml {
  return html`${errorSummary(view.errors ?? {}, tr('errorsHeading'))}
<form method="get" action="${counterHref(view.counter)}/avviso" novalidate>
  ${textField({ name: 'codice', label: tr('codeLabel'), value: view.code, help: tr('codeHelp'), error: view.errors?.codice, required: true, autocomplete: 'off' })}
  ${textField({ name: 'ente', label: tr('fiscalCodeLabel'), value: view.fiscalCode, help: tr('fiscalCodeHelp'), error: view.errors?.ente, inputmode: 'numeric', autocomplete: 'off' })}
  <button type="submit" class="btn btn-primary">${tr('verify')}</button>
</form>`;
}

export function counterPage(request: FastifyRequest, view: NoticeFormView): string {
  const tr = translator(messages, request.locale);
  const { counter } = view;
  const rows = view.todays.map((p) => [
    formatItalianTime(request.locale, p.paidAt!, 'short', 'short'),
    formatNoticeNumber(p.noticeNumber),
    p.companyName ?? p.fiscalCode,
    formatEuroCents(p.amountCents, request.locale),
    html`<a href="${counterHref(counter)}/ricevute/${p.id}">${tr('receiptLink')}</a>`,
  ]);
  return page(
    request,
    counter.name,
    html`<h1>${counter.name}</h1>
<p>${tr('pspOf', { psp: counter.pspName, idPSP: counter.idPSP, fee: formatEuroCents(counter.feeCents, request.locale) })}</p>
${noticeForm(tr, view)}
<h2 class="h4 mt-5">${tr('todayPayments')}</h2>
${dataTable(tr('todayPaymentsCaption'), [tr('paidAt'), tr('noticeNumber'), tr('creditor'), tr('amount'), tr('receiptLink')], rows, tr('noPayments'))}`,
    [counterCrumb(counter)],
  );
}

function facts(entries: [string, SafeHtml | string][]): SafeHtml {
  return html`<dl class="row">${entries.map(([term, value]) => html`<dt class="col-sm-4">${term}</dt><dd class="col-sm-8 text-break">${value}</dd>`)}</dl>`;
}

export interface NoticeView {
  counter: Counter;
  csrf: string;
  noticeNumber: string;
  fiscalCode: string;
  notice: VerifyPaymentNoticeResponse;
  amountCents: number;
  printedAmountCents?: number;
  idempotencyKey: string;
}

export function noticePage(request: FastifyRequest, view: NoticeView): string {
  const tr = translator(messages, request.locale);
  const { counter, notice } = view;
  const option = notice.paymentList[0]!;
  const locale = request.locale;
  const hidden = (name: string, value: string | number) => html`<input type="hidden" name="${name}" value="${value}">`;
  return page(
    request,
    tr('noticeTitle'),
    html`<h1>${tr('noticeTitle')}</h1>
${facts([
  [tr('creditor'), `${notice.companyName}${notice.officeName ? ` — ${notice.officeName}` : ''} (${notice.fiscalCodePA})`],
  [tr('description'), option.detailDescription ?? notice.paymentDescription],
  [tr('noticeNumber'), formatNoticeNumber(view.noticeNumber)],
  [tr('dueDate'), option.dueDate ? formatCalendarDate(locale, option.dueDate) : tr('noDueDate')],
  [tr('amount'), formatEuroCents(view.amountCents, locale)],
  [tr('fee'), formatEuroCents(counter.feeCents, locale)],
  [tr('total'), html`<strong>${formatEuroCents(view.amountCents + counter.feeCents, locale)}</strong>`],
])}
${view.printedAmountCents !== undefined && view.printedAmountCents !== view.amountCents ? alert('info', tr('printedAmount', { amount: formatEuroCents(view.printedAmountCents, locale) })) : ''}
<form method="post" action="${counterHref(counter)}/incassi">
  ${csrfField(view.csrf)}
  ${hidden('avviso', view.noticeNumber)}${hidden('ente', view.fiscalCode)}${hidden('importo', view.amountCents)}${hidden('chiave', view.idempotencyKey)}
  <fieldset class="mb-4"><legend class="h5">${tr('method')}</legend>
    <div class="form-check form-check-inline"><input name="metodo" type="radio" id="metodo-cash" value="cash" checked><label for="metodo-cash">${tr('methodCash')}</label></div>
    <div class="form-check form-check-inline"><input name="metodo" type="radio" id="metodo-card" value="creditCard"><label for="metodo-card">${tr('methodCard')}</label></div>
  </fieldset>
  <button type="submit" class="btn btn-primary me-2">${tr('collect')} ${formatEuroCents(view.amountCents + counter.feeCents, locale)}</button>
  <a class="btn btn-outline-primary" href="${counterHref(counter)}">${tr('cancel')}</a>
</form>`,
    [counterCrumb(counter), { label: tr('noticeTitle') }],
  );
}

/** A fault in plain words, with its code; the clerk goes back to a fresh notice. */
export function refusalPage(request: FastifyRequest, counter: Counter, refusal: Refusal, noticeNumber?: string): string {
  const tr = translator(messages, request.locale);
  const key = `fault.${refusal.code}` as MessageKey;
  const words = key in messages.it ? tr(key, { detail: refusal.detail }) : tr('fault.other');
  return page(
    request,
    tr('faultTitle'),
    html`<h1>${tr('faultTitle')}</h1>
<div class="alert alert-danger" role="alert"><p class="mb-1">${words}</p><p class="mb-0"><small>${tr('faultCode', { code: refusal.code })}</small></p></div>
${noticeNumber ? facts([[tr('noticeNumber'), formatNoticeNumber(noticeNumber)]]) : ''}
<a class="btn btn-primary" href="${counterHref(counter)}">${tr('newNotice')}</a>`,
    [counterCrumb(counter), { label: tr('faultTitle') }],
  );
}

export function receiptPage(request: FastifyRequest, counter: Counter, payment: Payment): string {
  const tr = translator(messages, request.locale);
  const locale = request.locale;
  if (payment.status !== 'PAID') {
    return page(request, tr('receiptTitle'), html`<h1>${tr('receiptTitle')}</h1>${alert('info', tr('inProgress'))}`, [counterCrumb(counter), { label: tr('receiptTitle') }]);
  }
  return page(
    request,
    tr('receiptTitle'),
    html`<h1>${tr('receiptTitle')}</h1>
<p>${tr('receiptIntro', { counter: counter.name })}</p>
${facts([
  [tr('psp'), `${counter.pspName} (${counter.idPSP})`],
  [tr('counter'), counter.name],
  [tr('creditor'), `${payment.companyName ?? ''} (${payment.fiscalCode})`],
  [tr('description'), payment.description ?? ''],
  [tr('noticeNumber'), formatNoticeNumber(payment.noticeNumber)],
  [tr('iuv'), payment.iuv],
  [tr('iur'), html`<code>${payment.paymentToken}</code>`],
  [tr('paidAt'), formatItalianTime(locale, payment.paidAt!, 'long', 'medium')],
  [tr('paymentMethod'), payment.paymentMethod === 'cash' ? tr('methodCash') : tr('methodCard')],
  [tr('amount'), formatEuroCents(payment.amountCents, locale)],
  [tr('fee'), formatEuroCents(payment.feeCents, locale)],
  [tr('totalPaid'), html`<strong>${formatEuroCents(payment.amountCents + payment.feeCents, locale)}</strong>`],
])}
<p class="d-print-none"><small>${tr('printHint')}</small></p>
<p class="d-print-none"><a class="btn btn-primary" href="${counterHref(counter)}">${tr('newNotice')}</a></p>`,
    [counterCrumb(counter), { label: tr('receiptTitle') }],
  );
}

export interface ClosingView {
  csrf: string;
  day: string;
  counters: { counter: Counter; toReport: number; flows: Flow[] }[];
  /** What the last closing did, in words. */
  message?: { kind: 'success' | 'danger' | 'info'; text: string };
}

export function closingPage(request: FastifyRequest, view: ClosingView): string {
  const tr = translator(messages, request.locale);
  const locale = request.locale;
  return page(
    request,
    tr('closingTitle'),
    html`<h1>${tr('closingTitle')}</h1>
<p class="lead">${tr('closingIntro')}</p>
${view.message ? alert(view.message.kind, view.message.text) : ''}
<form method="post" action="/chiusura" class="mb-5">
  ${csrfField(view.csrf)}
  <div class="row"><div class="col-12 col-md-4">${textField({ name: 'giorno', label: tr('closingDate'), type: 'date', value: view.day, required: true })}</div></div>
  ${view.counters.map(
    ({ counter, toReport }) =>
      html`<p><button type="submit" name="psp" value="${counter.idPSP}" class="btn btn-primary me-3"${attr('aria-describedby', `to-report-${counter.idPSP}`)}>${tr('closeDay')} — ${counter.pspName}</button>
  <span id="to-report-${counter.idPSP}">${tr('toReport', { count: toReport })}</span></p>`,
  )}
</form>
${view.counters.map(
  ({ counter, flows }) => html`<section class="mb-5" aria-labelledby="psp-${counter.idPSP}">
  <h2 class="h3" id="psp-${counter.idPSP}">${counter.pspName} <small class="text-muted">${counter.idPSP}</small></h2>
  ${dataTable(
    tr('flowsCaption', { psp: counter.pspName }),
    [tr('flow'), tr('receiver'), tr('payments'), tr('sum'), tr('trn'), tr('status')],
    flows.map((f) => [html`<code>${f.fdr}</code>`, `${f.companyName} (${f.fiscalCodePA})`, f.totalPayments, formatEuroCents(f.sumCents, locale), html`<code>${f.trn}</code>`, tr(`flow.${f.status}`)]),
    tr('noFlows'),
  )}
</section>`,
)}`,
    [{ label: tr('closingTitle') }],
  );
}

export function errorPage(request: FastifyRequest, error: ErrorPageInput): string {
  const tr = translator(messages, request.locale);
  return page(
    request,
    tr('errorTitle', { status: error.status }),
    html`<h1>${tr('errorTitle', { status: error.status })}</h1>
<p class="lead">${error.detail ?? error.title}</p>
<p><small>${tr('requestId', { id: error.requestId })}</small></p>
<p><a href="/">${tr('back')}</a></p>`,
  );
}
