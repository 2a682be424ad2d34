// The wire contract of the ANPR e-services (shared by the ANPR app, which serves it, and the client): what they return, shaped like ANPR's RispostaE002OK (reference: send-inad-anpr.md §7.1/§7.3 and
// identity-and-pdnd.md §6). Field names verified there: generalita{codiceFiscale{codFiscale, validitaCF,
// dataAttribuzioneValidita}, cognome, nome, sesso, dataNascita, luogoNascita{comune{nomeComune, codiceIstat,
// siglaProvinciaIstat}, localita{descrizioneLocalita, descrizioneStato, codiceStato}}, soggettoAIRE,
// idSchedaSoggettoANPR}, residenza[]{tipoIndirizzo, indirizzo{cap, comune, toponimo{codSpecie, specie,
// denominazioneToponimo}, numeroCivico{numero, lettera, civicoInterno{interno1}}}, localitaEstera{indirizzoEstero,
// consolato}, dataDecorrenzaResidenza}, identificativi.idANPR, infoSoggettoEnte[]{chiave, valore, valoreTesto,
// valoreData}. Blocks marked [unverified] are plausible names of ours: legameSoggetto, cittadinanza, datiDecesso,
// statoCivile.
import { Type, type Static } from '@sinclair/typebox';

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
export type RispostaE002OK = Static<typeof RispostaE002OKSchema>;
