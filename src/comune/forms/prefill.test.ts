import { describe, expect, it } from 'vitest';
import type { PrefillProfile } from '../../clients/anpr/index.ts';
import { isMinorOn, lockedValues, prefill } from './prefill.ts';
import { demoFormSchema } from './demo.ts';

const profile: PrefillProfile = {
  fiscalCode: 'BNCMRC78C14G702E',
  idAnpr: 'AB12345CD',
  givenName: 'MARCO',
  familyName: 'BIANCHI',
  sex: 'M',
  birthDate: '1978-03-14',
  birthPlace: { comune: 'PISA', istatCode: '050026', province: 'PI' },
  residence: { kind: 'italy', street: 'VIA ROMA 12/A', houseNumber: '12/A', postcode: '56000', comune: 'BUGLIANO', istatCode: '050900', province: 'PI', since: '2010-01-01' },
  family: [],
};
const login = { fiscalCode: 'BNCMRC78C14G702E', givenName: 'Marco', familyName: 'Bianchi', email: 'marco@example.it', provider: 'spid' as const };
const schema = demoFormSchema('bonus-economico');

describe('prefill', () => {
  it('fills the declared fields from the login and ANPR, marking each with its origin', () => {
    const result = prefill(schema, { login, anpr: profile });
    expect(result.data).toEqual({
      applicantFiscalCode: 'BNCMRC78C14G702E',
      applicantGivenName: 'Marco',
      applicantFamilyName: 'Bianchi',
      applicantBirthDate: '1978-03-14',
      applicantBirthPlace: 'PISA (PI)',
      applicantResidence: { street: 'VIA ROMA', houseNumber: '12/A', postcode: '56000', comune: 'BUGLIANO', province: 'PI' },
      applicantEmail: 'marco@example.it',
    });
    expect(result.marks.applicantResidence).toEqual({ origin: 'anpr', readOnly: true });
    expect(result.marks.applicantFiscalCode).toEqual({ origin: 'spid', readOnly: true });
    expect(result.marks.applicantEmail).toEqual({ origin: 'spid', readOnly: false });
    expect(Object.keys(lockedValues(result))).not.toContain('applicantEmail');
    expect(lockedValues(result).applicantResidence).toBeDefined();
  });
  it('leaves ANPR fields empty and editable without ANPR, and names CIE', () => {
    const result = prefill(schema, { login: { ...login, provider: 'cie' } });
    expect(result.data.applicantResidence).toBeUndefined();
    expect(result.marks.applicantResidence).toBeUndefined();
    expect(result.marks.applicantGivenName).toEqual({ origin: 'cie', readOnly: true });
  });
  it('reads an address abroad', () => {
    const abroad: PrefillProfile = { ...profile, residence: { kind: 'abroad', address: 'CALLE 9 DE JULIO 100', locality: 'ROSARIO', state: 'ARGENTINA', stateCode: '602', since: '2001-01-01' } };
    expect(prefill(schema, { login, anpr: abroad }).data.applicantResidence).toEqual({ street: 'CALLE 9 DE JULIO 100', houseNumber: '', postcode: '', comune: 'ROSARIO', province: '', country: 'ARGENTINA' });
  });
});

describe('prefill of the family (ANPR C021)', () => {
  const family: PrefillProfile = {
    ...profile,
    family: [
      { fiscalCode: 'NRESLV80S49G702R', givenName: 'SILVIA', familyName: 'NERI', birthDate: '1980-11-09', relationship: { code: '2', description: 'CONIUGE' } },
      { fiscalCode: 'BNCTMS10B21G702Z', givenName: 'TOMMASO', familyName: 'BIANCHI', birthDate: '2010-02-21', relationship: { code: '3', description: 'FIGLIO' } },
      { fiscalCode: 'BNCSFO13P43G702E', givenName: 'SOFIA', familyName: 'BIANCHI', birthDate: '2013-09-03', relationship: { code: '3', description: 'FIGLIO' } },
    ],
  };
  const canteen = demoFormSchema('iscrizione-mensa-scolastica');

  it('lists the minors of the family for the field fed by anpr.family.children, inside the repeating group', () => {
    const result = prefill(canteen, { login, anpr: family, today: '2026-11-23' });
    expect(result.choices).toEqual({
      child: [
        { value: 'BNCTMS10B21G702Z', name: 'TOMMASO BIANCHI', birthDate: '2010-02-21' },
        { value: 'BNCSFO13P43G702E', name: 'SOFIA BIANCHI', birthDate: '2013-09-03' },
      ],
    });
    // The list is not a value: nothing is filled in or locked for it.
    expect(result.data.child).toBeUndefined();
  });
  it('counts someone as a minor until the day they turn 18', () => {
    expect(prefill(canteen, { login, anpr: family, today: '2028-02-20' }).choices.child!.map((c) => c.name)).toEqual(['TOMMASO BIANCHI', 'SOFIA BIANCHI']);
    expect(prefill(canteen, { login, anpr: family, today: '2028-02-21' }).choices.child!.map((c) => c.name)).toEqual(['SOFIA BIANCHI']);
    expect(isMinorOn('2008-02-29', '2026-02-28')).toBe(true);
    expect(isMinorOn('2008-02-29', '2026-03-01')).toBe(false);
  });
  it('gives no list without ANPR (the citizen types the fiscal code), and an empty one for a family without minors', () => {
    expect(prefill(canteen, { login, today: '2026-11-23' }).choices).toEqual({});
    expect(prefill(canteen, { login, anpr: profile, today: '2026-11-23' }).choices).toEqual({ child: [] });
  });
});
