// SPID/CIE levels of assurance as OIDC acr values, and the rules that compare them.
// SPID/CIE OIDC, authorization_endpoint.rst: acr_values are the SpidL1/L2/L3 URIs, CIE id uses the same three.

export const ACR = {
  L1: 'https://www.spid.gov.it/SpidL1',
  L2: 'https://www.spid.gov.it/SpidL2',
  L3: 'https://www.spid.gov.it/SpidL3',
} as const;
export type Acr = (typeof ACR)[keyof typeof ACR];
export const ACR_VALUES: Acr[] = [ACR.L1, ACR.L2, ACR.L3];

// Reference OP (spid-cie-oidc-django): SpidL2 when the request carries no acr_values.
export const DEFAULT_ACR: Acr = ACR.L2;

export function isAcr(value: unknown): value is Acr {
  return typeof value === 'string' && (ACR_VALUES as string[]).includes(value);
}

/** 1, 2 or 3 for a SPID level; 0 for anything else (no session, unknown value). */
export function acrRank(acr: string | undefined | null): 0 | 1 | 2 | 3 {
  return isAcr(acr) ? ((ACR_VALUES.indexOf(acr) + 1) as 1 | 2 | 3) : 0;
}

/**
 * The level the RP asks for: the first known value of acr_values (OIDC Core 3.1.2.1: "in order of
 * preference"), SpidL2 when absent. Unknown values are ignored.
 */
export function requestedAcr(acrValues: unknown): Acr {
  if (typeof acrValues !== 'string') return DEFAULT_ACR;
  return acrValues.split(' ').find(isAcr) ?? DEFAULT_ACR;
}

// SPID/CIE OIDC, authorization_endpoint.rst: the OP may authenticate at a higher level than requested, never lower.
export function meetsRequestedLevel(achieved: string | undefined, requested: Acr): boolean {
  return acrRank(achieved) >= acrRank(requested);
}

export type LoginMethod = 'password' | 'card';
export type OpKind = 'spid' | 'cie';

/**
 * Which login forms a page offers. Credentials (password, + TOTP from L2) reach at most L2, so they
 * are offered up to a SpidL2 request; the card + PIN (L3) is offered for SpidL3, and always by CIE id
 * (its physical card is the CIE's primary credential).
 */
export function loginMethods(op: OpKind, requested: Acr): LoginMethod[] {
  const rank = acrRank(requested);
  const methods: LoginMethod[] = [];
  if (rank <= 2) methods.push('password');
  if (op === 'cie' || rank === 3) methods.push('card');
  return methods;
}

/** A password login asks for the second factor (TOTP) when the request is SpidL2 or more. */
export function needsSecondFactor(requested: Acr): boolean {
  return acrRank(requested) >= 2;
}
