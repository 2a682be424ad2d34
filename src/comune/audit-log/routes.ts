// Back-office › Registro delle attività: the ente's audit entries (who, when, what, on which object),
// filtered by action, actor and days, page by page, and as CSV. Only the ente's administrators; only
// the ente's own entries (every query is bound to the tenant of the address, checked by the policy).
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { attr, html } from '../../core/html.ts';
import type { App } from '../../core/http.ts';
import { audit, listAudit, type AuditRecord } from '../../core/audit.ts';
import { formatItalianTime } from '../../core/i18n.ts';
import { errorSummary, textField, type FieldErrors } from '../../core/forms.ts';
import { dateInItaly } from '../../domain/dates.ts';
import { requireTenant, type ComuneContext } from '../context.ts';
import { desk, guard } from '../backoffice/routes.ts';
import { consoleT, type ConsoleT } from '../backoffice/messages.ts';
import { toCsv } from '../desk/model.ts';
import { sendPage } from '../website/routes.ts';
import { AUDIT_EXPORT_LIMIT, AUDIT_LOG_PATH, AUDIT_PAGE_SIZE, auditCsvRows, auditQueryString, parseAuditQuery } from './model.ts';

const TenantParams = Type.Object({ tenant: Type.String() });
const filterField = Type.Optional(Type.String({ maxLength: 100 }));
const AuditQuerySchema = Type.Object({ action: filterField, actor: filterField, from: filterField, to: filterField, before: filterField }, { additionalProperties: true });

const DETAILS_SHOWN = 160;

export function registerAuditLog(app: App, comune: ComuneContext): void {
  /** Names of the ente's staff accounts (disabled ones too: they stay in the log). */
  async function actorNames(tenantId: string): Promise<Map<string, string>> {
    const people = await comune.staff.listByTenant(tenantId);
    return new Map(people.map((p) => [p.id, `${p.givenName} ${p.familyName}`]));
  }

  const actorLabel = (tr: ConsoleT, names: Map<string, string>, e: AuditRecord) => names.get(e.actorId) ?? `${tr(`audit.actor.${e.actorType}`)} ${e.actorId}`;

  function entry(request: FastifyRequest, reply: FastifyReply) {
    const tenant = requireTenant(request);
    const staff = guard(request, reply, { type: 'tenant.readAudit', tenantId: tenant.id });
    return staff && { tenant, staff, tr: consoleT(request.locale), ...parseAuditQuery(request.query as Record<string, string>) };
  }

  app.get(AUDIT_LOG_PATH, { config: { html: true }, schema: { hide: true, params: TenantParams, querystring: AuditQuerySchema } }, async (request, reply) => {
    const ok = entry(request, reply);
    if (!ok) return reply;
    const { tenant, staff, tr, filters, before, errors: bad } = ok;
    const base = `/${tenant.slug}${AUDIT_LOG_PATH}`;
    const errors: FieldErrors = Object.fromEntries(Object.entries(bad).map(([field, why]) => [field, why === 'date' ? tr('audit.badDate') : tr('audit.actionHelp')]));
    const [found, names] = await Promise.all([
      listAudit(comune.db, 'comune', { tenantId: tenant.id, ...filters, before, limit: AUDIT_PAGE_SIZE + 1 }),
      actorNames(tenant.id),
    ]);
    const entries = found.slice(0, AUDIT_PAGE_SIZE);
    const older = found.length > AUDIT_PAGE_SIZE ? entries.at(-1)!.id : undefined;
    const q = request.query as Record<string, string | undefined>;
    const details = (e: AuditRecord) => {
      const text = Object.keys(e.details).length ? JSON.stringify(e.details) : '';
      return text.length > DETAILS_SHOWN ? `${text.slice(0, DETAILS_SHOWN)}…` : text;
    };
    const content = html`<form method="get" action="${base}" class="mb-4" novalidate aria-label="${tr('audit.filters')}">
  ${errorSummary(errors, tr('area.errorSummary', { count: Object.keys(errors).length }))}
  <div class="row">
    <div class="col-md-3">${textField({ name: 'action', label: tr('audit.action'), value: q.action, error: errors.action, help: tr('audit.actionHelp') })}</div>
    <div class="col-md-3"><div class="select-wrapper mb-3"><label for="field-actor">${tr('audit.actor')}</label>
      <select id="field-actor" name="actor"><option value="">${tr('audit.anyActor')}</option>${[...names].map(
        ([id, name]) => html`<option value="${id}"${attr('selected', filters.actorId === id)}>${name}</option>`,
      )}${filters.actorId && !names.has(filters.actorId) ? html`<option value="${filters.actorId}" selected>${filters.actorId}</option>` : ''}</select></div></div>
    <div class="col-md-3">${textField({ name: 'from', label: tr('audit.from'), type: 'date', value: q.from, error: errors.from })}</div>
    <div class="col-md-3">${textField({ name: 'to', label: tr('audit.to'), type: 'date', value: q.to, error: errors.to })}</div>
  </div>
  <button type="submit" class="btn btn-primary">${tr('audit.apply')}</button>
  <a class="btn btn-outline-secondary" href="${base}">${tr('audit.reset')}</a>
  <a class="btn btn-outline-primary" href="${base}/export.csv?${auditQueryString(filters)}">${tr('audit.export')}</a>
</form>
${entries.length
  ? html`<div class="table-responsive"><table class="table table-sm">
  <caption>${tr('audit.caption')}</caption>
  <thead><tr><th scope="col">${tr('backoffice.when')}</th><th scope="col">${tr('backoffice.who')}</th><th scope="col">${tr('backoffice.action')}</th><th scope="col">${tr('backoffice.target')}</th><th scope="col">${tr('audit.details')}</th></tr></thead>
  <tbody>${entries.map(
    (e) => html`<tr><td><time datetime="${e.at.toISOString()}">${formatItalianTime(request.locale, e.at, 'medium', 'medium')}</time></td><td>${actorLabel(tr, names, e)}</td>
<td><code>${e.action}</code></td><td>${e.targetType ?? ''} ${e.targetId ? html`<code>${e.targetId}</code>` : ''}</td><td class="small text-break">${details(e)}</td></tr>`,
  )}</tbody>
</table></div>`
  : html`<p>${tr('audit.empty')}</p>`}
<nav aria-label="${tr('audit.caption')}" class="d-flex gap-2">
  ${before !== undefined ? html`<a class="btn btn-outline-primary" href="${base}?${auditQueryString(filters)}">${tr('audit.newest')}</a>` : ''}
  ${older !== undefined ? html`<a class="btn btn-outline-primary" href="${base}?${auditQueryString(filters, older)}" rel="next">${tr('audit.older')}</a>` : ''}
</nav>`;
    return sendPage(reply, desk(request, staff, tr('backoffice.auditLog'), content, comune), Object.keys(errors).length ? 400 : 200);
  });

  app.get(`${AUDIT_LOG_PATH}/export.csv`, { config: { html: true }, schema: { hide: true, params: TenantParams, querystring: AuditQuerySchema } }, async (request, reply) => {
    const ok = entry(request, reply);
    if (!ok) return reply;
    const { tenant, staff, tr, filters } = ok;
    const [entries, names] = await Promise.all([listAudit(comune.db, 'comune', { tenantId: tenant.id, ...filters, limit: AUDIT_EXPORT_LIMIT }), actorNames(tenant.id)]);
    // Reading the whole log out of the console is itself worth a line in it.
    await audit(comune.db, 'comune', { actorType: staff.role, actorId: staff.id, tenantId: tenant.id, action: 'audit_log.export', targetType: 'tenant', targetId: tenant.id, details: { ...filters, entries: entries.length }, requestId: request.id });
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="registro-attivita-${tenant.slug}-${dateInItaly(new Date())}.csv"`)
      .header('cache-control', 'no-store')
      .send(toCsv(auditCsvRows(entries, (e) => actorLabel(tr, names, e))));
  });
}
