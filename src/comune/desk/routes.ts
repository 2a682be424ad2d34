// The back-office pages for applications: the filtered list (and its CSV), the dashboard, the detail
// with its actions (CSRF, state machine, audit in the store), the documents. Scoped by the store's queries.
import { formatItalianTime } from '../../core/i18n.ts';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { html, type SafeHtml } from '../../core/html.ts';
import type { App } from '../../core/http.ts';
import { checkFormCsrf, formCsrfToken, redirectTo } from '../../core/auth/sessions.ts';
import { HttpProblem, invalid, notFound } from '../../core/problem.ts';
import { assertCsrf, CSRF_FIELD } from '../../core/auth/csrf.ts';
import { LocalFileStore, sanitizeFileName, sniffType } from '../forms/files.ts';
import { fileFields, fileIds } from '../journey/wizard.ts';
import { alert, csrfField, selectField, textareaField, textField } from '../../core/forms.ts';
import { dataTable, pageOf, pagination } from '../../core/ui.ts';
import { diskDocumentStore } from '../protocol/files.ts';
import { requireTenant, type ComuneContext, type StaffLogin } from '../context.ts';
import { desk, guard } from '../backoffice/routes.ts';
import { sendPage } from '../website/routes.ts';
import { checkTransition, isFinal, STATUS, STATUS_CODES, statusName, type StatusCode } from '../applications/states.ts';
import { FormRepository } from '../forms/forms.ts';
import { dateInItaly } from '../../domain/dates.ts';
import { CSV_BOM, csvLine, DESK_PATH, labelledAnswers, HIDDEN_STATUSES, type DeskFile, type DeskFilters, type DeskSort, type DeskUser } from './model.ts';
import { deskUser, DeskStore, type Choice, type DeskRow } from './store.ts';
import { deskT, type DeskT } from './messages.ts';
import { deskPaymentsSection } from '../payments/desk.ts';
import { deskMessagesSection } from '../messaging/pages.ts';

const PAGE_SIZES = ['10', '25', '50', '100'] as const;
const DEFAULT_PAGE_SIZE = 25;
const UUID = '^$|^[0-9a-fA-F-]{36}$';
const DAY = '^$|^\\d{4}-\\d{2}-\\d{2}$';
/** "Due within" days: 0 (today) to 365. */
const WITHIN_DAYS = '^$|^([0-9]|[1-9][0-9]|[12][0-9]{2}|3[0-5][0-9]|36[0-5])$';
const SORTS: Record<string, DeskSort> = { presentazione: 'submitted', scadenza: 'due' };

const Params = Type.Object({ tenant: Type.String() });
const IdParams = Type.Object({ tenant: Type.String(), id: Type.String({ pattern: '^[0-9a-fA-F-]{36}$' }) });
const DocParams = Type.Object({ tenant: Type.String(), id: Type.String({ pattern: '^[0-9a-fA-F-]{36}$' }), sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }) });
const ListQuery = Type.Object({
  stato: Type.Optional(Type.String({ pattern: '^$|^\\d{4,5}$' })),
  servizio: Type.Optional(Type.String({ pattern: UUID })),
  ufficio: Type.Optional(Type.String({ pattern: UUID })),
  assegnatario: Type.Optional(Type.String({ pattern: UUID })),
  dal: Type.Optional(Type.String({ pattern: DAY })),
  al: Type.Optional(Type.String({ pattern: DAY })),
  scadute: Type.Optional(Type.Literal('1')),
  entro: Type.Optional(Type.String({ pattern: WITHIN_DAYS })),
  q: Type.Optional(Type.String({ maxLength: 100 })),
  ordina: Type.Optional(Type.Union(Object.keys(SORTS).map((k) => Type.Literal(k)))),
  pagina: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
  dimensione: Type.Optional(Type.Union(PAGE_SIZES.map((n) => Type.Literal(n)))),
  esito: Type.Optional(Type.String({ maxLength: 20 })),
});
type ListQuery = Static<typeof ListQuery>;
const ACTIONS = ['take', 'assign', 'integration', 'decide', 'note', 'message'] as const;
const ActionBody = Type.Object(
  {
    action: Type.Union(ACTIONS.map((a) => Type.Literal(a))),
    request: Type.Optional(Type.String({ maxLength: 4000 })),
    motivation: Type.Optional(Type.String({ maxLength: 4000 })),
    note: Type.Optional(Type.String({ maxLength: 4000 })),
    message: Type.Optional(Type.String({ maxLength: 4000 })),
    staffId: Type.Optional(Type.String({ pattern: UUID })),
    outcome: Type.Optional(Type.Union([Type.Literal('accepted'), Type.Literal('rejected')])),
  },
  { additionalProperties: true },
);

function filtersOf(q: ListQuery): DeskFilters {
  const status = Number(q.stato);
  return {
    status: STATUS_CODES.includes(status as StatusCode) ? (status as StatusCode) : undefined,
    serviceId: q.servizio || undefined,
    officeId: q.ufficio || undefined,
    assigneeId: q.assegnatario || undefined,
    from: q.dal || undefined,
    to: q.al || undefined,
    overdue: q.scadute === '1',
    dueWithin: q.entro ? Number(q.entro) : undefined,
    text: q.q?.trim() || undefined,
  };
}

/** The filters as a query string, for the pages' and the CSV's links. */
const queryOf = (q: ListQuery, extra: Record<string, string | number> = {}) =>
  new URLSearchParams(Object.entries({ ...q, ...extra }).flatMap(([k, v]) => (v === undefined || v === '' || k === 'esito' ? [] : [[k, String(v)]]))).toString();

const day = (locale: string, at: Date | null) => (at ? formatItalianTime(locale, at) : '—');
const dateTime = (locale: string, at: Date) => formatItalianTime(locale, at, 'medium', 'short');
const statusLabel = (tr: DeskT, status: StatusCode) => tr(`status.${statusName(status)}`);
const protocolOf = (r: DeskRow) => (r.protocol ? `${r.protocol.number}/${r.protocol.year}` : '');

function deadlineText(tr: DeskT, r: DeskRow): string {
  if (!r.deadline) return tr('desk.none');
  if (r.deadline.suspended) return tr('desk.suspended');
  const { due, daysLeft } = r.deadline;
  return daysLeft < 0 ? tr('desk.overdue', { date: due, days: -daysLeft }) : tr('desk.daysLeft', { date: due, days: daysLeft });
}

const sortOf = (q: ListQuery): DeskSort => SORTS[q.ordina ?? ''] ?? 'submitted';
const bytes = (tr: DeskT, locale: string, size: number) => tr('desk.bytes', { size: new Intl.NumberFormat(locale).format(size) });

/** The desk's labels for the shared pagination. */
const pager = (tr: DeskT, page: number, pages: number, href: (n: number) => string) =>
  pagination({ nav: tr('desk.pages'), previous: tr('desk.previous'), next: tr('desk.next'), page: (n, all) => tr('desk.page', { page: n, pages: all }) }, page, pages, href);

/** A horizontal bar chart as server-rendered SVG (no inline style or script: CSP); a table with the same figures goes with it. */
function barChart(id: string, title: string, bars: readonly { label: string; value: number; text: string }[]): SafeHtml | '' {
  if (!bars.length) return '';
  const max = Math.max(1, ...bars.map((b) => b.value));
  const barHeight = 28;
  const height = bars.length * barHeight + 8;
  return html`<svg class="mb-3" role="img" aria-labelledby="${id}" width="100%" height="${height}" viewBox="0 0 600 ${height}">
  <title id="${id}">${title}</title>
  ${bars.map((b, i) => {
    const width = Math.round((b.value / max) * 300);
    return html`<text x="0" y="${i * barHeight + 19}" font-size="13">${b.label}</text>
  <rect x="240" y="${i * barHeight + 4}" width="${width}" height="${barHeight - 10}" fill="#0066cc"></rect>
  <text x="${250 + width}" y="${i * barHeight + 19}" font-size="13">${b.text}</text>`;
  })}
</svg>`;
}

const visibleStatuses = STATUS_CODES.filter((s) => !HIDDEN_STATUSES.includes(s));

export function registerDesk(app: App, comune: ComuneContext): void {
  const files = diskDocumentStore(path.join(comune.app.config.dataDir, 'documents'));
  const store = new DeskStore(comune.db, files);
  const forms = new FormRepository(comune.db);
  const uploaded = new LocalFileStore(comune.db, comune.app.config.dataDir);

  /** The desk user behind the request, or undefined after a redirect to login (403 for other roles). */
  async function userOf(request: FastifyRequest, reply: FastifyReply): Promise<{ staff: StaffLogin; user: DeskUser } | undefined> {
    const tenant = requireTenant(request);
    const staff = guard(request, reply, { type: 'backoffice.enter', tenantId: tenant.id });
    if (!staff) return undefined;
    return { staff, user: await deskUser(comune.db, { id: staff.id, role: staff.role as DeskUser['role'], tenantId: tenant.id, name: staff.name }) };
  }

  app.get(DESK_PATH, { config: { html: true }, schema: { hide: true, params: Params, querystring: ListQuery } }, async (request, reply) => {
    const who = await userOf(request, reply);
    if (!who) return reply;
    const tenant = requireTenant(request);
    const tr = deskT(request.locale);
    const q = request.query;
    const filters = filtersOf(q);
    const size = Number(q.dimensione ?? DEFAULT_PAGE_SIZE);
    const [total, choices] = await Promise.all([store.count(who.user, filters), store.filterOptions(who.user)]);
    const page = pageOf(total, q.pagina ?? 1, size);
    const rows = await store.list(who.user, filters, { sort: sortOf(q), offset: page.offset, limit: size });
    const base = `/${tenant.slug}${DESK_PATH}`;
    const options = (list: readonly Choice[]) => [{ value: '', label: tr('desk.any') }, ...list.map((c) => ({ value: c.id, label: c.name }))];
    const form = html`<form method="get" action="${base}" class="mb-4" aria-label="${tr('desk.filters')}">
  <div class="row">
    <div class="col-md-6">${textField({ name: 'q', label: tr('desk.search'), value: q.q })}</div>
    <div class="col-md-3">${selectField({ name: 'stato', label: tr('desk.status'), value: q.stato ?? '', options: [{ value: '', label: tr('desk.any') }, ...visibleStatuses.map((s) => ({ value: String(s), label: statusLabel(tr, s) }))] })}</div>
    <div class="col-md-3">${selectField({ name: 'servizio', label: tr('desk.service'), value: q.servizio ?? '', options: options(choices.services) })}</div>
    <div class="col-md-3">${selectField({ name: 'ufficio', label: tr('desk.office'), value: q.ufficio ?? '', options: options(choices.offices) })}</div>
    <div class="col-md-3">${selectField({ name: 'assegnatario', label: tr('desk.assignee'), value: q.assegnatario ?? '', options: options(choices.assignees) })}</div>
    <div class="col-md-3">${textField({ name: 'dal', label: tr('desk.from'), type: 'date', value: q.dal })}</div>
    <div class="col-md-3">${textField({ name: 'al', label: tr('desk.to'), type: 'date', value: q.al })}</div>
    <div class="col-md-3">${textField({ name: 'entro', label: tr('desk.dueWithin'), type: 'number', value: q.entro, help: tr('desk.dueWithinHelp') })}</div>
    <div class="col-md-3">${selectField({ name: 'ordina', label: tr('desk.sort'), value: q.ordina ?? 'presentazione', options: [{ value: 'presentazione', label: tr('desk.sort.submitted') }, { value: 'scadenza', label: tr('desk.sort.due') }] })}</div>
    <div class="col-md-3">${selectField({ name: 'dimensione', label: tr('desk.pageSize'), value: String(size), options: PAGE_SIZES.map((n) => ({ value: n, label: n })) })}</div>
  </div>
  <div class="form-check mb-3"><input id="field-scadute" type="checkbox" name="scadute" value="1"${q.scadute ? html` checked` : ''}><label for="field-scadute">${tr('desk.overdueOnly')}</label></div>
  <button type="submit" class="btn btn-primary">${tr('desk.apply')}</button>
  <a class="btn btn-outline-primary" href="${base}/export.csv?${queryOf(q, { pagina: '' })}">${tr('desk.export')}</a>
  <a class="btn btn-link" href="${base}/cruscotto">${tr('desk.dashboard')}</a>
</form>`;
    const table = dataTable(
      tr('desk.title'),
      ['ID', tr('desk.service'), tr('desk.applicant'), tr('desk.status'), tr('desk.submittedAt'), tr('desk.protocol'), tr('desk.assignee'), tr('desk.deadline')],
      rows.map((r) => [
        html`<a href="${base}/${r.id}" aria-label="${tr('desk.open', { id: r.id })}">${r.id.slice(0, 8)}</a>`,
        r.serviceName,
        html`${r.citizenName}<br><small>${r.citizenFiscalCode}</small>`,
        statusLabel(tr, r.status),
        day(request.locale, r.submittedAt),
        protocolOf(r) || tr('desk.none'),
        r.assignee?.name ?? tr('desk.none'),
        deadlineText(tr, r),
      ]),
      tr('desk.empty'),
    );
    const shown = rows.length ? tr('desk.showing', { from: page.offset + 1, to: page.offset + rows.length, count: total }) : '';
    const content = html`${form}<p role="status">${tr('desk.count', { count: total })}${shown ? html` · ${shown}` : ''}</p>${table}${pager(tr, page.page, page.pages, (n) => `${base}?${queryOf(q, { pagina: n })}`)}`;
    return sendPage(reply, desk(request, who.staff, tr('desk.title'), content, comune));
  });

  // The whole filtered set, read in batches and streamed: memory stays flat however many applications match.
  app.get(`${DESK_PATH}/export.csv`, { config: { html: true }, schema: { hide: true, params: Params, querystring: ListQuery } }, async (request, reply) => {
    const who = await userOf(request, reply);
    if (!who) return reply;
    const tr = deskT(request.locale);
    const rows = await store.all(who.user, filtersOf(request.query), sortOf(request.query));
    async function* lines() {
      yield CSV_BOM + csvLine(['id', tr('desk.service'), tr('desk.office'), tr('desk.applicant'), tr('desk.fiscalCode'), tr('desk.status'), tr('desk.submittedAt'), tr('desk.protocol'), tr('desk.assignee'), tr('desk.deadline'), tr('desk.suspendedColumn')]);
      for await (const r of rows) {
        yield csvLine([r.id, r.serviceName, r.officeName, r.citizenName, r.citizenFiscalCode, statusLabel(tr, r.status), r.submittedAt?.toISOString(), protocolOf(r), r.assignee?.name, r.deadline?.due, r.deadline ? tr(r.deadline.suspended ? 'desk.yes' : 'desk.no') : '']);
      }
    }
    return reply.header('content-disposition', 'attachment; filename="pratiche.csv"').type('text/csv; charset=utf-8').send(Readable.from(lines()));
  });

  app.get(`${DESK_PATH}/cruscotto`, { config: { html: true }, schema: { hide: true, params: Params } }, async (request, reply) => {
    const who = await userOf(request, reply);
    if (!who) return reply;
    const tr = deskT(request.locale);
    const board = await store.dashboard(who.user);
    const number = (n: number) => n.toLocaleString(request.locale);
    const content = html`<p>${tr('desk.total', { count: board.total })} · <strong>${tr('desk.overdueCount', { count: board.overdue })}</strong>
  · <a href="/${requireTenant(request).slug}${DESK_PATH}?scadute=1&amp;ordina=scadenza">${tr('desk.overdueList')}</a></p>
<h2 class="h4">${tr('desk.byStatus')}</h2>
${barChart('chart-status', tr('desk.chart'), board.byStatus.map((s) => ({ label: statusLabel(tr, s.status), value: s.count, text: number(s.count) })))}
${dataTable(tr('desk.byStatus'), [tr('desk.status'), tr('desk.count.label')], board.byStatus.map((s) => [statusLabel(tr, s.status), s.count]), tr('desk.empty'))}
<h2 class="h4 mt-4">${tr('desk.openByService')}</h2>
${barChart('chart-overdue', tr('desk.overdueChart'), board.open.map((o) => ({ label: o.serviceName, value: o.overdue, text: number(o.overdue) })))}
${dataTable(tr('desk.openByService'), [tr('desk.service'), tr('desk.open.label'), tr('desk.overdue.label')], board.open.map((o) => [o.serviceName, o.open, o.overdue]), tr('desk.noneOpen'))}
<h2 class="h4 mt-4">${tr('desk.closing')}</h2>
${barChart('chart-closing', tr('desk.closingChart'), board.closing.map((c) => ({ label: c.serviceName, value: c.averageDays, text: number(c.averageDays) })))}
${dataTable(tr('desk.closing'), [tr('desk.service'), tr('desk.closed'), tr('desk.averageDays')], board.closing.map((c) => [c.serviceName, c.closed, number(c.averageDays)]), tr('desk.noneClosed'))}
<p><a href="/${requireTenant(request).slug}${DESK_PATH}">${tr('desk.title')}</a></p>`;
    return sendPage(reply, desk(request, who.staff, tr('desk.dashboard'), content, comune));
  });

  async function detailPage(request: FastifyRequest, staff: StaffLogin, user: DeskUser, id: string, message?: SafeHtml): Promise<string> {
    const tenant = requireTenant(request);
    const tr = deskT(request.locale);
    const { row, application } = await store.detail(user, id);
    const [timeline, attachments, notes, letter, operators, formVersion] = await Promise.all([
      store.timeline(user, id),
      store.attachments(id),
      store.notes(id),
      store.letter(id),
      store.assignable(row.officeId),
      application.formId && application.formVersion !== null ? forms.version(tenant.id, application.formId, application.formVersion) : undefined,
    ]);
    // The uploads the file fields name, each with its copy among the application's documents (the download).
    const named = formVersion ? [...fileFields(formVersion.schema).keys()].flatMap((key) => fileIds(application.data[key])) : [];
    const uploads = (await Promise.all(named.map((fileId) => uploaded.get(tenant.id, application.citizenFiscalCode, fileId)))).filter((f) => f !== undefined);
    const formFiles = uploads.map((f) => ({ ...f, attached: attachments.some((a) => a.sha256 === f.sha256) }));
    const base = `/${tenant.slug}${DESK_PATH}/${id}`;
    const token = csrfField(formCsrfToken(request, comune.app.secret));
    const form = (action: string, title: string, fields: SafeHtml | string, button: string) => html`<form method="post" action="${base}" class="mb-4">
  <fieldset><legend class="h5">${title}</legend>${token}<input type="hidden" name="action" value="${action}">${fields}
  <button type="submit" class="btn btn-primary btn-sm">${button}</button></fieldset></form>`;
    const dl = (pairs: [string, string | SafeHtml][]) => html`<dl class="row">${pairs.map(([k, v]) => html`<dt class="col-sm-4">${k}</dt><dd class="col-sm-8">${v}</dd>`)}</dl>`;
    const fileList = (list: readonly DeskFile[]) => html`<ul class="list-unstyled mb-0">${list.map(
      (f) => html`<li>${f.attached ? html`<a href="${base}/documenti/${f.sha256}">${f.name}</a>` : f.name} (${bytes(tr, request.locale, f.size)})<br><small>SHA-256 <code>${f.sha256}</code></small></li>`,
    )}</ul>`;
    // Only the actions the state machine allows an operator now (the store checks again).
    const can = (to: StatusCode) => checkTransition(row.status, to, 'operator').ok;
    const outcomes = [{ value: 'accepted', label: tr('desk.accept') }, { value: 'rejected', label: tr('desk.reject') }];
    const content = html`${message ?? ''}
${dl([
  [tr('desk.service'), row.serviceName],
  [tr('desk.office'), row.officeName ?? tr('desk.none')],
  [tr('desk.applicant'), `${row.citizenName} (${row.citizenFiscalCode})`],
  [tr('desk.status'), statusLabel(tr, row.status)],
  [tr('desk.submittedAt'), day(request.locale, row.submittedAt)],
  [tr('desk.protocol'), protocolOf(row) || tr('desk.none')],
  [tr('desk.assignee'), row.assignee?.name ?? tr('desk.none')],
  [tr('desk.deadline'), deadlineText(tr, row)],
])}
${letter ? html`<p><a href="${base}/documenti/${letter.sha256}">${letter.protocol ? tr('desk.letter', { number: letter.protocol.number, year: letter.protocol.year }) : tr('desk.letterUnregistered')}</a></p>` : ''}
<h2 class="h4">${tr('desk.data')}</h2>
${dl(labelledAnswers(formVersion?.schema, application.data, dateInItaly(row.submittedAt ?? application.createdAt), request.locale, formFiles).map((a) => [a.label, a.files ? fileList(a.files) : a.value || tr('desk.none')]))}
<h2 class="h4">${tr('desk.attachments')}</h2>
<ul>${application.pdfSha256 ? html`<li><a href="${base}/documenti/${application.pdfSha256}">${tr('desk.applicationPdf')}</a></li>` : ''}
${attachments.map((a) => html`<li><a href="${base}/documenti/${a.sha256}">${a.name}</a> (${bytes(tr, request.locale, a.size)})</li>`)}</ul>
${await deskPaymentsSection(comune, request, application)}
${await deskMessagesSection(comune, request, application.id)}
<h2 class="h4">${tr('desk.timeline')}</h2>
<ol>${timeline.map((e) => html`<li>${dateTime(request.locale, e.at)} — ${tr('desk.event', { status: statusLabel(tr, e.to), by: tr(`desk.by.${e.actorType}`) })}${e.message ? html`<blockquote class="mb-0 small">${e.message}</blockquote>` : ''}</li>`)}</ol>
<h2 class="h4">${tr('desk.notes')}</h2>
${notes.length ? html`<ul>${notes.map((n) => html`<li>${dateTime(request.locale, n.at)} — ${n.authorName}: ${n.body}</li>`)}</ul>` : html`<p>${tr('desk.noNotes')}</p>`}
<h2 class="h4">${tr('desk.actions')}</h2>
${can(STATUS.pending) || can(STATUS.pendingAfterIntegration) ? form('take', tr('desk.takeInCharge'), '', tr('desk.takeInCharge')) : ''}
${operators.length && !isFinal(row.status) ? form('assign', tr('desk.assign'), selectField({ name: 'staffId', label: tr('desk.assignTo'), value: row.assignee?.id, options: operators.map((o) => ({ value: o.id, label: o.name })) }), tr('desk.assign')) : ''}
${can(STATUS.requestIntegration) ? form('integration', tr('desk.requestIntegration'), textareaField({ name: 'request', label: tr('desk.integrationText'), required: true }), tr('desk.send')) : ''}
${can(STATUS.complete) || can(STATUS.cancelled) ? html`${form(
  'decide',
  tr('desk.decision'),
  html`${selectField({ name: 'outcome', label: tr('desk.outcome'), options: outcomes })}
${textareaField({ name: 'motivation', label: tr('desk.motivation'), required: true })}`,
  tr('desk.decide'),
)}
<form method="post" action="${base}/esito-firmato" enctype="multipart/form-data" class="mb-4">
  <fieldset><legend class="h5">${tr('desk.signedDecision')}</legend>${token}
  ${selectField({ name: 'signedOutcome', label: tr('desk.outcome'), options: outcomes })}
  ${textareaField({ name: 'signedMotivation', label: tr('desk.motivation'), required: true })}
  <div class="form-group"><label for="field-letter">${tr('desk.signedFile')}</label><input id="field-letter" type="file" name="letter" accept="application/pdf" required></div>
  <button type="submit" class="btn btn-primary btn-sm">${tr('desk.decide')}</button></fieldset></form>` : ''}
${form('note', tr('desk.note'), textareaField({ name: 'note', label: tr('desk.noteText'), required: true }), tr('desk.save'))}
${form('message', tr('desk.message'), textareaField({ name: 'message', label: tr('desk.messageText'), required: true }), tr('desk.send'))}`;
    return desk(request, staff, tr('desk.application', { id: application.id }), content, comune);
  }

  app.get(`${DESK_PATH}/:id`, { config: { html: true }, schema: { hide: true, params: IdParams, querystring: Type.Object({ esito: Type.Optional(Type.Union(ACTIONS.map((a) => Type.Literal(a)))) }) } }, async (request, reply) => {
    const who = await userOf(request, reply);
    if (!who) return reply;
    const done = request.query.esito;
    return sendPage(reply, await detailPage(request, who.staff, who.user, request.params.id, done ? alert('success', deskT(request.locale)(`desk.done.${done}`)) : undefined));
  });

  app.get(`${DESK_PATH}/:id/documenti/:sha256`, { config: { html: true }, schema: { hide: true, params: DocParams } }, async (request, reply) => {
    const who = await userOf(request, reply);
    if (!who) return reply;
    const { id, sha256 } = request.params;
    const { application } = await store.detail(who.user, id);
    const attachment = (await store.attachments(id)).find((a) => a.sha256 === sha256);
    const known = attachment ?? (application.pdfSha256 === sha256 ? { name: `domanda-${id}.pdf`, mime: 'application/pdf' } : undefined);
    const data = known && (await files.get(sha256));
    if (!known || !data) throw notFound('No such document.');
    return reply
      .header('content-disposition', `attachment; filename="${known.name.replace(/[^\w.-]/g, '_')}"`)
      .header('x-content-type-options', 'nosniff')
      .type(known.mime)
      .send(data);
  });

  /** Runs a desk action; the state machine's refusal (409) or bad input (400) is shown on the page, nothing changed. */
  async function runAction(request: FastifyRequest, reply: FastifyReply, who: { staff: StaffLogin; user: DeskUser }, id: string, action: string, fn: () => Promise<unknown>) {
    try {
      await fn();
    } catch (error) {
      if (!(error instanceof HttpProblem) || (error.status !== 409 && error.status !== 400)) throw error;
      const tr = deskT(request.locale);
      const message = alert('danger', tr(error.status === 409 ? 'desk.error.conflict' : 'desk.error.invalid'));
      return sendPage(reply, await detailPage(request, who.staff, who.user, id, message), error.status);
    }
    return redirectTo(reply, `/${requireTenant(request).slug}${DESK_PATH}/${id}?esito=${action}`);
  }

  app.post(`${DESK_PATH}/:id`, { config: { html: true }, schema: { hide: true, params: IdParams, body: ActionBody } }, async (request, reply) => {
    checkFormCsrf(request, comune.app.secret);
    const who = await userOf(request, reply);
    if (!who) return reply;
    const { id } = request.params;
    const { action, staffId = '', outcome } = request.body;
    const text = (name: 'request' | 'motivation' | 'note' | 'message') => String(request.body[name] ?? '');
    const { user } = who;
    return runAction(request, reply, who, id, action, () => {
      if (action === 'take') return store.takeInCharge(user, id);
      if (action === 'assign') return store.assign(user, id, staffId);
      if (action === 'integration') return store.requestIntegration(user, id, text('request'));
      if (action === 'decide') {
        if (!outcome) throw invalid([{ pointer: '/body/outcome', code: 'required', detail: 'Choose the outcome.' }]);
        return store.decide(user, id, { outcome, motivation: text('motivation') });
      }
      if (action === 'note') return store.note(user, id, text('note'));
      return store.message(user, id, text('message'));
    });
  });

  // The outcome with a letter signed outside (a PDF, e.g. PAdES) instead of the generated one.
  app.post(`${DESK_PATH}/:id/esito-firmato`, { config: { html: true }, schema: { hide: true, params: IdParams } }, async (request, reply) => {
    const who = await userOf(request, reply);
    if (!who) return reply;
    if (!request.isMultipart()) throw invalid([{ pointer: '/body/letter', code: 'multipart', detail: 'send the letter as multipart/form-data' }]);
    const file = await request.file();
    const field = (name: string) => {
      const part = file?.fields[name];
      return part && !Array.isArray(part) && 'value' in part ? String(part.value) : '';
    };
    // The fields precede the file in the form, so they have arrived by now.
    assertCsrf(comune.app.secret, request.session.data.csrfSeed, field(CSRF_FIELD));
    const data = file ? await file.toBuffer() : Buffer.alloc(0);
    return runAction(request, reply, who, request.params.id, 'decide', () => {
      if (!file || sniffType(data) !== 'application/pdf') throw invalid([{ pointer: '/body/letter', code: 'type', detail: 'The signed letter must be a PDF.' }]);
      const outcome = field('signedOutcome') === 'rejected' ? 'rejected' : 'accepted';
      return store.decide(who.user, request.params.id, { outcome, motivation: field('signedMotivation'), signedFile: { name: sanitizeFileName(file.filename) || 'esito-firmato.pdf', data } });
    });
  });
}
