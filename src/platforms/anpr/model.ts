// The scheda anagrafica and its history.
//
// DESIGN — event-sourced and bitemporal. Every change to a person is an immutable event with two times:
// `effectiveDate`, the civil date from which the fact holds in law (valid time: e.g. a change of residence
// holds from the day of the declaration, DL 5/2012 art. 5), and `recordedAt`, when the registry wrote it
// (transaction time). The state of a record "as it was on date D" is the fold of the events effective on or
// before D (`personAsOf`), which is what certificati storici need; "as the registry knew it at time T" adds
// the filter recordedAt <= T (`knownAt`), which is what an audit of a past certificate needs. Nothing is
// ever updated in place: a correction is a new event (rectification, annulment of a rejected residence
// change), so both readings stay reproducible. Tables holding the current state (anpr.persons,
// anpr.family_members) are projections kept in step with the events, for lookups and scoping only.
import type { IsoDate } from '../../domain/dates.ts';
import type { Sex } from '../../domain/fiscal-code.ts';
import type { CivilStatusCode, RelationshipCode, ToponymSpecies } from './codes.ts';

/** Birthplace: an Italian comune (ISTAT + Belfiore) or a foreign state (Belfiore Z-code). */
export type Place =
  | { readonly kind: 'comune'; readonly istatCode: string; readonly belfioreCode: string; readonly name: string; readonly province: string }
  | { readonly kind: 'foreign'; readonly belfioreCode: string; readonly name: string; readonly locality?: string };

/** An Italian address (ANPR residenza.indirizzo). */
export interface Address {
  /** ISTAT code of the comune (ANPR indirizzo.comune.codiceIstat). */
  readonly istatCode: string;
  readonly comune: string;
  readonly province: string;
  /** CAP. */
  readonly postcode: string;
  /** Stradario code of the street ('050999-0001'). */
  readonly streetCode: string;
  /** DUG (toponimo.specie), e.g. 'VIA'. */
  readonly species: ToponymSpecies;
  /** toponimo.denominazioneToponimo, e.g. 'Roma'. */
  readonly streetName: string;
  /** numeroCivico.numero, with an optional letter/esponente ('12', '12A', '12/B'). */
  readonly houseNumber: string;
  readonly interior?: string;
}

/** AIRE registration: an Italian citizen living abroad (L. 470/1988). */
export interface AireRecord {
  /** Belfiore Z-code of the foreign state. */
  readonly stateCode: string;
  readonly stateName: string;
  /** Free-text foreign address (ANPR localitaEstera.indirizzoEstero). */
  readonly address: string;
  readonly city: string;
  readonly consulate?: string;
  /** The AIRE comune (the last Italian comune of residence, or of the forebears). */
  readonly aireIstatCode: string;
  readonly since: IsoDate;
}

export interface FamilyMembership {
  readonly familyId: string;
  readonly relationship: RelationshipCode;
  readonly since: IsoDate;
}

export interface Generalita {
  readonly fiscalCode: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly sex: Sex;
  readonly birthDate: IsoDate;
  readonly birthPlace: Place;
}

export type RegistrationReason =
  | 'birth' // DPR 223/1989 art. 7 c.1 a: iscrizione per nascita
  | 'immigration' // art. 7 c.1 b: trasferimento di residenza dall'estero
  | 'transfer' // art. 7 c.1 b: trasferimento da altro comune (before ANPR: a new scheda in the comune)
  | 'aire'; // L. 470/1988: iscrizione AIRE

/** Fields every event carries. */
interface EventBase {
  /** Order of recording (the events table's serial); ties on effectiveDate are folded in this order. */
  readonly seq: number;
  readonly idAnpr: string;
  /** Valid time: from when the fact holds. */
  readonly effectiveDate: IsoDate;
  /** Transaction time: when the registry recorded it (ISO timestamp). */
  readonly recordedAt: string;
  /** ISTAT code of the comune that recorded it, 'system' (seeder) or 'online' (the citizen, in the ANPR citizen area). */
  readonly recordedBy: string;
}

export type AnprEventData =
  | {
      readonly type: 'registered';
      readonly reason: RegistrationReason;
      readonly generalita: Generalita;
      readonly citizenships: readonly string[];
      readonly civilStatus: CivilStatusCode;
      readonly fatherId?: string | null;
      readonly motherId?: string | null;
      readonly spouseId?: string | null;
      readonly residence?: Address | null;
      readonly aire?: Omit<AireRecord, 'since'> | null;
      readonly family?: { readonly familyId: string; readonly relationship: RelationshipCode } | null;
    }
  | { readonly type: 'civil-status-changed'; readonly civilStatus: CivilStatusCode; readonly spouseId?: string | null }
  | {
      readonly type: 'residence-changed';
      readonly address: Address;
      readonly family: { readonly familyId: string; readonly relationship: RelationshipCode };
      /** The declaration (pratica) this change comes from, when it does. */
      readonly declarationId?: string;
    }
  | { readonly type: 'residence-change-annulled'; readonly declarationId: string; readonly reason: string }
  | { readonly type: 'family-changed'; readonly familyId: string; readonly relationship: RelationshipCode }
  | { readonly type: 'aire-registered'; readonly aire: Omit<AireRecord, 'since'> }
  | { readonly type: 'citizenship-changed'; readonly citizenships: readonly string[] }
  | { readonly type: 'died'; readonly placeIstatCode?: string | null }
  | {
      // The e-mail and phone the citizen gives ANPR (citizen area): kept as events like the rest of the record
      // rather than in a table of their own, so the registry office reads them with the scheda's events, with
      // their history (when they changed), and nothing is updated in place; null removes one.
      readonly type: 'contacts-changed';
      readonly email: string | null;
      readonly phone: string | null;
    }
  | {
      readonly type: 'rectified';
      /** Corrected fields, which hold ab origine (a material error is corrected as if never made). */
      readonly fields: Partial<Generalita>;
      readonly requestId?: string;
    };

export type AnprEventType = AnprEventData['type'];
export type AnprEvent = EventBase & AnprEventData;

export type PersonStatus = 'resident' | 'aire' | 'deceased';

/** The contacts a citizen gave ANPR (not certified data). */
export interface Contacts {
  readonly email: string | null;
  readonly phone: string | null;
  readonly since: IsoDate;
}

/** A scheda anagrafica at a date. */
export interface PersonState extends Generalita {
  readonly idAnpr: string;
  readonly status: PersonStatus;
  readonly registeredOn: IsoDate;
  readonly registrationReason: RegistrationReason;
  readonly citizenships: readonly string[];
  readonly civilStatus: { readonly code: CivilStatusCode; readonly since: IsoDate };
  readonly spouseId: string | null;
  readonly fatherId: string | null;
  readonly motherId: string | null;
  /** Italian residence (null while AIRE-registered). */
  readonly residence: (Address & { readonly since: IsoDate }) | null;
  readonly aire: AireRecord | null;
  readonly family: FamilyMembership | null;
  readonly deathDate: IsoDate | null;
  /** When the last event folded into this state was recorded. */
  readonly lastRecordedAt: string;
}

export interface AsOfOptions {
  /** Only events recorded at or before this instant (ISO timestamp): the registry's knowledge then. */
  readonly knownAt?: string;
}

const byEffectiveThenSeq = (a: AnprEvent, b: AnprEvent) =>
  a.effectiveDate < b.effectiveDate ? -1 : a.effectiveDate > b.effectiveDate ? 1 : a.seq - b.seq;

// States are built as literals naming every field (no object spread): spreading large objects made the
// fold ~20x slower, which the bulk seeder (a fold per generated person) felt.
function make(s: PersonState): PersonState {
  return {
    idAnpr: s.idAnpr,
    fiscalCode: s.fiscalCode,
    givenName: s.givenName,
    familyName: s.familyName,
    sex: s.sex,
    birthDate: s.birthDate,
    birthPlace: s.birthPlace,
    status: s.status,
    registeredOn: s.registeredOn,
    registrationReason: s.registrationReason,
    citizenships: s.citizenships,
    civilStatus: s.civilStatus,
    spouseId: s.spouseId,
    fatherId: s.fatherId,
    motherId: s.motherId,
    residence: s.residence,
    aire: s.aire,
    family: s.family,
    deathDate: s.deathDate,
    lastRecordedAt: s.lastRecordedAt,
  };
}

/** Applies one event to a state (undefined before registration). Events must be valid (see rules.ts). */
export function applyEvent(state: PersonState | undefined, e: AnprEvent): PersonState | undefined {
  if (e.type === 'registered') {
    const g = e.generalita;
    return make({
      idAnpr: e.idAnpr,
      fiscalCode: g.fiscalCode,
      givenName: g.givenName,
      familyName: g.familyName,
      sex: g.sex,
      birthDate: g.birthDate,
      birthPlace: g.birthPlace,
      status: e.aire ? 'aire' : 'resident',
      registeredOn: e.effectiveDate,
      registrationReason: e.reason,
      citizenships: e.citizenships,
      civilStatus: { code: e.civilStatus, since: e.effectiveDate },
      spouseId: e.spouseId ?? null,
      fatherId: e.fatherId ?? null,
      motherId: e.motherId ?? null,
      residence: e.residence ? withSince(e.residence, e.effectiveDate) : null,
      aire: e.aire ? { ...e.aire, since: e.effectiveDate } : null,
      family: e.family ? { familyId: e.family.familyId, relationship: e.family.relationship, since: e.effectiveDate } : null,
      deathDate: null,
      lastRecordedAt: e.recordedAt,
    });
  }
  if (!state) return state;
  const next = make(state) as { -readonly [K in keyof PersonState]: PersonState[K] };
  next.lastRecordedAt = e.recordedAt;
  switch (e.type) {
    case 'civil-status-changed':
      next.civilStatus = { code: e.civilStatus, since: e.effectiveDate };
      next.spouseId = e.spouseId ?? null;
      break;
    case 'residence-changed':
      next.status = 'resident';
      next.residence = withSince(e.address, e.effectiveDate);
      next.aire = null;
      next.family = { familyId: e.family.familyId, relationship: e.family.relationship, since: e.effectiveDate };
      break;
    case 'family-changed':
      next.family = { familyId: e.familyId, relationship: e.relationship, since: e.effectiveDate };
      break;
    case 'aire-registered':
      next.status = 'aire';
      next.residence = null;
      next.family = null;
      next.aire = { ...e.aire, since: e.effectiveDate };
      break;
    case 'citizenship-changed':
      next.citizenships = e.citizenships;
      break;
    case 'died':
      next.status = 'deceased';
      next.deathDate = e.effectiveDate;
      break;
    case 'rectified':
      for (const [k, v] of Object.entries(e.fields)) if (v !== undefined) (next as Record<string, unknown>)[k] = v;
      break;
    case 'residence-change-annulled':
      break; // handled in personAsOf, which drops the annulled change before folding
    case 'contacts-changed':
      break; // not part of the scheda's certifiable state: read with contactsOf
  }
  return next;
}

function withSince(a: Address, since: IsoDate): Address & { readonly since: IsoDate } {
  return {
    istatCode: a.istatCode,
    comune: a.comune,
    province: a.province,
    postcode: a.postcode,
    streetCode: a.streetCode,
    species: a.species,
    streetName: a.streetName,
    houseNumber: a.houseNumber,
    ...(a.interior !== undefined ? { interior: a.interior } : {}),
    since,
  };
}

/**
 * The scheda as it was on `date` (and, with `knownAt`, as the registry knew it then); undefined when the
 * person was not yet registered on that date. Rectifications hold ab origine: they are applied whatever
 * their date, as long as they were known. An annulled residence change (a declaration rejected after the
 * checks, DPR 223/1989 art. 19) never held, so it is dropped.
 */
export function personAsOf(events: readonly AnprEvent[], date: IsoDate, options: AsOfOptions = {}): PersonState | undefined {
  const effective = effectiveEvents(events, date, options);
  const registration = effective.find((e) => e.type === 'registered');
  if (!registration || registration.effectiveDate > date) return undefined;
  let state: PersonState | undefined;
  for (const e of effective) state = applyEvent(state, e);
  return state;
}

/**
 * The events that make the state on `date`, in folding order: known (knownAt), not annulled, effective on or
 * before the date, by effective date then recording order, and rectifications last so that they override the
 * data they correct (whatever their date).
 */
export function effectiveEvents(events: readonly AnprEvent[], date: IsoDate, options: AsOfOptions = {}): AnprEvent[] {
  const known = options.knownAt ? events.filter((e) => e.recordedAt <= options.knownAt!) : events;
  const annulled = new Set(known.flatMap((e) => (e.type === 'residence-change-annulled' ? [e.declarationId] : [])));
  const kept = known
    .filter((e) => !(e.type === 'residence-changed' && e.declarationId && annulled.has(e.declarationId)))
    .filter((e) => e.effectiveDate <= date || e.type === 'rectified')
    .sort(byEffectiveThenSeq);
  return [...kept.filter((e) => e.type !== 'rectified'), ...kept.filter((e) => e.type === 'rectified')];
}

export interface MembershipPeriod {
  readonly familyId: string;
  readonly relationship: RelationshipCode;
  readonly from: IsoDate;
  /** Exclusive; null while current. */
  readonly to: IsoDate | null;
}

/**
 * The periods of family membership (famiglia anagrafica, DPR 223/1989 art. 4) of a person, from all known
 * events: a period ends when the family or the relationship changes, on AIRE registration, or at death.
 */
export function membershipHistory(events: readonly AnprEvent[], options: AsOfOptions = {}): MembershipPeriod[] {
  const out: MembershipPeriod[] = [];
  let open: { familyId: string; relationship: RelationshipCode; from: IsoDate } | null = null;
  let state: PersonState | undefined;
  const ordered = effectiveEvents(events, '9999-12-31', options).filter((e) => e.type !== 'rectified');
  for (const e of ordered) {
    state = applyEvent(state, e);
    const fam = state && state.status !== 'deceased' ? state.family : null;
    const same = open && fam && open.familyId === fam.familyId && open.relationship === fam.relationship;
    if (same) continue;
    if (open) {
      if (open.from < e.effectiveDate) out.push({ ...open, to: e.effectiveDate });
      open = null;
    }
    if (fam) open = { familyId: fam.familyId, relationship: fam.relationship, from: e.effectiveDate };
  }
  if (open) out.push({ ...open, to: null });
  return out;
}

/** The latest state (every event, whatever its date). */
export function currentPerson(events: readonly AnprEvent[]): PersonState | undefined {
  const last = events.reduce<IsoDate>((max, e) => (e.effectiveDate > max ? e.effectiveDate : max), '0001-01-01');
  return personAsOf(events, last);
}

/** The contacts the citizen last gave (latest recorded), or null when none or removed. */
export function contactsOf(events: readonly AnprEvent[]): Contacts | null {
  let last: Extract<AnprEvent, { type: 'contacts-changed' }> | undefined;
  for (const e of events) if (e.type === 'contacts-changed' && (!last || e.seq > last.seq)) last = e;
  return last && (last.email || last.phone) ? { email: last.email, phone: last.phone, since: last.effectiveDate } : null;
}
