// The back-office pages for applications: the filtered list (and its CSV), the dashboard, the detail
// with its actions (CSRF, state machine, audit in the store), the documents. Scoped by the store's queries.
import { formatItalianTime } from '../../core/i18n.ts';
import path from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { html, type SafeHtml } from '../../core/html.ts';
import type { App } from '../../core/http.ts';
import { checkFormCsrf, formCsrfToken, redirectTo } from '../../core/auth/sessions.ts';
import { HttpProblem, invalid, notFound } from '../../core/problem.ts';
import { assertCsrf, CSRF_FIELD } from '../../core/auth/csrf.ts';
import { sanitizeFileName, sniffType } from '../forms/files.ts';
import { alert, csrfField, selectField, textareaField, textField } from '../../core/forms.ts';
import { dataTable } from '../../core/ui.ts';
import { diskDocumentStore } from '../protocol/files.ts';
import { requireTenant, type ComuneContext, type StaffLogin } from '../context.ts';
import { desk, guard } from '../backoffice/routes.ts';
import { sendPage } from '../website/routes.ts';
import { checkTransition, isFinal, STATUS, STATUS_CODES, statusName, type StatusCode } from '../applications/states.ts';
import { FormRepository } from '../forms/forms.ts';
import { dateInItaly } from '../../domain/dates.ts';
import { DESK_PATH, labelledAnswers, paginate, toCsv, HIDDEN_STATUSES, type DeskFilters, type DeskUser } from './model.ts';
import { deskUser, DeskStore, type DeskRow } from './store.ts';
import { deskT, type DeskT } from './messages.ts';

const PAGE_SIZE = 25;
const UUID = '^$|^[0-9a-fA-F-]{36}$';
const DAY = '^$|^\\d{4}-\\d{2}-\\d{2}$';

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
  q: Type.Optional(Type.String({ maxLength: 100 })),
  pagina: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
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

const visibleStatuses = STATUS_CODES.filter((s) => !HIDDEN_STATUSES.includes(s));

export function registerDesk(app: App, comune: ComuneContext): void {
  const files = diskDocumentStore(path.join(comune.app.config.dataDir, 'documents'));
  const store = new DeskStore(comune.db, files);
  const forms = new FormRepository(comune.db);

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
    const all = await store.list(who.user, {});
    const rows = await store.list(who.user, filtersOf(q));
    const page = paginate(rows, q.pagina ?? 1, PAGE_SIZE);
    const base = `/${tenant.slug}${DESK_PATH}`;
    const unique = <T,>(pairs: [string, T][]) => [...new Map(pairs)];
    const options = (pairs: [string, string][]) => [{ value: '', label: tr('desk.any') }, ...unique(pairs).map(([value, label]) => ({ value, label }))];
    const filters = html`<form method="get" action="${base}" class="mb-4" aria-label="${tr('desk.filters')}">
  <div class="row">
    <div class="col-md-6">${textField({ name: 'q', label: tr('desk.search'), value: q.q })}</div>
    <div class="col-md-3">${selectField({ name: 'stato', label: tr('desk.status'), value: q.stato ?? '', options: [{ value: '', label: tr('desk.any') }, ...visibleStatuses.map((s) => ({ value: String(s), label: statusLabel(tr, s) }))] })}</div>
    <div class="col-md-3">${selectField({ name: 'servizio', label: tr('desk.service'), value: q.servizio ?? '', options: options(all.map((r) => [r.serviceId, r.serviceName])) })}</div>
    <div class="col-md-3">${selectField({ name: 'ufficio', label: tr('desk.office'), value: q.ufficio ?? '', options: options(all.flatMap((r) => (r.officeId ? [[r.officeId, r.officeName ?? '']] : []))) })}</div>
    <div class="col-md-3">${selectField({ name: 'assegnatario', label: tr('desk.assignee'), value: q.assegnatario ?? '', options: options(all.flatMap((r) => (r.assignee ? [[r.assignee.id, r.assignee.name]] : []))) })}</div>
    <div class="col-md-3">${textField({ name: 'dal', label: tr('desk.from'), type: 'date', value: q.dal })}</div>
    <div class="col-md-3">${textField({ name: 'al', label: tr('desk.to'), type: 'date', value: q.al })}</div>
  </div>
  <div class="form-check mb-3"><input id="field-scadute" type="checkbox" name="scadute" value="1"${q.scadute ? html` checked` : ''}><label for="field-scadute">${tr('desk.overdueOnly')}</label></div>
  <button type="submit" class="btn btn-primary">${tr('desk.apply')}</button>
  <a class="btn btn-outline-primary" href="${base}/export.csv?${queryOf(q)}">${tr('desk.export')}</a>
  <a class="btn btn-link" href="${base}/cruscotto">${tr('desk.dashboard')}</a>
</form>`;
    const table = dataTable(
      tr('desk.title'),
      ['ID', tr('desk.service'), tr('desk.applicant'), tr('desk.status'), tr('desk.submittedAt'), tr('desk.protocol'), tr('desk.assignee'), tr('desk.deadline')],
      page.rows.map((r) => [
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
    const link = (n: number, label: string) => html`<li class="page-item"><a class="page-link" href="${base}?${queryOf(q, { pagina: n })}">${label}</a></li>`;
    const pager =
      page.pages > 1
        ? html`<nav aria-label="${tr('desk.pages')}"><ul class="pagination">${page.page > 1 ? link(page.page - 1, tr('desk.previous')) : ''}
  <li class="page-item active"><span class="page-link" aria-current="page">${tr('desk.page', { page: page.page, pages: page.pages })}</span></li>
  ${page.page < page.pages ? link(page.page + 1, tr('desk.next')) : ''}</ul></nav>`
        : '';
    const content = html`${filters}<p role="status">${tr('desk.count', { count: page.total })}</p>${table}${pager}`;
    return sendPage(reply, desk(request, who.staff, tr('desk.title'), content, comune));
  });

  app.get(`${DESK_PATH}/export.csv`, { config: { html: true }, schema: { hide: true, params: Params, querystring: ListQuery } }, async (request, reply) => {
    const who = await userOf(request, reply);
    if (!who) return reply;
    const tr = deskT(request.locale);
    const rows = await store.list(who.user, filtersOf(request.query));
    const csv = toCsv([
      ['id', tr('desk.service'), tr('desk.office'), tr('desk.applicant'), tr('desk.fiscalCode'), tr('desk.status'), tr('desk.submittedAt'), tr('desk.protocol'), tr('desk.assignee'), tr('desk.deadline')],
      ...rows.map((r) => [r.id, r.serviceName, r.officeName, r.citizenName, r.citizenFiscalCode, statusLabel(tr, r.status), r.submittedAt?.toISOString(), protocolOf(r), r.assignee?.name, r.deadline?.due]),
    ]);
    return reply.header('content-disposition', 'attachment; filename="pratiche.csv"').type('text/csv; charset=utf-8').send(csv);
  });

  app.get(`${DESK_PATH}/cruscotto`, { config: { html: true }, schema: { hide: true, params: Params } }, async (request, reply) => {
    const who = await userOf(request, reply);
    if (!who) return reply;
    const tr = deskT(request.locale);
    const board = await store.dashboard(who.user);
    const max = Math.max(1, ...board.byStatus.map((s) => s.count));
    const barHeight = 28;
    // Server-rendered SVG (no inline style or script: CSP); the table below carries the same figures.
    const chart = board.byStatus.length
      ? html`<svg class="mb-3" role="img" aria-labelledby="chart-title" width="100%" height="${board.byStatus.length * barHeight + 8}" viewBox="0 0 600 ${board.byStatus.length * barHeight + 8}">
  <title id="chart-title">${tr('desk.chart')}</title>
  ${board.byStatus.map((s, i) => html`<text x="0" y="${i * barHeight + 19}" font-size="13">${statusLabel(tr, s.status)}</text>
  <rect x="240" y="${i * barHeight + 4}" width="${Math.round((s.count / max) * 300)}" height="${barHeight - 10}" fill="#0066cc"></rect>
  <text x="${250 + Math.round((s.count / max) * 300)}" y="${i * barHeight + 19}" font-size="13">${s.count}</text>`)}
</svg>`
      : '';
    const content = html`<p>${tr('desk.total', { count: board.total })} · <strong>${tr('desk.overdueCount', { count: board.overdue })}</strong></p>
<h2 class="h4">${tr('desk.byStatus')}</h2>
${chart}
${dataTable(tr('desk.byStatus'), [tr('desk.status'), tr('desk.count.label')], board.byStatus.map((s) => [statusLabel(tr, s.status), s.count]), tr('desk.empty'))}
<h2 class="h4 mt-4">${tr('desk.closing')}</h2>
${dataTable(tr('desk.closing'), [tr('desk.service'), tr('desk.closed'), tr('desk.averageDays')], board.closing.map((c) => [c.serviceName, c.closed, c.averageDays === null ? tr('desk.none') : c.averageDays.toLocaleString(request.locale)]), tr('desk.empty'))}
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
    const base = `/${tenant.slug}${DESK_PATH}/${id}`;
    const token = csrfField(formCsrfToken(request, comune.app.secret));
    const form = (action: string, title: string, fields: SafeHtml | string, button: string) => html`<form method="post" action="${base}" class="mb-4">
  <fieldset><legend class="h5">${title}</legend>${token}<input type="hidden" name="action" value="${action}">${fields}
  <button type="submit" class="btn btn-primary btn-sm">${button}</button></fieldset></form>`;
    const dl = (pairs: [string, string][]) => html`<dl class="row">${pairs.map(([k, v]) => html`<dt class="col-sm-4">${k}</dt><dd class="col-sm-8">${v}</dd>`)}</dl>`;
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
${letter ? html`<p><a href="${base}/documenti/${letter.sha256}">${tr('desk.letter', { number: letter.protocol.number, year: letter.protocol.year })}</a></p>` : ''}
<h2 class="h4">${tr('desk.data')}</h2>
${dl(labelledAnswers(formVersion?.schema, application.data, dateInItaly(row.submittedAt ?? application.createdAt), request.locale).map((a) => [a.label, a.value || tr('desk.none')]))}
<h2 class="h4">${tr('desk.attachments')}</h2>
<ul>${application.pdfSha256 ? html`<li><a href="${base}/documenti/${application.pdfSha256}">${tr('desk.applicationPdf')}</a></li>` : ''}
${attachments.map((a) => html`<li><a href="${base}/documenti/${a.sha256}">${a.name}</a> (${Math.ceil(a.size / 1024)} KB)</li>`)}</ul>
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
