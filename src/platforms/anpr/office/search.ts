// Search among the residents of the officer's comune (and its AIRE registrants and deceased): by fiscal code,
// by surname (and name), by birth date; paginated. Nobody outside the comune is ever listed.
import { Type } from '@sinclair/typebox';
import { errorSummary, textField, type FieldErrors } from '../../../core/forms.ts';
import { html } from '../../../core/html.ts';
import type { App } from '../../../core/http.ts';
import { sql, type Executor } from '../../../core/db.ts';
import { dataTable, pagination } from '../../../core/ui.ts';
import { isIsoDate } from '../../../domain/dates.ts';
import { SCHEMA } from '../schema.ts';
import { OFFICE, sendPage } from '../web/layout.ts';
import { dateText, fiscalCodeInput, sessionOf, type OfficeDeps } from './common.ts';
import { officeT, statusKey } from './messages.ts';

export const PAGE_SIZE = 20;

export interface SearchCriteria {
  fiscalCode?: string;
  familyName?: string;
  givenName?: string;
  birthDate?: string;
}

export interface SearchHit {
  id_anpr: string;
  fiscal_code: string;
  family_name: string;
  given_name: string;
  birth_date: string;
  status: 'resident' | 'aire' | 'deceased';
}

/** A prefix for LIKE, matched case-insensitively, with the wildcards typed by the user taken literally. */
const prefix = (text: string | undefined) => (text ? `${text.trim().toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null);

export async function searchResidents(db: Executor, istatCode: string, c: SearchCriteria, page: number): Promise<{ hits: SearchHit[]; total: number }> {
  const { rows } = await sql<SearchHit & { total: number }>`
    select id_anpr, fiscal_code, family_name, given_name, birth_date, status, count(*) over ()::int as total
    from ${sql.table(`${SCHEMA}.persons`)}
    where comune_istat = ${istatCode}
      and (${c.fiscalCode ?? null}::text is null or fiscal_code = ${c.fiscalCode ?? null})
      and (${prefix(c.familyName)}::text is null or lower(family_name) like ${prefix(c.familyName)})
      and (${prefix(c.givenName)}::text is null or lower(given_name) like ${prefix(c.givenName)})
      and (${c.birthDate ?? null}::date is null or birth_date = ${c.birthDate ?? null}::date)
    order by family_name, given_name, birth_date, id_anpr
    limit ${PAGE_SIZE} offset ${(page - 1) * PAGE_SIZE}`.execute(db);
  return { hits: rows.map(({ total: _total, ...hit }) => hit), total: rows[0]?.total ?? 0 };
}

const Query = Type.Object(
  {
    cf: Type.Optional(Type.String({ maxLength: 32 })),
    cognome: Type.Optional(Type.String({ maxLength: 100 })),
    nome: Type.Optional(Type.String({ maxLength: 100 })),
    nato: Type.Optional(Type.String({ maxLength: 10 })),
    pagina: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
  },
  { additionalProperties: true },
);

export function registerSearch(office: App, deps: OfficeDeps): void {
  office.get(OFFICE, { config: { html: true }, schema: { hide: true, querystring: Query } }, async (request, reply) => {
    const tr = officeT(request.locale);
    const q = request.query as { cf?: string; cognome?: string; nome?: string; nato?: string; pagina?: number };
    const criteria: SearchCriteria = {
      fiscalCode: fiscalCodeInput(q.cf) || undefined,
      familyName: q.cognome?.trim() || undefined,
      givenName: q.nome?.trim() || undefined,
      birthDate: q.nato?.trim() || undefined,
    };
    const asked = Object.values(criteria).some(Boolean);
    const errors: FieldErrors = {};
    if (criteria.birthDate && !isIsoDate(criteria.birthDate)) errors.nato = tr('invalidDate');
    if (criteria.givenName && !criteria.familyName) errors.cognome = tr('searchNameNeedsSurname');
    const page = q.pagina ?? 1;
    const result = asked && !Object.keys(errors).length ? await searchResidents(deps.db, sessionOf(request).istatCode, criteria, page) : undefined;
    const pages = result ? Math.max(1, Math.ceil(result.total / PAGE_SIZE)) : 1;
    const link = (n: number) => `${OFFICE}?${new URLSearchParams({ ...(q.cf ? { cf: q.cf } : {}), ...(q.cognome ? { cognome: q.cognome } : {}), ...(q.nome ? { nome: q.nome } : {}), ...(q.nato ? { nato: q.nato } : {}), pagina: String(n) })}`;
    const results = result
      ? html`<h2 class="h4 mt-4">${tr('searchResults', { count: result.total })}</h2>
${dataTable(
  tr('searchResults', { count: result.total }),
  [tr('name'), tr('fiscalCode'), tr('birthDate'), tr('status')],
  result.hits.map((h) => [html`<a href="${OFFICE}/schede/${h.id_anpr}">${h.family_name} ${h.given_name}</a>`, html`<code>${h.fiscal_code}</code>`, dateText(request.locale, h.birth_date), tr(statusKey(h.status))]),
  tr('searchNone'),
)}
${pagination({ nav: tr('pagination'), previous: tr('previous'), next: tr('next'), page: (n, all) => tr('pageOf', { page: n, pages: all }) }, page, pages, link)}`
      : html``;
    const comune = sessionOf(request).comuneName;
    const main = html`<h1>${tr('searchTitle', { comune })}</h1><p>${tr('searchIntro')}</p>
${errorSummary(errors, tr('errorSummary'))}
<form method="get" action="${OFFICE}" class="row">
  <div class="col-md-6">${textField({ name: 'cf', label: tr('fiscalCode'), value: q.cf, autocomplete: 'off' })}</div>
  <div class="col-md-6">${textField({ name: 'nato', label: tr('birthDate'), type: 'date', value: q.nato, error: errors.nato })}</div>
  <div class="col-md-6">${textField({ name: 'cognome', label: tr('familyName'), value: q.cognome, error: errors.cognome, autocomplete: 'off' })}</div>
  <div class="col-md-6">${textField({ name: 'nome', label: tr('givenName'), value: q.nome, autocomplete: 'off' })}</div>
  <div class="col-12"><button type="submit" class="btn btn-primary">${tr('search')}</button></div>
</form>
${results}`;
    return sendPage(reply, request, { title: tr('searchTitle', { comune }), main }, Object.keys(errors).length ? 422 : 200);
  });
}
