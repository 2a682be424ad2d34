// Back-office › Riconciliazione pagamenti, for the ente's administrator: the stored outcome of the last run
// paged and filtered in SQL (state, what does not match, IUV or flow), and "Aggiorna ora" that runs it again.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { html, type SafeHtml } from '../../../core/html.ts';
import type { App } from '../../../core/http.ts';
import { formatEuroCents, formatItalianTime } from '../../../core/i18n.ts';
import { checkFormCsrf, formCsrfToken, redirectTo } from '../../../core/auth/sessions.ts';
import { alert, csrfField, selectField, textField } from '../../../core/forms.ts';
import { dataTable, pageOf, pagination } from '../../../core/ui.ts';
import type { IssueCode } from '../../../domain/pagopa/reconciliation.ts';
import { requireTenant, type ComuneContext, type StaffLogin } from '../../context.ts';
import { desk, guard } from '../../backoffice/routes.ts';
import { sendPage } from '../../website/routes.ts';
import { PAYMENT_SETTINGS_PATH } from '../paths.ts';
import { PaymentsNotConfiguredError } from '../settings.ts';
import { reconciliationT, type ReconciliationT } from './messages.ts';
import { runReconciliation, WINDOW_DAYS } from './pull.ts';
import { countByState, countItems, findItems, lastRun, RECONCILIATION_STATES, type ItemFilter, type StoredItem } from './store.ts';

export const RECONCILIATION_PATH = '/backoffice/pagamenti/riconciliazione';

const PAGE_SIZE = 25;
const ISSUES = ['not-reported', 'without-receipt', 'revoked', 'row-amount-mismatch', 'movement-mismatch', 'movement-without-flow', 'movement-without-receipt'] as const satisfies readonly IssueCode[];

const TenantParams = Type.Object({ tenant: Type.String() });
const ListQuery = Type.Object({
  stato: Type.Optional(Type.Union([Type.Literal(''), ...RECONCILIATION_STATES.map((s) => Type.Literal(s))])),
  anomalia: Type.Optional(Type.Union([Type.Literal(''), ...ISSUES.map((i) => Type.Literal(i))])),
  q: Type.Optional(Type.String({ maxLength: 35 })),
  pagina: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
  esito: Type.Optional(Type.Literal('aggiornato')),
});
type ListQuery = Static<typeof ListQuery>;

const queryOf = (q: ListQuery, extra: Record<string, string | number>) =>
  new URLSearchParams(Object.entries({ ...q, esito: undefined, ...extra }).flatMap(([k, v]) => (v === undefined || v === '' ? [] : [[k, String(v)]]))).toString();

/** The state in words, with a colour only as a help. */
const stateBadge = (tr: ReconciliationT, item: StoredItem) => {
  const colour = { paid: 'secondary', reported: 'info', reconciled: 'success', anomaly: 'danger' }[item.state];
  return html`<span class="badge bg-${colour}">${tr(`reconciliation.state.${item.state}`)}</span>`;
};

export function registerPaymentReconciliation(app: App, comune: ComuneContext): void {
  const admin = (request: FastifyRequest, reply: Parameters<typeof guard>[1]) => guard(request, reply, { type: 'tenant.managePayments', tenantId: requireTenant(request).id });

  async function page(request: FastifyRequest, staff: StaffLogin, q: ListQuery, message?: SafeHtml): Promise<string> {
    const tenant = requireTenant(request);
    const tr = reconciliationT(request.locale);
    const base = `/${tenant.slug}${RECONCILIATION_PATH}`;
    const filter: ItemFilter = { state: q.stato || undefined, issue: q.anomalia || undefined, text: q.q?.trim() || undefined };
    const [run, byState, total] = await Promise.all([lastRun(comune.db, tenant.id), countByState(comune.db, tenant.id), countItems(comune.db, tenant.id, filter)]);
    const current = pageOf(total, q.pagina ?? 1, PAGE_SIZE);
    const items = await findItems(comune.db, tenant.id, filter, { offset: current.offset, limit: PAGE_SIZE });
    const at = (date: Date) => formatItalianTime(request.locale, date, 'medium', 'short');
    const refresh = html`<form method="post" action="${base}/aggiorna" class="mb-4">${csrfField(formCsrfToken(request, comune.app.secret))}
  <button type="submit" class="btn btn-primary">${tr('reconciliation.refresh')}</button></form>`;
    const filters = html`<form method="get" action="${base}" class="mb-4" aria-label="${tr('reconciliation.filters')}">
  <div class="row">
    <div class="col-md-3">${selectField({ name: 'stato', label: tr('reconciliation.state'), value: q.stato ?? '', options: [{ value: '', label: tr('reconciliation.state.any') }, ...RECONCILIATION_STATES.map((s) => ({ value: s, label: tr(`reconciliation.state.${s}`) }))] })}</div>
    <div class="col-md-5">${selectField({ name: 'anomalia', label: tr('reconciliation.issue'), value: q.anomalia ?? '', options: [{ value: '', label: tr('reconciliation.issue.any') }, ...ISSUES.map((i) => ({ value: i, label: tr(`reconciliation.issue.${i}`) }))] })}</div>
    <div class="col-md-4">${textField({ name: 'q', label: tr('reconciliation.text'), value: q.q })}</div>
  </div>
  <button type="submit" class="btn btn-outline-primary">${tr('reconciliation.apply')}</button>
  <a class="btn btn-link" href="${base}">${tr('reconciliation.reset')}</a>
</form>`;
    const none = tr('reconciliation.none');
    const table = dataTable(
      tr('reconciliation.caption'),
      [tr('reconciliation.iuv'), tr('reconciliation.amount'), tr('reconciliation.paidAt'), tr('reconciliation.psp'), tr('reconciliation.fdr'), tr('reconciliation.movement'), tr('reconciliation.state'), tr('reconciliation.issues')],
      items.map((i) => [
        i.iuv ?? none,
        formatEuroCents(i.amount, request.locale),
        i.paidAt ? at(i.paidAt) : none,
        i.pspId ?? none,
        i.fdr ? `${i.fdr}${i.revision ? ` (${i.revision})` : ''}` : none,
        i.movementId ?? none,
        stateBadge(tr, i),
        i.issues.length ? html`<ul class="mb-0 ps-3">${i.issues.map((code) => html`<li>${tr(`reconciliation.issue.${code}`)}</li>`)}</ul>` : none,
      ]),
      tr('reconciliation.empty'),
    );
    const pager = pagination(
      { nav: tr('reconciliation.pages'), previous: tr('reconciliation.previous'), next: tr('reconciliation.next'), page: (n, all) => tr('reconciliation.page', { page: n, pages: all }) },
      current.page,
      current.pages,
      (n) => `${base}?${queryOf(q, { pagina: n })}`,
    );
    const content = html`${message ?? (q.esito === 'aggiornato' ? alert('success', tr('reconciliation.refreshed')) : '')}
<p>${tr('reconciliation.intro', { days: WINDOW_DAYS })}</p>
<p>${run ? tr('reconciliation.lastRun', { at: at(run.ranAt), receipts: run.receipts, flows: run.flows, movements: run.movements }) : tr('reconciliation.never')}</p>
${refresh}
<h2 class="h4">${tr('reconciliation.summary')}</h2>
<ul class="list-inline">${RECONCILIATION_STATES.map((s) => html`<li class="list-inline-item"><a href="${base}?stato=${s}">${tr(`reconciliation.state.${s}`)}: ${byState[s]}</a></li>`)}</ul>
${filters}
<p role="status">${tr('reconciliation.count', { count: total })}</p>
${table}${pager}`;
    return desk(request, staff, tr('reconciliation.title'), content, comune);
  }

  app.get(RECONCILIATION_PATH, { config: { html: true }, schema: { hide: true, params: TenantParams, querystring: ListQuery } }, async (request, reply) => {
    const staff = admin(request, reply);
    if (!staff) return reply;
    return sendPage(reply, await page(request, staff, request.query));
  });

  app.post(`${RECONCILIATION_PATH}/aggiorna`, { config: { html: true }, schema: { hide: true, params: TenantParams } }, async (request, reply) => {
    checkFormCsrf(request, comune.app.secret);
    const staff = admin(request, reply);
    if (!staff) return reply;
    const tenant = requireTenant(request);
    const tr = reconciliationT(request.locale);
    try {
      await runReconciliation(comune.app, tenant.id);
    } catch (err) {
      if (err instanceof PaymentsNotConfiguredError) {
        return sendPage(reply, await page(request, staff, {}, html`<div class="alert alert-warning" role="status">${tr('reconciliation.notConfigured')} <a href="/${tenant.slug}${PAYMENT_SETTINGS_PATH}">${tr('reconciliation.settingsLink')}</a></div>`), 409);
      }
      request.log.warn({ err }, 'payment reconciliation: a source did not answer');
      return sendPage(reply, await page(request, staff, {}, alert('danger', tr('reconciliation.unavailable'))), 502);
    }
    return redirectTo(reply, `/${tenant.slug}${RECONCILIATION_PATH}?esito=aggiornato`);
  });
}
