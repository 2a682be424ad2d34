// Back-office › Registro di protocollo, for the ente's administrator: the built-in register browsed by
// year, direction, number, days and text; an entry with its documents, segnatura and annulment; the
// annulment form (built-in, or through the external system's adapter); the daily register as a PDF.
import path from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { html, type SafeHtml } from '../../core/html.ts';
import type { App } from '../../core/http.ts';
import { transaction } from '../../core/db.ts';
import { formatItalianTime } from '../../core/i18n.ts';
import { checkFormCsrf, formCsrfToken } from '../../core/auth/sessions.ts';
import { HttpProblem, invalid, notFound } from '../../core/problem.ts';
import { alert, csrfField, errorSummary, problemFieldErrors, selectField, textareaField, textField, type FieldErrors } from '../../core/forms.ts';
import { dataTable, pagination } from '../../core/ui.ts';
import { dateInItaly, type IsoDate } from '../../domain/dates.ts';
import { requireTenant, type ComuneContext, type StaffLogin } from '../context.ts';
import { sendPage } from '../website/routes.ts';
import { pageOf } from '../desk/model.ts';
import { diskDocumentStore } from '../protocol/files.ts';
import { annulEntry, checkAnnulment, getEntry, type AnnulmentInput, type Direction, type ProtocolEntry } from '../protocol/register.ts';
import { countEntries, findEntries, registerYears, type RegisterFilters } from '../protocol/browse.ts';
import { correspondentText, dailyRegister, keptDailyRegister, keptDailyRegisters, type KeptDailyRegister } from '../protocol/daily.ts';
import { plainRun, ProtocolRejectedError, ProtocolUnavailableError } from '../protocol/adapter.ts';
import { getProtocolSettings, protocolAdapterFor } from '../protocol/settings.ts';
import { registerT, type RegisterT } from './register-messages.ts';
import { desk, guard } from './routes.ts';

export const REGISTER_PATH = '/backoffice/protocollo/registro';

const PAGE_SIZE = 25;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY = '^$|^\\d{4}-\\d{2}-\\d{2}$';
const DIRECTIONS: Record<string, Direction> = { entrata: 'incoming', uscita: 'outgoing' };

const TenantParams = Type.Object({ tenant: Type.String() });
const EntryParams = Type.Object({ tenant: Type.String(), id: Type.String({ pattern: '^[0-9a-fA-F-]{36}$' }) });
const DocumentParams = Type.Object({ tenant: Type.String(), id: Type.String({ pattern: '^[0-9a-fA-F-]{36}$' }), position: Type.Integer({ minimum: 0, maximum: 1000 }) });
const ListQuery = Type.Object({
  anno: Type.Optional(Type.Integer({ minimum: 2000, maximum: 9999 })),
  verso: Type.Optional(Type.Union([Type.Literal(''), ...Object.keys(DIRECTIONS).map((k) => Type.Literal(k))])),
  numero: Type.Optional(Type.String({ pattern: '^$|^[1-9][0-9]{0,8}$' })),
  dal: Type.Optional(Type.String({ pattern: DAY })),
  al: Type.Optional(Type.String({ pattern: DAY })),
  q: Type.Optional(Type.String({ maxLength: 100 })),
  pagina: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
});
type ListQuery = Static<typeof ListQuery>;
const DayQuery = Type.Object({ giorno: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }) });
const AnnulBody = Type.Object(
  { reason: Type.String({ maxLength: 2000 }), authorisedBy: Type.String({ maxLength: 500 }), registration: Type.Optional(Type.String({ maxLength: 200 })) },
  { additionalProperties: true },
);
type AnnulForm = { reason: string; authorisedBy: string; registration?: string };

const dateTime = (locale: string, at: Date) => formatItalianTime(locale, at, 'medium', 'short');
const dayLabel = (locale: string, day: IsoDate) => formatItalianTime(locale, new Date(`${day}T12:00:00Z`));
const attachment = (name: string) => `attachment; filename="${name.replace(/[^\w.-]/g, '_')}"`;

function filtersOf(q: ListQuery, year: number): RegisterFilters {
  return {
    year,
    direction: q.verso ? DIRECTIONS[q.verso] : undefined,
    number: q.numero ? Number(q.numero) : undefined,
    from: q.dal || undefined,
    to: q.al || undefined,
    text: q.q?.trim() || undefined,
  };
}

const queryOf = (q: ListQuery, extra: Record<string, string | number>) =>
  new URLSearchParams(Object.entries({ ...q, ...extra }).flatMap(([k, v]) => (v === undefined || v === '' ? [] : [[k, String(v)]]))).toString();

/** Annulled entries carry a visible badge, not colour alone. */
const stateBadge = (tr: RegisterT, entry: ProtocolEntry) =>
  entry.annulment ? html`<span class="badge bg-danger">${tr('register.annulled')}</span>` : html`<span class="badge bg-success">${tr('register.valid')}</span>`;

/** A calendar day that is a real date and already over in Italy (the daily register is closed at midnight). */
function closedDay(day: string, today: IsoDate): boolean {
  const at = new Date(`${day}T12:00:00Z`);
  return !Number.isNaN(at.getTime()) && at.toISOString().slice(0, 10) === day && day < today;
}

export function registerProtocolRegister(app: App, comune: ComuneContext, options: { fetch?: typeof fetch } = {}): void {
  const secret = comune.app.secret;
  const store = diskDocumentStore(path.join(comune.app.config.dataDir, 'documents'));

  /** The administrator, or undefined after the redirect to login (403 for anyone else). */
  const admin = (request: FastifyRequest, reply: FastifyReply) => guard(request, reply, { type: 'tenant.manageProtocolRegister', tenantId: requireTenant(request).id });

  async function entryOf(request: FastifyRequest, id: string): Promise<ProtocolEntry> {
    const entry = await getEntry(comune.db, requireTenant(request).id, id);
    if (!entry) throw notFound('No such protocol registration.');
    return entry;
  }

  function annulForm(tr: RegisterT, action: string, token: string, values: AnnulForm, errors: FieldErrors, external: boolean): SafeHtml {
    return html`${errorSummary(errors, tr('register.errors', { count: Object.keys(errors).length }))}
<form method="post" action="${action}" novalidate>
  ${csrfField(token)}
  ${external ? textField({ name: 'registration', label: tr('register.externalId'), value: values.registration, error: errors.registration, help: tr('register.externalIdHelp'), required: true }) : ''}
  ${textareaField({ name: 'reason', label: tr('register.reason'), value: values.reason, error: errors.reason, required: true, rows: 3 })}
  ${textField({ name: 'authorisedBy', label: tr('register.authorisedBy'), value: values.authorisedBy, error: errors.authorisedBy, help: tr('register.authorisedHelp'), required: true })}
  <button type="submit" class="btn btn-danger">${tr('register.annul')}</button>
</form>`;
  }

  /** The annulment's own rule (checkAnnulment: reason and authorisation) and, for an external one, its identifier: as field errors. */
  function formErrors(tr: RegisterT, values: AnnulForm, actor: AnnulmentInput['actor'], external: boolean): FieldErrors {
    const errors: FieldErrors = external && !values.registration?.trim() ? { registration: tr('register.required') } : {};
    try {
      checkAnnulment({ reason: values.reason, authorisedBy: values.authorisedBy, actor });
      return errors;
    } catch (error) {
      if (!(error instanceof HttpProblem && error.status === 400)) throw error;
      return { ...errors, ...problemFieldErrors(error, () => tr('register.required')) };
    }
  }

  /** The kept daily register (its stored bytes) when the nightly job produced it; otherwise produced now, the same way. */
  async function dailyOf(tenantId: string, day: IsoDate): Promise<{ entries: number; sha256: string; pdf: Buffer; producedAt?: Date }> {
    const stored: KeptDailyRegister | undefined = await keptDailyRegister(comune.db, tenantId, day);
    const pdf = stored && (await store.get(stored.sha256));
    return stored && pdf ? { ...stored, pdf } : dailyRegister(comune.db, tenantId, day);
  }

  const actorOf = (staff: StaffLogin): AnnulmentInput['actor'] => ({ type: staff.role, id: staff.id });

  async function listPage(request: FastifyRequest, staff: StaffLogin, q: ListQuery, extra: { message?: SafeHtml; errors?: FieldErrors; values?: AnnulForm } = {}) {
    const tenant = requireTenant(request);
    const tr = registerT(request.locale);
    const today = dateInItaly(new Date());
    const thisYear = Number(today.slice(0, 4));
    const years = [...new Set([thisYear, ...(await registerYears(comune.db, tenant.id))])].sort((a, b) => b - a);
    const year = q.anno ?? thisYear;
    const filters = filtersOf(q, year);
    const total = await countEntries(comune.db, tenant.id, filters);
    const page = pageOf(total, q.pagina ?? 1, PAGE_SIZE);
    const entries = await findEntries(comune.db, tenant.id, filters, { offset: page.offset, limit: PAGE_SIZE });
    const settings = await getProtocolSettings(comune.db, tenant.id);
    const base = `/${tenant.slug}${REGISTER_PATH}`;
    const form = html`<form method="get" action="${base}" class="mb-4" aria-label="${tr('register.filters')}">
  <div class="row">
    <div class="col-md-2">${selectField({ name: 'anno', label: tr('register.year'), value: String(year), options: years.map((y) => ({ value: String(y), label: String(y) })) })}</div>
    <div class="col-md-3">${selectField({ name: 'verso', label: tr('register.direction'), value: q.verso ?? '', options: [{ value: '', label: tr('register.direction.any') }, { value: 'entrata', label: tr('register.direction.incoming') }, { value: 'uscita', label: tr('register.direction.outgoing') }] })}</div>
    <div class="col-md-2">${textField({ name: 'numero', label: tr('register.number'), type: 'number', value: q.numero })}</div>
    <div class="col-md-5">${textField({ name: 'q', label: tr('register.text'), value: q.q })}</div>
    <div class="col-md-3">${textField({ name: 'dal', label: tr('register.from'), type: 'date', value: q.dal })}</div>
    <div class="col-md-3">${textField({ name: 'al', label: tr('register.to'), type: 'date', value: q.al })}</div>
  </div>
  <button type="submit" class="btn btn-primary">${tr('register.apply')}</button>
  <a class="btn btn-link" href="${base}">${tr('register.reset')}</a>
</form>`;
    const table = dataTable(
      tr('register.caption'),
      [tr('register.number'), tr('register.date'), tr('register.direction'), tr('register.subject'), tr('register.correspondent'), tr('register.classification'), tr('register.state')],
      entries.map((e) => [
        html`<a href="${base}/${e.id}" aria-label="${tr('register.open', { number: e.number, year: e.year })}">${e.number}/${e.year}</a>`,
        dateTime(request.locale, e.registeredAt),
        tr(`register.direction.${e.direction}`),
        e.subject,
        correspondentText(e.correspondent),
        e.classification || '—',
        stateBadge(tr, e),
      ]),
      tr('register.empty'),
    );
    const pager = pagination({ nav: tr('register.pages'), previous: tr('register.previous'), next: tr('register.next'), page: (n, all) => tr('register.page', { page: n, pages: all }) }, page.page, page.pages, (n) => `${base}?${queryOf(q, { pagina: n })}`);
    const yesterday = dateInItaly(new Date(Date.now() - 86_400_000));
    const keptRegisters = await keptDailyRegisters(comune.db, tenant.id);
    const external = settings?.adapter === 'http';
    const content = html`${extra.message ?? ''}
<p>${tr('register.intro')}</p>
${external ? alert('info', tr('register.external', { url: settings.baseUrl ?? '' })) : ''}
${form}
<p role="status">${tr('register.count', { count: total })}</p>
${table}${pager}
<h2 class="h4 mt-5">${tr('register.daily')}</h2>
<p>${tr('register.dailyHelp')}</p>
<form method="get" action="${base}/giornaliero" class="mb-4">
  <div class="row"><div class="col-md-4">${textField({ name: 'giorno', label: tr('register.day'), type: 'date', value: yesterday, required: true })}</div></div>
  <button type="submit" class="btn btn-outline-primary">${tr('register.dailyShow')}</button>
</form>
${dataTable(
  tr('register.keptCaption'),
  [tr('register.day'), tr('register.keptEntries'), tr('register.dailyHash'), tr('register.keptAt')],
  keptRegisters.map((k) => [html`<a href="${base}/giornaliero?giorno=${k.day}">${dayLabel(request.locale, k.day)}</a>`, k.entries, html`<code>${k.sha256}</code>`, dateTime(request.locale, k.producedAt)]),
  tr('register.keptNone'),
)}
${external
  ? html`<h2 class="h4 mt-5">${tr('register.externalAnnul')}</h2><p>${tr('register.annulHelp')}</p>${annulForm(tr, `${base}/esterno/annullamento`, formCsrfToken(request, secret), extra.values ?? { reason: '', authorisedBy: '', registration: '' }, extra.errors ?? {}, true)}`
  : ''}`;
    return desk(request, staff, tr('register.title'), content, comune);
  }

  async function entryPage(request: FastifyRequest, staff: StaffLogin, entry: ProtocolEntry, extra: { message?: SafeHtml; errors?: FieldErrors; values?: AnnulForm } = {}) {
    const tenant = requireTenant(request);
    const tr = registerT(request.locale);
    const base = `/${tenant.slug}${REGISTER_PATH}`;
    const here = `${base}/${entry.id}`;
    const c = entry.correspondent;
    // A linked registration of the built-in register opens here; an external one is shown by its identifiers.
    const linked = entry.linkedTo && UUID.test(entry.linkedTo.id) ? await getEntry(comune.db, tenant.id, entry.linkedTo.id) : undefined;
    const row = (label: string, value: SafeHtml | string) => html`<dt class="col-sm-4">${label}</dt><dd class="col-sm-8">${value}</dd>`;
    const content = html`${extra.message ?? ''}
<p><a href="${base}">${tr('register.back')}</a></p>
${entry.annulment ? alert('warning', tr('register.annulledOn', { date: dateTime(request.locale, entry.annulment.annulledAt) })) : ''}
<dl class="row">
  ${row(tr('register.number'), `${entry.number}/${entry.year}`)}
  ${row(tr('register.date'), dateTime(request.locale, entry.registeredAt))}
  ${row(tr('register.direction'), tr(`register.direction.${entry.direction}`))}
  ${row(tr('register.classification'), entry.classification || '—')}
  ${row(tr(`register.correspondent.${entry.direction}`), html`${c.name}${c.fiscalCode ? html`<br>${tr('register.fiscalCode')}: ${c.fiscalCode}` : ''}${c.email ? html`<br>${tr('register.email')}: ${c.email}` : ''}`)}
  ${row(tr('register.subject'), entry.subject)}
  ${row(tr('register.state'), stateBadge(tr, entry))}
  ${row(
    tr('register.linked'),
    !entry.linkedTo
      ? tr('register.linkedNone')
      : linked
        ? html`<a href="${base}/${linked.id}">${linked.number}/${linked.year}</a>`
        : tr('register.linkedExternal', { number: entry.linkedTo.number, year: entry.linkedTo.year, id: entry.linkedTo.id }),
  )}
</dl>
<h2 class="h4">${tr('register.documents')}</h2>
<ul>${entry.documents.map(
      (d) => html`<li><a href="${here}/documenti/${d.position}" aria-label="${tr('register.download', { name: d.name })}">${d.name}</a> (${d.position === 0 ? tr('register.primary') : tr('register.attachment')}, ${d.mime}, ${tr('register.size', { size: new Intl.NumberFormat(request.locale).format(d.size) })})<br><small>SHA-256 <code>${d.sha256}</code></small></li>`,
    )}</ul>
<p><a href="${here}/segnatura.xml">${tr('register.segnatura')}</a></p>
<h2 class="h4 mt-4">${tr('register.annulment')}</h2>
${entry.annulment
  ? html`<dl class="row">${row(tr('register.date'), dateTime(request.locale, entry.annulment.annulledAt))}${row(tr('register.reason'), entry.annulment.reason)}${row(tr('register.authorisedBy'), entry.annulment.authorisedBy)}</dl>`
  : html`<p>${tr('register.annulHelp')}</p>${annulForm(tr, `${here}/annullamento`, formCsrfToken(request, secret), extra.values ?? { reason: '', authorisedBy: '' }, extra.errors ?? {}, false)}`}`;
    return desk(request, staff, tr('register.entry', { number: entry.number, year: entry.year }), content, comune);
  }

  app.get(REGISTER_PATH, { config: { html: true }, schema: { hide: true, params: TenantParams, querystring: ListQuery } }, async (request, reply) => {
    const staff = admin(request, reply);
    if (!staff) return reply;
    return sendPage(reply, await listPage(request, staff, request.query));
  });

  app.get(`${REGISTER_PATH}/:id`, { config: { html: true }, schema: { hide: true, params: EntryParams } }, async (request, reply) => {
    const staff = admin(request, reply);
    if (!staff) return reply;
    return sendPage(reply, await entryPage(request, staff, await entryOf(request, request.params.id)));
  });

  app.get(`${REGISTER_PATH}/:id/documenti/:position`, { config: { html: true }, schema: { hide: true, params: DocumentParams } }, async (request, reply) => {
    const staff = admin(request, reply);
    if (!staff) return reply;
    const document = (await entryOf(request, request.params.id)).documents.find((d) => d.position === request.params.position);
    const data = document && (await store.get(document.sha256));
    if (!document || !data) throw notFound('No such document.');
    return reply.header('content-disposition', attachment(document.name)).header('x-content-type-options', 'nosniff').type(document.mime).send(data);
  });

  app.get(`${REGISTER_PATH}/:id/segnatura.xml`, { config: { html: true }, schema: { hide: true, params: EntryParams } }, async (request, reply) => {
    const staff = admin(request, reply);
    if (!staff) return reply;
    const entry = await entryOf(request, request.params.id);
    return reply.header('content-disposition', attachment(`segnatura-${entry.year}-${entry.number}.xml`)).type('application/xml; charset=utf-8').send(entry.segnaturaXml);
  });

  app.post(`${REGISTER_PATH}/:id/annullamento`, { config: { html: true }, schema: { hide: true, params: EntryParams, body: AnnulBody } }, async (request, reply) => {
    checkFormCsrf(request, secret);
    const staff = admin(request, reply);
    if (!staff) return reply;
    const tr = registerT(request.locale);
    const tenant = requireTenant(request);
    const entry = await entryOf(request, request.params.id);
    const values = request.body;
    const errors = formErrors(tr, values, actorOf(staff), false);
    if (Object.keys(errors).length) return sendPage(reply, await entryPage(request, staff, entry, { errors, values }), 400);
    try {
      await transaction(comune.db, (tx) => annulEntry(tx, tenant.id, entry.id, { reason: values.reason, authorisedBy: values.authorisedBy, actor: actorOf(staff) }));
    } catch (error) {
      if (!(error instanceof HttpProblem && error.status === 409)) throw error;
      return sendPage(reply, await entryPage(request, staff, await entryOf(request, entry.id), { message: alert('danger', tr('register.alreadyAnnulled')) }), 409);
    }
    return sendPage(reply, await entryPage(request, staff, await entryOf(request, entry.id), { message: alert('success', tr('register.annulDone')) }));
  });

  app.post(`${REGISTER_PATH}/esterno/annullamento`, { config: { html: true }, schema: { hide: true, params: TenantParams, body: AnnulBody } }, async (request, reply) => {
    checkFormCsrf(request, secret);
    const staff = admin(request, reply);
    if (!staff) return reply;
    const tr = registerT(request.locale);
    const tenant = requireTenant(request);
    const values = { ...request.body, registration: request.body.registration?.trim() ?? '' };
    const list = (extra: Parameters<typeof listPage>[3], status: number) => listPage(request, staff, {}, extra).then((page) => sendPage(reply, page, status));
    const errors = formErrors(tr, values, actorOf(staff), true);
    if (Object.keys(errors).length) return list({ errors, values }, 400);
    const adapter = await protocolAdapterFor(comune.db, tenant.id, { secret, store, fetch: options.fetch });
    // Built-in registrations are annulled from their own page; this form is for the external system only.
    if (adapter.kind !== 'http') throw notFound('The ente uses the built-in register.');
    const input = { reason: values.reason, authorisedBy: values.authorisedBy, actor: actorOf(staff) };
    try {
      await adapter.annul(tenant.id, values.registration, input, plainRun(comune.db, `protocol.annul:${values.registration}`));
    } catch (error) {
      if (error instanceof HttpProblem && error.status === 404) return list({ errors: { registration: tr('register.externalUnknown') }, values }, 404);
      if (error instanceof HttpProblem && error.status === 409) return list({ message: alert('danger', tr('register.alreadyAnnulled')), values }, 409);
      if (error instanceof ProtocolUnavailableError) return list({ message: alert('danger', tr('register.externalUnavailable')), values }, 503);
      if (error instanceof ProtocolRejectedError) return list({ message: alert('danger', tr('register.externalRefused')), values }, 502);
      throw error;
    }
    return list({ message: alert('success', tr('register.externalDone', { id: values.registration })) }, 200);
  });

  app.get(`${REGISTER_PATH}/giornaliero`, { config: { html: true }, schema: { hide: true, params: TenantParams, querystring: DayQuery } }, async (request, reply) => {
    const staff = admin(request, reply);
    if (!staff) return reply;
    const tenant = requireTenant(request);
    const tr = registerT(request.locale);
    const day = request.query.giorno;
    const base = `/${tenant.slug}${REGISTER_PATH}`;
    if (!closedDay(day, dateInItaly(new Date()))) {
      return sendPage(reply, desk(request, staff, tr('register.daily'), html`${alert('warning', tr('register.dailyFuture'))}<p><a href="${base}">${tr('register.back')}</a></p>`, comune), 400);
    }
    const daily = await dailyOf(tenant.id, day);
    const content = html`<p><a href="${base}">${tr('register.back')}</a></p>
<p>${tr('register.dailyCount', { count: daily.entries })}</p>
${daily.producedAt ? alert('info', tr('register.keptOn', { date: dateTime(request.locale, daily.producedAt) })) : html`<p>${tr('register.notKept')}</p>`}
<dl class="row"><dt class="col-sm-4">${tr('register.dailyHash')}</dt><dd class="col-sm-8"><code>${daily.sha256}</code></dd></dl>
<p><a class="btn btn-primary" href="${base}/giornaliero.pdf?giorno=${day}">${tr('register.dailyDownload')}</a></p>`;
    return sendPage(reply, desk(request, staff, tr('register.dailyOf', { day: dayLabel(request.locale, day) }), content, comune));
  });

  app.get(`${REGISTER_PATH}/giornaliero.pdf`, { config: { html: true }, schema: { hide: true, params: TenantParams, querystring: DayQuery } }, async (request, reply) => {
    const staff = admin(request, reply);
    if (!staff) return reply;
    const day = request.query.giorno;
    if (!closedDay(day, dateInItaly(new Date()))) throw invalid([{ pointer: '/querystring/giorno', code: 'open', detail: 'The daily register of a day is produced once the day is over.' }]);
    const daily = await dailyOf(requireTenant(request).id, day);
    return reply
      .header('content-disposition', attachment(`registro-giornaliero-${day}.pdf`))
      // RFC 9530: the representation's digest, the same SHA-256 the page shows.
      .header('repr-digest', `sha-256=:${Buffer.from(daily.sha256, 'hex').toString('base64')}:`)
      .type('application/pdf')
      .send(daily.pdf);
  });
}
