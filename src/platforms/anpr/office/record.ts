// The scheda anagrafica of a resident of the officer's comune: as it is today or as it was on a chosen day
// (?al=YYYY-MM-DD), the family with relationships, the contacts the citizen gave, the full history; and,
// from it, the registration of a death and of a change of civil status (one service.ts call each).
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { redirectTo } from '../../../core/auth/sessions.ts';
import { errorSummary, selectField, textField } from '../../../core/forms.ts';
import { html, type SafeHtml } from '../../../core/html.ts';
import type { App } from '../../../core/http.ts';
import { dataTable } from '../../../core/ui.ts';
import { isIsoDate } from '../../../domain/dates.ts';
import { listMunicipalities, municipalityByIstat } from '../../../domain/municipalities.ts';
import { CIVIL_STATUS_CODES, isCivilStatusCode, MARRIED, type CivilStatusCode } from '../codes.ts';
import { contactsOf, currentPerson, personAsOf, type PersonState } from '../model.ts';
import { changeCivilStatus, registerDeath } from '../service.ts';
import { idByFiscalCode, loadEvents, loadEventsOf, readFamilyAsOf } from '../store.ts';
import { csrf, OFFICE, sendPage } from '../web/layout.ts';
import {
  addressText,
  citizenshipText,
  comuneText,
  dateError,
  dateText,
  fiscalCodeInput,
  officerFor,
  operation,
  outcomeAlert,
  placeText,
  recordInComune,
  refusal,
  refusalAlert,
  sessionOf,
  today,
  type FormState,
  type OfficeDeps,
} from './common.ts';
import { historyRows, referencedIds } from './history.ts';
import { civilStatusLabel, officeT, relationshipLabel, statusKey, type OfficeT } from './messages.ts';

const Params = Type.Object({ idAnpr: Type.String({ maxLength: 20 }) });
const Query = Type.Object({ al: Type.Optional(Type.String({ maxLength: 10 })), esito: Type.Optional(Type.String({ maxLength: 20 })) }, { additionalProperties: true });
const DeathBody = Type.Object({ deathDate: Type.Optional(Type.String({ maxLength: 10 })), deathPlace: Type.Optional(Type.String({ maxLength: 100 })) }, { additionalProperties: true });
const CivilBody = Type.Object(
  { civilStatus: Type.Optional(Type.String({ maxLength: 2 })), spouse: Type.Optional(Type.String({ maxLength: 32 })), civilDate: Type.Optional(Type.String({ maxLength: 10 })) },
  { additionalProperties: true },
);

const OUTCOMES = { decesso: 'doneDeath', 'stato-civile': 'doneCivilStatus', nascita: 'doneBirth' } as const;
/** Statuses a person can move to (1, celibe/nubile, is the status at birth only). */
const NEW_STATUSES = (Object.keys(CIVIL_STATUS_CODES) as CivilStatusCode[]).filter((c) => c !== '1');
/** Marriage and civil union name the other party. */
const NEEDS_SPOUSE: readonly CivilStatusCode[] = [MARRIED, '6'];

/** A comune typed by name ("Vicopisano") or ISTAT code: the ISTAT code, or undefined when none or ambiguous. */
export function comuneOfInput(text: string): string | undefined {
  const t = text.trim();
  if (/^\d{6}$/.test(t)) return municipalityByIstat(t)?.istatCode;
  const matches = listMunicipalities().filter((m) => m.name.toLowerCase() === t.toLowerCase());
  return matches.length === 1 ? matches[0]!.istatCode : undefined;
}

interface RecordForms {
  asOf?: string;
  death?: FormState;
  civil?: FormState;
}

const dl = (rows: readonly (readonly [string, SafeHtml | string])[]) =>
  html`<dl class="row">${rows.map(([k, v]) => html`<dt class="col-sm-4">${k}</dt><dd class="col-sm-8">${v}</dd>`)}</dl>`;

function schedaList(tr: OfficeT, request: FastifyRequest, p: PersonState, names: ReadonlyMap<string, string>): SafeHtml {
  const locale = request.locale;
  const who = (id: string | null) => (id ? html`<a href="${OFFICE}/schede/${id}">${names.get(id) ?? id}</a>` : '—');
  return dl([
    [tr('familyName'), p.familyName],
    [tr('givenName'), p.givenName],
    [tr('fiscalCode'), html`<code>${p.fiscalCode}</code>`],
    [tr('sex'), tr(p.sex === 'M' ? 'sexM' : 'sexF')],
    [tr('birthDate'), dateText(locale, p.birthDate)],
    [tr('birthPlace'), placeText(p.birthPlace)],
    [tr('citizenship'), citizenshipText(locale, p.citizenships)],
    [tr('civilStatus'), `${civilStatusLabel(locale, p.civilStatus.code)} (${tr('since', { date: dateText(locale, p.civilStatus.since) })})`],
    [tr('spouse'), who(p.spouseId)],
    [tr('father'), who(p.fatherId)],
    [tr('mother'), who(p.motherId)],
    [tr('status'), tr(statusKey(p.status))],
    [tr('registeredOn'), `${dateText(locale, p.registeredOn)} — ${tr(`evRegistered_${p.registrationReason}`)}`],
    [tr('residence'), p.residence ? `${addressText(p.residence)} (${tr('since', { date: dateText(locale, p.residence.since) })})` : '—'],
    ...(p.aire ? [[tr('aire'), `${p.aire.address}, ${p.aire.city}, ${p.aire.stateName} (${tr('since', { date: dateText(locale, p.aire.since) })})`] as const] : []),
    ...(p.deathDate ? [[tr('deathDate'), dateText(locale, p.deathDate)] as const] : []),
    [tr('idAnpr'), html`<code>${p.idAnpr}</code>`],
  ]);
}

/** One operation on the scheda: its form in a titled section, shown again with what was wrong. */
function operationForm(
  tr: OfficeT,
  request: FastifyRequest,
  op: { id: string; title: string; action: string; submit: string; danger?: boolean; state: FormState | undefined },
  fields: (values: FormState['values'], errors: FormState['errors']) => SafeHtml,
): SafeHtml {
  const errors = op.state?.errors ?? {};
  return html`<section aria-labelledby="${op.id}-title" class="mb-4"><h3 class="h5" id="${op.id}-title">${op.title}</h3>
${refusalAlert(op.state)}${errorSummary(errors, tr('errorSummary'))}
<form method="post" action="${op.action}" novalidate>${csrf(request)}
  ${fields(op.state?.values ?? {}, errors)}
  <button type="submit" class="btn ${op.danger ? 'btn-danger' : 'btn-primary'}">${op.submit}</button>
</form></section>`;
}

const deathForm = (tr: OfficeT, request: FastifyRequest, idAnpr: string, state: FormState | undefined) =>
  operationForm(tr, request, { id: 'death', title: tr('deathTitle'), action: `${OFFICE}/schede/${idAnpr}/decesso`, submit: tr('deathSubmit'), danger: true, state }, (v, e) => html`
  ${textField({ name: 'deathDate', label: tr('deathDate'), type: 'date', value: v.deathDate, error: e.deathDate, required: true })}
  ${textField({ name: 'deathPlace', label: tr('deathPlace'), value: v.deathPlace ?? sessionOf(request).comuneName, error: e.deathPlace, help: tr('deathPlaceHelp'), required: true })}`);

const civilForm = (tr: OfficeT, request: FastifyRequest, idAnpr: string, state: FormState | undefined) =>
  operationForm(tr, request, { id: 'civil', title: tr('civilTitle'), action: `${OFFICE}/schede/${idAnpr}/stato-civile`, submit: tr('civilSubmit'), state }, (v, e) => html`
  ${selectField({ name: 'civilStatus', label: tr('newCivilStatus'), value: v.civilStatus, error: e.civilStatus, required: true, options: NEW_STATUSES.map((c) => ({ value: c, label: civilStatusLabel(request.locale, c) })) })}
  ${textField({ name: 'spouse', label: tr('spouseFiscalCode'), value: v.spouse, error: e.spouse, help: tr('spouseHelp'), autocomplete: 'off' })}
  ${textField({ name: 'civilDate', label: tr('civilDate'), type: 'date', value: v.civilDate, error: e.civilDate, required: true })}`);

export function registerRecord(office: App, deps: OfficeDeps): void {
  const { db } = deps;

  async function render(request: FastifyRequest, reply: FastifyReply, idAnpr: string, forms: RecordForms, status = 200) {
    const tr = officeT(request.locale);
    const locale = request.locale;
    await recordInComune(db, request, idAnpr);
    const events = await loadEvents(db, idAnpr);
    const day = today(deps);
    const asOfError = forms.asOf !== undefined && !isIsoDate(forms.asOf) ? tr('invalidDate') : undefined;
    const asOf = forms.asOf && !asOfError ? forms.asOf : undefined;
    const state = asOf ? personAsOf(events, asOf) : (personAsOf(events, day) ?? currentPerson(events));
    const current = personAsOf(events, day) ?? currentPerson(events)!;
    const family = state?.family && state.status !== 'deceased' ? await readFamilyAsOf(db, state.family.familyId, asOf ?? day) : [];
    const ids = [...referencedIds(events), ...(state ? [state.spouseId, state.fatherId, state.motherId] : [])].filter((x): x is string => !!x);
    const names = new Map([...(await loadEventsOf(db, [...new Set(ids)])).entries()].flatMap(([id, evs]) => {
      const p = currentPerson(evs);
      return p ? [[id, `${p.familyName} ${p.givenName}`] as const] : [];
    }));
    const contacts = contactsOf(events);
    const title = `${current.familyName} ${current.givenName}`;
    const history = historyRows(events, locale, names);
    const main = html`<h1>${title} <small class="text-muted h4"><code>${current.fiscalCode}</code></small></h1>
${outcomeAlert(tr, (request.query as { esito?: string }).esito, OUTCOMES)}
<form method="get" action="${OFFICE}/schede/${idAnpr}" class="row align-items-end mb-4" aria-label="${tr('asOfLabel')}">
  <div class="col-md-5">${textField({ name: 'al', label: tr('asOfDate'), type: 'date', value: forms.asOf, error: asOfError, help: tr('asOfHelp') })}</div>
  <div class="col-md-7 mb-3"><button type="submit" class="btn btn-outline-primary">${tr('asOfSubmit')}</button>
  ${asOf ? html` <a href="${OFFICE}/schede/${idAnpr}">${tr('asOfBack')}</a>` : ''}</div>
</form>
<section aria-labelledby="scheda-title"><h2 class="h4" id="scheda-title">${asOf ? tr('schedaAsOf', { date: dateText(locale, asOf) }) : tr('schedaToday')}</h2>
${state ? schedaList(tr, request, state, names) : html`<p>${tr('notRegisteredOn', { date: dateText(locale, asOf!) })}</p>`}</section>
<section aria-labelledby="family-title"><h2 class="h4" id="family-title">${tr('familyTitle')}${state?.family && family.length ? html` <small class="text-muted">${state.family.familyId}</small>` : ''}</h2>
${dataTable(
  tr('familyTitle'),
  [tr('relationship'), tr('name'), tr('fiscalCode'), tr('birthDate')],
  family.map((m) => [relationshipLabel(locale, m.relationship), m.person.idAnpr === idAnpr ? `${m.person.familyName} ${m.person.givenName}` : html`<a href="${OFFICE}/schede/${m.person.idAnpr}">${m.person.familyName} ${m.person.givenName}</a>`, html`<code>${m.person.fiscalCode}</code>`, dateText(locale, m.person.birthDate)]),
  tr('familyNone'),
)}</section>
<section aria-labelledby="contacts-title"><h2 class="h4" id="contacts-title">${tr('contactsTitle')}</h2>
${contacts ? dl([[tr('email'), contacts.email ?? '—'], [tr('phone'), contacts.phone ?? '—'], [tr('contactsSince'), dateText(locale, contacts.since)]]) : html`<p>${tr('contactsNone')}</p>`}</section>
<section aria-labelledby="history-title"><h2 class="h4" id="history-title">${tr('historyTitle')}</h2>
${dataTable(tr('historyTitle'), [tr('effectiveDate'), tr('event'), tr('recordedAt'), tr('recordedBy')], history.map((h) => [h.effective, h.what, h.recordedAt, h.recordedBy]), tr('historyNone'))}</section>
${current.status !== 'deceased'
  ? html`<section aria-labelledby="ops-title" class="mt-4"><h2 class="h4" id="ops-title">${tr('operationsTitle')}</h2>
<div class="row"><div class="col-lg-6">${civilForm(tr, request, idAnpr, forms.civil)}</div><div class="col-lg-6">${deathForm(tr, request, idAnpr, forms.death)}</div></div></section>`
  : ''}`;
    return sendPage(reply, request, { title, main, breadcrumb: [{ label: tr('searchCrumb'), href: OFFICE }, { label: title }] }, status);
  }

  office.get(`${OFFICE}/schede/:idAnpr`, { config: { html: true }, schema: { hide: true, params: Params, querystring: Query } }, async (request, reply) => {
    const { idAnpr } = request.params as { idAnpr: string };
    const { al } = request.query as { al?: string };
    return render(request, reply, idAnpr, { asOf: al || undefined });
  });

  office.post(`${OFFICE}/schede/:idAnpr/decesso`, { config: { html: true }, schema: { hide: true, params: Params, body: DeathBody } }, async (request, reply) => {
    const tr = officeT(request.locale);
    const { idAnpr } = request.params as { idAnpr: string };
    const values = request.body as { deathDate?: string; deathPlace?: string };
    await recordInComune(db, request, idAnpr);
    const placeIstatCode = values.deathPlace ? comuneOfInput(values.deathPlace) : undefined;
    const errors = Object.fromEntries(
      Object.entries({ deathDate: dateError(tr, values.deathDate), deathPlace: !values.deathPlace?.trim() ? tr('required') : placeIstatCode ? undefined : tr('ruleUnknownPlace') }).filter(([, m]) => m),
    ) as Record<string, string>;
    if (Object.keys(errors).length) return render(request, reply, idAnpr, { death: { values, errors } }, 422);
    try {
      await registerDeath(db, officerFor(request), { idAnpr, date: values.deathDate!, placeIstatCode }, operation(deps, request));
    } catch (err) {
      const r = refusal(err, tr, { date: 'deathDate', placeIstatCode: 'deathPlace' });
      return render(request, reply, idAnpr, { death: { values, ...r } }, r.status);
    }
    return redirectTo(reply, `${OFFICE}/schede/${idAnpr}?esito=decesso`);
  });

  office.post(`${OFFICE}/schede/:idAnpr/stato-civile`, { config: { html: true }, schema: { hide: true, params: Params, body: CivilBody } }, async (request, reply) => {
    const tr = officeT(request.locale);
    const { idAnpr } = request.params as { idAnpr: string };
    const values = request.body as { civilStatus?: string; spouse?: string; civilDate?: string };
    await recordInComune(db, request, idAnpr);
    const code = values.civilStatus && isCivilStatusCode(values.civilStatus) ? values.civilStatus : undefined;
    const spouseCode = fiscalCodeInput(values.spouse);
    const spouseId = spouseCode ? await idByFiscalCode(db, spouseCode) : undefined;
    const errors: Record<string, string> = {};
    if (!code) errors.civilStatus = tr('required');
    if (code && NEEDS_SPOUSE.includes(code) && !spouseCode) errors.spouse = tr('spouseRequired');
    else if (spouseCode && (!spouseId || spouseId === idAnpr)) errors.spouse = tr('spouseUnknown');
    const dateMessage = dateError(tr, values.civilDate);
    if (dateMessage) errors.civilDate = dateMessage;
    if (Object.keys(errors).length) return render(request, reply, idAnpr, { civil: { values, errors } }, 422);
    try {
      await changeCivilStatus(db, officerFor(request), { idAnpr, civilStatus: code!, date: values.civilDate!, spouseId: code && NEEDS_SPOUSE.includes(code) ? spouseId : null }, operation(deps, request));
    } catch (err) {
      const r = refusal(err, tr, { date: 'civilDate', civilStatus: 'civilStatus' });
      return render(request, reply, idAnpr, { civil: { values, ...r } }, r.status);
    }
    return redirectTo(reply, `${OFFICE}/schede/${idAnpr}?esito=stato-civile`);
  });
}
