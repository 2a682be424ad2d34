// The declaration of change of residence made online (the ANPR portal's "cambio di residenza"): step 1 finds
// the comune of the new residence (a GET form: no script, the server lists the matches), step 2 the address
// in its stradario, the family members who move too, and sends it (service.ts declareResidenceChangeOnline:
// dated today, addressed to that comune, 45 days for its checks). Below, the citizen's declarations and
// their state (silence confirms them after 45 days, DL 5/2012 art. 5).
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { checkFormCsrf, redirectTo } from '../../../core/auth/sessions.ts';
import { alert, selectField, textField } from '../../../core/forms.ts';
import { html, type SafeHtml } from '../../../core/html.ts';
import type { App } from '../../../core/http.ts';
import { dataTable } from '../../../core/ui.ts';
import { addDays } from '../../../domain/dates.ts';
import { municipalityByIstat, searchMunicipalities, type Municipality } from '../../../domain/municipalities.ts';
import type { Address } from '../model.ts';
import { HOUSE_NUMBER_PATTERN, SILENCE_DAYS } from '../rules.ts';
import { declareResidenceChangeOnline, listDeclarationsOf, type ResidenceDeclaration } from '../service.ts';
import { personRow } from '../store.ts';
import { stradarioOf } from '../stradario.ts';
import { CITIZEN, csrf } from '../web/layout.ts';
import { checkbox, emptyForm, formProblems, many, myRecord, refusedForm, sendAreaPage, sendNoRecord, type CitizenDeps, type FormState, type MyRecord, type RuleMessages } from './context.ts';
import { addressLabel, dateLabel, personName, relationshipName } from './labels.ts';
import { citizenT, type CitizenT } from './messages.ts';

const PATH = `${CITIZEN}/residenza`;
const HOUSE_NUMBER = new RegExp(HOUSE_NUMBER_PATTERN);

const RULES: RuleMessages = {
  'street-not-in-stradario': { key: 'ruleStreet', field: 'street' },
  'street-name-mismatch': { key: 'ruleStreet', field: 'street' },
  'house-number-not-on-street': { key: 'ruleHouseNumber', field: 'houseNumber' },
  'postcode-mismatch': { key: 'rulePostcode', field: 'postcode' },
  'mover-not-in-family': { key: 'ruleMover', field: 'movers' },
  'unknown-comune': { key: 'ruleComune' },
  'before-current-residence': { key: 'ruleBeforeResidence' },
  deceased: { key: 'ruleDeceased' },
};

interface DeclarationForm {
  street?: string;
  houseNumber?: string;
  interior?: string;
  postcode?: string;
  movers?: string[];
}

/** The fields' own checks (before the registry's rules): what is missing or malformed. */
export function checkDeclarationForm(form: DeclarationForm, tr: CitizenT): FormState['errors'] {
  const errors: FormState['errors'] = {};
  if (!form.street) errors.street = tr('required');
  if (!form.houseNumber?.trim()) errors.houseNumber = tr('required');
  else if (!HOUSE_NUMBER.test(form.houseNumber.trim())) errors.houseNumber = tr('invalidHouseNumber');
  if (form.interior && form.interior.trim().length > 10) errors.interior = tr('invalidInterior');
  if (!form.postcode?.trim()) errors.postcode = tr('required');
  else if (!/^\d{5}$/.test(form.postcode.trim())) errors.postcode = tr('invalidPostcode');
  return errors;
}

/** The address as declared: the street from the comune's stradario (an unknown code is left for the rules to refuse). */
export function declaredAddress(comune: Municipality, form: Required<Omit<DeclarationForm, 'movers' | 'interior'>> & { interior?: string }): Address {
  const street = stradarioOf(comune.istatCode)?.find((s) => s.code === form.street);
  const interior = form.interior?.trim();
  return {
    istatCode: comune.istatCode,
    comune: comune.name,
    province: comune.province,
    postcode: form.postcode.trim(),
    streetCode: form.street,
    species: street?.species ?? 'VIA',
    streetName: street?.name ?? '',
    houseNumber: form.houseNumber.trim().toUpperCase(),
    ...(interior ? { interior } : {}),
  };
}

/** The one postcode of a comune whose streets all share it, to prefill. */
function singlePostcode(istatCode: string): string | undefined {
  const codes = new Set(stradarioOf(istatCode)?.map((s) => s.postcode));
  return codes.size === 1 ? [...codes][0] : undefined;
}

function stepOne(tr: CitizenT, query: string | undefined): SafeHtml {
  const matches = query ? searchMunicipalities(query, 20) : [];
  return html`<h2 class="h4">${tr('resStep1')}</h2>
<form method="get" action="${PATH}" class="mb-4" novalidate>
  ${textField({ name: 'comune', label: tr('fieldComuneName'), value: query, help: tr('comuneHelp'), required: true, autocomplete: 'off' })}
  <button type="submit" class="btn btn-primary">${tr('searchComune')}</button>
</form>
${
  query
    ? matches.length
      ? html`<nav aria-labelledby="matches-title"><h3 id="matches-title" class="h5">${tr('comuneMatches', { query })}</h3>
  <ul class="list-unstyled">${matches.map((m) => html`<li class="mb-2"><a href="${PATH}?istat=${m.istatCode}">${m.name} (${m.province})</a></li>`)}</ul></nav>`
      : alert('warning', tr('noComuneFound', { query }))
    : ''
}`;
}

function stepTwo(request: FastifyRequest, record: MyRecord, comune: Municipality, state: FormState): SafeHtml {
  const { locale } = request;
  const tr = citizenT(locale);
  const v = state.values;
  const others = record.family.filter((m) => m.person.idAnpr !== record.person!.idAnpr);
  const movers = new Set(v.movers?.split(',') ?? []);
  const streets = (stradarioOf(comune.istatCode) ?? []).map((s) => ({ value: s.code, label: `${s.species} ${s.name}` }));
  return html`<h2 class="h4">${tr('resStep2', { comune: `${comune.name} (${comune.province})` })}</h2>
<p><a href="${PATH}">${tr('changeComune')}</a></p>
${formProblems(tr, state)}
<form method="post" action="${PATH}" novalidate>
  ${csrf(request)}
  <input type="hidden" name="istat" value="${comune.istatCode}">
  ${selectField({ name: 'street', label: tr('fieldStreet'), options: [{ value: '', label: tr('chooseStreet') }, ...streets], value: v.street, help: tr('streetHelp'), error: state.errors.street, required: true })}
  ${textField({ name: 'houseNumber', label: tr('fieldHouseNumber'), value: v.houseNumber, help: tr('houseNumberHelp'), error: state.errors.houseNumber, required: true })}
  ${textField({ name: 'interior', label: tr('fieldInterior'), value: v.interior, error: state.errors.interior })}
  ${textField({ name: 'postcode', label: tr('fieldPostcode'), value: v.postcode ?? singlePostcode(comune.istatCode), error: state.errors.postcode, required: true, inputmode: 'numeric', autocomplete: 'postal-code' })}
  <fieldset class="mb-4" id="field-movers" aria-describedby="movers-help${state.errors.movers ? ' movers-error' : ''}">
    <legend class="h6">${tr('moversLegend')}</legend>
    <p id="movers-help" class="form-text">${tr('moversHelp')}</p>
    ${state.errors.movers ? html`<div id="movers-error" class="invalid-feedback d-block">${state.errors.movers}</div>` : ''}
    ${
      others.length
        ? others.map((m) =>
            checkbox({
              name: 'movers',
              value: m.person.idAnpr,
              id: `mover-${m.person.idAnpr}`,
              label: `${personName(m.person)} — ${relationshipName(locale, m.relationship, m.person.sex)}`,
              checked: movers.has(m.person.idAnpr),
            }),
          )
        : html`<p>${tr('noMovers')}</p>`
    }
  </fieldset>
  ${alert('info', tr('declarationDate', { date: dateLabel(locale, record.today) }))}
  <button type="submit" class="btn btn-primary">${tr('declareButton')}</button>
</form>`;
}

function stateText(tr: CitizenT, locale: FastifyRequest['locale'], d: ResidenceDeclaration): string {
  if (d.state === 'rejected') return tr('stateRejected', { date: dateLabel(locale, d.decision!.on), reason: d.decision!.reason ?? '' });
  if (d.state === 'confirmed') return d.decision ? tr('stateConfirmed', { date: dateLabel(locale, d.decision.on) }) : tr('stateSilence');
  return tr('stateDeclared', { date: dateLabel(locale, addDays(d.declaredOn, SILENCE_DAYS)) });
}

async function declarationsTable(deps: CitizenDeps, request: FastifyRequest, record: MyRecord): Promise<SafeHtml> {
  const { locale } = request;
  const tr = citizenT(locale);
  const declarations = await listDeclarationsOf(deps.db, record.person!.idAnpr, record.today);
  const names = new Map<string, string>();
  for (const id of new Set(declarations.flatMap((d) => d.movers))) {
    const row = await personRow(deps.db, id);
    names.set(id, row ? personName({ givenName: row.given_name, familyName: row.family_name }) : id);
  }
  return dataTable(
    tr('declarationsCaption'),
    [tr('columnDeclaredOn'), tr('columnNewAddress'), tr('columnMovers'), tr('columnChannel'), tr('columnState')],
    declarations.map((d) => [
      dateLabel(locale, d.declaredOn),
      addressLabel(d.address),
      d.movers.map((id) => names.get(id)).join(', '),
      d.channel === 'online' ? tr('channelOnline') : tr('channelOffice'),
      stateText(tr, locale, d),
    ]),
    tr('noDeclarations'),
  );
}

async function residencePage(deps: CitizenDeps, request: FastifyRequest, record: MyRecord, form: SafeHtml, notice?: string): Promise<SafeHtml> {
  const tr = citizenT(request.locale);
  return html`<h1>${tr('resTitle')}</h1>
<p class="lead">${tr('resIntro')}</p>
<p>${tr('resSilence')}</p>
${notice ? alert('success', notice) : ''}
<section class="mb-5">${form}</section>
<section aria-labelledby="declarations-title">
  <h2 id="declarations-title" class="h4">${tr('declarationsHeading')}</h2>
  ${await declarationsTable(deps, request, record)}
</section>`;
}

const Query = Type.Object({
  comune: Type.Optional(Type.String({ maxLength: 100 })),
  istat: Type.Optional(Type.String({ maxLength: 6 })),
  inviata: Type.Optional(Type.String({ maxLength: 6 })),
});

const Body = Type.Object({
  istat: Type.String({ maxLength: 6 }),
  street: Type.Optional(Type.String({ maxLength: 20 })),
  houseNumber: Type.Optional(Type.String({ maxLength: 20 })),
  interior: Type.Optional(Type.String({ maxLength: 50 })),
  postcode: Type.Optional(Type.String({ maxLength: 20 })),
  movers: Type.Optional(Type.Array(Type.String({ maxLength: 20 }), { maxItems: 50 })),
});

export function registerResidence(area: App, deps: CitizenDeps): void {
  area.get(PATH, { config: { html: true }, schema: { hide: true, querystring: Query } }, async (request, reply) => {
    const tr = citizenT(request.locale);
    const record = await myRecord(deps, request);
    if (!record.person) return sendNoRecord(request, reply, tr('resTitle'));
    const { comune: query, istat, inviata } = request.query;
    const matches = query ? searchMunicipalities(query, 2) : [];
    const chosen = istat ? municipalityByIstat(istat) : matches.length === 1 ? matches[0] : undefined;
    const form = chosen ? stepTwo(request, record, chosen, emptyForm()) : stepOne(tr, query?.trim() || undefined);
    const sentTo = inviata ? municipalityByIstat(inviata) : undefined;
    return sendAreaPage(request, reply, tr('resTitle'), await residencePage(deps, request, record, form, sentTo ? tr('declared', { comune: sentTo.name }) : undefined));
  });

  area.post(PATH, { config: { html: true }, schema: { hide: true, body: Body } }, async (request, reply) => {
    checkFormCsrf(request, deps.secret);
    const tr = citizenT(request.locale);
    const record = await myRecord(deps, request);
    if (!record.person) return sendNoRecord(request, reply, tr('resTitle'));
    const comune = municipalityByIstat(request.body.istat);
    if (!comune) return redirectTo(reply, PATH);
    const body = { ...request.body, movers: many(request.body.movers) };
    const values = { street: body.street, houseNumber: body.houseNumber, interior: body.interior, postcode: body.postcode, movers: body.movers.join(',') };
    const errors = checkDeclarationForm(body, tr);
    let state: FormState = { values, errors };
    if (!Object.keys(errors).length) {
      try {
        const address = declaredAddress(comune, { street: body.street!, houseNumber: body.houseNumber!, postcode: body.postcode!, interior: body.interior });
        await declareResidenceChangeOnline(deps.db, { fiscalCode: record.citizen.fiscalCode }, { address, movers: body.movers }, { today: record.today, requestId: request.id });
        return redirectTo(reply, `${PATH}?inviata=${comune.istatCode}`);
      } catch (err) {
        state = refusedForm(err, tr, values, RULES, 'ruleOther');
      }
    }
    return sendAreaPage(request, reply, tr('resTitle'), await residencePage(deps, request, record, stepTwo(request, record, comune, state)), state.status ?? 400);
  });
}
