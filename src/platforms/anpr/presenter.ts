// The e-services' answers built from the record, in the wire shapes of src/clients/anpr/wire.ts.
import type { DatiSoggetto } from '../../clients/anpr/wire.ts';
import { CIVIL_STATUS_CODES, RELATIONSHIP_CODES } from './codes.ts';
import type { FamilyMemberState } from './store.ts';
import type { PersonState } from './model.ts';
import { foreignStateByCode, listForeignStates } from '../../domain/municipalities.ts';

function stateName(iso: string): string {
  if (iso === 'IT') return 'ITALIA';
  return (listForeignStates().find((s) => s.iso3166Alpha2 === iso && !s.ceasedOn)?.name ?? iso).toUpperCase();
}

export function generalita(p: PersonState): DatiSoggetto['generalita'] {
  const place = p.birthPlace;
  return {
    codiceFiscale: { codFiscale: p.fiscalCode, validitaCF: '1' },
    cognome: p.familyName.toUpperCase(),
    nome: p.givenName.toUpperCase(),
    sesso: p.sex,
    dataNascita: p.birthDate,
    luogoNascita:
      place.kind === 'comune'
        ? { comune: { nomeComune: place.name.toUpperCase(), codiceIstat: place.istatCode, siglaProvinciaIstat: place.province } }
        : { localita: { ...(place.locality ? { descrizioneLocalita: place.locality } : {}), descrizioneStato: place.name.toUpperCase(), codiceStato: place.belfioreCode } },
    ...(p.status === 'aire' ? { soggettoAIRE: 'S' } : {}),
    idSchedaSoggettoANPR: p.idAnpr,
  };
}

export function residenza(p: PersonState): NonNullable<DatiSoggetto['residenza']> {
  if (p.residence) {
    const r = p.residence;
    const m = /^(\d+)\s*\/?\s*([A-Za-z]*)$/.exec(r.houseNumber);
    return [
      {
        tipoIndirizzo: '1',
        indirizzo: {
          cap: r.postcode,
          comune: { nomeComune: r.comune.toUpperCase(), codiceIstat: r.istatCode, siglaProvinciaIstat: r.province },
          toponimo: { specie: r.species, denominazioneToponimo: r.streetName.toUpperCase() },
          numeroCivico: { numero: m?.[1] ?? r.houseNumber, ...(m?.[2] ? { lettera: m[2] } : {}), ...(r.interior ? { civicoInterno: { interno1: r.interior } } : {}) },
        },
        dataDecorrenzaResidenza: r.since,
      },
    ];
  }
  if (p.aire) {
    const a = p.aire;
    return [
      {
        tipoIndirizzo: '1',
        localitaEstera: {
          indirizzoEstero: { localita: { descrizioneLocalita: a.city.toUpperCase(), descrizioneStato: a.stateName.toUpperCase(), codiceStato: a.stateCode }, toponimo: { denominazione: a.address } },
          ...(a.consulate ? { consolato: { descrizioneConsolato: a.consulate } } : {}),
        },
        dataDecorrenzaResidenza: a.since,
      },
    ];
  }
  return [];
}

export function datiBase(p: PersonState): DatiSoggetto {
  return { generalita: generalita(p), identificativi: { idANPR: p.idAnpr } };
}

export const cittadinanza = (p: PersonState): NonNullable<DatiSoggetto['cittadinanza']> =>
  p.citizenships.map((iso) => ({ codiceStato: iso, descrizioneStato: stateName(iso) }));

export const statoCivile = (p: PersonState): NonNullable<DatiSoggetto['statoCivile']> => ({
  codiceStatoCivile: p.civilStatus.code,
  descrizioneStatoCivile: CIVIL_STATUS_CODES[p.civilStatus.code],
  dataDecorrenza: p.civilStatus.since,
});

export function familyMember(m: FamilyMemberState): DatiSoggetto {
  return {
    ...datiBase(m.person),
    legameSoggetto: { codiceLegame: m.relationship, descrizioneLegame: RELATIONSHIP_CODES[m.relationship], idFamiglia: m.person.family!.familyId },
  };
}

export { foreignStateByCode };
