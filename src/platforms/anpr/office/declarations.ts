// Declarations of change of residence made to the officer's comune: their state against the 45-day deadline
// (DL 5/2012 art. 5: silence confirms them), the detail with declarant, movers and both addresses, and the
// decision after the checks (DPR 223/1989 art. 19): confirm, or reject with a reason while still allowed.
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { redirectTo } from '../../../core/auth/sessions.ts';
import { errorSummary, textareaField } from '../../../core/forms.ts';
import { html } from '../../../core/html.ts';
import type { App } from '../../../core/http.ts';
import type { Locale } from '../../../core/i18n.ts';
import { notFound } from '../../../core/problem.ts';
import { dataTable } from '../../../core/ui.ts';
import { addDays, requireIsoDate, toDayNumber, type IsoDate } from '../../../domain/dates.ts';
import { currentPerson, personAsOf, type AnprEvent } from '../model.ts';
import { SILENCE_DAYS } from '../rules.ts';
import { decideResidenceDeclaration, getResidenceDeclaration, listResidenceDeclarations, type ResidenceDeclaration } from '../service.ts';
import { loadEventsOf } from '../store.ts';
import { csrf, OFFICE, sendPage } from '../web/layout.ts';
import { addressText, dateText, officerFor, operation, outcomeAlert, refusal, refusalAlert, sessionOf, today, type FormState, type OfficeDeps } from './common.ts';
import { officeT, type OfficeT } from './messages.ts';

const BASE = `${OFFICE}/dichiarazioni`;
const Params = Type.Object({ id: Type.String({ maxLength: 40 }) });
const RejectBody = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: true });
const OUTCOMES = { confermata: 'doneConfirmed', respinta: 'doneRejected' } as const;

export const daysBetween = (from: IsoDate, to: IsoDate) => toDayNumber(requireIsoDate(to)) - toDayNumber(requireIsoDate(from));

/** Where a declaration stands on `day`, in plain words: decided, confirmed by silence, or days left to decide. */
export function declarationStateText(tr: OfficeT, locale: Locale, d: ResidenceDeclaration, day: IsoDate): string {
  const deadline = addDays(d.declaredOn, SILENCE_DAYS);
  if (d.decision?.state === 'confirmed') return tr('declConfirmedOn', { date: dateText(locale, d.decision.on) });
  if (d.decision?.state === 'rejected') return tr('declRejectedOn', { date: dateText(locale, d.decision.on), reason: d.decision.reason ?? '' });
  if (d.state === 'confirmed') return tr('declSilence', { date: dateText(locale, deadline) });
  return tr('declPending', { days: daysBetween(day, deadline), date: dateText(locale, deadline) });
}

const nameOf = (events: Map<string, AnprEvent[]>, id: string) => {
  const p = currentPerson(events.get(id) ?? []);
  return p ? `${p.familyName} ${p.givenName}` : id;
};

export function registerDeclarations(office: App, deps: OfficeDeps): void {
  const { db } = deps;

  office.get(BASE, { config: { html: true }, schema: { hide: true } }, async (request, reply) => {
    const tr = officeT(request.locale);
    const day = today(deps);
    const list = await listResidenceDeclarations(db, sessionOf(request).istatCode, day);
    const events = await loadEventsOf(db, [...new Set(list.map((d) => d.declarantId))]);
    const main = html`<h1>${tr('declTitle')}</h1><p>${tr('declIntro', { days: SILENCE_DAYS })}</p>
${dataTable(
  tr('declTitle'),
  [tr('declaredOn'), tr('declarant'), tr('newAddress'), tr('movers'), tr('state')],
  list.map((d) => [
    html`<a href="${BASE}/${d.id}">${dateText(request.locale, d.declaredOn)}</a>`,
    nameOf(events, d.declarantId),
    addressText(d.address),
    String(d.movers.length),
    declarationStateText(tr, request.locale, d, day),
  ]),
  tr('declNone'),
)}`;
    return sendPage(reply, request, { title: tr('declTitle'), main });
  });

  async function detail(request: FastifyRequest, reply: FastifyReply, id: string, reject?: FormState, status = 200) {
    const tr = officeT(request.locale);
    const locale = request.locale;
    const day = today(deps);
    const d = await getResidenceDeclaration(db, id, day);
    if (!d || d.istatCode !== sessionOf(request).istatCode) throw notFound(tr('declNotFound'));
    const events = await loadEventsOf(db, d.movers);
    const before = addDays(d.declaredOn, -1);
    const previous = (mid: string) => {
      const p = personAsOf(events.get(mid) ?? [], before);
      return p?.residence ? addressText(p.residence) : p?.aire ? `${p.aire.city}, ${p.aire.stateName}` : '—';
    };
    const declarant = currentPerson(events.get(d.declarantId) ?? []);
    const open = !d.decision && d.state === 'declared';
    const title = tr('declDetailTitle', { date: dateText(locale, d.declaredOn) });
    const main = html`<h1>${title}</h1>
${outcomeAlert(tr, (request.query as { esito?: string }).esito, OUTCOMES)}${refusalAlert(reject)}
<dl class="row">
  <dt class="col-sm-4">${tr('declarant')}</dt><dd class="col-sm-8"><a href="${OFFICE}/schede/${d.declarantId}">${nameOf(events, d.declarantId)}</a>${declarant ? html` <code>${declarant.fiscalCode}</code>` : ''}</dd>
  <dt class="col-sm-4">${tr('declaredOn')}</dt><dd class="col-sm-8">${dateText(locale, d.declaredOn)}</dd>
  <dt class="col-sm-4">${tr('state')}</dt><dd class="col-sm-8">${declarationStateText(tr, locale, d, day)}</dd>
  <dt class="col-sm-4">${tr('oldAddress')}</dt><dd class="col-sm-8">${previous(d.declarantId)}</dd>
  <dt class="col-sm-4">${tr('newAddress')}</dt><dd class="col-sm-8">${addressText(d.address)}</dd>
  <dt class="col-sm-4">${tr('familyTitle')}</dt><dd class="col-sm-8">${d.familyId}</dd>
</dl>
<h2 class="h4">${tr('movers')}</h2>
${dataTable(tr('movers'), [tr('name'), tr('fiscalCode'), tr('oldAddress')], d.movers.map((m) => [nameOf(events, m), html`<code>${currentPerson(events.get(m) ?? [])?.fiscalCode ?? ''}</code>`, previous(m)]), '—')}
${open
  ? html`<h2 class="h4 mt-4">${tr('declDecide')}</h2><div class="row">
<div class="col-lg-6"><form method="post" action="${BASE}/${d.id}/conferma">${csrf(request)}<p>${tr('declConfirmHelp')}</p><button type="submit" class="btn btn-success">${tr('declConfirm')}</button></form></div>
<div class="col-lg-6">${errorSummary(reject?.errors ?? {}, tr('errorSummary'))}
<form method="post" action="${BASE}/${d.id}/rifiuto" novalidate>${csrf(request)}
  ${textareaField({ name: 'reason', label: tr('rejectReason'), value: reject?.values.reason, error: reject?.errors.reason, help: tr('declRejectHelp'), required: true })}
  <button type="submit" class="btn btn-danger">${tr('declReject')}</button></form></div></div>`
  : !d.decision
    ? html`<p class="mt-4">${tr('declNoLongerRejectable')}</p>`
    : ''}`;
    return sendPage(reply, request, { title, main, breadcrumb: [{ label: tr('declTitle'), href: BASE }, { label: title }] }, status);
  }

  office.get(`${BASE}/:id`, { config: { html: true }, schema: { hide: true, params: Params } }, async (request, reply) => detail(request, reply, (request.params as { id: string }).id));

  async function decide(request: FastifyRequest, reply: FastifyReply, decision: 'confirmed' | 'rejected') {
    const tr = officeT(request.locale);
    const { id } = request.params as { id: string };
    const d = await getResidenceDeclaration(db, id, today(deps));
    if (!d || d.istatCode !== sessionOf(request).istatCode) throw notFound(tr('declNotFound'));
    const reason = (request.body as { reason?: string }).reason?.trim();
    if (decision === 'rejected' && !reason) return detail(request, reply, id, { values: { reason }, errors: { reason: tr('required') } }, 422);
    try {
      await decideResidenceDeclaration(db, officerFor(request), { declarationId: id, decision, date: today(deps), reason }, operation(deps, request));
    } catch (err) {
      const r = refusal(err, tr, { reason: 'reason' });
      return detail(request, reply, id, { values: { reason }, ...r }, r.status);
    }
    return redirectTo(reply, `${BASE}/${id}?esito=${decision === 'confirmed' ? 'confermata' : 'respinta'}`);
  }

  office.post(`${BASE}/:id/conferma`, { config: { html: true }, schema: { hide: true, params: Params } }, async (request, reply) => decide(request, reply, 'confirmed'));
  office.post(`${BASE}/:id/rifiuto`, { config: { html: true }, schema: { hide: true, params: Params, body: RejectBody } }, async (request, reply) => decide(request, reply, 'rejected'));
}
