// Prefill: a component declaring `properties.prefill` gets its value from the citizen's login or from
// ANPR, so the citizen types nothing the PA already knows (once-only, D.Lgs. 82/2005 art. 50-ter).
import type { PrefillProfile } from '../../clients/anpr/index.ts';
import type { CitizenIdentity, ProviderName } from '../../clients/identity/login.ts';
import { dateInItaly, type IsoDate } from '../../domain/dates.ts';
import { walk, type Component, type ComponentType, type FormSchema } from './schema.ts';

/** The signed-in citizen as the identity provider asserted them, and which provider it was (named in the mark). */
export type LoginSource = Omit<CitizenIdentity, 'placeOfBirth'> & { provider?: ProviderName };

export interface PrefillSources {
  login: LoginSource;
  /** From the ente's ANPR client (interop anprClientFor(tenant).prefillProfile(cf)); absent when ANPR is unreachable. */
  anpr?: PrefillProfile;
  /** The day in Italy, for who is a minor (default: now). */
  today?: IsoDate;
}

/** One entry of a list the PA knows (a child in the famiglia anagrafica): the value is its fiscal code. */
export interface PrefillChoice {
  value: string;
  name: string;
  birthDate: IsoDate;
}

/** The value of an `address` component. */
export interface AddressValue {
  street: string;
  houseNumber: string;
  postcode: string;
  comune: string;
  province: string;
  /** Only for an address abroad (from ANPR), where postcode and province may be empty. */
  country?: string;
}

export type PrefillOrigin = 'anpr' | ProviderName;

export interface PrefillMark {
  origin: PrefillOrigin;
  /** From an authoritative source (ANPR; the identity's certified attributes): shown read-only, never taken from the post. */
  readOnly: boolean;
}

export interface PrefillResult {
  data: Record<string, unknown>;
  marks: Record<string, PrefillMark>;
  /**
   * The options of the select/radio fields fed by a list source, by key (grid rows included), always
   * from ANPR; a key is absent when ANPR did not answer: the citizen then types a fiscal code instead.
   */
  choices: Record<string, PrefillChoice[]>;
}

type ValueSource = {
  /** Which components it fits: text-like fields (textfield, codicefiscale, day, email...) or an address. */
  fits: 'text' | 'address';
  from: 'login' | 'anpr';
  authoritative: boolean;
  pick(sources: PrefillSources): string | AddressValue | undefined;
};
/** A list the citizen chooses from in a select or radio (its options), not a value. */
type ChoiceSource = { fits: 'choice'; from: 'anpr'; authoritative: true; choices(sources: PrefillSources): PrefillChoice[] | undefined };
type PrefillSource = ValueSource | ChoiceSource;

const anprAddress = (p: PrefillProfile | undefined): AddressValue | undefined => {
  const r = p?.residence;
  if (!r) return undefined;
  if (r.kind === 'abroad') return { street: r.address, houseNumber: '', postcode: '', comune: r.locality, province: '', country: r.state };
  // ANPR writes the house number at the end of the street ("VIA ROMA 12/A").
  const street = r.street.endsWith(` ${r.houseNumber}`) ? r.street.slice(0, -r.houseNumber.length - 1) : r.street;
  return { street, houseNumber: r.houseNumber, postcode: r.postcode, comune: r.comune, province: r.province };
};

const birthPlaceText = (p: PrefillProfile | undefined): string | undefined => {
  const b = p?.birthPlace;
  if (!b) return undefined;
  return b.comune ? `${b.comune}${b.province ? ` (${b.province})` : ''}` : [b.locality, b.state].filter(Boolean).join(', ') || undefined;
};

/** Under 18 on the day (codice civile art. 2): born after the same day 18 years before. */
export const isMinorOn = (birthDate: IsoDate, today: IsoDate): boolean => birthDate > `${String(Number(today.slice(0, 4)) - 18).padStart(4, '0')}${today.slice(4)}`;

/** The minors of the citizen's famiglia anagrafica (ANPR C021), the citizen excluded. */
const familyChildren = (s: PrefillSources): PrefillChoice[] | undefined =>
  s.anpr?.family.filter((m) => isMinorOn(m.birthDate, s.today ?? dateInItaly(new Date()))).map((m) => ({ value: m.fiscalCode, name: `${m.givenName} ${m.familyName}`, birthDate: m.birthDate }));

const login = (pick: (l: LoginSource) => string | undefined, authoritative: boolean): ValueSource => ({ fits: 'text', from: 'login', authoritative, pick: (s) => pick(s.login) });
const anpr = (pick: (p: PrefillProfile) => string | undefined): ValueSource => ({ fits: 'text', from: 'anpr', authoritative: true, pick: (s) => s.anpr && pick(s.anpr) });
const residence = (field: keyof AddressValue): ValueSource => anpr((p) => anprAddress(p)?.[field] || undefined);

/**
 * The vocabulary of `properties.prefill`. The identity's fiscal code, names and birth date are
 * certified by the identity provider (read-only); its e-mail and phone are only suggestions.
 */
export const PREFILL_SOURCES: Record<string, PrefillSource> = {
  'login.fiscalCode': login((l) => l.fiscalCode, true),
  'login.givenName': login((l) => l.givenName, true),
  'login.familyName': login((l) => l.familyName, true),
  'login.birthdate': login((l) => l.birthdate, true),
  'login.email': login((l) => l.email, false),
  'login.phone': login((l) => l.phone, false),
  'anpr.fiscalCode': anpr((p) => p.fiscalCode),
  'anpr.givenName': anpr((p) => p.givenName),
  'anpr.familyName': anpr((p) => p.familyName),
  'anpr.sex': anpr((p) => p.sex),
  'anpr.birthDate': anpr((p) => p.birthDate),
  'anpr.birthPlace': anpr(birthPlaceText),
  'anpr.residence.address': { fits: 'address', from: 'anpr', authoritative: true, pick: (s) => anprAddress(s.anpr) },
  'anpr.residence.street': residence('street'),
  'anpr.residence.houseNumber': residence('houseNumber'),
  'anpr.residence.postcode': residence('postcode'),
  'anpr.residence.comune': residence('comune'),
  'anpr.residence.province': residence('province'),
  'anpr.family.children': { fits: 'choice', from: 'anpr', authoritative: true, choices: familyChildren },
};

/** Whether a source's value fits a component type: text into text-like fields, an address into an address, a list into a select or radio. */
export function prefillFits(source: string, type: ComponentType): boolean {
  const fits = PREFILL_SOURCES[source]?.fits;
  if (fits === 'choice') return type === 'select' || type === 'radio';
  if (type === 'address') return fits === 'address';
  return fits === 'text' && !['file', 'checkbox', 'selectboxes', 'panel', 'editgrid', 'datagrid'].includes(type);
}

/** The list source of a select/radio, if it has one. */
export function choiceSourceOf(c: Pick<Component, 'properties'>): ChoiceSource | undefined {
  const source = c.properties?.prefill ? PREFILL_SOURCES[c.properties.prefill] : undefined;
  return source?.fits === 'choice' ? source : undefined;
}

function* prefillable(components: readonly Component[]): Generator<Component> {
  for (const c of components) {
    if (c.type === 'panel') yield* prefillable(c.components ?? []);
    else if (c.properties?.prefill) yield c;
  }
}

/**
 * The values the sources give the schema's top-level fields, each marked with where it came from,
 * and the lists of the fields fed by a list source (anywhere, repeating groups included).
 */
export function prefill(schema: FormSchema, sources: PrefillSources): PrefillResult {
  const result: PrefillResult = { data: {}, marks: {}, choices: {} };
  for (const { component } of walk(schema.components)) {
    const list = choiceSourceOf(component)?.choices(sources);
    if (list) result.choices[component.key] = list;
  }
  for (const component of prefillable(schema.components)) {
    const source = PREFILL_SOURCES[component.properties!.prefill!];
    if (!source || source.fits === 'choice') continue;
    const value = source.pick(sources);
    if (value === undefined || value === '') continue;
    result.data[component.key] = value;
    result.marks[component.key] = { origin: source.from === 'anpr' ? 'anpr' : (sources.login.provider ?? 'spid'), readOnly: source.authoritative };
  }
  return result;
}

/** The prefilled values a post may not change: validateSubmission takes them over what was posted. */
export function lockedValues(result: PrefillResult): Record<string, unknown> {
  return Object.fromEntries(Object.entries(result.data).filter(([key]) => result.marks[key]?.readOnly));
}
