// Authorization requests from the test RP, and the steps a person takes on the identity pages.
import * as client from 'openid-client';
import { totpCode } from '../../src/core/auth/totp.ts';
import { identityDemoUsers } from '../../src/platforms/identity/users.ts';
import type { Browser, Outcome } from './browser.ts';
import type { IdentityHarness } from './harness.ts';

export const L1 = 'https://www.spid.gov.it/SpidL1';
export const L2 = 'https://www.spid.gov.it/SpidL2';
export const L3 = 'https://www.spid.gov.it/SpidL3';
export const FISCAL_NUMBER = 'https://attributes.eid.gov.it/fiscal_number';

export const demo = () => identityDemoUsers()[0]!;

export interface AuthorizationRequest {
  url: URL;
  config: client.Configuration;
  verifier: string;
  state: string;
  nonce: string;
}

export async function authorizationRequest(
  h: IdentityHarness,
  op: 'spid' | 'cie',
  options: { acr?: string; scope?: string; claims?: object; pkce?: boolean; redirectUri?: string; extra?: Record<string, string> } = {},
): Promise<AuthorizationRequest> {
  const config = await h.rp.configFor(h.issuers[op]);
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const params: Record<string, string> = {
    redirect_uri: options.redirectUri ?? h.rp.redirectUri,
    scope: options.scope ?? 'openid',
    state,
    nonce,
    prompt: 'consent',
    ...(options.acr ? { acr_values: options.acr } : {}),
    ...(options.claims ? { claims: JSON.stringify(options.claims) } : {}),
    ...options.extra,
  };
  if (options.pkce !== false) {
    params.code_challenge = await client.calculatePKCECodeChallenge(verifier);
    params.code_challenge_method = 'S256';
  }
  return { url: client.buildAuthorizationUrl(config, params), config, verifier, state, nonce };
}

export const SPID_CLAIMS = {
  userinfo: { [FISCAL_NUMBER]: { essential: true }, given_name: null, family_name: null, email: null, phone_number: null, birthdate: null, place_of_birth: null, gender: null },
};

/** Password (+ TOTP when the page asks for it) for the first demo user. */
export async function passwordLogin(browser: Browser, page: Outcome, user = demo()): Promise<Outcome> {
  let next = await browser.submit(page, '/password', { username: user.username, password: user.password });
  if (next.kind === 'page' && next.html.includes('name="code"')) {
    next = await browser.submit(next, '/otp', { code: totpCode(user.totpSecret), action: 'verify' });
  }
  return next;
}

export const approve = (browser: Browser, page: Outcome) => browser.submit(page, '/consent', { decision: 'approve' });

export function expectPage(outcome: Outcome): Extract<Outcome, { kind: 'page' }> {
  if (outcome.kind !== 'page') throw new Error(`expected a page, got a redirect to ${outcome.url}`);
  return outcome;
}

export function expectRedirect(outcome: Outcome): URL {
  if (outcome.kind !== 'external') throw new Error(`expected a redirect out of the identity app, got a ${outcome.status} page`);
  return outcome.url;
}
