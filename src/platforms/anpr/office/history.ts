// The history of a scheda in plain words: each event with its effective date, when and by whom it was
// recorded. Annulled changes of residence stay listed (the record is append-only) and are marked.
import { html, type SafeHtml } from '../../../core/html.ts';
import type { Locale } from '../../../core/i18n.ts';
import type { AnprEvent, Generalita } from '../model.ts';
import { OFFICE } from '../web/layout.ts';
import { addressText, citizenshipText, comuneText, dateText, instantText, placeText } from './common.ts';
import { civilStatusLabel, officeT, relationshipLabel, type OfficeT } from './messages.ts';

export interface HistoryRow {
  effective: string;
  what: SafeHtml;
  recordedAt: string;
  recordedBy: string;
}

/** Names of the people the events refer to (spouses, parents), by idANPR. */
export type Names = ReadonlyMap<string, string>;

const personLink = (names: Names, id: string | null | undefined) => (id ? html`<a href="${OFFICE}/schede/${id}">${names.get(id) ?? id}</a>` : html``);

function rectifiedText(tr: OfficeT, locale: Locale, fields: Partial<Generalita>): string {
  const parts: string[] = [];
  if (fields.givenName) parts.push(`${tr('givenName')}: ${fields.givenName}`);
  if (fields.familyName) parts.push(`${tr('familyName')}: ${fields.familyName}`);
  if (fields.sex) parts.push(`${tr('sex')}: ${tr(fields.sex === 'M' ? 'sexM' : 'sexF')}`);
  if (fields.birthDate) parts.push(`${tr('birthDate')}: ${dateText(locale, fields.birthDate)}`);
  if (fields.birthPlace) parts.push(`${tr('birthPlace')}: ${placeText(fields.birthPlace)}`);
  if (fields.fiscalCode) parts.push(`${tr('fiscalCode')}: ${fields.fiscalCode}`);
  return parts.join('; ');
}

export function describeEvent(e: AnprEvent, locale: Locale, names: Names, annulled: ReadonlySet<string>): SafeHtml {
  const tr = officeT(locale);
  const family = (f: { familyId: string; relationship: string }) => tr('evFamily', { relationship: relationshipLabel(locale, f.relationship), family: f.familyId });
  switch (e.type) {
    case 'registered': {
      const reason = tr(`evRegistered_${e.reason}`);
      const where = e.residence ? html` — ${tr('evResidenceAt', { address: addressText(e.residence) })}` : e.aire ? html` — ${e.aire.city}, ${e.aire.stateName}` : html``;
      return html`<strong>${reason}</strong>${where}${e.family ? html`; ${family(e.family)}` : ''}`;
    }
    case 'civil-status-changed':
      return html`<strong>${tr('evCivilStatus', { status: civilStatusLabel(locale, e.civilStatus) })}</strong>${e.spouseId ? html` ${tr('evWith')} ${personLink(names, e.spouseId)}` : ''}`;
    case 'residence-changed':
      return html`<strong>${tr('evResidenceChanged')}</strong>: ${addressText(e.address)}; ${family(e.family)}${e.declarationId && annulled.has(e.declarationId) ? html` <span class="badge bg-secondary">${tr('evAnnulledBadge')}</span>` : ''}`;
    case 'residence-change-annulled':
      return html`<strong>${tr('evResidenceAnnulled')}</strong>: ${e.reason}`;
    case 'family-changed':
      return html`<strong>${tr('evFamilyChanged')}</strong>: ${family(e)}`;
    case 'aire-registered':
      return html`<strong>${tr('evAire')}</strong>: ${e.aire.address}, ${e.aire.city}, ${e.aire.stateName}`;
    case 'citizenship-changed':
      return html`<strong>${tr('evCitizenship')}</strong>: ${citizenshipText(locale, e.citizenships)}`;
    case 'died':
      return html`<strong>${tr('evDied')}</strong>${e.placeIstatCode ? html` — ${tr('evDiedAt', { place: comuneText(e.placeIstatCode) })}` : ''}`;
    case 'rectified':
      return html`<strong>${tr('evRectified')}</strong>: ${rectifiedText(tr, locale, e.fields)}`;
    case 'contacts-changed':
      return html`<strong>${tr('evContacts')}</strong>: ${[e.email, e.phone].filter(Boolean).join(', ') || '—'}`;
  }
}

/** Every event, by effective date then recording order. */
export function historyRows(events: readonly AnprEvent[], locale: Locale, names: Names): HistoryRow[] {
  const tr = officeT(locale);
  const annulled = new Set(events.flatMap((e) => (e.type === 'residence-change-annulled' ? [e.declarationId] : [])));
  return [...events]
    .sort((a, b) => a.effectiveDate.localeCompare(b.effectiveDate) || a.seq - b.seq)
    .map((e) => ({
      effective: dateText(locale, e.effectiveDate),
      what: describeEvent(e, locale, names, annulled),
      recordedAt: e.recordedAt ? instantText(locale, e.recordedAt) : '—',
      recordedBy: e.recordedBy === 'system' ? tr('recordedBySystem') : e.recordedBy === 'online' ? tr('recordedByOnline') : tr('recordedByComune', { comune: comuneText(e.recordedBy) }),
    }));
}

/** The people an event list refers to, for `Names`. */
export function referencedIds(events: readonly AnprEvent[]): string[] {
  const ids = events.flatMap((e) => (e.type === 'registered' ? [e.spouseId, e.fatherId, e.motherId] : e.type === 'civil-status-changed' ? [e.spouseId] : []));
  return [...new Set(ids.filter((x): x is string => !!x))];
}
