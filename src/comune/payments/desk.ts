// The payments in the desk's application detail (status, amount, IUV/NAV, PSP, date, receipt) and the
// operator's "Richiedi pagamento" for a service paid during the iter. Same scope as the detail: the ente's
// admin, or an operator of the service's office (DeskStore.detail).
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { formatCalendarDate, formatEuroCents, formatItalianTime } from '../../core/i18n.ts';
import { html, type SafeHtml } from '../../core/html.ts';
import type { App } from '../../core/http.ts';
import { alert, csrfField, textField } from '../../core/forms.ts';
import { dataTable } from '../../core/ui.ts';
import { checkFormCsrf, formCsrfToken, redirectTo } from '../../core/auth/sessions.ts';
import { HttpProblem } from '../../core/problem.ts';
import { dateInItaly, isIsoDate } from '../../domain/dates.ts';
import { requireTenant, type ComuneContext, type StaffLogin } from '../context.ts';
import { desk, guard } from '../backoffice/routes.ts';
import { sendPage } from '../website/routes.ts';
import { DESK_PATH, type DeskUser } from '../desk/model.ts';
import { deskUser, DeskStore } from '../desk/store.ts';
import { checkTransition, STATUS, type StatusCode } from '../applications/states.ts';
import { paymentsT } from './messages.ts';
import { parseEuroCents, REASON_MAX, type PlanFailure } from './rules.ts';
import { servicePaymentOf } from './service-payments.ts';
import { paymentsDeps } from './paths.ts';
import { PaymentFlow } from './flow.ts';
import { receiptPdfOf, sendPdf } from './citizen.ts';

const IdParams = Type.Object({ tenant: Type.String(), id: Type.String({ pattern: '^[0-9a-fA-F-]{36}$' }) });
const ReceiptParams = Type.Object({ tenant: Type.String(), id: Type.String({ pattern: '^[0-9a-fA-F-]{36}$' }), paymentId: Type.String({ pattern: '^[0-9a-fA-F-]{36}$' }), iuv: Type.String({ pattern: '^[0-9]{15,25}$' }) });
const RequestBody = Type.Object({ amount: Type.String({ maxLength: 20 }), reason: Type.String({ maxLength: 400 }), dueDate: Type.String({ maxLength: 10 }) }, { additionalProperties: true });

/** The payments section of the desk's detail of an application the operator may see. */
export async function deskPaymentsSection(comune: ComuneContext, request: FastifyRequest, application: { id: string; serviceId: string; status: StatusCode }): Promise<SafeHtml> {
  const tenant = requireTenant(request);
  const tr = paymentsT(request.locale);
  const flow = new PaymentFlow(paymentsDeps(comune));
  const [payments, rule] = await Promise.all([flow.store.forApplication(application.id), servicePaymentOf(comune.db, application.serviceId)]);
  const base = `/${tenant.slug}${DESK_PATH}/${application.id}`;
  const rows = payments.flatMap((p) =>
    p.options.length
      ? p.options.map((o) => [
          tr(`payments.desk.kind.${p.kind}`),
          o.description,
          formatEuroCents(o.amount, request.locale),
          html`IUV <code>${o.iuv}</code><br>NAV <code>${o.nav}</code>`,
          o.status === 'PO_UNPAID' ? tr(`payments.page.status.${p.status === 'cancelled' ? 'cancelled' : 'unpaid'}`) : tr('payments.page.status.paid'),
          o.pspCompany ?? '—',
          o.paymentDate ? formatItalianTime(request.locale, new Date(o.paymentDate), 'medium', 'short') : formatCalendarDate(request.locale, o.dueDate.slice(0, 10), 'medium'),
          o.status === 'PO_UNPAID' ? '—' : html`<a href="${base}/pagamenti/${p.id}/ricevuta/${o.iuv}.pdf">${tr('payments.page.receipt')}</a>`,
        ])
      : [[tr(`payments.desk.kind.${p.kind}`), p.reason, formatEuroCents(p.amountCents, request.locale), '—', tr('payments.page.notPublished'), '—', '—', '—']],
  );
  const canRequest = rule?.mode === 'deferred' && checkTransition(application.status, STATUS.paymentPending, 'operator').ok;
  return html`<section aria-labelledby="payments" id="pagamenti" class="mb-4"><h2 id="payments" class="h4">${tr('payments.desk.title')}</h2>
${dataTable(tr('payments.desk.title'), [tr('payments.desk.kind'), tr('payments.area.reason'), tr('payments.area.amount'), 'IUV / NAV', tr('payments.page.status'), tr('payments.page.psp'), tr('payments.area.paidAt'), tr('payments.desk.receipt')], rows, tr('payments.desk.none'))}
${canRequest
  ? html`<form method="post" action="${base}/pagamento" class="mb-4" novalidate>
  <fieldset><legend class="h5">${tr('payments.desk.request')}</legend>${csrfField(formCsrfToken(request, comune.app.secret))}
  ${textField({ name: 'amount', label: tr('payments.desk.amount'), required: true, inputmode: 'decimal' })}
  ${textField({ name: 'reason', label: tr('payments.desk.reason'), value: rule.reason, required: true })}
  ${textField({ name: 'dueDate', label: tr('payments.desk.dueDate'), type: 'date', required: true })}
  <button type="submit" class="btn btn-primary btn-sm">${tr('payments.desk.request')}</button></fieldset></form>`
  : ''}
</section>`;
}

export function registerDeskPayments(app: App, comune: ComuneContext): void {
  const deps = paymentsDeps(comune);
  const flow = new PaymentFlow(deps, comune.app.logger);
  const store = new DeskStore(comune.db, deps.documents);

  async function userOf(request: FastifyRequest, reply: FastifyReply): Promise<{ staff: StaffLogin; user: DeskUser } | undefined> {
    const tenant = requireTenant(request);
    const staff = guard(request, reply, { type: 'backoffice.enter', tenantId: tenant.id });
    if (!staff) return undefined;
    return { staff, user: await deskUser(comune.db, { id: staff.id, role: staff.role as DeskUser['role'], tenantId: tenant.id, name: staff.name }) };
  }

  app.post(`${DESK_PATH}/:id/pagamento`, { config: { html: true }, schema: { hide: true, params: IdParams, body: RequestBody } }, async (request, reply) => {
    checkFormCsrf(request, comune.app.secret);
    const who = await userOf(request, reply);
    if (!who) return reply;
    const tenant = requireTenant(request);
    const tr = paymentsT(request.locale);
    const { application } = await store.detail(who.user, request.params.id, 'act');
    const cents = parseEuroCents(request.body.amount);
    const reason = request.body.reason.trim();
    const dueDate = request.body.dueDate.trim();
    const back = html`<p><a href="/${tenant.slug}${DESK_PATH}/${application.id}#pagamenti">${tr('journey.back')}</a></p>`;
    const refuse = (message: string, status: number) => sendPage(reply, desk(request, who.staff, tr('payments.desk.request'), html`${alert('danger', message)}${back}`, comune), status);
    if (!cents || !reason || reason.length > REASON_MAX || !isIsoDate(dueDate) || dueDate <= dateInItaly(new Date())) return refuse(tr('payments.desk.invalid'), 400);
    try {
      await flow.requestDeferred(tenant, application, who.staff.id, { cents, reason, dueDate });
    } catch (err) {
      if (!(err instanceof HttpProblem) || ![400, 409, 422].includes(err.status)) throw err;
      const code = err.extra?.code as PlanFailure | undefined;
      return refuse(tr('payments.desk.refused', { detail: code ? tr('payments.error.split', { reason: tr(`payments.split.${code}`) }) : (err.detail ?? err.title) }), err.status);
    }
    return redirectTo(reply, `/${tenant.slug}${DESK_PATH}/${application.id}#pagamenti`);
  });

  app.get(`${DESK_PATH}/:id/pagamenti/:paymentId/ricevuta/:iuv.pdf`, { config: { html: true }, schema: { hide: true, params: ReceiptParams } }, async (request, reply) => {
    const who = await userOf(request, reply);
    if (!who) return reply;
    const { application } = await store.detail(who.user, request.params.id);
    const payment = await flow.store.byId(request.params.paymentId);
    if (!payment || payment.applicationId !== application.id) throw new HttpProblem(404, { detail: 'No such payment.' });
    return sendPdf(reply, await receiptPdfOf(comune, payment, request.params.iuv), `ricevuta-${request.params.iuv}.pdf`);
  });
}
