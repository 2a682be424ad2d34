// What the e-services return, shaped like ANPR's RispostaE002OK (reference: send-inad-anpr.md §7.1/§7.3 and
// identity-and-pdnd.md §6). Field names verified there: generalita{codiceFiscale{codFiscale, validitaCF,
// dataAttribuzioneValidita}, cognome, nome, sesso, dataNascita, luogoNascita{comune{nomeComune, codiceIstat,
// siglaProvinciaIstat}, localita{descrizioneLocalita, descrizioneStato, codiceStato}}, soggettoAIRE,
// idSchedaSoggettoANPR}, residenza[]{tipoIndirizzo, indirizzo{cap, comune, toponimo{codSpecie, specie,
// denominazioneToponimo}, numeroCivico{numero, lettera, civicoInterno{interno1}}}, localitaEstera{indirizzoEstero,
// consolato}, dataDecorrenzaResidenza}, identificativi.idANPR, infoSoggettoEnte[]{chiave, valore, valoreTesto,
// valoreData}. Blocks marked [unverified] are plausible names of ours: legameSoggetto, cittadinanza, datiDecesso,
// statoCivile.
import { Type, type Static } from '@sinclair/typebox';
import { CIVIL_STATUS_CODES, RELATIONSHIP_CODES } from './codes.ts';
import type { FamilyMemberState } from './store.ts';
import type { PersonState } from './model.ts';
import { foreignStateByCode, listForeignStates } from '../../domain/municipalities.ts';

const Opt = Type.Optional;
const S = Type.String;

const Comune = Type.Object({ nomeComune: S(), codiceIstat: S(), siglaProvinciaIstat: S() });

export const GeneralitaSchema = Type.Object({
  codiceFiscale: Type.Object({ codFiscale: S(), validitaCF: S({ description: '1 = valid (as ANPR codes a validated fiscal code)' }), dataAttribuzioneValidita: Opt(S()) }),
  cognome: S(),
  nome: S(),
  sesso: Type.Union([Type.Literal('M'), Type.Literal('F')]),
  dataNascita: S({ format: 'date' }),
  luogoNascita: Type.Object({
    comune: Opt(Comune),
    localita: Opt(Type.Object({ descrizioneLocalita: Opt(S()), descrizioneStato: S(), codiceStato: S() })),
  }),
  soggettoAIRE: Opt(S({ description: "'S' when registered in AIRE" })),
  idSchedaSoggettoANPR: Opt(S()),
});

export const ResidenzaSchema = Type.Object({
  tipoIndirizzo: S({ description: '1 = residenza' }),
  indirizzo: Opt(
    Type.Object({
      cap: S(),
      comune: Comune,
      toponimo: Type.Object({ codSpecie: Opt(S()), specie: S(), denominazioneToponimo: S() }),
      numeroCivico: Type.Object({ numero: S(), lettera: Opt(S()), civicoInterno: Opt(Type.Object({ interno1: Opt(S()) })) }),
    }),
  ),
  localitaEstera: Opt(
    Type.Object({
      indirizzoEstero: Type.Object({ localita: Type.Object({ descrizioneLocalita: S(), descrizioneStato: S(), codiceStato: S() }), toponimo: Type.Object({ denominazione: S() }) }),
      consolato: Opt(Type.Object({ descrizioneConsolato: S() })),
    }),
  ),
  dataDecorrenzaResidenza: S({ format: 'date' }),
});

export const DatiSoggettoSchema = Type.Object({
  generalita: GeneralitaSchema,
  identificativi: Type.Object({ idANPR: S() }),
  residenza: Opt(Type.Array(ResidenzaSchema)),
  legameSoggetto: Opt(Type.Object({ codiceLegame: S(), descrizioneLegame: S(), idFamiglia: S() }, { description: '[field names unverified]' })),
  cittadinanza: Opt(Type.Array(Type.Object({ codiceStato: S({ description: 'ISO 3166-1 alpha-2 [ANPR uses ISTAT state codes]' }), descrizioneStato: S() }), { description: '[unverified]' })),
  statoCivile: Opt(Type.Object({ codiceStatoCivile: S(), descrizioneStatoCivile: S(), dataDecorrenza: S({ format: 'date' }) }, { description: '[unverified]' })),
  datiDecesso: Opt(Type.Object({ dataEvento: S({ format: 'date' }) }, { description: '[unverified]' })),
  infoSoggettoEnte: Opt(Type.Array(Type.Object({ chiave: S(), valore: S(), valoreTesto: Opt(S()), valoreData: Opt(S()) }))),
});
export type DatiSoggetto = Static<typeof DatiSoggettoSchema>;

export const RispostaE002OKSchema = Type.Object(
  {
    idOperazioneANPR: S(),
    listaSoggetti: Type.Object({ datiSoggetto: Type.Array(DatiSoggettoSchema) }),
    listaAnomalie: Opt(Type.Array(Type.Object({ codiceErroreAnomalia: S(), testoErroreAnomalia: S() }))),
  },
  { $id: 'RispostaE002OK' },
);

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
