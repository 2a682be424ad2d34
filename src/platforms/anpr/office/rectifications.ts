// Requests to rectify the generalità of the comune's records (from citizens or officers): the list, each with
// what would change, and the decision on its own page. An accepted correction holds ab origine (service.ts recomputes the fiscal code if needed).
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { redirectTo } from '../../../core/auth/sessions.ts';
import { errorSummary, textareaField } from '../../../core/forms.ts';
import { html, type SafeHtml } from '../../../core/html.ts';
import type { App } from '../../../core/http.ts';
import type { Locale } from '../../../core/i18n.ts';
import { notFound } from '../../../core/problem.ts';
import { dataTable } from '../../../core/ui.ts';
import { birthplaceByBelfiore } from '../../../domain/municipalities.ts';
import { currentPerson, type PersonState } from '../model.ts';
import { decideRectification, getRectification, listRectifications, type RectificationRequest } from '../service.ts';
import { loadEvents, loadEventsOf } from '../store.ts';
import { csrf, OFFICE, sendPage } from '../web/layout.ts';
import { dateText, officerFor, operation, outcomeAlert, placeText, refusal, refusalAlert, sessionOf, today, type FormState, type OfficeDeps } from './common.ts';
import { officeT, type OfficeT } from './messages.ts';

const BASE = `${OFFICE}/rettifiche`;
const Params = Type.Object({ id: Type.String({ maxLength: 40 }) });
const RejectBody = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: true });
const OUTCOMES = { accettata: 'doneRectificationAccepted', respinta: 'doneRectificationRejected' } as const;

const birthplaceName = (code: string) => {
  const b = birthplaceByBelfiore(code);
  return b ? (b.kind === 'foreign-state' ? b.name : `${b.name} (${b.province})`) : code;
};

/** Each requested correction as "field: now → requested". */
export function requestedChanges(tr: OfficeT, locale: Locale, r: RectificationRequest, now: PersonState | undefined): SafeHtml {
  const f = r.fields;
  const sex = (s: 'M' | 'F') => tr(s === 'M' ? 'sexM' : 'sexF');
  const rows: [string, string | undefined, string][] = [];
  if (f.givenName) rows.push([tr('givenName'), now?.givenName, f.givenName]);
  if (f.familyName) rows.push([tr('familyName'), now?.familyName, f.familyName]);
  if (f.sex) rows.push([tr('sex'), now && sex(now.sex), sex(f.sex)]);
  if (f.birthDate) rows.push([tr('birthDate'), now && dateText(locale, now.birthDate), dateText(locale, f.birthDate)]);
  if (f.birthplaceCode) rows.push([tr('birthPlace'), now && placeText(now.birthPlace), birthplaceName(f.birthplaceCode)]);
  return html`<ul class="list-unstyled mb-0">${rows.map(([label, from, to]) => html`<li>${label}: ${from ?? '—'} → <strong>${to}</strong></li>`)}</ul>`;
}

function stateText(tr: OfficeT, locale: Locale, r: RectificationRequest): string {
  if (r.state === 'accepted') return tr('rectAcceptedOn', { date: dateText(locale, r.decidedOn) });
  if (r.state === 'rejected') return tr('rectRejectedOn', { date: dateText(locale, r.decidedOn), reason: r.reason ?? '' });
  return tr('rectPending');
}

export function registerRectifications(office: App, deps: OfficeDeps): void {
  const { db } = deps;

  office.get(BASE, { config: { html: true }, schema: { hide: true } }, async (request, reply) => {
    const tr = officeT(request.locale);
    const locale = request.locale;
    const requests = await listRectifications(db, { istatCode: sessionOf(request).istatCode });
    const events = await loadEventsOf(db, [...new Set(requests.map((r) => r.idAnpr))]);
    const main = html`<h1>${tr('rectTitle')}</h1><p>${tr('rectIntro')}</p>
${dataTable(
  tr('rectTitle'),
  [tr('requestedOn'), tr('name'), tr('rectChanges'), tr('state')],
  requests.map((r) => {
    const now = currentPerson(events.get(r.idAnpr) ?? []);
    return [html`<a href="${BASE}/${r.id}">${dateText(locale, r.requestedOn)}</a>`, now ? `${now.familyName} ${now.givenName}` : r.idAnpr, requestedChanges(tr, locale, r, now), stateText(tr, locale, r)];
  }),
  tr('rectNone'),
)}`;
    return sendPage(reply, request, { title: tr('rectTitle'), main });
  });

  /** One request of the comune, else "not found". */
  async function requestOf(request: FastifyRequest, id: string): Promise<RectificationRequest> {
    const r = await getRectification(db, id);
    if (!r || r.istatCode !== sessionOf(request).istatCode) throw notFound(officeT(request.locale)('rectNotFound'));
    return r;
  }

  async function detail(request: FastifyRequest, reply: FastifyReply, id: string, reject?: FormState, status = 200) {
    const tr = officeT(request.locale);
    const locale = request.locale;
    const r = await requestOf(request, id);
    const now = currentPerson(await loadEvents(db, r.idAnpr));
    const title = tr('rectDetailTitle', { date: dateText(locale, r.requestedOn) });
    const main = html`<h1>${title}</h1>
${outcomeAlert(tr, (request.query as { esito?: string }).esito, OUTCOMES)}${refusalAlert(reject)}
<dl class="row">
  <dt class="col-sm-4">${tr('name')}</dt><dd class="col-sm-8"><a href="${OFFICE}/schede/${r.idAnpr}">${now ? `${now.familyName} ${now.givenName}` : r.idAnpr}</a>${now ? html` <code>${now.fiscalCode}</code>` : ''}</dd>
  <dt class="col-sm-4">${tr('requestedOn')}</dt><dd class="col-sm-8">${dateText(locale, r.requestedOn)}</dd>
  <dt class="col-sm-4">${tr('rectChanges')}</dt><dd class="col-sm-8">${requestedChanges(tr, locale, r, now)}</dd>
  <dt class="col-sm-4">${tr('rectMotivation')}</dt><dd class="col-sm-8">${r.motivation}</dd>
  <dt class="col-sm-4">${tr('state')}</dt><dd class="col-sm-8">${stateText(tr, locale, r)}</dd>
</dl>
${r.state === 'pending'
  ? html`<h2 class="h4 mt-4">${tr('rectDecide')}</h2><div class="row">
<div class="col-lg-6"><form method="post" action="${BASE}/${r.id}/accetta">${csrf(request)}<p>${tr('rectAcceptHelp')}</p><button type="submit" class="btn btn-success">${tr('rectAccept')}</button></form></div>
<div class="col-lg-6">${errorSummary(reject?.errors ?? {}, tr('errorSummary'))}
<form method="post" action="${BASE}/${r.id}/rifiuta" novalidate>${csrf(request)}
  ${textareaField({ name: 'reason', label: tr('rejectReason'), value: reject?.values.reason, error: reject?.errors.reason, required: true })}
  <button type="submit" class="btn btn-danger">${tr('rectReject')}</button></form></div></div>`
  : ''}`;
    return sendPage(reply, request, { title, main, breadcrumb: [{ label: tr('rectTitle'), href: BASE }, { label: title }] }, status);
  }

  office.get(`${BASE}/:id`, { config: { html: true }, schema: { hide: true, params: Params } }, async (request, reply) => detail(request, reply, (request.params as { id: string }).id));

  async function decide(request: FastifyRequest, reply: FastifyReply, accept: boolean) {
    const tr = officeT(request.locale);
    const { id } = request.params as { id: string };
    await requestOf(request, id);
    const reason = (request.body as { reason?: string } | undefined)?.reason?.trim() || undefined;
    try {
      await decideRectification(db, officerFor(request), { requestId: id, accept, reason, date: today(deps) }, operation(deps, request));
    } catch (err) {
      const r = refusal(err, tr, { reason: 'reason' });
      return detail(request, reply, id, { values: { reason }, ...r }, r.status);
    }
    return redirectTo(reply, `${BASE}/${id}?esito=${accept ? 'accettata' : 'respinta'}`);
  }

  office.post(`${BASE}/:id/accetta`, { config: { html: true }, schema: { hide: true, params: Params } }, async (request, reply) => decide(request, reply, true));
  office.post(`${BASE}/:id/rifiuta`, { config: { html: true }, schema: { hide: true, params: Params, body: RejectBody } }, async (request, reply) => decide(request, reply, false));
}
