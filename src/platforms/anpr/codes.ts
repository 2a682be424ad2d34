// Reference codes of ANPR, from its "tabelle di decodifica" (italia/anpr docs, src/tab/*.rst; source ISTAT).

/**
 * Tabella 5 "Relazione di parentela - Famiglia": the relationship of each member of a famiglia anagrafica
 * to the intestatario scheda. Verified against italia/anpr `tab_relazione_di_parentela___famiglia.rst` and
 * the ISTAT/Interno controlled vocabulary (italia/daf-ontologie-vocabolari-controllati,
 * parental-relationship-types.csv, revised 20/03/2023: codes 14, 15, 19, 26, 80, 81, 99 deprecated, not listed).
 */
export const RELATIONSHIP_CODES = {
  '1': 'Intestatario scheda',
  '2': 'Marito / Moglie',
  '3': 'Figlio / Figlia',
  '4': 'Nipote (discendente)',
  '5': 'Pronipote (discendente)',
  '6': 'Padre / Madre',
  '7': 'Nonno / Nonna',
  '8': 'Bisnonno / Bisnonna',
  '9': 'Fratello / Sorella',
  '10': 'Nipote (collaterale)',
  '11': 'Zio / Zia (collaterale)',
  '12': 'Cugino / Cugina',
  '13': 'Altro parente',
  '16': 'Genero / Nuora',
  '17': 'Suocero / Suocera',
  '18': 'Cognato / Cognata',
  '20': 'Nipote (affine)',
  '21': 'Zio / Zia (affine)',
  '22': 'Altro affine',
  '23': 'Convivente (con vincoli di adozione o affettivi)',
  '24': 'Responsabile della convivenza non affettiva',
  '25': 'Convivente in convivenza non affettiva',
  '28': 'Unito civilmente',
} as const;
export type RelationshipCode = keyof typeof RELATIONSHIP_CODES;
export const HEAD: RelationshipCode = '1';
export const SPOUSE: RelationshipCode = '2';
export const CHILD: RelationshipCode = '3';
export const PARENT: RelationshipCode = '6';
export const PARTNER: RelationshipCode = '23';

export function isRelationshipCode(code: string): code is RelationshipCode {
  return Object.hasOwn(RELATIONSHIP_CODES, code);
}

/**
 * Tabella 1 "Stato civile" (italia/anpr `tab_stato_civile.rst`, updated 22/05/2017, source ISTAT).
 * Code 5 does not appear in the table.
 */
export const CIVIL_STATUS_CODES = {
  '1': 'Celibe / Nubile',
  '2': 'Coniugato/a',
  '3': 'Vedovo/a',
  '4': 'Divorziato/a',
  '6': 'Unito civilmente',
  '7': 'Stato libero a seguito di decesso della parte unita civilmente',
  '8': "Stato libero a seguito di scioglimento dell'unione",
  '9': 'Non classificabile / ignoto / n.c.',
} as const;
export type CivilStatusCode = keyof typeof CIVIL_STATUS_CODES;
export const SINGLE: CivilStatusCode = '1';
export const MARRIED: CivilStatusCode = '2';
export const WIDOWED: CivilStatusCode = '3';
export const DIVORCED: CivilStatusCode = '4';

export function isCivilStatusCode(code: string): code is CivilStatusCode {
  return Object.hasOwn(CIVIL_STATUS_CODES, code);
}

/**
 * Tabella 4 "Specie toponimo" (DUG, denominazione urbanistica generica; source Agenzia delle Entrate):
 * the numeric ids below are those of the table for the species this system uses (1 ACCESSO ... the table
 * has several hundred rows). Only the ids 1-10 were read in the table [ids of the others unverified], so
 * the API exposes the species by its description, as ANPR's `toponimo.specie`, and `codSpecie` only where known.
 */
export const TOPONYM_SPECIES = ['VIA', 'VIALE', 'PIAZZA', 'CORSO', 'LARGO', 'VICOLO', 'LOCALITA', 'STRADA', 'PIAZZALE', 'LUNGARNO', 'BORGO', 'VIA VECCHIA'] as const;
export type ToponymSpecies = (typeof TOPONYM_SPECIES)[number];

/** The foreign state of Italian citizenship, as ANPR codes citizenships: ISTAT state code 100 = Italia. */
export const ITALY_STATE_CODE = '100';
