// Synthetic population, pure and deterministic: the same options give the same people, families and
// events, byte for byte. Families are yielded one at a time so that a million people never sit in memory.
//
// What it makes: famiglie anagrafiche of realistic shapes (singles, couples, couples with children, single
// parents, elderly couples, widows and widowers whose spouse's death is on record, a grandparent living with
// the family), spread over Bugliano and real comuni; some foreign citizens born abroad, some Italians in
// AIRE, some deceased. Fiscal codes are computed from each person's data; when two people share the data
// of the code (namesakes born the same day in the same place, made on purpose now and then) the second gets
// the first free omocodia variant, as Agenzia delle Entrate does.
//
// Limits (documented, not hidden): each adult's history starts when the family settled where it lives now
// (registration by transfer or immigration); children born after that are registered at birth.
import { seededRandom } from '../../domain/random.ts';
import { addDays, compareIsoDates, formatIsoDate, fromDayNumber, requireIsoDate, toDayNumber, type IsoDate } from '../../domain/dates.ts';
import { computeFiscalCode, MAX_OMOCODIA_LEVEL, type Sex } from '../../domain/fiscal-code.ts';
import { demoPeople, type DemoPerson } from '../../domain/demo-people.ts';
import { BUGLIANO, birthplaceByBelfiore, foreignStateByCode, listMunicipalities, municipalityByIstat, type Municipality } from '../../domain/municipalities.ts';
import { CHILD, HEAD, PARENT, PARTNER, SPOUSE, type CivilStatusCode, type RelationshipCode } from './codes.ts';
import { familyIdOf, idAnprOf } from './id.ts';
import type { Address, AnprEventData, Place, RegistrationReason } from './model.ts';
import * as names from './names.ts';
import { ageOn } from './rules.ts';
import { stradarioOf } from './stradario.ts';

/** The demo and seeded populations are built as of this date, so that they never depend on the clock. */
export const POPULATION_REFERENCE_DATE: IsoDate = '2026-01-01';

/** An event to write, without the fields the store assigns (seq, recordedAt). */
export type NewEvent = AnprEventData & { readonly effectiveDate: IsoDate };

export interface GeneratedPerson {
  readonly idAnpr: string;
  readonly fiscalCode: string;
  /** In the order they are to be recorded. */
  readonly events: readonly NewEvent[];
}

export interface GeneratedFamily {
  readonly familyId: string;
  readonly members: readonly GeneratedPerson[];
}

export interface ComuneWeight {
  readonly istatCode: string;
  readonly weight: number;
}

/** Where the synthetic people live: Bugliano and comuni of the Pisan area, plus two large cities. */
export const DEFAULT_COMUNI: readonly ComuneWeight[] = [
  { istatCode: BUGLIANO.istatCode, weight: 22 },
  { istatCode: '050026', weight: 24 }, // Pisa
  { istatCode: '050008', weight: 12 }, // Cascina
  { istatCode: '050031', weight: 8 }, // San Giuliano Terme
  { istatCode: '050003', weight: 4 }, // Calci
  { istatCode: '050038', weight: 5 }, // Vicopisano
  { istatCode: '058091', weight: 13 }, // Roma
  { istatCode: '015146', weight: 12 }, // Milano
];

export interface PopulationOptions {
  /** How many people (the last family is cut to fit). */
  readonly people: number;
  readonly seed: number;
  readonly referenceDate?: IsoDate;
  /** Serial of the first idANPR / family id to assign (after those already in the registry). */
  readonly firstPersonSerial?: number;
  readonly firstFamilySerial?: number;
  /** Fiscal codes already assigned: a new person with the same data gets an omocodia variant. Mutated. */
  readonly takenFiscalCodes?: Set<string>;
  /** Make the demo citizens' families first (the demo seed). */
  readonly includeDemo?: boolean;
  readonly comuni?: readonly ComuneWeight[];
}

// --- Randomness ----------------------------------------------------------------------------------------

class Rng {
  constructor(readonly next: () => number) {}
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  /** Earlier items more likely (rank-weighted, roughly Zipf). */
  pickRanked<T>(items: readonly T[]): T {
    const u = this.next();
    return items[Math.floor(items.length * u * u)]!;
  }
  weighted<T extends { weight: number }>(items: readonly T[]): T {
    const total = items.reduce((s, i) => s + i.weight, 0);
    let r = this.next() * total;
    for (const item of items) if ((r -= item.weight) < 0) return item;
    return items[items.length - 1]!;
  }
  dateBetween(from: IsoDate, to: IsoDate): IsoDate {
    const a = toDayNumber(requireIsoDate(from));
    const b = toDayNumber(requireIsoDate(to));
    return formatIsoDate(fromDayNumber(b < a ? a : this.int(a, b)));
  }
}

const yearsBefore = (date: IsoDate, years: number): IsoDate => {
  const [y, m, d] = date.split('-');
  const day = m === '02' && d === '29' ? '28' : d;
  return `${String(Number(y) - years).padStart(4, '0')}-${m}-${day}`;
};
const minDate = (a: IsoDate, b: IsoDate) => (a < b ? a : b);
const maxDate = (a: IsoDate, b: IsoDate) => (a > b ? a : b);

// --- Places --------------------------------------------------------------------------------------------

export function placeOfComune(m: Municipality): Place {
  return { kind: 'comune', istatCode: m.istatCode, belfioreCode: m.belfioreCode, name: m.name, province: m.province };
}

export function placeOfBelfiore(code: string): Place {
  const b = birthplaceByBelfiore(code);
  if (!b) throw new RangeError(`unknown birthplace ${code}`);
  if (b.kind === 'municipality') return placeOfComune(b);
  if (b.kind === 'foreign-state') return { kind: 'foreign', belfioreCode: b.belfioreCode, name: b.name };
  throw new RangeError(`ceased comune ${code} is not a place of birth here`);
}

const BIG_CITIES = ['H501', 'F205', 'F839', 'L219', 'G273', 'D969', 'A944', 'D612', 'A662', 'L736', 'E625', 'E715'];
const PISA = municipalityByIstat('050026')!;

/** Where the children of a comune are born: its own hospital for cities, Pisa for the small comuni nearby. */
function birthComuneFor(istatCode: string): Municipality {
  const m = municipalityByIstat(istatCode)!;
  return ['058091', '015146', '050026'].includes(istatCode) ? m : m.province === 'PI' ? PISA : m;
}

const AIRE_DESTINATIONS: readonly { stateCode: string; cities: readonly string[]; weight: number }[] = [
  { stateCode: 'Z112', cities: ['Monaco di Baviera', 'Stoccarda', 'Berlino', 'Francoforte sul Meno'], weight: 5 },
  { stateCode: 'Z133', cities: ['Zurigo', 'Ginevra', 'Lugano', 'Basilea'], weight: 4 },
  { stateCode: 'Z110', cities: ['Parigi', 'Lione', 'Nizza', 'Marsiglia'], weight: 4 },
  { stateCode: 'Z114', cities: ['Londra', 'Manchester', 'Edimburgo'], weight: 4 },
  { stateCode: 'Z600', cities: ['Buenos Aires', 'Córdoba', 'Rosario'], weight: 3 },
  { stateCode: 'Z404', cities: ['New York', 'Boston', 'San Francisco'], weight: 2 },
];

// --- The builder ---------------------------------------------------------------------------------------

interface PersonSpec {
  givenName: string;
  familyName: string;
  sex: Sex;
  birthDate: IsoDate;
  birthPlace: Place;
  citizenships: readonly string[];
  /** Required fiscal code (demo citizens): asserted equal to the computed one. */
  expectFiscalCode?: string;
}

interface Draft {
  idAnpr: string;
  fiscalCode: string;
  spec: PersonSpec;
  events: NewEvent[];
}

export class PopulationBuilder {
  private personSerial: number;
  private familySerial: number;
  readonly taken: Set<string>;
  readonly rng: Rng;
  readonly today: IsoDate;
  /** Generalità of recent people, to make namesakes from (omocodia). */
  private readonly recent: PersonSpec[] = [];

  constructor(options: PopulationOptions) {
    this.rng = new Rng(seededRandom(options.seed));
    this.personSerial = options.firstPersonSerial ?? 0;
    this.familySerial = options.firstFamilySerial ?? 0;
    this.taken = options.takenFiscalCodes ?? new Set();
    this.today = options.referenceDate ?? POPULATION_REFERENCE_DATE;
  }

  /** The fiscal code of these data: the original, or the first omocodia variant not yet assigned. */
  assignFiscalCode(spec: PersonSpec): string {
    for (let level = 0; level <= MAX_OMOCODIA_LEVEL; level++) {
      const r = computeFiscalCode({ ...spec, birthplaceCode: spec.birthPlace.belfioreCode, omocodiaLevel: level });
      if (!r.ok) throw new RangeError(`${r.reason}: ${r.message}`);
      if (!this.taken.has(r.value)) {
        this.taken.add(r.value);
        return r.value;
      }
    }
    throw new RangeError(`every omocodia variant of ${spec.familyName} ${spec.givenName} is taken`);
  }

  person(spec: PersonSpec): Draft {
    const fiscalCode = this.assignFiscalCode(spec);
    if (spec.expectFiscalCode && spec.expectFiscalCode !== fiscalCode) {
      throw new Error(`demo citizen ${spec.givenName} ${spec.familyName}: computed ${fiscalCode}, expected ${spec.expectFiscalCode}`);
    }
    if (this.recent.length < 512) this.recent.push(spec);
    else this.recent[this.rng.int(0, 511)] = spec;
    return { idAnpr: idAnprOf(this.personSerial++), fiscalCode, spec, events: [] };
  }

  newFamilyId(): string {
    return familyIdOf(this.familySerial++);
  }

  address(istatCode: string): Address {
    const m = municipalityByIstat(istatCode)!;
    const street = this.rng.pickRanked(stradarioOf(istatCode)!);
    const n = this.rng.int(1, street.maxNumber);
    return {
      istatCode,
      comune: m.name,
      province: m.province,
      postcode: street.postcode ?? '',
      streetCode: street.code,
      species: street.species,
      streetName: street.name,
      houseNumber: this.rng.chance(0.08) ? `${n}${this.rng.pick(['A', 'B', 'C'])}` : String(n),
      ...(this.rng.chance(0.3) ? { interior: String(this.rng.int(1, 20)) } : {}),
    };
  }

  /** A namesake of someone already made (same data, so the same original fiscal code). */
  namesake(): PersonSpec | undefined {
    return this.recent.length ? { ...this.rng.pick(this.recent), expectFiscalCode: undefined } : undefined;
  }

  register(
    d: Draft,
    on: IsoDate,
    reason: RegistrationReason,
    home: { residence?: Address; aire?: AireHome; familyId?: string; relationship?: RelationshipCode },
    civilStatus: CivilStatusCode,
    links: { fatherId?: string | null; motherId?: string | null; spouseId?: string | null } = {},
  ): void {
    const s = d.spec;
    d.events.push({
      type: 'registered',
      effectiveDate: on,
      reason,
      generalita: { fiscalCode: d.fiscalCode, givenName: s.givenName, familyName: s.familyName, sex: s.sex, birthDate: s.birthDate, birthPlace: s.birthPlace },
      citizenships: s.citizenships,
      civilStatus,
      fatherId: links.fatherId ?? null,
      motherId: links.motherId ?? null,
      spouseId: links.spouseId ?? null,
      residence: home.residence ?? null,
      aire: home.aire ?? null,
      family: home.familyId && home.relationship ? { familyId: home.familyId, relationship: home.relationship } : null,
    });
  }
}

type AireHome = NonNullable<Extract<AnprEventData, { type: 'registered' }>['aire']>;

// --- Names and people ------------------------------------------------------------------------------------

function givenNameFor(rng: Rng, sex: Sex, birthYear: number): string {
  const lists = sex === 'M' ? [names.MALE_NAMES_OLD, names.MALE_NAMES_MID, names.MALE_NAMES_YOUNG] : [names.FEMALE_NAMES_OLD, names.FEMALE_NAMES_MID, names.FEMALE_NAMES_YOUNG];
  const list = birthYear < 1960 ? lists[0]! : birthYear < 1995 ? lists[1]! : lists[2]!;
  return rng.pickRanked(list);
}

interface Origin {
  foreign?: names.ForeignCommunity;
}

function italianBirthPlace(rng: Rng, residenceIstat: string): Place {
  const u = rng.next();
  if (u < 0.55) return placeOfComune(birthComuneFor(residenceIstat));
  if (u < 0.85) return placeOfBelfiore(rng.pick(BIG_CITIES));
  const all = listMunicipalities();
  let m = rng.pick(all);
  while (m.fictional) m = rng.pick(all);
  return placeOfComune(m);
}

function specFor(b: PopulationBuilder, sex: Sex, birthDate: IsoDate, familyName: string, residenceIstat: string, origin: Origin, bornHere = false): PersonSpec {
  const rng = b.rng;
  const year = Number(birthDate.slice(0, 4));
  if (origin.foreign && !bornHere) {
    const c = origin.foreign;
    return {
      givenName: rng.pick(sex === 'M' ? c.male : c.female),
      familyName,
      sex,
      birthDate,
      birthPlace: placeOfBelfiore(c.stateCode),
      citizenships: [c.iso],
    };
  }
  const birthPlace = bornHere ? placeOfComune(birthComuneFor(residenceIstat)) : italianBirthPlace(rng, residenceIstat);
  const given = origin.foreign ? rng.pick(sex === 'M' ? origin.foreign.male : origin.foreign.female) : givenNameFor(rng, sex, year);
  // Children of foreign parents born in Italy keep the parents' citizenship (L. 91/1992 art. 4: Italian at 18 on request).
  return { givenName: given, familyName, sex, birthDate, birthPlace, citizenships: origin.foreign ? [origin.foreign.iso] : ['IT'] };
}

// --- Family shapes ---------------------------------------------------------------------------------------

type Shape = 'single' | 'couple' | 'couple-children' | 'single-parent' | 'elderly-couple' | 'widowed' | 'three-generations' | 'aire' | 'deceased-single';
const SHAPES: readonly { shape: Shape; weight: number }[] = [
  { shape: 'single', weight: 17 },
  { shape: 'couple', weight: 17 },
  { shape: 'couple-children', weight: 33 },
  { shape: 'single-parent', weight: 9 },
  { shape: 'elderly-couple', weight: 9 },
  { shape: 'widowed', weight: 8 },
  { shape: 'three-generations', weight: 3 },
  { shape: 'aire', weight: 3 },
  { shape: 'deceased-single', weight: 1 },
];

interface Household {
  familyId: string;
  istatCode: string;
  address: Address;
  settled: IsoDate;
  reason: RegistrationReason;
  members: Draft[];
}

function household(b: PopulationBuilder, istatCode: string, settled: IsoDate, reason: RegistrationReason): Household {
  return { familyId: b.newFamilyId(), istatCode, address: b.address(istatCode), settled, reason, members: [] };
}

/** Adds a member registered at `max(settled, birth)` (at birth, in the comune, when born after settling). */
function join(b: PopulationBuilder, h: Household, d: Draft, relationship: RelationshipCode, status: CivilStatusCode, links: Parameters<PopulationBuilder['register']>[5] = {}): Draft {
  const bornAfter = compareIsoDates(d.spec.birthDate, h.settled) > 0;
  const on = bornAfter ? d.spec.birthDate : h.settled;
  b.register(d, on, bornAfter ? 'birth' : h.reason, { residence: h.address, familyId: h.familyId, relationship }, status, links);
  h.members.push(d);
  return d;
}

function marry(a: Draft, c: Draft, on: IsoDate): void {
  a.events.push({ type: 'civil-status-changed', effectiveDate: on, civilStatus: '2', spouseId: c.idAnpr });
  c.events.push({ type: 'civil-status-changed', effectiveDate: on, civilStatus: '2', spouseId: a.idAnpr });
}

function children(b: PopulationBuilder, h: Household, mother: Draft | undefined, father: Draft | undefined, count: number, origin: Origin, familyName: string): void {
  const rng = b.rng;
  const parent = mother ?? father!;
  const earliest = addDays(parent.spec.birthDate, 365 * 20);
  const latest = minDate(b.today, addDays(parent.spec.birthDate, 365 * 44));
  for (let i = 0; i < count; i++) {
    if (compareIsoDates(earliest, latest) > 0) return;
    const birth = rng.dateBetween(maxDate(earliest, addDays(b.today, -365 * 30)), latest);
    const bornHere = compareIsoDates(birth, h.settled) > 0;
    const sex: Sex = rng.chance(0.51) ? 'M' : 'F';
    const d = b.person(specFor(b, sex, birth, familyName, h.istatCode, origin, bornHere));
    join(b, h, d, CHILD, '1', { fatherId: father?.idAnpr ?? null, motherId: mother?.idAnpr ?? null });
  }
}

function pickOrigin(b: PopulationBuilder): Origin {
  return b.rng.chance(0.085) ? { foreign: b.rng.weighted(names.FOREIGN_COMMUNITIES) } : {};
}

function surnameFor(b: PopulationBuilder, origin: Origin): string {
  return origin.foreign ? b.rng.pick(origin.foreign.surnames) : b.rng.pickRanked(names.SURNAMES);
}

function adult(b: PopulationBuilder, sex: Sex, minAge: number, maxAge: number, istat: string, origin: Origin, familyName?: string): Draft {
  const rng = b.rng;
  // Now and then a namesake of someone already made: same data, so the omocodia rule gives a variant.
  if (!origin.foreign && rng.chance(0.004)) {
    const twin = b.namesake();
    if (twin && twin.sex === sex && Number(b.today.slice(0, 4)) - Number(twin.birthDate.slice(0, 4)) >= 18) return b.person(twin);
  }
  const birth = rng.dateBetween(yearsBefore(b.today, maxAge), yearsBefore(b.today, minAge));
  return b.person(specFor(b, sex, birth, familyName ?? surnameFor(b, origin), istat, origin));
}

/** When the family settled: after the youngest adult came of age, in the last 25 years, at least `minDaysAgo` ago. */
function settleDate(b: PopulationBuilder, youngest: Draft, minDaysAgo = 30): IsoDate {
  const adultFrom = addDays(youngest.spec.birthDate, 365 * 18 + 5);
  const latest = addDays(b.today, -minDaysAgo);
  return b.rng.dateBetween(minDate(latest, maxDate(adultFrom, addDays(b.today, -365 * 25))), latest);
}

function buildShape(b: PopulationBuilder, shape: Shape, istat: string): Household {
  const rng = b.rng;
  const origin = shape === 'aire' || shape === 'widowed' || shape === 'elderly-couple' ? {} : pickOrigin(b);
  const reason: RegistrationReason = origin.foreign ? 'immigration' : 'transfer';
  switch (shape) {
    case 'single':
    case 'deceased-single': {
      const p = shape === 'single' ? adult(b, rng.chance(0.5) ? 'M' : 'F', 19, 64, istat, origin) : adult(b, rng.chance(0.5) ? 'M' : 'F', 70, 99, istat, origin);
      const h = household(b, istat, settleDate(b, p, shape === 'deceased-single' ? 400 : 30), reason);
      const status: CivilStatusCode = Number(b.today.slice(0, 4)) - Number(p.spec.birthDate.slice(0, 4)) > 38 && rng.chance(0.3) ? '4' : '1';
      join(b, h, p, HEAD, status);
      if (shape === 'deceased-single') p.events.push({ type: 'died', effectiveDate: rng.dateBetween(addDays(h.settled, 30), addDays(b.today, -1)), placeIstatCode: istat });
      return h;
    }
    case 'couple':
    case 'couple-children':
    case 'elderly-couple':
    case 'three-generations': {
      const [min, max] = shape === 'elderly-couple' ? [66, 92] : shape === 'couple' ? [23, 70] : [27, 52];
      const man = adult(b, 'M', min, max, istat, origin);
      const womanAge = Math.max(20, ageOn(man.spec.birthDate, b.today) - rng.int(-2, 6));
      const woman = adult(b, 'F', womanAge, womanAge + 1, istat, origin);
      const younger = man.spec.birthDate > woman.spec.birthDate ? man : woman;
      const h = household(b, istat, settleDate(b, younger), reason);
      const married = shape === 'elderly-couple' || rng.chance(0.72);
      const [head, other] = rng.chance(0.7) ? [man, woman] : [woman, man];
      join(b, h, head, HEAD, '1');
      join(b, h, other, married ? SPOUSE : PARTNER, '1');
      if (married) marry(head, other, h.settled);
      if (shape === 'couple-children' || shape === 'three-generations') {
        children(b, h, woman, man, rng.weighted([{ n: 1, weight: 40 }, { n: 2, weight: 45 }, { n: 3, weight: 15 }]).n, origin, man.spec.familyName);
      }
      if (shape === 'three-generations') {
        // The head's widowed parent lives with them (relationship 6, Padre / Madre).
        const grand = b.person(specFor(b, 'F', rng.dateBetween(addDays(head.spec.birthDate, -365 * 40), addDays(head.spec.birthDate, -365 * 22)), surnameFor(b, origin), istat, origin));
        join(b, h, grand, PARENT, '3');
      }
      return h;
    }
    case 'single-parent': {
      const mother = rng.chance(0.8);
      const p = adult(b, mother ? 'F' : 'M', 26, 55, istat, origin);
      const h = household(b, istat, settleDate(b, p), reason);
      join(b, h, p, HEAD, rng.chance(0.55) ? '4' : '1');
      const otherParentName = mother ? surnameFor(b, origin) : p.spec.familyName;
      children(b, h, mother ? p : undefined, mother ? undefined : p, rng.int(1, 2), origin, otherParentName);
      return h;
    }
    case 'widowed': {
      const survivorSex: Sex = rng.chance(0.75) ? 'F' : 'M';
      const survivor = adult(b, survivorSex, 68, 97, istat, origin);
      const spouse = adult(b, survivorSex === 'F' ? 'M' : 'F', 70, 99, istat, origin);
      const younger = survivor.spec.birthDate > spouse.spec.birthDate ? survivor : spouse;
      const h = household(b, istat, settleDate(b, younger, 400), reason);
      const [head, other] = survivorSex === 'F' ? [spouse, survivor] : [survivor, spouse];
      join(b, h, head, HEAD, '1');
      join(b, h, other, SPOUSE, '1');
      marry(head, other, h.settled);
      const death = rng.dateBetween(addDays(h.settled, 60), addDays(b.today, -1));
      spouse.events.push({ type: 'died', effectiveDate: death, placeIstatCode: istat });
      survivor.events.push({ type: 'civil-status-changed', effectiveDate: death, civilStatus: '3' });
      // The survivor becomes intestatario when the head dies (DPR 223/1989 art. 6: the declarant of the family).
      if (head === spouse) survivor.events.push({ type: 'family-changed', effectiveDate: death, familyId: h.familyId, relationship: HEAD });
      return h;
    }
    case 'aire': {
      const p = adult(b, rng.chance(0.5) ? 'M' : 'F', 22, 75, istat, {});
      const dest = rng.weighted(AIRE_DESTINATIONS);
      const state = foreignStateByCode(dest.stateCode)!;
      const city = rng.pick(dest.cities);
      const h = household(b, istat, settleDate(b, p), 'aire');
      const aire: AireHome = {
        stateCode: state.belfioreCode,
        stateName: state.name,
        city,
        address: `${rng.int(1, 300)} ${rng.pick(['Main Street', 'Rue de la Paix', 'Hauptstrasse', 'Avenida de Mayo', 'High Street', 'Bahnhofstrasse'])}`,
        consulate: `Consolato d'Italia a ${city}`,
        aireIstatCode: istat,
      };
      // AIRE people have no famiglia anagrafica in Italy; AIRE family data are kept apart [simplified].
      b.register(p, h.settled, 'aire', { aire }, rng.chance(0.5) ? '2' : '1');
      h.members.push(p);
      return h;
    }
  }
}

function toFamily(h: Household): GeneratedFamily {
  return { familyId: h.familyId, members: h.members.map((d) => ({ idAnpr: d.idAnpr, fiscalCode: d.fiscalCode, events: d.events })) };
}

// --- Demo citizens ---------------------------------------------------------------------------------------

function demo(fiscalCode: string): DemoPerson {
  const p = demoPeople.find((d) => d.fiscalCode === fiscalCode);
  if (!p) throw new Error(`no demo citizen ${fiscalCode}`);
  return p;
}

function demoSpec(p: DemoPerson): PersonSpec {
  return {
    givenName: p.givenName,
    familyName: p.familyName,
    sex: p.sex,
    birthDate: p.birthDate,
    birthPlace: placeOfBelfiore(p.birthplaceCode),
    citizenships: p.birthplaceCode === 'Z600' ? ['IT', 'AR'] : ['IT'],
    expectFiscalCode: p.fiscalCode,
  };
}

function synthetic(b: PopulationBuilder, spec: Omit<PersonSpec, 'birthPlace' | 'citizenships'> & { birthplaceCode: string; citizenships?: string[] }): Draft {
  return b.person({ ...spec, birthPlace: placeOfBelfiore(spec.birthplaceCode), citizenships: spec.citizenships ?? ['IT'] });
}

/** Fixed addresses of the demo families (Bugliano streets), so that pages and tests can name them. */
function demoAddress(istatCode: string, streetIndex: number, houseNumber: string, interior?: string): Address {
  const m = municipalityByIstat(istatCode)!;
  const s = stradarioOf(istatCode)![streetIndex]!;
  return { istatCode, comune: m.name, province: m.province, postcode: s.postcode ?? '', streetCode: s.code, species: s.species, streetName: s.name, houseNumber, ...(interior ? { interior } : {}) };
}

/**
 * The 12 demo citizens in plausible families: most in Bugliano; Giuseppe D'Angelo in Vicopisano (the second
 * demo ente); the other Davide Gallo, whose original code made the demo Davide's an omocodia variant, in Genova.
 */
function demoFamilies(b: PopulationBuilder): Household[] {
  const B = BUGLIANO.istatCode;
  const out: Household[] = [];
  const home = (istat: string, settled: IsoDate, address: Address, reason: RegistrationReason = 'transfer'): Household => {
    const h: Household = { familyId: b.newFamilyId(), istatCode: istat, address, settled, reason, members: [] };
    out.push(h);
    return h;
  };

  // The other Davide Gallo (Genova), first, so that the demo Davide gets the omocodia variant.
  const genova = home('010025', '1998-09-01', b.address('010025'));
  join(b, genova, synthetic(b, { givenName: 'Davide', familyName: 'Gallo', sex: 'M', birthDate: '1971-04-19', birthplaceCode: 'D969' }), HEAD, '1');

  // Marco Bianchi: married to Silvia Neri, two children; Via Roma 15.
  const bianchi = home(B, '2008-06-14', demoAddress(B, 1, '15'));
  const marco = join(b, bianchi, b.person(demoSpec(demo('BNCMRC78C14G702E'))), HEAD, '1');
  const silvia = join(b, bianchi, synthetic(b, { givenName: 'Silvia', familyName: 'Neri', sex: 'F', birthDate: '1980-11-09', birthplaceCode: 'G702' }), SPOUSE, '1');
  marry(marco, silvia, '2008-06-14');
  join(b, bianchi, synthetic(b, { givenName: 'Tommaso', familyName: 'Bianchi', sex: 'M', birthDate: '2010-02-21', birthplaceCode: 'G702' }), CHILD, '1', { fatherId: marco.idAnpr, motherId: silvia.idAnpr });
  join(b, bianchi, synthetic(b, { givenName: 'Sofia', familyName: 'Bianchi', sex: 'F', birthDate: '2013-09-03', birthplaceCode: 'G702' }), CHILD, '1', { fatherId: marco.idAnpr, motherId: silvia.idAnpr });

  // Giulia Romano with her son Lorenzo Ricci (a minor): single parent, Via Garibaldi 8.
  const romano = home(B, '2019-03-01', demoAddress(B, 2, '8', '3'));
  const giulia = join(b, romano, b.person(demoSpec(demo('RMNGLI92L63H501O'))), HEAD, '1');
  const lorenzoFather = synthetic(b, { givenName: 'Matteo', familyName: 'Ricci', sex: 'M', birthDate: '1989-01-12', birthplaceCode: 'D612' });
  const ricciHome = home('048017', '2012-05-01', b.address('048017'));
  join(b, ricciHome, lorenzoFather, HEAD, '1');
  join(b, romano, b.person(demoSpec(demo('RCCLNZ14E18D612Y'))), CHILD, '1', { fatherId: lorenzoFather.idAnpr, motherId: giulia.idAnpr });

  // Alessandro Ferrari: married to Paola Conti, a grown-up son at home; Corso Vittorio Emanuele II 42.
  const ferrari = home(B, '1994-09-10', demoAddress(B, 5, '42'));
  const ale = join(b, ferrari, b.person(demoSpec(demo('FRRLSN65S02F205E'))), HEAD, '1');
  const paola = join(b, ferrari, synthetic(b, { givenName: 'Paola', familyName: 'Conti', sex: 'F', birthDate: '1967-04-30', birthplaceCode: 'G702' }), SPOUSE, '1');
  marry(ale, paola, '1994-09-10');
  join(b, ferrari, synthetic(b, { givenName: 'Luca', familyName: 'Ferrari', sex: 'M', birthDate: '1998-12-05', birthplaceCode: 'G702' }), CHILD, '1', { fatherId: ale.idAnpr, motherId: paola.idAnpr });

  // Francesca Esposito lives with her partner Andrea Fontana (convivente, code 23); Via delle Vigne 7.
  const esposito = home(B, '2021-10-01', demoAddress(B, 17, '7'));
  join(b, esposito, b.person(demoSpec(demo('SPSFNC88A70F839U'))), HEAD, '1');
  join(b, esposito, synthetic(b, { givenName: 'Andrea', familyName: 'Fontana', sex: 'M', birthDate: '1986-07-17', birthplaceCode: 'G702' }), PARTNER, '1');

  // Chiara Colombo, widow: her husband Piero Martini died in 2019; Via della Chiesa 3.
  const colombo = home(B, '1979-05-19', demoAddress(B, 8, '3'));
  const piero = join(b, colombo, synthetic(b, { givenName: 'Piero', familyName: 'Martini', sex: 'M', birthDate: '1950-01-25', birthplaceCode: 'G702' }), HEAD, '1');
  const chiara = join(b, colombo, b.person(demoSpec(demo('CLMCHR54P48L219V'))), SPOUSE, '1');
  marry(piero, chiara, '1979-05-19');
  piero.events.push({ type: 'died', effectiveDate: '2019-11-02', placeIstatCode: '050026' });
  chiara.events.push({ type: 'civil-status-changed', effectiveDate: '2019-11-02', civilStatus: '3' });
  chiara.events.push({ type: 'family-changed', effectiveDate: '2019-11-02', familyId: colombo.familyId, relationship: HEAD });

  // Salvatore Lombardo and his wife Rosa Caruso, an elderly couple; Piazza della Pieve 4.
  const lombardo = home(B, '1975-07-06', demoAddress(B, 12, '4'));
  const salvatore = join(b, lombardo, b.person(demoSpec(demo('LMBSVT49B27G273V'))), HEAD, '1');
  const rosa = join(b, lombardo, synthetic(b, { givenName: 'Rosa', familyName: 'Caruso', sex: 'F', birthDate: '1952-03-18', birthplaceCode: 'G273' }), SPOUSE, '1');
  marry(salvatore, rosa, '1975-07-06');

  // Elena Moretti, single, Via Dante Alighieri 27.
  const moretti = home(B, '2023-02-15', demoAddress(B, 27, '27'));
  join(b, moretti, b.person(demoSpec(demo('MRTLNE99T71A944N'))), HEAD, '1');

  // Martina Greco (born in Argentina, Italian and Argentinian) with her husband Fabio Sala and a daughter.
  const greco = home(B, '2011-04-09', demoAddress(B, 13, '19'), 'immigration');
  const fabio = join(b, greco, synthetic(b, { givenName: 'Fabio', familyName: 'Sala', sex: 'M', birthDate: '1980-08-08', birthplaceCode: 'G702' }), HEAD, '1');
  const martina = join(b, greco, b.person(demoSpec(demo('GRCMTN83H45Z600R'))), SPOUSE, '1');
  marry(fabio, martina, '2011-04-09');
  join(b, greco, synthetic(b, { givenName: 'Emma', familyName: 'Sala', sex: 'F', birthDate: '2016-01-27', birthplaceCode: 'G702' }), CHILD, '1', { fatherId: fabio.idAnpr, motherId: martina.idAnpr });

  // Davide Gallo (omocodia), single, Via Pisana 101.
  const gallo = home(B, '2005-10-20', demoAddress(B, 22, '101'));
  join(b, gallo, b.person(demoSpec(demo('GLLDVD71D19D96VD'))), HEAD, '4');

  // Anna Marino, a student living with her parents; Via Antonio Gramsci 12.
  const marino = home(B, '1999-03-01', demoAddress(B, 14, '12'));
  const franco = join(b, marino, synthetic(b, { givenName: 'Franco', familyName: 'Marino', sex: 'M', birthDate: '1968-06-02', birthplaceCode: 'A662' }), HEAD, '1');
  const lucia = join(b, marino, synthetic(b, { givenName: 'Lucia', familyName: 'Bruno', sex: 'F', birthDate: '1971-02-14', birthplaceCode: 'A662' }), SPOUSE, '1');
  marry(franco, lucia, '1999-03-01');
  join(b, marino, b.person(demoSpec(demo('MRNNNA01R44A662H'))), CHILD, '1', { fatherId: franco.idAnpr, motherId: lucia.idAnpr });

  // Giuseppe D'Angelo, in Vicopisano (the second demo ente).
  const dangelo = home('050038', '1996-05-11', b.address('050038'));
  join(b, dangelo, b.person(demoSpec(demo('DNGGPP60M15L736W'))), HEAD, '3');
  return out;
}

/** The synthetic population, family by family. */
export function* generatePopulation(options: PopulationOptions): Generator<GeneratedFamily> {
  const b = new PopulationBuilder(options);
  const comuni = options.comuni ?? DEFAULT_COMUNI;
  let made = 0;
  if (options.includeDemo) {
    for (const h of demoFamilies(b)) {
      made += h.members.length;
      yield toFamily(h);
    }
  }
  while (made < options.people) {
    const istat = b.rng.weighted(comuni).istatCode;
    const h = buildShape(b, b.rng.weighted(SHAPES).shape, istat);
    // Cut the last family to fit; its head (the first member) is always kept.
    const room = options.people - made;
    if (h.members.length > room) h.members.splice(Math.max(1, room));
    made += h.members.length;
    yield toFamily(h);
  }
}
