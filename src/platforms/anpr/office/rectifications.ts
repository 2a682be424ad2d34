// Requests to rectify the generalità of the comune's records (from citizens or officers): what would change,
// and the decision. An accepted correction holds ab origine (service.ts recomputes the fiscal code if needed).
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { redirectTo } from '../../../core/auth/sessions.ts';
import { errorSummary, textareaField } from '../../../core/forms.ts';
import { html, type SafeHtml } from '../../../core/html.ts';
import type { App } from '../../../core/http.ts';
import type { Locale } from '../../../core/i18n.ts';
import { dataTable } from '../../../core/ui.ts';
import { birthplaceByBelfiore } from '../../../domain/municipalities.ts';
import { currentPerson, type PersonState } from '../model.ts';
import { decideRectification, listRectifications, type RectificationRequest } from '../service.ts';
import { loadEventsOf } from '../store.ts';
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

  async function list(request: FastifyRequest, reply: FastifyReply, failed?: { id: string; state: FormState }, status = 200) {
    const tr = officeT(request.locale);
    const locale = request.locale;
    const requests = await listRectifications(db, { istatCode: sessionOf(request).istatCode });
    const events = await loadEventsOf(db, [...new Set(requests.map((r) => r.idAnpr))]);
    const decide = (r: RectificationRequest) => {
      const state = failed?.id === r.id ? failed.state : undefined;
      return html`<form method="post" action="${BASE}/${r.id}/accetta" class="mb-2">${csrf(request)}<button type="submit" class="btn btn-success btn-sm">${tr('rectAccept')}</button></form>
${refusalAlert(state)}${errorSummary(state?.errors ?? {}, tr('errorSummary'))}
<form method="post" action="${BASE}/${r.id}/rifiuta" novalidate>${csrf(request)}
  ${textareaField({ name: 'reason', label: tr('rejectReason'), value: state?.values.reason, error: state?.errors.reason, rows: 2, required: true })}
  <button type="submit" class="btn btn-outline-danger btn-sm">${tr('rectReject')}</button></form>`;
    };
    const main = html`<h1>${tr('rectTitle')}</h1><p>${tr('rectIntro')}</p>
${outcomeAlert(tr, (request.query as { esito?: string }).esito, OUTCOMES)}
${dataTable(
  tr('rectTitle'),
  [tr('requestedOn'), tr('name'), tr('rectChanges'), tr('rectMotivation'), tr('state')],
  requests.map((r) => {
    const now = currentPerson(events.get(r.idAnpr) ?? []);
    return [
      dateText(locale, r.requestedOn),
      html`<a href="${OFFICE}/schede/${r.idAnpr}">${now ? `${now.familyName} ${now.givenName}` : r.idAnpr}</a>`,
      requestedChanges(tr, locale, r, now),
      r.motivation,
      r.state === 'pending' ? html`<p>${stateText(tr, locale, r)}</p>${decide(r)}` : stateText(tr, locale, r),
    ];
  }),
  tr('rectNone'),
)}`;
    return sendPage(reply, request, { title: tr('rectTitle'), main }, status);
  }

  office.get(BASE, { config: { html: true }, schema: { hide: true } }, async (request, reply) => list(request, reply));

  async function decide(request: FastifyRequest, reply: FastifyReply, accept: boolean) {
    const tr = officeT(request.locale);
    const { id } = request.params as { id: string };
    const reason = (request.body as { reason?: string } | undefined)?.reason?.trim() || undefined;
    try {
      await decideRectification(db, officerFor(request), { requestId: id, accept, reason, date: today(deps) }, operation(deps, request));
    } catch (err) {
      const r = refusal(err, tr, { reason: 'reason' });
      return list(request, reply, { id, state: { values: { reason }, ...r } }, r.status);
    }
    return redirectTo(reply, `${BASE}?esito=${accept ? 'accettata' : 'respinta'}`);
  }

  office.post(`${BASE}/:id/accetta`, { config: { html: true }, schema: { hide: true, params: Params } }, async (request, reply) => decide(request, reply, true));
  office.post(`${BASE}/:id/rifiuta`, { config: { html: true }, schema: { hide: true, params: Params, body: RejectBody } }, async (request, reply) => decide(request, reply, false));
}
