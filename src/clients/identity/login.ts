// The relying party's side of a citizen login, shared by every app that signs citizens in with SPID/CIE
// (comune, ANPR): its two providers, the pending login kept in the session between the redirect and the
// callback, and the callback's verification down to the citizen's identity.
import type { App } from '../../core/http.ts';
import { ACR, FISCAL_NUMBER_CLAIM, OpenIdProvider, fiscalCodeFromClaim, signEntityConfiguration, type Acr, type RelyingPartyKeys, type RelyingPartyMetadata, type VerifiedLogin } from './index.ts';

export type ProviderName = 'spid' | 'cie';
export const PROVIDER_NAMES: readonly ProviderName[] = ['spid', 'cie'];

/** The `level` query parameter of a login link → the acr value asked for. */
export const LEVEL_ACR: Readonly<Record<'1' | '2' | '3', Acr>> = { '1': ACR.L1, '2': ACR.L2, '3': ACR.L3 };

export interface RelyingParty {
  meta: RelyingPartyMetadata;
  keys: RelyingPartyKeys;
  providers: Record<ProviderName, OpenIdProvider>;
}

/** The RP of an app at the identity platform: SPID at /oidc/spid, CIE at /oidc/cie. */
export function relyingParty(identityUrl: string, meta: RelyingPartyMetadata, keys: RelyingPartyKeys): RelyingParty {
  const allowHttp = identityUrl.startsWith('http:');
  return {
    meta,
    keys,
    providers: {
      spid: new OpenIdProvider(`${identityUrl}/oidc/spid`, meta, keys, allowHttp),
      cie: new OpenIdProvider(`${identityUrl}/oidc/cie`, meta, keys, allowHttp),
    },
  };
}

/** GET /.well-known/openid-federation: the RP's self-signed Entity Configuration (SPID/CIE OIDC Federation). */
export function registerEntityConfiguration(app: App, rp: RelyingParty, summary: string): void {
  app.get('/.well-known/openid-federation', { schema: { summary, tags: ['identity'] } }, async (_request, reply) => {
    return reply.type('application/entity-statement+jwt').send(await signEntityConfiguration(rp.meta, rp.keys));
  });
}

/** What the RP keeps in the session from the redirect to the callback. */
export interface PendingLogin {
  provider: ProviderName;
  acr: Acr;
  state: string;
  nonce: string;
  codeVerifier: string;
  startedAt: number;
}

export const PENDING_LOGIN_TTL_MS = 10 * 60 * 1000;

/** Starts a login at a provider: the URL to send the browser to and what to keep for the callback. */
export async function startCitizenLogin(rp: RelyingParty, provider: ProviderName, acr: Acr, locale: string, now = Date.now()): Promise<{ url: URL; pending: PendingLogin }> {
  const login = await rp.providers[provider].startLogin(acr, locale);
  return { url: login.url, pending: { provider, acr, state: login.state, nonce: login.nonce, codeVerifier: login.codeVerifier, startedAt: now } };
}

/** A pending login is used once, within ten minutes. */
export function isPendingLoginFresh(pending: PendingLogin | undefined, now = Date.now()): pending is PendingLogin {
  return !!pending && now - pending.startedAt <= PENDING_LOGIN_TTL_MS && now >= pending.startedAt;
}

/** The citizen as the identity provider asserts them (SPID/CIE attributes). */
export interface CitizenIdentity {
  fiscalCode: string;
  givenName: string;
  familyName: string;
  birthdate?: string;
  email?: string;
  phone?: string;
  /** SPID place_of_birth: { locality: Belfiore code, region: province }. */
  placeOfBirth?: { locality?: string; region?: string };
}

const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

/** The citizen's identity from the userinfo claims; undefined without fiscal number, given and family name. */
export function citizenFromClaims(claims: Record<string, unknown>): CitizenIdentity | undefined {
  const fiscalCode = fiscalCodeFromClaim(claims[FISCAL_NUMBER_CLAIM]);
  const givenName = str(claims.given_name);
  const familyName = str(claims.family_name);
  if (!fiscalCode || !givenName || !familyName) return undefined;
  const place = claims.place_of_birth;
  return {
    fiscalCode,
    givenName,
    familyName,
    ...(str(claims.birthdate) ? { birthdate: str(claims.birthdate) } : {}),
    ...(str(claims.email) ? { email: str(claims.email) } : {}),
    ...(str(claims.phone_number) ? { phone: str(claims.phone_number) } : {}),
    ...(place && typeof place === 'object' ? { placeOfBirth: place as { locality?: string; region?: string } } : {}),
  };
}

export type LoginFailure = 'expired' | 'cancelled' | 'level' | 'claims' | 'failed';

export type LoginOutcome =
  | { ok: true; provider: ProviderName; verified: VerifiedLogin; citizen: CitizenIdentity }
  | { ok: false; reason: LoginFailure; detail?: string };

/**
 * The callback: refuses an expired or missing pending login, a login cancelled at the provider, a level
 * below the one asked for, a token exchange that does not verify, and an identity without its essential
 * attributes. The caller removes the pending login from the session before calling.
 */
export async function finishCitizenLogin(rp: RelyingParty, pending: PendingLogin | undefined, callbackUrl: URL, now = Date.now()): Promise<LoginOutcome> {
  if (!isPendingLoginFresh(pending, now)) return { ok: false, reason: 'expired' };
  if (callbackUrl.searchParams.get('error')) return { ok: false, reason: 'cancelled', detail: callbackUrl.searchParams.get('error_description') ?? callbackUrl.searchParams.get('error')! };
  let verified: VerifiedLogin;
  try {
    verified = await rp.providers[pending.provider].finishLogin(callbackUrl, pending, pending.acr);
  } catch (err) {
    const message = (err as Error).message;
    return { ok: false, reason: /level/.test(message) ? 'level' : 'failed', detail: message };
  }
  const citizen = citizenFromClaims(verified.claims);
  if (!citizen) return { ok: false, reason: 'claims', detail: 'fiscal_number, given_name, family_name' };
  return { ok: true, provider: pending.provider, verified, citizen };
}

/**
 * Ends the citizen's login at the provider: revokes the access token (a failure is reported, not fatal: the
 * local session is gone anyway) and returns the RP-initiated logout URL to send the browser to.
 */
export async function providerLogoutUrl(
  rp: RelyingParty,
  login: { provider: ProviderName; accessToken: string; idToken: string },
  state: string,
  onRevokeError: (err: unknown) => void,
): Promise<URL> {
  const provider = rp.providers[login.provider];
  await provider.revoke(login.accessToken).catch(onRevokeError);
  return provider.logoutUrl(login.idToken, state);
}
