// The citizen's data in plain words, in the page's language: dates, places, addresses, citizenships and the
// ANPR code tables (read by sex: "Coniugata", "Figlio").
import { formatCalendarDate, formatItalianTime, type Locale } from '../../../core/i18n.ts';
import type { IsoDate } from '../../../domain/dates.ts';
import type { Sex } from '../../../domain/fiscal-code.ts';
import { foreignStateByCode } from '../../../domain/municipalities.ts';
import { genderedLabel } from '../certificates/content.ts';
import type { CivilStatusCode, RelationshipCode } from '../codes.ts';
import type { Address, Place } from '../model.ts';
import { codeT, type CitizenT } from './messages.ts';

export const dateLabel = (locale: Locale, date: IsoDate): string => formatCalendarDate(locale, date);

/** An instant as the citizen lives it (Italian time). */
export const instantLabel = (locale: Locale, instant: string): string => formatItalianTime(locale, new Date(instant), 'medium', 'short');

/** A state's name in the page's language from its ISO 3166 code; ANPR codes statelessness as "ZZ". */
export function countryLabel(locale: Locale, iso: string, tr: CitizenT): string {
  if (iso === 'ZZ') return tr('stateless');
  return new Intl.DisplayNames([locale], { type: 'region', fallback: 'code' }).of(iso) ?? iso;
}

/** "Pisa (PI)", or the foreign state (and locality) in the page's language. */
export function placeLabel(locale: Locale, place: Place, tr: CitizenT): string {
  if (place.kind === 'comune') return `${place.name} (${place.province})`;
  const iso = foreignStateByCode(place.belfioreCode)?.iso3166Alpha2;
  const state = iso ? countryLabel(locale, iso, tr) : place.name;
  return place.locality ? `${place.locality}, ${state}` : state;
}

/** "VIA Roma 15, int. 3 — 56000 Bugliano (PI)". */
export const addressLabel = (a: Address): string =>
  `${a.species} ${a.streetName} ${a.houseNumber}${a.interior ? `, int. ${a.interior}` : ''} — ${a.postcode} ${a.comune} (${a.province})`;

export const civilStatusName = (locale: Locale, code: CivilStatusCode, sex: Sex) => genderedLabel(codeT(locale)(`civil.${code}`), sex);
export const relationshipName = (locale: Locale, code: RelationshipCode, sex: Sex) => genderedLabel(codeT(locale)(`rel.${code}`), sex);

export const personName = (p: { givenName: string; familyName: string }) => `${p.givenName} ${p.familyName}`;
