// Validation rules of the registry, pure: each takes the state before an event and the event, and returns
// the violations (empty = allowed). Each rule cites where it comes from; article numbers of DPR 223/1989
// (regolamento anagrafico) are quoted from memory of the text where marked [unverified].
import { addDays, compareIsoDates, isIsoDate, type IsoDate } from '../../domain/dates.ts';
import { isValidEmail, isValidItalianPhone } from '../../domain/contacts.ts';
import { fiscalCodeMatches, validateFiscalCode } from '../../domain/fiscal-code.ts';
import { municipalityByIstat } from '../../domain/municipalities.ts';
import { isCivilStatusCode, isRelationshipCode, type CivilStatusCode } from './codes.ts';
import type { Address, AnprEventData, PersonState } from './model.ts';
import { stradarioOf } from './stradario.ts';

export interface RuleViolation {
  /** Machine-readable rule id, e.g. 'death-before-birth'. */
  readonly rule: string;
  /** The field concerned, as a path in the request ('address/streetCode'). */
  readonly field?: string;
  readonly message: string;
}

const v = (rule: string, message: string, field?: string): RuleViolation => ({ rule, message, ...(field ? { field } : {}) });

/** Whole years between two dates (age on `on`). */
export function ageOn(birthDate: IsoDate, on: IsoDate): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [y, m, d] = on.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

/** An address must be in the destination comune's stradario (DPR 223/1989 art. 43, toponomastica [unverified]). */
/** A house number (civico) as ANPR numbers it: digits, then an optional letter or "bis" (e.g. 12, 12A, 12/B). */
export const HOUSE_NUMBER_PATTERN = '^[0-9]{1,5}\\s*/?\\s*[A-Za-z]{0,2}$';

export function checkAddress(address: Address, field = 'address'): RuleViolation[] {
  const out: RuleViolation[] = [];
  const comune = municipalityByIstat(address.istatCode);
  if (!comune) return [v('unknown-comune', `no comune has ISTAT code ${address.istatCode}`, `${field}/istatCode`)];
  const street = stradarioOf(comune.istatCode)!.find((s) => s.code === address.streetCode);
  if (!street) {
    return [v('street-not-in-stradario', `street ${address.streetCode} is not in the stradario of ${comune.name}`, `${field}/streetCode`)];
  }
  if (street.species !== address.species || street.name !== address.streetName) {
    out.push(v('street-name-mismatch', `street ${street.code} is ${street.species} ${street.name}`, `${field}/streetName`));
  }
  // Numbering (L. 1228/1954 art. 10 [unverified]): the civico must exist on the street.
  const n = Number(/^(\d+)/.exec(address.houseNumber)?.[1] ?? NaN);
  if (!(n >= 1 && n <= street.maxNumber)) {
    out.push(v('house-number-not-on-street', `${street.species} ${street.name} has numbers 1-${street.maxNumber}`, `${field}/houseNumber`));
  }
  if (street.postcode && street.postcode !== address.postcode) {
    out.push(v('postcode-mismatch', `the postcode of ${street.species} ${street.name} is ${street.postcode}`, `${field}/postcode`));
  }
  return out;
}

// Civil status transitions (codice civile art. 86: no new marriage/union while bound; art. 149 and L. 898/1970:
// a marriage ends by death or divorce; L. 76/2016 art. 1: civil unions and their dissolution).
const FREE: readonly CivilStatusCode[] = ['1', '3', '4', '7', '8', '9'];
const ALLOWED_FROM: Record<CivilStatusCode, readonly CivilStatusCode[]> = {
  '1': [], // celibe/nubile is the status at birth, never reached again
  '2': FREE, // marriage needs freedom of status (c.c. art. 86)
  '3': ['2'], // widowhood ends a marriage (c.c. art. 149)
  '4': ['2'], // divorce ends a marriage (L. 898/1970)
  '6': FREE, // civil union needs freedom of status (L. 76/2016 art. 1 c.4)
  '7': ['6'], // death of the other party ends a civil union (L. 76/2016 art. 1 c.22)
  '8': ['6'], // dissolution of a civil union (L. 76/2016 art. 1 c.23-24)
  '9': ['1', '2', '3', '4', '6', '7', '8', '9'],
};

/** The rules an event must satisfy against the state before it, on the day `today` it is recorded. */
export function checkEvent(before: PersonState | undefined, e: AnprEventData & { effectiveDate: IsoDate }, today: IsoDate): RuleViolation[] {
  if (!isIsoDate(e.effectiveDate)) return [v('invalid-date', 'not a valid YYYY-MM-DD date', 'date')];
  // Registrations record facts that have happened: no event dated in the future.
  if (compareIsoDates(e.effectiveDate, today) > 0) return [v('future-date', `the date ${e.effectiveDate} is after today`, 'date')];
  if (e.type === 'registered') {
    const out: RuleViolation[] = [];
    if (before) out.push(v('already-registered', 'the person already has a scheda anagrafica'));
    const g = e.generalita;
    // The codice fiscale is computed from the personal data (DPR 605/1973 art. 1; DM 23/12/1976).
    const cf = validateFiscalCode(g.fiscalCode);
    if (!cf.ok) out.push(v('invalid-fiscal-code', cf.message, 'fiscalCode'));
    else if (!fiscalCodeMatches(g.fiscalCode, { ...g, birthplaceCode: g.birthPlace.belfioreCode })) {
      out.push(v('fiscal-code-mismatch', 'the fiscal code does not match the personal data', 'fiscalCode'));
    }
    // A person is registered on or after birth (DPR 223/1989 art. 7 c.1 a: iscrizione per nascita).
    if (compareIsoDates(e.effectiveDate, g.birthDate) < 0) out.push(v('registered-before-birth', 'registration before the birth date', 'date'));
    if (!isCivilStatusCode(e.civilStatus)) out.push(v('unknown-civil-status', `unknown civil status ${e.civilStatus}`, 'civilStatus'));
    // Each resident belongs to one famiglia or convivenza anagrafica (DPR 223/1989 art. 4-5).
    if (e.residence && !e.family) out.push(v('resident-without-family', 'a resident belongs to a famiglia anagrafica', 'family'));
    if (e.family && !isRelationshipCode(e.family.relationship)) out.push(v('unknown-relationship', `unknown relationship ${e.family.relationship}`, 'relationship'));
    if (!e.residence && !e.aire) out.push(v('no-residence', 'a scheda has an Italian residence or an AIRE registration', 'residence'));
    // AIRE is for Italian citizens (L. 470/1988 art. 1).
    if (e.aire && !e.citizenships.includes('IT')) out.push(v('aire-not-italian', 'only Italian citizens are registered in AIRE', 'citizenships'));
    if (e.residence) out.push(...checkAddress(e.residence, 'residence'));
    return out;
  }
  if (!before) return [v('not-registered', 'the person has no scheda anagrafica on that date')];
  // Nothing happens to a deceased person's record but corrections (DPR 223/1989 art. 11 c.1 a: cancellazione per morte).
  // A death date is not before the birth date (DPR 223/1989 art. 11; DPR 396/2000 art. 72, the death act).
  if (e.type === 'died' && compareIsoDates(e.effectiveDate, before.birthDate) < 0) return [v('death-before-birth', 'the death date is before the birth date', 'date')];
  if (before.status === 'deceased' && e.type !== 'rectified') return [v('deceased', `the person died on ${before.deathDate}`)];
  // An event cannot precede the registration it modifies.
  if (e.type !== 'rectified' && compareIsoDates(e.effectiveDate, before.registeredOn) < 0) {
    return [v('before-registration', `the record starts on ${before.registeredOn}`, 'date')];
  }
  switch (e.type) {
    case 'died':
      return [];
    case 'civil-status-changed': {
      if (!isCivilStatusCode(e.civilStatus)) return [v('unknown-civil-status', `unknown civil status ${e.civilStatus}`, 'civilStatus')];
      if (!ALLOWED_FROM[e.civilStatus].includes(before.civilStatus.code)) {
        return [v('civil-status-transition', `cannot go from civil status ${before.civilStatus.code} to ${e.civilStatus}`, 'civilStatus')];
      }
      // Marriage age (c.c. art. 84: 18, or 16 with the court's leave).
      if ((e.civilStatus === '2' || e.civilStatus === '6') && ageOn(before.birthDate, e.effectiveDate) < 16) {
        return [v('under-age', 'a marriage or civil union needs the age of 16 at least', 'date')];
      }
      if (compareIsoDates(e.effectiveDate, before.civilStatus.since) < 0) {
        return [v('before-last-status', `the current civil status holds since ${before.civilStatus.since}`, 'date')];
      }
      return [];
    }
    case 'residence-changed': {
      const out = checkAddress(e.address);
      if (!isRelationshipCode(e.family.relationship)) out.push(v('unknown-relationship', `unknown relationship ${e.family.relationship}`, 'relationship'));
      if (before.residence && compareIsoDates(e.effectiveDate, before.residence.since) < 0) {
        out.push(v('before-current-residence', `the current residence holds since ${before.residence.since}`, 'date'));
      }
      return out;
    }
    case 'aire-registered':
      return before.citizenships.includes('IT') ? [] : [v('aire-not-italian', 'only Italian citizens are registered in AIRE')];
    case 'family-changed':
      return isRelationshipCode(e.relationship) ? [] : [v('unknown-relationship', `unknown relationship ${e.relationship}`, 'relationship')];
    case 'rectified': {
      const fields = { ...before, ...e.fields };
      if (fields.deathDate && compareIsoDates(fields.deathDate, fields.birthDate) < 0) return [v('death-before-birth', 'the corrected birth date is after the death date', 'birthDate')];
      if (!fiscalCodeMatches(fields.fiscalCode, { ...fields, birthplaceCode: fields.birthPlace.belfioreCode })) {
        return [v('fiscal-code-mismatch', 'the corrected data do not match the fiscal code: correct it too', 'fiscalCode')];
      }
      return [];
    }
    case 'citizenship-changed':
      return e.citizenships.length ? [] : [v('no-citizenship', 'at least one citizenship (or stateless: "ZZ")', 'citizenships')];
    case 'residence-change-annulled':
      return [];
    case 'contacts-changed':
      return checkContacts(e);
  }
}

/**
 * Contacts the citizen gives ANPR are not certified data: only their form is checked (e-mail RFC 5321/5322,
 * phone ITU-T E.164 and the Italian numbering plan, see domain/contacts.ts); both may be empty.
 */
export function checkContacts(c: { email: string | null; phone: string | null }): RuleViolation[] {
  const out: RuleViolation[] = [];
  if (c.email !== null && !isValidEmail(c.email)) out.push(v('invalid-email', 'not a valid e-mail address', 'email'));
  if (c.phone !== null && !isValidItalianPhone(c.phone)) out.push(v('invalid-phone', 'not a valid phone number', 'phone'));
  return out;
}

// --- Change of residence declarations ---------------------------------------------------------------

/** DL 5/2012 art. 5 (conv. L. 35/2012): without a negative outcome communicated within 45 days, the declaration stands. */
export const SILENCE_DAYS = 45;

export type DeclarationState = 'declared' | 'confirmed' | 'rejected';

export interface DeclarationDecision {
  readonly declaredOn: IsoDate;
  readonly decision?: { readonly state: 'confirmed' | 'rejected'; readonly on: IsoDate; readonly reason?: string } | null;
}

/**
 * The effective state of a residence declaration at a date: an explicit decision once taken; otherwise
 * 'confirmed' from the 45th day after the declaration (silenzio-assenso, DL 5/2012 art. 5; checks under
 * DPR 223/1989 art. 18-19), 'declared' before. Either way the change holds from the declaration date.
 */
export function declarationStateAt(d: DeclarationDecision, date: IsoDate): DeclarationState {
  if (d.decision && compareIsoDates(d.decision.on, date) <= 0) return d.decision.state;
  return compareIsoDates(date, addDays(d.declaredOn, SILENCE_DAYS)) >= 0 ? 'confirmed' : 'declared';
}

/** A rejection is possible only before silence has confirmed the declaration (DL 5/2012 art. 5). */
export function canStillReject(d: DeclarationDecision, on: IsoDate): boolean {
  return declarationStateAt(d, on) === 'declared';
}
