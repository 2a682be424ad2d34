// Fictional demo citizens for the identity platform. Names are common Italian names; any resemblance to
// real persons is coincidental. Fiscal codes are computed per DM 23/12/1976 (asserted in demo-people.test.ts);
// e-mail addresses use example.it, phone numbers the +39 3xx 555 01xx pattern.

import type { FiscalCodeInput, Sex } from './fiscal-code.ts';
import type { IsoDate } from './dates.ts';

export interface DemoPerson extends FiscalCodeInput {
  readonly givenName: string;
  readonly familyName: string;
  readonly sex: Sex;
  readonly birthDate: IsoDate;
  readonly birthplaceCode: string;
  readonly fiscalCode: string;
  readonly email: string;
  readonly phone: string;
}

export const demoPeople: readonly DemoPerson[] = Object.freeze([
  {
    givenName: 'Marco',
    familyName: 'Bianchi',
    sex: 'M',
    birthDate: '1978-03-14',
    birthplaceCode: 'G702', // Pisa
    fiscalCode: 'BNCMRC78C14G702E',
    email: 'marco.bianchi@example.it',
    phone: '+393475550101',
  },
  {
    givenName: 'Giulia',
    familyName: 'Romano',
    sex: 'F',
    birthDate: '1992-07-23',
    birthplaceCode: 'H501', // Roma
    fiscalCode: 'RMNGLI92L63H501O',
    email: 'giulia.romano@example.it',
    phone: '+393385550102',
  },
  {
    givenName: 'Alessandro',
    familyName: 'Ferrari',
    sex: 'M',
    birthDate: '1965-11-02',
    birthplaceCode: 'F205', // Milano
    fiscalCode: 'FRRLSN65S02F205E',
    email: 'alessandro.ferrari@example.it',
    phone: '+393335550103',
  },
  {
    givenName: 'Francesca',
    familyName: 'Esposito',
    sex: 'F',
    birthDate: '1988-01-30',
    birthplaceCode: 'F839', // Napoli
    fiscalCode: 'SPSFNC88A70F839U',
    email: 'francesca.esposito@example.it',
    phone: '+393295550104',
  },
  {
    // The minor of the set.
    givenName: 'Lorenzo',
    familyName: 'Ricci',
    sex: 'M',
    birthDate: '2014-05-18',
    birthplaceCode: 'D612', // Firenze
    fiscalCode: 'RCCLNZ14E18D612Y',
    email: 'lorenzo.ricci@example.it',
    phone: '+393485550105',
  },
  {
    givenName: 'Chiara',
    familyName: 'Colombo',
    sex: 'F',
    birthDate: '1954-09-08',
    birthplaceCode: 'L219', // Torino
    fiscalCode: 'CLMCHR54P48L219V',
    email: 'chiara.colombo@example.it',
    phone: '+393405550106',
  },
  {
    givenName: 'Salvatore',
    familyName: 'Lombardo',
    sex: 'M',
    birthDate: '1949-02-27',
    birthplaceCode: 'G273', // Palermo
    fiscalCode: 'LMBSVT49B27G273V',
    email: 'salvatore.lombardo@example.it',
    phone: '+393205550107',
  },
  {
    givenName: 'Elena',
    familyName: 'Moretti',
    sex: 'F',
    birthDate: '1999-12-31',
    birthplaceCode: 'A944', // Bologna
    fiscalCode: 'MRTLNE99T71A944N',
    email: 'elena.moretti@example.it',
    phone: '+393665550108',
  },
  {
    // Born abroad: foreign state Z-code instead of a comune.
    givenName: 'Martina',
    familyName: 'Greco',
    sex: 'F',
    birthDate: '1983-06-05',
    birthplaceCode: 'Z600', // Argentina
    fiscalCode: 'GRCMTN83H45Z600R',
    email: 'martina.greco@example.it',
    phone: '+393395550109',
  },
  {
    // Omocodia: the original code GLLDVD71D19D969O belongs to someone else, so this person has the first
    // omocodia variant (last digit 9 -> V).
    givenName: 'Davide',
    familyName: 'Gallo',
    sex: 'M',
    birthDate: '1971-04-19',
    birthplaceCode: 'D969', // Genova
    omocodiaLevel: 1,
    fiscalCode: 'GLLDVD71D19D96VD',
    email: 'davide.gallo@example.it',
    phone: '+393355550110',
  },
  {
    givenName: 'Anna',
    familyName: 'Marino',
    sex: 'F',
    birthDate: '2001-10-04',
    birthplaceCode: 'A662', // Bari
    fiscalCode: 'MRNNNA01R44A662H',
    email: 'anna.marino@example.it',
    phone: '+393925550111',
  },
  {
    givenName: 'Giuseppe',
    familyName: "D'Angelo",
    sex: 'M',
    birthDate: '1960-08-15',
    birthplaceCode: 'L736', // Venezia
    fiscalCode: 'DNGGPP60M15L736W',
    email: 'giuseppe.dangelo@example.it',
    phone: '+393455550112',
  },
] satisfies DemoPerson[]);
