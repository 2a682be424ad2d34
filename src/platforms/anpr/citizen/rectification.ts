// The request to rectify the generalità (the ANPR portal's "rettifica dati"): which data, the corrected values
// and why; addressed to the comune that keeps the record (service.ts requestRectification), which accepts or
// rejects it. Below, the citizen's requests and their state.
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { checkFormCsrf, redirectTo } from '../../../core/auth/sessions.ts';
import { alert, selectField, textField, textareaField } from '../../../core/forms.ts';
import { html, type SafeHtml } from '../../../core/html.ts';
import type { App } from '../../../core/http.ts';
import type { Locale } from '../../../core/i18n.ts';
import { dataTable } from '../../../core/ui.ts';
import { compareIsoDates, isIsoDate, type IsoDate } from '../../../domain/dates.ts';
import { listForeignStates, municipalityByIstat, searchMunicipalities } from '../../../domain/municipalities.ts';
import { placeOfBelfiore } from '../generator.ts';
import type { PersonState } from '../model.ts';
import { listRectifications, requestRectification, type RectifiableFields, type RectificationRequest } from '../service.ts';
import { CITIZEN, csrf } from '../web/layout.ts';
import { emptyForm, formProblems, myRecord, refusedForm, sendAreaPage, sendNoRecord, type CitizenDeps, type FormState, type MyRecord } from './context.ts';
import { dateLabel, placeLabel } from './labels.ts';
import { citizenT, type CitizenT } from './messages.ts';

const PATH = `${CITIZEN}/rettifica`;
const NAME_MAX = 100;
const MOTIVATION_MAX = 2000;

const key = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * The Belfiore code of a birthplace typed by name: an Italian comune ("Pisa", or "Castro (LE)" among
 * namesakes) or a foreign state ("Argentina"); undefined when none or several match.
 */
export function birthplaceCodeOf(typed: string): string | undefined {
  const m = /^(.*?)\s*(?:\(([A-Za-z]{2})\))?$/.exec(typed.trim())!;
  const name = key(m[1]!);
  if (!name) return undefined;
  const comuni = searchMunicipalities(m[1]!, 50).filter((c) => key(c.name.split('/')[0]!) === name && (!m[2] || c.province === m[2].toUpperCase()));
  if (comuni.length === 1) return comuni[0]!.belfioreCode;
  if (comuni.length > 1) return undefined;
  const states = listForeignStates().filter((s) => !s.ceasedOn && key(s.name) === name);
  return states.length === 1 ? states[0]!.belfioreCode : undefined;
}

interface RectificationForm {
  givenName?: string;
  familyName?: string;
  sex?: string;
  birthDate?: string;
  birthplace?: string;
  motivation?: string;
}

/** The corrections asked for (only values that differ from the record), or the fields' errors. */
export function corrections(form: RectificationForm, current: PersonState, today: IsoDate, tr: CitizenT): { fields: RectifiableFields; errors: FormState['errors'] } {
  const fields: { -readonly [K in keyof RectifiableFields]: RectifiableFields[K] } = {};
  const errors: FormState['errors'] = {};
  for (const name of ['givenName', 'familyName'] as const) {
    const value = form[name]?.trim();
    if (!value) continue;
    if (value.length > NAME_MAX) errors[name] = tr('tooLong', { max: NAME_MAX });
    else if (value.toUpperCase() !== current[name].toUpperCase()) fields[name] = value;
  }
  if ((form.sex === 'M' || form.sex === 'F') && form.sex !== current.sex) fields.sex = form.sex;
  const birthDate = form.birthDate?.trim();
  if (birthDate) {
    if (!isIsoDate(birthDate) || compareIsoDates(birthDate, today) > 0) errors.birthDate = tr('invalidDate');
    else if (birthDate !== current.birthDate) fields.birthDate = birthDate;
  }
  const birthplace = form.birthplace?.trim();
  if (birthplace) {
    const code = birthplaceCodeOf(birthplace);
    if (!code) errors.birthplace = tr('unknownBirthplace');
    else if (code !== current.birthPlace.belfioreCode) fields.birthplaceCode = code;
  }
  const motivation = form.motivation?.trim();
  if (!motivation) errors.motivation = tr('required');
  else if (motivation.length > MOTIVATION_MAX) errors.motivation = tr('tooLong', { max: MOTIVATION_MAX });
  return { fields, errors };
}

function correctionsText(locale: Locale, tr: CitizenT, r: RectificationRequest): string {
  const f = r.fields;
  return [
    f.familyName ? `${tr('fieldFamilyName')}: ${f.familyName}` : '',
    f.givenName ? `${tr('fieldGivenName')}: ${f.givenName}` : '',
    f.sex ? `${tr('fieldSex')}: ${f.sex === 'F' ? tr('sexF') : tr('sexM')}` : '',
    f.birthDate ? `${tr('fieldBirthDate')}: ${dateLabel(locale, f.birthDate)}` : '',
    f.birthplaceCode ? `${tr('fieldBirthPlace')}: ${placeLabel(locale, placeOfBelfiore(f.birthplaceCode), tr)}` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

function stateText(locale: Locale, tr: CitizenT, r: RectificationRequest): string {
  if (r.state === 'accepted') return tr('rectAccepted', { date: dateLabel(locale, r.decidedOn!) });
  if (r.state === 'rejected') return tr('rectRejected', { date: dateLabel(locale, r.decidedOn!), reason: r.reason ?? '' });
  return tr('rectPending');
}

async function rectificationPage(deps: CitizenDeps, request: FastifyRequest, record: MyRecord, state: FormState, notice?: string): Promise<SafeHtml> {
  const { locale } = request;
  const tr = citizenT(locale);
  const p = record.person!;
  const v = state.values;
  const requests = await listRectifications(deps.db, { idAnpr: p.idAnpr });
  const current = (value: string) => tr('currentValue', { value });
  return html`<h1>${tr('rectTitle')}</h1>
<p class="lead">${tr('rectIntro')}</p>
${notice ? alert('success', notice) : ''}
<section aria-labelledby="rect-form-title" class="mb-5">
  <h2 id="rect-form-title" class="h4">${tr('rectFormHeading')}</h2>
  ${formProblems(tr, state)}
  <form method="post" action="${PATH}" novalidate>
    ${csrf(request)}
    <fieldset class="mb-4">
      <legend class="h6">${tr('rectFieldsLegend')}</legend>
      <p class="form-text">${tr('rectFieldsHelp')}</p>
      ${textField({ name: 'familyName', label: tr('rectFamilyName'), value: v.familyName, help: current(p.familyName), error: state.errors.familyName, autocomplete: 'off' })}
      ${textField({ name: 'givenName', label: tr('rectGivenName'), value: v.givenName, help: current(p.givenName), error: state.errors.givenName, autocomplete: 'off' })}
      ${selectField({
        name: 'sex',
        label: tr('rectSex'),
        options: [{ value: '', label: tr('noChange') }, { value: 'M', label: tr('sexM') }, { value: 'F', label: tr('sexF') }],
        value: v.sex,
        help: current(p.sex === 'F' ? tr('sexF') : tr('sexM')),
      })}
      ${textField({ name: 'birthDate', type: 'date', label: tr('rectBirthDate'), value: v.birthDate, help: current(dateLabel(locale, p.birthDate)), error: state.errors.birthDate })}
      ${textField({ name: 'birthplace', label: tr('rectBirthplace'), value: v.birthplace, help: `${tr('rectBirthplaceHelp')} ${current(placeLabel(locale, p.birthPlace, tr))}`, error: state.errors.birthplace, autocomplete: 'off' })}
    </fieldset>
    ${textareaField({ name: 'motivation', label: tr('fieldMotivation'), value: v.motivation, help: tr('motivationHelp'), error: state.errors.motivation, required: true })}
    <button type="submit" class="btn btn-primary">${tr('rectButton')}</button>
  </form>
</section>
<section aria-labelledby="requests-title">
  <h2 id="requests-title" class="h4">${tr('requestsHeading')}</h2>
  ${dataTable(
    tr('requestsCaption'),
    [tr('columnRequestedOn'), tr('columnCorrections'), tr('columnState')],
    requests.map((r) => [dateLabel(locale, r.requestedOn), correctionsText(locale, tr, r), stateText(locale, tr, r)]),
    tr('noRequests'),
  )}
</section>`;
}

const Body = Type.Object({
  givenName: Type.Optional(Type.String({ maxLength: 200 })),
  familyName: Type.Optional(Type.String({ maxLength: 200 })),
  sex: Type.Optional(Type.String({ maxLength: 1 })),
  birthDate: Type.Optional(Type.String({ maxLength: 20 })),
  birthplace: Type.Optional(Type.String({ maxLength: 200 })),
  motivation: Type.Optional(Type.String({ maxLength: 4000 })),
});

export function registerRectification(area: App, deps: CitizenDeps): void {
  area.get(PATH, { config: { html: true }, schema: { hide: true, querystring: Type.Object({ inviata: Type.Optional(Type.String({ maxLength: 6 })) }) } }, async (request, reply) => {
    const tr = citizenT(request.locale);
    const record = await myRecord(deps, request);
    if (!record.person) return sendNoRecord(request, reply, tr('rectTitle'));
    const sentTo = request.query.inviata ? municipalityByIstat(request.query.inviata) : undefined;
    const notice = sentTo ? tr('rectSent', { comune: sentTo.name }) : undefined;
    return sendAreaPage(request, reply, tr('rectTitle'), await rectificationPage(deps, request, record, emptyForm(), notice));
  });

  area.post(PATH, { config: { html: true }, schema: { hide: true, body: Body } }, async (request, reply) => {
    checkFormCsrf(request, deps.secret);
    const tr = citizenT(request.locale);
    const record = await myRecord(deps, request);
    const person = record.person;
    if (!person) return sendNoRecord(request, reply, tr('rectTitle'));
    const { fields, errors } = corrections(request.body, person, record.today, tr);
    let state: FormState = { values: request.body, errors };
    if (!Object.keys(errors).length) {
      if (!Object.keys(fields).length) {
        state = { values: request.body, errors: {}, message: tr('nothingToCorrect') };
      } else {
        try {
          const saved = await requestRectification(deps.db, { idAnpr: person.idAnpr, fields, motivation: request.body.motivation!.trim(), requestedBy: record.citizen.fiscalCode, date: record.today });
          return redirectTo(reply, `${PATH}?inviata=${saved.istatCode}`);
        } catch (err) {
          state = refusedForm(err, tr, request.body, { 'no-fields': { key: 'nothingToCorrect' } }, 'requestRefused');
        }
      }
    }
    return sendAreaPage(request, reply, tr('rectTitle'), await rectificationPage(deps, request, record, state), state.status ?? 400);
  });
}
