// The identity providers' rules on levels of assurance: which one a request asks for, how to reach it.

import { ACR, acrRank, isAcr, type Acr } from '../../domain/assurance-level.ts';

export { ACR, ACR_VALUES, acrRank, isAcr, meetsRequestedLevel, type Acr } from '../../domain/assurance-level.ts';

// Reference OP (spid-cie-oidc-django): SpidL2 when the request carries no acr_values.
export const DEFAULT_ACR: Acr = ACR.L2;

/**
 * The level the RP asks for: the first known value of acr_values (OIDC Core 3.1.2.1: "in order of
 * preference"), SpidL2 when absent. Unknown values are ignored.
 */
export function requestedAcr(acrValues: unknown): Acr {
  if (typeof acrValues !== 'string') return DEFAULT_ACR;
  return acrValues.split(' ').find(isAcr) ?? DEFAULT_ACR;
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
