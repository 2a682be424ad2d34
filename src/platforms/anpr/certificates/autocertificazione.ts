// The dichiarazione sostitutiva di certificazione (autocertificazione, DPR 445/2000 art. 46), prefilled
// with the declarant's data from ANPR: what public administrations and managers of public services must
// accept instead of a certificate (art. 43). It is the citizen's own declaration, signed by them: not
// issued, not stored, no code. Exempt from stamp duty (art. 37 c.1).
import type { IsoDate } from '../../../domain/dates.ts';
import type { PersonState } from '../model.ts';
import type { FamilyMemberState } from '../store.ts';
import { addressLine, bornLine, citizenshipStates, civilStatusLabel, fullName, italianDate, personSummary, relationshipLabel } from './content.ts';
import { DEMO_NOTICE } from './certificate-pdf.ts';
import { PdfWriter } from '../../../core/pdf.ts';

/** The facts a citizen may declare, with the letter of DPR 445/2000 art. 46 c.1 that allows it. */
export const SELF_DECLARABLE_FACTS = {
  nascita: 'a', // data e luogo di nascita
  residenza: 'b',
  cittadinanza: 'c',
  'stato-civile': 'e', // stato di celibe, coniugato, vedovo o stato libero
  'stato-di-famiglia': 'f',
  'esistenza-in-vita': 'g',
} as const;
export type SelfDeclarableFact = keyof typeof SELF_DECLARABLE_FACTS;

export function isSelfDeclarableFact(fact: string): fact is SelfDeclarableFact {
  return Object.hasOwn(SELF_DECLARABLE_FACTS, fact);
}

// DPR 445/2000 art. 75-76: false declarations are punished under the criminal code and forfeit the benefits.
export const ARTICLE_76_WARNING =
  "consapevole delle sanzioni penali previste dall'art. 76 del DPR 445/2000 per le dichiarazioni non veritiere, la formazione o l'uso di atti falsi, " +
  "e della decadenza dai benefici eventualmente conseguiti sulla base di dichiarazioni non veritiere (art. 75 del medesimo decreto),";

const bySex = (p: PersonState, male: string, female: string) => (p.sex === 'F' ? female : male);

function citizenshipFact(p: PersonState): string {
  const { italian, others } = citizenshipStates(p);
  if (!italian) return `di essere ${bySex(p, 'cittadino', 'cittadina')} dei seguenti Stati: ${others.join(', ')}`;
  return `di essere ${bySex(p, 'cittadino italiano', 'cittadina italiana')}${others.length ? ` e di possedere anche la cittadinanza dei seguenti Stati: ${others.join(', ')}` : ''}`;
}

function residenceFact(p: PersonState): string | undefined {
  const r = p.residence;
  if (r) return `di essere residente in ${r.comune.toUpperCase()} (${r.province}), ${addressLine(r)}`;
  const a = p.aire;
  return a ? `di essere residente all'estero in ${a.city.toUpperCase()} (${a.stateName.toUpperCase()}), ${a.address.toUpperCase()}, ${bySex(p, 'iscritto', 'iscritta')} all'AIRE` : undefined;
}

/** The sentences completing "DICHIARA", one per fact, in the order of art. 46 but the family last (its table follows); facts the record lacks are left out. */
export function declaredFacts(p: PersonState, facts: readonly SelfDeclarableFact[], date: IsoDate): string[] {
  const wanted = (f: SelfDeclarableFact) => facts.includes(f);
  const out: string[] = [];
  if (wanted('nascita')) out.push(`di essere ${bornLine(personSummary(p))}`);
  const residence = wanted('residenza') ? residenceFact(p) : undefined;
  if (residence) out.push(residence);
  if (wanted('cittadinanza')) out.push(citizenshipFact(p));
  if (wanted('stato-civile')) out.push(`di essere di stato civile ${civilStatusLabel(p.civilStatus.code, p.sex).toUpperCase()}`);
  if (wanted('esistenza-in-vita')) out.push(`di essere in vita alla data del ${italianDate(date)}`);
  if (wanted('stato-di-famiglia') && p.family) out.push('che la propria famiglia anagrafica è così composta:');
  return out;
}

export interface AutocertificazioneOptions {
  /** The date printed beside the place. */
  date: IsoDate;
}

/** The prefilled self-declaration as a PDF (Italian). `family`: the declarant's famiglia anagrafica, head first. */
export async function autocertificazionePdf(person: PersonState, family: readonly FamilyMemberState[], facts: readonly SelfDeclarableFact[], options: AutocertificazioneOptions): Promise<Buffer> {
  const p = person;
  const name = fullName(p);
  const pdf = new PdfWriter({
    title: `Dichiarazione sostitutiva di certificazione — ${name}`,
    subject: 'Dichiarazione sostitutiva di certificazione (art. 46 DPR 445/2000)',
    author: name,
    keywords: 'autocertificazione, DPR 445/2000, art. 46',
    creationDate: new Date(`${options.date}T00:00:00Z`),
  });
  pdf
    .text('DICHIARAZIONE SOSTITUTIVA DI CERTIFICAZIONE', { tag: 'H1', bold: true, size: 14, align: 'center', gap: 0.1 })
    .text('(art. 46 del DPR 28 dicembre 2000, n. 445)', { align: 'center', gap: 1.2 })
    .text(
      `${bySex(p, 'Il sottoscritto', 'La sottoscritta')} ${name}, ${bornLine(personSummary(p))}, codice fiscale ${p.fiscalCode}, ${ARTICLE_76_WARNING}`,
      { align: 'justify', gap: 0.8 },
    )
    .text('DICHIARA', { tag: 'H2', bold: true, size: 12, align: 'center', gap: 0.6 })
    .list(declaredFacts(p, facts, options.date));
  if (facts.includes('stato-di-famiglia') && p.family) {
    pdf.table(
      ['Cognome e nome', 'Luogo e data di nascita', 'Codice fiscale', "Rapporto con l'intestatario"],
      family.map((m) => [fullName(m.person), `${personSummary(m.person).birthPlace}, ${italianDate(m.person.birthDate)}`, m.person.fiscalCode, relationshipLabel(m.relationship, m.person.sex)]),
      [26, 28, 24, 22],
    );
  }
  const place = p.residence?.comune.toUpperCase() ?? '';
  return pdf
    .text(
      `${bySex(p, 'Il sottoscritto', 'La sottoscritta')} dichiara di essere ${bySex(p, 'informato', 'informata')}, ai sensi dell'art. 13 del Regolamento (UE) 2016/679, che i dati personali raccolti saranno trattati, anche con strumenti informatici, esclusivamente nell'ambito del procedimento per il quale la presente dichiarazione viene resa.`,
      { size: 9, align: 'justify', gap: 0.6 },
    )
    .text("La presente dichiarazione non necessita dell'autenticazione della firma ed è esente dall'imposta di bollo (art. 37 del DPR 445/2000).", { size: 9, gap: 1.6 })
    .text(`Luogo e data: ${place}${place ? ', ' : ''}${italianDate(options.date)}`, { gap: 2 })
    .text(`${bySex(p, 'Il dichiarante', 'La dichiarante')}: ____________________________________`, { align: 'right', gap: 0.4 })
    .text("Dati precompilati dall'Anagrafe Nazionale della Popolazione Residente; la dichiarazione è resa e sottoscritta dal dichiarante.", { size: 8, color: '#555555' })
    .finish(DEMO_NOTICE);
}
