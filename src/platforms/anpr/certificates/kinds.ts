// The certificates ANPR issues online, what each certifies, and who may have one: pure rules.
// Kinds after the list of the Ministero dell'Interno's decree of 3 Nov 2021 (GU 280 of 24/11/2021, online
// certificates through ANPR): anagrafico di nascita, di matrimonio, di unione civile; cittadinanza; esistenza
// in vita; residenza; residenza AIRE; stato civile; stato libero; stato di famiglia (also with the
// relationships, and with stato civile); plus the "contestuale" (residenza, cittadinanza, stato civile and
// famiglia in one document) the comuni issue. Not here: residenza in convivenza, stato di famiglia AIRE and
// contratto di convivenza, which need data the registry model does not keep (convivenze anagrafiche, AIRE
// families, cohabitation contracts).
// Certificates "storici" (residenza, stato civile, stato di famiglia at a past date) are the same kinds read
// as of that date: the record is event-sourced (model.ts personAsOf).
import { compareIsoDates, daysInMonth, formatIsoDate, requireIsoDate, type IsoDate } from '../../../domain/dates.ts';
import type { CivilStatusCode } from '../codes.ts';
import type { PersonState } from '../model.ts';

/** What a certificate may say about its subject. */
export type Section = 'nascita' | 'residenza' | 'aire' | 'cittadinanza' | 'stato-civile' | 'stato-libero' | 'matrimonio' | 'unione-civile' | 'esistenza' | 'famiglia';

/** What must hold of the subject on the reference date (beyond being registered and alive). */
type Requirement = 'resident' | 'aire' | 'italian' | 'free-status' | 'married' | 'civil-union';

export interface CertificateKindSpec {
  /** The title printed on the certificate (Italian: the certificate is the legal document). */
  readonly title: string;
  /** The title when issued as of a past date; absent when the kind is only issued as of today. */
  readonly historicalTitle?: string;
  readonly sections: readonly Section[];
  /** The family table names each member's relationship to the intestatario. */
  readonly relationships?: boolean;
  readonly requires: readonly Requirement[];
  /** Certifies facts that cannot change (DPR 445/2000 art. 41 c.1): valid without time limit. */
  readonly unlimitedValidity?: boolean;
}

export const CERTIFICATE_KINDS = {
  'nascita': { title: 'Certificato anagrafico di nascita', sections: ['nascita'], requires: [], unlimitedValidity: true },
  'matrimonio': { title: 'Certificato anagrafico di matrimonio', sections: ['matrimonio'], requires: ['married'] },
  'unione-civile': { title: 'Certificato anagrafico di unione civile', sections: ['unione-civile'], requires: ['civil-union'] },
  'cittadinanza': { title: 'Certificato di cittadinanza italiana', sections: ['cittadinanza'], requires: ['italian'] },
  'esistenza-in-vita': { title: 'Certificato di esistenza in vita', sections: ['esistenza'], requires: [] },
  'residenza': { title: 'Certificato di residenza', historicalTitle: 'Certificato storico di residenza', sections: ['residenza'], requires: ['resident'] },
  'residenza-aire': { title: 'Certificato di residenza AIRE', historicalTitle: 'Certificato storico di residenza AIRE', sections: ['aire'], requires: ['aire'] },
  'stato-civile': { title: 'Certificato di stato civile', historicalTitle: 'Certificato storico di stato civile', sections: ['stato-civile'], requires: [] },
  'stato-libero': { title: 'Certificato di stato libero', sections: ['stato-libero'], requires: ['free-status'] },
  'stato-di-famiglia': { title: 'Certificato di stato di famiglia', historicalTitle: 'Certificato storico di stato di famiglia', sections: ['residenza', 'famiglia'], requires: ['resident'] },
  'stato-di-famiglia-parentela': {
    title: 'Certificato di stato di famiglia con rapporti di parentela',
    historicalTitle: 'Certificato storico di stato di famiglia con rapporti di parentela',
    sections: ['residenza', 'famiglia'],
    relationships: true,
    requires: ['resident'],
  },
  'stato-di-famiglia-stato-civile': { title: 'Certificato di stato di famiglia e di stato civile', sections: ['residenza', 'stato-civile', 'famiglia'], relationships: true, requires: ['resident'] },
  'contestuale': {
    title: 'Certificato contestuale di residenza, cittadinanza, stato civile e stato di famiglia',
    historicalTitle: 'Certificato contestuale storico di residenza, cittadinanza, stato civile e stato di famiglia',
    sections: ['residenza', 'cittadinanza', 'stato-civile', 'famiglia'],
    relationships: true,
    requires: ['resident'],
  },
} as const satisfies Record<string, CertificateKindSpec>;

export type CertificateKind = keyof typeof CERTIFICATE_KINDS;
export const CERTIFICATE_KIND_CODES = Object.keys(CERTIFICATE_KINDS) as CertificateKind[];

export function isCertificateKind(kind: string): kind is CertificateKind {
  return Object.hasOwn(CERTIFICATE_KINDS, kind);
}

export const kindSpec = (kind: CertificateKind): CertificateKindSpec => CERTIFICATE_KINDS[kind];

/** The title for a reference date (the historical one before the issue date). */
export function certificateTitle(kind: CertificateKind, historical: boolean): string {
  const spec = kindSpec(kind);
  return historical && spec.historicalTitle ? spec.historicalTitle : spec.title;
}

/** Why a request is refused: `code` is the AnprError code the service throws. */
export interface Refusal {
  readonly code: 'not-found' | 'forbidden' | 'rule';
  readonly rule: string;
  readonly message: string;
}

const refuse = (code: Refusal['code'], rule: string, message: string): Refusal => ({ code, rule, message });

/**
 * Whether `requester` may request certificates about `subject` (both as of today): for themselves, or for a
 * member of their own current famiglia anagrafica, as the ANPR online service allows (DM Interno 3/11/2021,
 * disciplinare tecnico). Anyone else goes to the comune's office, stating an interest (DPR 223/1989 art. 33).
 */
export function requestRefusal(requester: PersonState | undefined, subject: PersonState | undefined): Refusal | undefined {
  if (!requester) return refuse('not-found', 'requester-not-registered', 'the requester has no scheda anagrafica in ANPR');
  if (requester.status === 'deceased') return refuse('forbidden', 'requester-deceased', 'the requester is deceased');
  if (!subject) return refuse('not-found', 'subject-not-found', 'no scheda anagrafica in ANPR for the subject');
  if (subject.idAnpr === requester.idAnpr) return undefined;
  const sameFamily = subject.status !== 'deceased' && !!requester.family && subject.family?.familyId === requester.family.familyId;
  return sameFamily ? undefined : refuse('forbidden', 'not-family-member', "the subject is not a member of the requester's famiglia anagrafica");
}

// c.c. art. 86 and L. 76/2016 art. 1 c.4: free to marry or to enter a civil union (unknown status '9' is not certified).
const FREE_STATUS: readonly CivilStatusCode[] = ['1', '3', '4', '7', '8'];

const REQUIREMENTS: Record<Requirement, { holds: (p: PersonState) => boolean; message: string }> = {
  resident: { holds: (p) => p.status === 'resident' && !!p.residence, message: 'the subject is not resident in Italy on that date (AIRE: ask for the AIRE certificate)' },
  aire: { holds: (p) => p.status === 'aire' && !!p.aire, message: 'the subject is not registered in AIRE on that date' },
  // Only Italian citizenship is certified (a foreigner's citizenship is attested by their own state).
  italian: { holds: (p) => p.citizenships.includes('IT'), message: 'the subject is not an Italian citizen' },
  'free-status': { holds: (p) => FREE_STATUS.includes(p.civilStatus.code), message: 'the subject is not free to marry (stato libero)' },
  married: { holds: (p) => p.civilStatus.code === '2', message: 'the subject is not married' },
  'civil-union': { holds: (p) => p.civilStatus.code === '6', message: 'the subject is not in a civil union' },
};

/**
 * Whether a certificate of `kind` can be issued about `subject` as it was on `referenceDate` (undefined:
 * not registered then), issued on `today`. A deceased person gets none of these certificates: death is
 * certified from the stato civile registers (estratto di morte), not by the anagrafe.
 */
export function kindRefusal(kind: CertificateKind, subject: PersonState | undefined, referenceDate: IsoDate, today: IsoDate): Refusal | undefined {
  const spec = kindSpec(kind);
  if (compareIsoDates(referenceDate, today) > 0) return refuse('rule', 'future-date', `the reference date ${referenceDate} is after today`);
  if (compareIsoDates(referenceDate, today) < 0 && !spec.historicalTitle) return refuse('rule', 'not-historical', `a ${spec.title.toLowerCase()} is issued only as of today`);
  if (!subject) return refuse('rule', 'not-registered-on-date', `the subject has no scheda anagrafica on ${referenceDate}`);
  if (subject.status === 'deceased') return refuse('rule', 'deceased', `the subject died on ${subject.deathDate}`);
  for (const r of spec.requires) if (!REQUIREMENTS[r].holds(subject)) return refuse('rule', `not-${r}`, REQUIREMENTS[r].message);
  return undefined;
}

/** Same day `months` later, or the month's last day when it has fewer days (31 Aug + 6 → 28/29 Feb). */
export function addMonths(date: IsoDate, months: number): IsoDate {
  const { year, month, day } = requireIsoDate(date);
  const index = year * 12 + (month - 1) + months;
  const y = Math.floor(index / 12);
  const m = (index % 12) + 1;
  return formatIsoDate({ year: y, month: m, day: Math.min(day, daysInMonth(y, m)) });
}

/**
 * Validity: six months from issue (DPR 445/2000 art. 41 c.1), ending on the corresponding day of the sixth
 * month, or its last day (terms in months, c.c. art. 2963 c.4-5); null when unlimited.
 */
export function validUntil(kind: CertificateKind, issuedOn: IsoDate): IsoDate | null {
  return kindSpec(kind).unlimitedValidity ? null : addMonths(issuedOn, 6);
}
