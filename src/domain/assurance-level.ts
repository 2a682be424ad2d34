// SPID/CIE levels of assurance as OIDC acr values, shared by the identity providers and their relying parties.
// SPID/CIE OIDC, authorization_endpoint.rst: acr_values are the SpidL1/L2/L3 URIs, CIE id uses the same three.

export const ACR = {
  L1: 'https://www.spid.gov.it/SpidL1',
  L2: 'https://www.spid.gov.it/SpidL2',
  L3: 'https://www.spid.gov.it/SpidL3',
} as const;
export type Acr = (typeof ACR)[keyof typeof ACR];
export const ACR_VALUES: Acr[] = [ACR.L1, ACR.L2, ACR.L3];

export function isAcr(value: unknown): value is Acr {
  return typeof value === 'string' && (ACR_VALUES as string[]).includes(value);
}

/** 1, 2 or 3 for a SPID level; 0 for anything else (no session, unknown value). */
export function acrRank(acr: unknown): 0 | 1 | 2 | 3 {
  return isAcr(acr) ? ((ACR_VALUES.indexOf(acr) + 1) as 1 | 2 | 3) : 0;
}

// SPID/CIE OIDC, authorization_endpoint.rst: the OP may authenticate at a higher level than requested, never lower.
export function meetsRequestedLevel(achieved: unknown, requested: Acr): boolean {
  return acrRank(achieved) >= acrRank(requested);
}
