// What a certificate certifies, as data (the snapshot stored at issue, so that verification shows what was
// certified then even after the record changes), and its wording in Italian legal form (the same for the
// PDF and the verification page). Pure.
import type { IsoDate } from '../../../domain/dates.ts';
import type { Sex } from '../../../domain/fiscal-code.ts';
import { municipalityByIstat } from '../../../domain/municipalities.ts';
import { CIVIL_STATUS_CODES, RELATIONSHIP_CODES, type CivilStatusCode, type RelationshipCode } from '../codes.ts';
import type { Address, PersonState, Place } from '../model.ts';
import { cittadinanza } from '../presenter.ts';
import type { FamilyMemberState } from '../store.ts';
import { certificateTitle, kindSpec, validUntil, type CertificateKind } from './kinds.ts';
import type { StampDuty } from './stamp-duty.ts';

export interface PersonSummary {
  readonly fiscalCode: string;
  readonly givenName: string;
  readonly familyName: string;
  readonly sex: Sex;
  readonly birthDate: IsoDate;
  /** As printed: "PISA (PI)", "BUENOS AIRES (ARGENTINA)", "ARGENTINA". */
  readonly birthPlace: string;
  /** Born in a foreign state whose locality is not recorded: "nato in ARGENTINA" rather than "a". */
  readonly bornInState?: true;
}

export interface FamilyMemberSummary extends PersonSummary {
  readonly relationship: RelationshipCode;
}

export interface CertificateContent {
  readonly version: 1;
  readonly kind: CertificateKind;
  readonly title: string;
  /** The record is certified as it was on this day (before the issue date: a certificato storico). */
  readonly referenceDate: IsoDate;
  readonly issuedOn: IsoDate;
  readonly historical: boolean;
  /** The comune whose anagrafe keeps the record (of residence, or the AIRE comune). */
  readonly comune: { readonly istatCode: string; readonly name: string; readonly province: string };
  /** Only what is printed: the idANPR stays in the record (subject_id), out of the public verification. */
  readonly subject: PersonSummary;
  readonly residence?: { readonly address: string; readonly comune: string; readonly province: string; readonly postcode: string; readonly since: IsoDate };
  readonly aire?: { readonly state: string; readonly city: string; readonly address: string; readonly consulate?: string; readonly since: IsoDate };
  /** Names of the states, Italy first as recorded. */
  readonly citizenships?: readonly string[];
  readonly civilStatus?: { readonly code: CivilStatusCode; readonly since: IsoDate };
  /** Marriage or civil union: with whom (when the record names them) and since when. */
  readonly union?: { readonly partner: PersonSummary | null; readonly since: IsoDate };
  readonly family?: { readonly relationships: boolean; readonly members: readonly FamilyMemberSummary[] };
  readonly alive?: true;
  readonly stampDuty: StampDuty;
  /** Last day of validity; null: unlimited. */
  readonly validUntil: IsoDate | null;
}

export function placeLabel(place: Place): string {
  if (place.kind === 'comune') return `${place.name} (${place.province})`.toUpperCase();
  return (place.locality ? `${place.locality} (${place.name})` : place.name).toUpperCase();
}

/** "VIA ROMA 15, INT. 3". */
export const addressLine = (r: Address) => `${r.species} ${r.streetName} ${r.houseNumber}${r.interior ? `, int. ${r.interior}` : ''}`.toUpperCase();

export function personSummary(p: PersonState): PersonSummary {
  const place = p.birthPlace;
  return {
    fiscalCode: p.fiscalCode,
    givenName: p.givenName,
    familyName: p.familyName,
    sex: p.sex,
    birthDate: p.birthDate,
    birthPlace: placeLabel(place),
    ...(place.kind === 'foreign' && !place.locality ? { bornInState: true as const } : {}),
  };
}

export interface ContentInput {
  kind: CertificateKind;
  /** The subject as of the reference date (checked by kindRefusal). */
  subject: PersonState;
  /** The famiglia anagrafica on the reference date, head first (kinds with a family section). */
  family?: readonly FamilyMemberState[];
  /** The spouse or civil partner (kinds certifying a union), when the record names them. */
  partner?: PersonState;
  referenceDate: IsoDate;
  issuedOn: IsoDate;
  stampDuty: StampDuty;
}

/** The snapshot of what a certificate of this kind certifies about the subject. */
export function certificateContent(input: ContentInput): CertificateContent {
  const { kind, subject: p } = input;
  const spec = kindSpec(kind);
  const has = (s: (typeof spec.sections)[number]) => spec.sections.includes(s);
  const historical = input.referenceDate < input.issuedOn;
  const istat = p.residence?.istatCode ?? p.aire?.aireIstatCode ?? '';
  const m = municipalityByIstat(istat);
  const r = p.residence;
  const a = p.aire;
  return {
    version: 1,
    kind,
    title: certificateTitle(kind, historical),
    referenceDate: input.referenceDate,
    issuedOn: input.issuedOn,
    historical,
    comune: { istatCode: istat, name: m?.name ?? r?.comune ?? '', province: m?.province ?? r?.province ?? '' },
    subject: personSummary(p),
    ...(has('residenza') && r
      ? { residence: { address: addressLine(r), comune: r.comune.toUpperCase(), province: r.province, postcode: r.postcode, since: r.since } }
      : {}),
    ...(has('aire') && a
      ? { aire: { state: a.stateName.toUpperCase(), city: a.city.toUpperCase(), address: a.address.toUpperCase(), ...(a.consulate ? { consulate: a.consulate } : {}), since: a.since } }
      : {}),
    ...(has('cittadinanza') ? { citizenships: cittadinanza(p).map((c) => c.descrizioneStato) } : {}),
    ...(has('stato-civile') || has('stato-libero') ? { civilStatus: { code: p.civilStatus.code, since: p.civilStatus.since } } : {}),
    ...(has('matrimonio') || has('unione-civile') ? { union: { partner: input.partner ? personSummary(input.partner) : null, since: p.civilStatus.since } } : {}),
    ...(has('famiglia')
      ? { family: { relationships: !!spec.relationships, members: (input.family ?? []).map((f) => ({ ...personSummary(f.person), relationship: f.relationship })) } }
      : {}),
    ...(has('esistenza') ? { alive: true as const } : {}),
    stampDuty: input.stampDuty,
    validUntil: validUntil(kind, input.issuedOn),
  };
}

// --- Wording -----------------------------------------------------------------------------------------------

/** 14/03/1978. */
export function italianDate(date: IsoDate): string {
  const [y, m, d] = date.split('-');
  return `${d}/${m}/${y}`;
}

const bySex = (sex: Sex, male: string, female: string) => (sex === 'F' ? female : male);

/**
 * A label of the ANPR tables in the subject's gender: "Marito / Moglie", "Zio / Zia (collaterale)",
 * "Coniugato/a", "Unito civilmente", "Intestatario scheda".
 */
export function genderedLabel(label: string, sex: Sex): string {
  const pair = /^(\S+) \/ (\S+)(.*)$/.exec(label);
  if (pair) return bySex(sex, pair[1]!, pair[2]!) + pair[3];
  const suffix = /^(\S+)o\/a(.*)$/.exec(label);
  if (suffix) return `${suffix[1]}${bySex(sex, 'o', 'a')}${suffix[2]}`;
  return sex === 'F' ? label.replace(/^(Unit|Intestatari)o\b/, '$1a') : label;
}

export const civilStatusLabel = (code: CivilStatusCode, sex: Sex) => genderedLabel(CIVIL_STATUS_CODES[code], sex);
export const relationshipLabel = (code: RelationshipCode, sex: Sex) => genderedLabel(RELATIONSHIP_CODES[code], sex);

export const fullName = (p: { familyName: string; givenName: string }) => `${p.familyName} ${p.givenName}`.toUpperCase();

/** "nato a PISA (PI) il 14/03/1978", "nata in ARGENTINA il ...". */
export const bornLine = (p: PersonSummary) => `${bySex(p.sex, 'nato', 'nata')} ${p.bornInState ? 'in' : 'a'} ${p.birthPlace} il ${italianDate(p.birthDate)}`;

export const comuneLabel = (c: CertificateContent['comune']) => `${c.name} (${c.province})`.toUpperCase();

/** Names of the subject's states of citizenship, Italy apart ("ITALIA" as ANPR's descrizioneStato). */
export function citizenshipStates(p: PersonState): { italian: boolean; others: string[] } {
  const states = cittadinanza(p).map((c) => c.descrizioneStato);
  return { italian: states.includes('ITALIA'), others: states.filter((s) => s !== 'ITALIA') };
}

function citizenshipStatement(citizenships: readonly string[], sex: Sex, verb: string): string {
  const others = citizenships.filter((c) => c !== 'ITALIA');
  if (others.length === citizenships.length) return `${verb} ${bySex(sex, 'cittadino', 'cittadina')} dei seguenti Stati: ${others.join(', ')}.`;
  return others.length ? `${verb} in possesso della cittadinanza italiana e di quella dei seguenti Stati: ${others.join(', ')}.` : `${verb} in possesso della cittadinanza italiana.`;
}

/**
 * The certified facts, one sentence each, completing "Si certifica che <subject>, ...": in the present for a
 * certificate as of the issue date, in the past ("alla data del ..., risultava") for a certificato storico.
 */
export function certifiedStatements(c: CertificateContent): string[] {
  const sex = c.subject.sex;
  const verb = c.historical ? 'risultava' : 'risulta';
  const out: string[] = [];
  if (c.historical) out.push(`alla data del ${italianDate(c.referenceDate)}:`);
  if (c.kind === 'nascita') out.push(`${verb} ${bornLine(c.subject)}.`);
  if (c.residence) {
    const r = c.residence;
    out.push(`${verb} residente in ${r.comune} (${r.province}), ${r.address}, CAP ${r.postcode}, dal ${italianDate(r.since)}.`);
  }
  if (c.aire) {
    const a = c.aire;
    out.push(
      `${verb} ${bySex(sex, 'iscritto', 'iscritta')} nell'Anagrafe degli Italiani Residenti all'Estero (AIRE) del Comune di ${comuneLabel(c.comune)} dal ${italianDate(a.since)}, ` +
        `con residenza in ${a.city} (${a.state}), ${a.address}${a.consulate ? `; ufficio consolare: ${a.consulate}` : ''}.`,
    );
  }
  if (c.citizenships) out.push(citizenshipStatement(c.citizenships, sex, verb));
  if (c.civilStatus) {
    const label = civilStatusLabel(c.civilStatus.code, sex).toUpperCase();
    if (c.kind === 'stato-libero') out.push(`${verb} di stato libero (${label}): non ${bySex(sex, 'vincolato', 'vincolata')} da matrimonio né da unione civile.`);
    else out.push(`${verb} di stato civile ${label}${c.civilStatus.code === '1' ? '' : ` dal ${italianDate(c.civilStatus.since)}`}.`);
  }
  if (c.union) {
    const what = c.kind === 'unione-civile' ? bySex(sex, 'unito civilmente', 'unita civilmente') : bySex(sex, 'coniugato', 'coniugata');
    const partner = c.union.partner ? ` con ${fullName(c.union.partner)}, ${bornLine(c.union.partner)},` : '';
    out.push(`${verb} ${what}${partner} dal ${italianDate(c.union.since)}.`);
  }
  if (c.alive) out.push(`${verb} in vita alla data del ${italianDate(c.issuedOn)}.`);
  if (c.family) out.push(`la famiglia anagrafica ${c.historical ? 'era' : 'è'} così composta:`);
  return out;
}
