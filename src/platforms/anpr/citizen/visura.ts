// The citizen's visura: their scheda anagrafica today (generalità, birth, citizenships, civil status,
// residence or AIRE) and their famiglia anagrafica; the scheda of each member of that family, and of nobody
// else (anyone outside it is "not found": the page does not tell whether they exist).
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { html, type SafeHtml } from '../../../core/html.ts';
import type { App } from '../../../core/http.ts';
import { notFound } from '../../../core/problem.ts';
import { dataTable } from '../../../core/ui.ts';
import { municipalityByIstat } from '../../../domain/municipalities.ts';
import type { PersonState } from '../model.ts';
import { CITIZEN, sendPage } from '../web/layout.ts';
import { dataRow, myRecord, sendAreaPage, sendNoRecord, type CitizenDeps } from './context.ts';
import { addressLabel, civilStatusName, countryLabel, dateLabel, personName, placeLabel, relationshipName } from './labels.ts';
import { citizenT } from './messages.ts';

export const memberPath = (idAnpr: string) => `${CITIZEN}/famiglia/${idAnpr}`;

/** The scheda: generalità, residence (or AIRE). */
function scheda(request: FastifyRequest, p: PersonState): SafeHtml {
  const { locale } = request;
  const tr = citizenT(locale);
  const aireComune = p.aire ? municipalityByIstat(p.aire.aireIstatCode) : undefined;
  return html`<section aria-labelledby="generalita-title" class="mb-5">
  <h2 id="generalita-title" class="h4">${tr('sectionGeneralita')}</h2>
  <dl>
    ${dataRow(tr('fieldFamilyName'), p.familyName)}
    ${dataRow(tr('fieldGivenName'), p.givenName)}
    ${dataRow(tr('fieldFiscalCode'), p.fiscalCode)}
    ${dataRow(tr('fieldSex'), p.sex === 'F' ? tr('sexF') : tr('sexM'))}
    ${dataRow(tr('fieldBirthDate'), dateLabel(locale, p.birthDate))}
    ${dataRow(tr('fieldBirthPlace'), placeLabel(locale, p.birthPlace, tr))}
    ${dataRow(tr('fieldCitizenship'), p.citizenships.map((c) => countryLabel(locale, c, tr)).join(', '))}
    ${dataRow(tr('fieldCivilStatus'), tr('since', { what: civilStatusName(locale, p.civilStatus.code, p.sex), date: dateLabel(locale, p.civilStatus.since) }))}
    ${dataRow(tr('fieldIdAnpr'), p.idAnpr)}
  </dl>
</section>
<section aria-labelledby="residence-title" class="mb-5">
  <h2 id="residence-title" class="h4">${tr('sectionResidence')}</h2>
  ${
    p.residence
      ? html`<dl>${dataRow(tr('fieldAddress'), addressLabel(p.residence))}${dataRow(tr('fieldResidenceSince'), dateLabel(locale, p.residence.since))}</dl>`
      : html`<p>${tr('noResidence')}</p>`
  }
</section>
${
  p.aire
    ? html`<section aria-labelledby="aire-title" class="mb-5">
  <h2 id="aire-title" class="h4">${tr('sectionAire')}</h2>
  <dl>
    ${dataRow(tr('fieldAireState'), placeLabel(locale, { kind: 'foreign', belfioreCode: p.aire.stateCode, name: p.aire.stateName }, tr))}
    ${dataRow(tr('fieldAireAddress'), `${p.aire.address}, ${p.aire.city}`)}
    ${dataRow(tr('fieldAireComune'), aireComune ? `${aireComune.name} (${aireComune.province})` : p.aire.aireIstatCode)}
    ${p.aire.consulate ? dataRow(tr('fieldAireConsulate'), p.aire.consulate) : ''}
    ${dataRow(tr('fieldAireSince'), dateLabel(locale, p.aire.since))}
  </dl>
</section>`
    : ''
}`;
}

export function registerVisura(area: App, deps: CitizenDeps): void {
  area.get(CITIZEN, { config: { html: true }, schema: { hide: true } }, async (request, reply) => {
    const { locale } = request;
    const tr = citizenT(locale);
    const { person, family, today } = await myRecord(deps, request);
    if (!person) return sendNoRecord(request, reply, tr('visuraTitle'));
    const members = dataTable(
      tr('familyCaption'),
      [tr('columnName'), tr('columnRelationship'), tr('columnBirthDate'), tr('columnFiscalCode'), tr('columnData')],
      family.map((m) => {
        const name = personName(m.person);
        const self = m.person.idAnpr === person.idAnpr;
        return [
          self ? html`${name} <span class="text-muted">(${tr('you')})</span>` : name,
          relationshipName(locale, m.relationship, m.person.sex),
          dateLabel(locale, m.person.birthDate),
          m.person.fiscalCode,
          self ? '' : html`<a href="${memberPath(m.person.idAnpr)}">${tr('viewMember', { name })}</a>`,
        ];
      }),
      tr('noFamily'),
    );
    const main = html`<h1>${tr('visuraTitle')}</h1>
<p class="lead">${tr('visuraIntro', { date: dateLabel(locale, today) })}</p>
${scheda(request, person)}
<section aria-labelledby="family-title">
  <h2 id="family-title" class="h4">${tr('sectionFamily')}</h2>
  <p>${tr('familyIntro')}</p>
  ${members}
</section>`;
    return sendPage(reply, request, { title: tr('visuraTitle'), main, breadcrumb: [{ label: tr('areaTitle') }] });
  });

  area.get(`${CITIZEN}/famiglia/:idAnpr`, { config: { html: true }, schema: { hide: true, params: Type.Object({ idAnpr: Type.String({ maxLength: 20 }) }) } }, async (request, reply) => {
    const { locale } = request;
    const tr = citizenT(locale);
    const { person, family, today } = await myRecord(deps, request);
    const member = person ? family.find((m) => m.person.idAnpr === request.params.idAnpr && m.person.idAnpr !== person.idAnpr) : undefined;
    if (!member) throw notFound(tr('notFound'));
    const name = personName(member.person);
    const title = tr('memberTitle', { name });
    const main = html`<h1>${title}</h1>
<p class="lead">${tr('memberIntro', { relationship: relationshipName(locale, member.relationship, member.person.sex), date: dateLabel(locale, today) })}</p>
${scheda(request, member.person)}
<p><a href="${CITIZEN}">${tr('backToMyData')}</a></p>`;
    return sendAreaPage(request, reply, title, main);
  });
}
