import { describe, expect, it } from 'vitest';
import { FISCAL_NUMBER, providerClaimsConfig, requestedUserClaims, userClaimValues } from '../../src/platforms/identity/claims.ts';

describe('claims', () => {
  it('maps a person to SPID/CIE claims', () => {
    expect(
      userClaimValues({
        fiscalCode: 'RMNGLI92L63H501O',
        givenName: 'Giulia',
        familyName: 'Romano',
        sex: 'F',
        birthDate: '1992-07-23',
        birthplaceCode: 'H501',
        birthProvince: 'RM',
        email: 'giulia.romano@example.it',
        phone: '+39 338 555 0102',
      }),
    ).toEqual({
      [FISCAL_NUMBER]: 'TINIT-RMNGLI92L63H501O',
      given_name: 'Giulia',
      family_name: 'Romano',
      birthdate: '1992-07-23',
      place_of_birth: { region: 'RM', locality: 'H501' },
      gender: 'female',
      email: 'giulia.romano@example.it',
      phone_number: '+393385550102',
    });
  });

  it('leaves out the region of a birth abroad', () => {
    const values = userClaimValues({
      fiscalCode: 'X'.repeat(16), givenName: 'A', familyName: 'B', sex: 'M', birthDate: '2000-01-01',
      birthplaceCode: 'Z110', birthProvince: null, email: 'a@b.it', phone: '1',
    });
    expect(values.place_of_birth).toEqual({ locality: 'Z110' });
  });

  it('collects the attributes asked through scopes (CIE) and the claims parameter (SPID)', () => {
    expect(requestedUserClaims('openid profile', undefined)).toEqual([FISCAL_NUMBER, 'given_name', 'family_name', 'birthdate']);
    expect(requestedUserClaims('openid email', null)).toEqual(['email']);
    expect(requestedUserClaims('openid', JSON.stringify({ userinfo: { [FISCAL_NUMBER]: { essential: true }, gender: null, nickname: null } }))).toEqual([FISCAL_NUMBER, 'gender']);
    expect(requestedUserClaims('openid', { id_token: { email: null } })).toEqual(['email']);
    expect(requestedUserClaims('openid', 'not json')).toEqual([]);
  });

  it('configures every user claim for oidc-provider, scoped ones under their scope', () => {
    const config = providerClaimsConfig();
    expect(config.profile).toContain(FISCAL_NUMBER);
    expect(config.email).toEqual(['email']);
    expect(config).toHaveProperty('place_of_birth', null);
    expect(config).toHaveProperty('acr', null);
  });
});
