// User attributes as SPID/CIE OIDC claims (attributi_utente.rst), and which of them a request releases.

export const FISCAL_NUMBER = 'https://attributes.eid.gov.it/fiscal_number';

/** The user attributes this OP holds, in the order the consent page lists them. */
export const USER_CLAIMS = [
  FISCAL_NUMBER,
  'given_name',
  'family_name',
  'birthdate',
  'place_of_birth',
  'gender',
  'email',
  'phone_number',
] as const;
export type UserClaim = (typeof USER_CLAIMS)[number];

// SPID/CIE OIDC, attributi_utente.rst (CIE): scope profile = eIDAS minimum dataset, scope email = email.
export const SCOPE_CLAIMS: Record<string, UserClaim[]> = {
  profile: ['family_name', 'given_name', 'birthdate', FISCAL_NUMBER],
  email: ['email'],
};

export function isUserClaim(name: string): name is UserClaim {
  return (USER_CLAIMS as readonly string[]).includes(name);
}

/** Claim configuration for oidc-provider: scopes map to their claims, the rest only via the claims parameter. */
export function providerClaimsConfig(): Record<string, null | string[]> {
  const config: Record<string, null | string[]> = { acr: null, amr: null, sid: null, auth_time: null, iss: null, openid: ['sub'] };
  for (const claim of USER_CLAIMS) config[claim] = null;
  for (const [scope, claims] of Object.entries(SCOPE_CLAIMS)) config[scope] = claims;
  return config;
}

/**
 * The user attributes an authorization request asks for: through scope (CIE style) or through the
 * claims parameter for id_token and userinfo (SPID style). Unknown names are ignored.
 */
export function requestedUserClaims(scope: unknown, claimsParameter: unknown): UserClaim[] {
  const wanted = new Set<string>();
  if (typeof scope === 'string') {
    for (const s of scope.split(' ')) for (const claim of SCOPE_CLAIMS[s] ?? []) wanted.add(claim);
  }
  let claims: unknown = claimsParameter;
  if (typeof claims === 'string') {
    try {
      claims = JSON.parse(claims);
    } catch {
      claims = undefined;
    }
  }
  if (claims && typeof claims === 'object') {
    for (const container of ['userinfo', 'id_token'] as const) {
      const requested = (claims as Record<string, unknown>)[container];
      if (requested && typeof requested === 'object') for (const name of Object.keys(requested)) wanted.add(name);
    }
  }
  return USER_CLAIMS.filter((claim) => wanted.has(claim));
}

export interface IdentityRecord {
  fiscalCode: string;
  givenName: string;
  familyName: string;
  sex: 'M' | 'F';
  birthDate: string;
  birthplaceCode: string;
  /** Province sigla of the birthplace; absent for a birth abroad. */
  birthProvince: string | null;
  email: string;
  phone: string;
}

/** Every attribute of a person as claim values (oidc-provider then filters by what was granted). */
export function userClaimValues(person: IdentityRecord): Record<UserClaim, unknown> {
  return {
    // SPID/CIE OIDC, attributi_utente.rst: fiscal_number is "TINIT-" + codice fiscale.
    [FISCAL_NUMBER]: `TINIT-${person.fiscalCode}`,
    given_name: person.givenName,
    family_name: person.familyName,
    birthdate: person.birthDate,
    // attributi_utente.rst: { region: province sigla, locality: Belfiore code }.
    place_of_birth: { ...(person.birthProvince ? { region: person.birthProvince } : {}), locality: person.birthplaceCode },
    gender: person.sex === 'F' ? 'female' : 'male',
    email: person.email,
    // attributi_utente.rst: digits, no spaces.
    phone_number: person.phone.replace(/[^\d+]/g, ''),
  };
}
