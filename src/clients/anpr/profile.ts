// What a form prefill takes from ANPR, flattened from one C021 answer (stato di famiglia: the subject
// first with generalità and residence, then the other members): the citizen types none of it again
// (once-only principle, D.Lgs. 82/2005 art. 50-ter and L. 241/1990 art. 18).
import type { DatiSoggetto, Generalita, Residenza } from './index.ts';

export type PrefillAddress =
  | {
      kind: 'italy';
      /** "VIA ROMA 12/A", as ANPR writes it. */
      street: string;
      houseNumber: string;
      interior?: string;
      postcode: string;
      comune: string;
      istatCode: string;
      province: string;
      since: string;
    }
  | { kind: 'abroad'; address: string; locality: string; state: string; stateCode: string; since: string };

export interface PrefillFamilyMember {
  fiscalCode: string;
  givenName: string;
  familyName: string;
  birthDate: string;
  /** ANPR's code and description of the relationship to the head of the family. */
  relationship?: { code: string; description: string };
}

export interface PrefillProfile {
  fiscalCode: string;
  idAnpr: string;
  givenName: string;
  familyName: string;
  sex: 'M' | 'F';
  birthDate: string;
  birthPlace: { comune?: string; istatCode?: string; province?: string; state?: string; stateCode?: string; locality?: string };
  residence?: PrefillAddress;
  relationship?: { code: string; description: string };
  /** The other members of the famiglia anagrafica. */
  family: PrefillFamilyMember[];
}

function birthPlace(g: Generalita): PrefillProfile['birthPlace'] {
  const { comune, localita } = g.luogoNascita;
  if (comune) return { comune: comune.nomeComune, istatCode: comune.codiceIstat, province: comune.siglaProvinciaIstat };
  return { state: localita?.descrizioneStato, stateCode: localita?.codiceStato, ...(localita?.descrizioneLocalita ? { locality: localita.descrizioneLocalita } : {}) };
}

export function addressOf(r: Residenza | undefined): PrefillAddress | undefined {
  if (r?.indirizzo) {
    const { toponimo, numeroCivico, comune, cap } = r.indirizzo;
    const houseNumber = `${numeroCivico.numero}${numeroCivico.lettera ? `/${numeroCivico.lettera}` : ''}`;
    const interior = numeroCivico.civicoInterno?.interno1;
    return {
      kind: 'italy',
      street: `${toponimo.specie} ${toponimo.denominazioneToponimo} ${houseNumber}`,
      houseNumber,
      ...(interior ? { interior } : {}),
      postcode: cap,
      comune: comune.nomeComune,
      istatCode: comune.codiceIstat,
      province: comune.siglaProvinciaIstat,
      since: r.dataDecorrenzaResidenza,
    };
  }
  if (r?.localitaEstera) {
    const { localita, toponimo } = r.localitaEstera.indirizzoEstero;
    return { kind: 'abroad', address: toponimo.denominazione, locality: localita.descrizioneLocalita, state: localita.descrizioneStato, stateCode: localita.codiceStato, since: r.dataDecorrenzaResidenza };
  }
  return undefined;
}

const relationshipOf = (d: DatiSoggetto) => d.legameSoggetto && { code: d.legameSoggetto.codiceLegame, description: d.legameSoggetto.descrizioneLegame };

/** The profile of the first subject of a C021 answer; undefined for an empty answer. */
export function profileFromFamily(subjects: readonly DatiSoggetto[]): PrefillProfile | undefined {
  const [self, ...others] = subjects;
  if (!self) return undefined;
  const g = self.generalita;
  const residence = addressOf(self.residenza?.[0]);
  const relationship = relationshipOf(self);
  return {
    fiscalCode: g.codiceFiscale.codFiscale,
    idAnpr: self.identificativi.idANPR,
    givenName: g.nome,
    familyName: g.cognome,
    sex: g.sesso,
    birthDate: g.dataNascita,
    birthPlace: birthPlace(g),
    ...(residence ? { residence } : {}),
    ...(relationship ? { relationship } : {}),
    family: others.map((m) => {
      const rel = relationshipOf(m);
      return {
        fiscalCode: m.generalita.codiceFiscale.codFiscale,
        givenName: m.generalita.nome,
        familyName: m.generalita.cognome,
        birthDate: m.generalita.dataNascita,
        ...(rel ? { relationship: rel } : {}),
      };
    }),
  };
}
