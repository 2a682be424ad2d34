// The citizen's side of payments, in the personal area: "I miei pagamenti" (what I owe, what I paid to this
// ente), one payment's page (amount, installments, "Paga online" through pagoPA Checkout, the notice PDF to
// pay at a PSP, receipts), and the page pagoPA sends the browser back to, which waits for the receipt by
// refreshing itself (no script). A payment is the debtor's only: anyone else gets a 404.
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { formatCalendarDate, formatEuroCents, formatItalianTime, type Locale } from '../../core/i18n.ts';
import { html, type SafeHtml } from '../../core/html.ts';
import type { App } from '../../core/http.ts';
import { alert, csrfField } from '../../core/forms.ts';
import { dataTable } from '../../core/ui.ts';
import { checkFormCsrf, formCsrfToken } from '../../core/auth/sessions.ts';
import { conflict, notFound } from '../../core/problem.ts';
import { createCart } from '../../clients/pagopa/checkout.ts';
import { noticePdf } from '../../clients/pagopa/notice.ts';
import { receiptsBaseUrl, receiptsClient } from '../../clients/pagopa/receipts.ts';
import { actorOf, requireTenant, type ComuneContext } from '../context.ts';
import { may } from '../policies.ts';
import { sendPage } from '../website/routes.ts';
import { areaPage, signedIn } from '../area/page.ts';
import { receiptPath } from '../journey/area.ts';
import { paymentsT, type PaymentsT } from './messages.ts';
import { pagopaKeyOf, paymentSettingsOf } from './settings.ts';
import type { ApplicationPayment, StoredOption } from './store.ts';
import { paymentsDeps, PAYMENTS_AREA_PATH, paymentPath } from './paths.ts';
import { PaymentFlow } from './flow.ts';

const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const TenantParams = Type.Object({ tenant: Type.String() });
const IdParams = Type.Object({ tenant: Type.String(), id: Type.String({ pattern: UUID }) });
const ReceiptParams = Type.Object({ tenant: Type.String(), id: Type.String({ pattern: UUID }), iuv: Type.String({ pattern: '^[0-9]{15,25}$' }) });
const PayBody = Type.Object({ nav: Type.String({ pattern: '^[0-9]{18}$' }) }, { additionalProperties: true });
const ReturnQuery = Type.Object({ esito: Type.Optional(Type.Union([Type.Literal('ok'), Type.Literal('annullato'), Type.Literal('errore')])) });
/** Seconds between two looks of the return page while the receipt is on its way. */
const REFRESH_SECONDS = 3;

const day = (locale: Locale, iso: string | undefined) => (iso ? formatCalendarDate(locale, iso.slice(0, 10), 'medium') : '—');
const moment = (locale: Locale, at: Date | string) => formatItalianTime(locale, new Date(at), 'medium', 'short');

/** The options still payable: the single payment or, once an installment is paid, the remaining installments. */
export function payableOptions(options: readonly StoredOption[]): StoredOption[] {
  const installmentPaid = options.some((o) => o.isPartialPayment && o.status !== 'PO_UNPAID');
  const singlePaid = options.some((o) => !o.isPartialPayment && o.status !== 'PO_UNPAID');
  if (singlePaid) return [];
  return options.filter((o) => o.status === 'PO_UNPAID' && (!installmentPaid || o.isPartialPayment));
}

export function registerCitizenPayments(app: App, comune: ComuneContext): void {
  const deps = paymentsDeps(comune);
  const flow = new PaymentFlow(deps, comune.app.logger);
  const store = flow.store;
  const secret = comune.app.secret;

  /** The citizen's own payment of this ente, fresh from GPD when it still waits (a notice may have been paid at a PSP). */
  async function ownPayment(request: FastifyRequest, id: string, refresh = true): Promise<ApplicationPayment> {
    const tenant = requireTenant(request);
    const payment = await store.byId(id);
    if (!payment || !may(actorOf(request), { type: 'payment.readOwn', tenantId: payment.tenantId, fiscalCode: payment.debtorFiscalCode }) || payment.tenantId !== tenant.id) {
      throw notFound('No such payment.');
    }
    if (!refresh || payment.status !== 'unpaid') return payment;
    try {
      return await store.sync(payment);
    } catch (err) {
      request.log.warn({ err, iupd: payment.iupd }, 'payments: GPD not reachable; showing the stored state');
      return payment;
    }
  }

  app.get(PAYMENTS_AREA_PATH, { config: { html: true }, schema: { hide: true, params: TenantParams } }, async (request, reply) => {
    const login = signedIn(request, reply);
    if (!login) return reply;
    const tenant = requireTenant(request);
    const tr = paymentsT(request.locale);
    const mine = await store.forDebtor(tenant.id, login.fiscalCode);
    const open = (p: ApplicationPayment) => html`<a href="${paymentPath(tenant, p.id)}">${tr('payments.area.open')}<span class="visually-hidden"> ${p.reason}</span></a>`;
    const due = (p: ApplicationPayment) => day(request.locale, payableOptions(p.options)[0]?.dueDate ?? p.position.paymentOption[0]?.dueDate);
    const toPay = mine.filter((p) => p.status === 'unpaid');
    const paid = mine.filter((p) => p.status === 'paid');
    const body = html`<h1>${tr('payments.area.title')}</h1>
<section class="mb-4" aria-labelledby="to-pay"><h2 id="to-pay" class="h4">${tr('payments.area.toPay')}</h2>
${dataTable(tr('payments.area.toPay'), [tr('payments.area.service'), tr('payments.area.reason'), tr('payments.area.amount'), tr('payments.area.dueDate'), tr('payments.area.details')],
  toPay.map((p) => [p.serviceName, p.reason, formatEuroCents(p.amountCents, request.locale), due(p), open(p)]), tr('payments.area.noneToPay'))}
</section>
<section class="mb-4" aria-labelledby="paid"><h2 id="paid" class="h4">${tr('payments.area.paid')}</h2>
${dataTable(tr('payments.area.paid'), [tr('payments.area.service'), tr('payments.area.reason'), tr('payments.area.amount'), tr('payments.area.paidAt'), tr('payments.area.details')],
  paid.map((p) => [p.serviceName, p.reason, formatEuroCents(p.amountCents, request.locale), p.paidAt ? moment(request.locale, p.paidAt) : '—', open(p)]), tr('payments.area.nonePaid'))}
</section>`;
    return sendPage(reply, areaPage(request, login, tr('payments.area.title'), body));
  });

  function paymentBody(request: FastifyRequest, tr: PaymentsT, payment: ApplicationPayment, message?: SafeHtml): SafeHtml {
    const tenant = requireTenant(request);
    const base = paymentPath(tenant, payment.id);
    const payable = payableOptions(payment.options);
    const token = csrfField(formCsrfToken(request, secret));
    const optionRow = (o: StoredOption) => [
      o.description,
      formatEuroCents(o.amount, request.locale),
      day(request.locale, o.dueDate),
      html`<code>${o.nav}</code>`,
      o.status === 'PO_UNPAID'
        ? payable.includes(o)
          ? html`<form method="post" action="${base}/paga">${token}<input type="hidden" name="nav" value="${o.nav}"><button type="submit" class="btn btn-primary btn-sm" aria-label="${tr('payments.page.payOnlineLabel', { description: o.description })}">${tr('payments.page.payOnline')}</button></form>`
          : tr('payments.page.optionUnpaid')
        : html`${tr('payments.page.optionPaid')} ${day(request.locale, o.paymentDate)}${o.pspCompany ? ` (${o.pspCompany})` : ''}<br><a href="${base}/ricevuta/${o.iuv}.pdf" download>${tr('payments.page.receipt')}</a>`,
    ];
    return html`${message ?? ''}
<p class="lead">${tr(`payments.page.${payment.kind}`)}</p>
<dl class="row">
  <dt class="col-sm-4">${tr('payments.area.amount')}</dt><dd class="col-sm-8 fw-semibold">${formatEuroCents(payment.amountCents, request.locale)}</dd>
  <dt class="col-sm-4">${tr('payments.page.status')}</dt><dd class="col-sm-8">${tr(`payments.page.status.${payment.status}`)}</dd>
</dl>
${payment.published
  ? html`${dataTable(tr('payments.page.option'), [tr('payments.page.option'), tr('payments.area.amount'), tr('payments.area.dueDate'), tr('payments.page.nav'), tr('payments.page.status')], payment.options.map(optionRow), '')}
${payable.length ? html`<p><a class="btn btn-outline-primary" href="${base}/avviso.pdf" download>${tr('payments.page.notice')}</a></p><p class="small">${tr('payments.page.noticeHelp')}</p>` : ''}`
  : alert('info', tr('payments.page.notPublished'))}
<p><a href="${receiptPath(tenant, payment.applicationId)}">${tr('payments.page.application')}</a></p>`;
  }

  const trail = (request: FastifyRequest) => [{ label: paymentsT(request.locale)('payments.area.title'), href: `/${requireTenant(request).slug}${PAYMENTS_AREA_PATH}` }];

  app.get(`${PAYMENTS_AREA_PATH}/:id`, { config: { html: true }, schema: { hide: true, params: IdParams } }, async (request, reply) => {
    const login = signedIn(request, reply);
    if (!login) return reply;
    const tr = paymentsT(request.locale);
    const payment = await ownPayment(request, request.params.id);
    const title = tr('payments.page.title', { reason: payment.reason });
    return sendPage(reply, areaPage(request, login, title, html`<h1>${title}</h1>${paymentBody(request, tr, payment)}`, trail(request)));
  });

  // "Paga online": a Checkout cart of the chosen notice, then pagoPA's page; back on the return page.
  app.post(`${PAYMENTS_AREA_PATH}/:id/paga`, { config: { html: true }, schema: { hide: true, params: IdParams, body: PayBody } }, async (request, reply) => {
    checkFormCsrf(request, secret);
    const login = signedIn(request, reply);
    if (!login) return reply;
    const tenant = requireTenant(request);
    const payment = await ownPayment(request, request.params.id);
    const option = payableOptions(payment.options).find((o) => o.nav === request.body.nav);
    if (!option) throw conflict('This notice is not payable any more.');
    const settings = (await paymentSettingsOf(comune.db, tenant.id))!;
    const back = (esito: string) => `${comune.app.config.urls.comune}${paymentPath(tenant, payment.id)}/esito?esito=${esito}`;
    const citizen = await comune.citizens.byId(tenant.id, login.citizenId);
    const location = await createCart(
      { baseUrl: settings.pagopaUrl, subscriptionKey: pagopaKeyOf(comune.app, settings) },
      {
        paymentNotices: [{ noticeNumber: option.nav, fiscalCode: payment.creditorFiscalCode, amount: option.amount, companyName: tenant.name.slice(0, 140), description: option.description.slice(0, 140) || payment.reason.slice(0, 140) }],
        returnUrls: { returnOkUrl: back('ok'), returnCancelUrl: back('annullato'), returnErrorUrl: back('errore') },
        ...(citizen?.email ? { emailNotice: citizen.email } : {}),
      },
    );
    await store.leftForCheckout(payment, login.fiscalCode, tenant.id);
    return reply.status(302).header('location', location).send();
  });

  app.get(`${PAYMENTS_AREA_PATH}/:id/esito`, { config: { html: true }, schema: { hide: true, params: IdParams, querystring: ReturnQuery } }, async (request, reply) => {
    const login = signedIn(request, reply);
    if (!login) return reply;
    const tenant = requireTenant(request);
    const tr = paymentsT(request.locale);
    let payment = await ownPayment(request, request.params.id);
    const title = tr('payments.return.title');
    const base = paymentPath(tenant, payment.id);
    let content: SafeHtml;
    // A paid option is the receipt's trace in GPD (the return URL alone proves nothing).
    if (payment.options.some((o) => o.status !== 'PO_UNPAID')) {
      content = html`${alert('success', tr('payments.return.paid'))}<p><a class="btn btn-primary" href="${receiptPath(tenant, payment.applicationId)}">${tr('payments.page.application')}</a></p>`;
    } else if (request.query.esito === 'annullato' || request.query.esito === 'errore') {
      await store.backFromCheckout(payment, { kind: 'citizen', tenantId: tenant.id, fiscalCode: login.fiscalCode });
      payment = await ownPayment(request, payment.id, false);
      content = html`${alert('warning', tr('payments.return.cancelled'))}<p><a class="btn btn-primary" href="${base}">${tr('payments.return.back')}</a></p>`;
    } else {
      // No receipt yet: the browser looks again by itself (Refresh header), the page says so for screen readers too.
      reply.header('refresh', String(REFRESH_SECONDS));
      content = html`<div role="status">${alert('info', tr('payments.return.waiting'))}</div><p><a href="${request.url}">${tr('payments.return.reload')}</a></p>`;
    }
    return sendPage(reply, areaPage(request, login, title, html`<h1>${title}</h1>${content}`, trail(request)));
  });

  app.get(`${PAYMENTS_AREA_PATH}/:id/avviso.pdf`, { config: { html: true }, schema: { hide: true, params: IdParams } }, async (request, reply) => {
    const login = signedIn(request, reply);
    if (!login) return reply;
    const tenant = requireTenant(request);
    let payment = await ownPayment(request, request.params.id, false);
    if (!payment.published) payment = await flow.tryPublish(payment);
    if (!payment.published) throw conflict(paymentsT(request.locale)('payments.page.notPublished'));
    const settings = (await paymentSettingsOf(comune.db, tenant.id))!;
    const pdf = await noticePdf({ baseUrl: settings.pagopaUrl, subscriptionKey: pagopaKeyOf(comune.app, settings), organizationFiscalCode: payment.creditorFiscalCode }, payment.iupd);
    return sendPdf(reply, pdf, `avviso-${payment.iupd}.pdf`);
  });

  app.get(`${PAYMENTS_AREA_PATH}/:id/ricevuta/:iuv.pdf`, { config: { html: true }, schema: { hide: true, params: ReceiptParams } }, async (request, reply) => {
    const login = signedIn(request, reply);
    if (!login) return reply;
    const payment = await ownPayment(request, request.params.id, false);
    return sendPdf(reply, await receiptPdfOf(comune, payment, request.params.iuv), `ricevuta-${request.params.iuv}.pdf`);
  });
}

/** The receipt PDF of one paid option of the payment, from pagoPA's receipts service; 404 for an unpaid or foreign IUV. */
export async function receiptPdfOf(comune: ComuneContext, payment: ApplicationPayment, iuv: string): Promise<Buffer> {
  const option = payment.options.find((o) => o.iuv === iuv && o.status !== 'PO_UNPAID');
  if (!option) throw notFound('No receipt for this notice.');
  const settings = (await paymentSettingsOf(comune.db, payment.tenantId))!;
  const receipts = receiptsClient({ baseUrl: receiptsBaseUrl(settings.pagopaUrl), subscriptionKey: pagopaKeyOf(comune.app, settings), organizationFiscalCode: payment.creditorFiscalCode });
  return receipts.receiptPdf(iuv);
}

export function sendPdf(reply: FastifyReply, pdf: Buffer, name: string) {
  return reply
    .type('application/pdf')
    .header('content-disposition', `attachment; filename="${name.replace(/[^\w.-]/g, '_')}"`)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'no-store')
    .send(pdf);
}

