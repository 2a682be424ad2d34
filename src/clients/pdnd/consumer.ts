// The consumer side of PDND: a body's own client key (generated and kept by the body, never by
// PDND), the client assertion (private_key_jwt, RS256) and vouchers, cached and fetched again
// shortly before they expire. Reference §5.2.
import { randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, exportSPKI, generateKeyPair, importJWK, importSPKI, SignJWT, type CryptoKey, type JWK } from 'jose';
import { CLIENT_ASSERTION_TYPE, pdndEndpoints } from './endpoints.ts';

export interface ClientKeyPair {
  /** RFC 7638 thumbprint of the public key: the kid PDND assigns to it. */
  kid: string;
  /** Keep secret, in the body's own storage. */
  privateJwk: JWK;
  publicJwk: JWK;
  /** What to upload to PDND (console, or POST /api/v1/clients/{clientId}/keys). */
  publicKeyPem: string;
}

/** A new RSA 2048 key pair for a PDND client. */
export async function generateClientKeyPair(): Promise<ClientKeyPair> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  return {
    kid,
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'RS256' },
    publicJwk: { ...publicJwk, kid, alg: 'RS256', use: 'sig' },
    publicKeyPem: await exportSPKI(publicKey),
  };
}

export interface ClientAssertionInput {
  pdndUrl: string;
  clientId: string;
  kid: string;
  privateKey: CryptoKey | JWK;
  purposeId: string;
  /** Seconds the assertion is valid (default 600, as in PDND's examples). */
  lifetimeSeconds?: number;
  /** SHA-256 (hex) of an Agid-JWT-TrackingEvidence, bound into the voucher (AUDIT_REST_02). */
  trackingEvidenceDigest?: string;
  now?: Date;
}

/** The signed client assertion: iss = sub = client id, aud = PDND's client-assertion audience, single-use jti. */
export async function buildClientAssertion(input: ClientAssertionInput): Promise<string> {
  const key = 'kty' in input.privateKey ? ((await importJWK(input.privateKey as JWK, 'RS256')) as CryptoKey) : input.privateKey;
  const iat = Math.floor((input.now ?? new Date()).getTime() / 1000);
  return new SignJWT({
    purposeId: input.purposeId,
    ...(input.trackingEvidenceDigest ? { digest: { alg: 'SHA256', value: input.trackingEvidenceDigest } } : {}),
  })
    .setProtectedHeader({ alg: 'RS256', kid: input.kid, typ: 'JWT' })
    .setIssuer(input.clientId)
    .setSubject(input.clientId)
    .setAudience(pdndEndpoints(input.pdndUrl).assertionAudience)
    .setJti(randomUUID())
    .setIssuedAt(iat)
    .setExpirationTime(iat + (input.lifetimeSeconds ?? 600))
    .sign(key as CryptoKey);
}

/** An OAuth error answered by the token endpoint (RFC 6749 §5.2). */
export class VoucherRequestError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string | undefined,
  ) {
    super(`PDND refused the voucher (${status} ${error}${description ? `: ${description}` : ''})`);
    this.name = 'VoucherRequestError';
  }
}

export interface Voucher {
  token: string;
  expiresAt: Date;
}

/** Asks PDND's token endpoint for a voucher. */
export async function requestVoucher(input: ClientAssertionInput & { fetch?: typeof fetch }): Promise<Voucher> {
  const doFetch = input.fetch ?? fetch;
  const assertion = await buildClientAssertion(input);
  const response = await doFetch(pdndEndpoints(input.pdndUrl).tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      client_id: input.clientId,
      client_assertion: assertion,
      client_assertion_type: CLIENT_ASSERTION_TYPE,
      grant_type: 'client_credentials',
    }),
  });
  const body = (await response.json().catch(() => ({}))) as { access_token?: string; expires_in?: number; error?: string; error_description?: string };
  if (!response.ok || !body.access_token) throw new VoucherRequestError(response.status, body.error ?? 'server_error', body.error_description);
  return { token: body.access_token, expiresAt: new Date((input.now ?? new Date()).getTime() + (body.expires_in ?? 0) * 1000) };
}

export interface VoucherSourceOptions {
  pdndUrl: string;
  clientId: string;
  kid: string;
  privateKey: CryptoKey | JWK;
  fetch?: typeof fetch;
  /** Fetch a new voucher this many seconds before the cached one expires (default 30). */
  refreshBeforeSeconds?: number;
  now?: () => Date;
}

export interface VoucherSource {
  /** A valid voucher for the purpose: the cached one, or a new one when it is about to expire. */
  voucher(purposeId: string): Promise<string>;
  /** Forget a purpose's voucher (e.g. after the provider answered 401). */
  invalidate(purposeId: string): void;
}

/** One client's vouchers, one per purpose, cached; concurrent callers share one request. */
export function createVoucherSource(options: VoucherSourceOptions): VoucherSource {
  const cache = new Map<string, Promise<Voucher>>();
  const margin = (options.refreshBeforeSeconds ?? 30) * 1000;
  const now = () => options.now?.() ?? new Date();
  return {
    async voucher(purposeId) {
      const cached = cache.get(purposeId);
      if (cached) {
        const voucher = await cached.catch(() => undefined);
        if (voucher && voucher.expiresAt.getTime() - margin > now().getTime()) return voucher.token;
        if (cache.get(purposeId) !== cached) return this.voucher(purposeId);
      }
      const pending = requestVoucher({ ...options, purposeId, now: now() });
      cache.set(purposeId, pending);
      pending.catch(() => cache.get(purposeId) === pending && cache.delete(purposeId));
      return (await pending).token;
    },
    invalidate(purposeId) {
      cache.delete(purposeId);
    },
  };
}

export interface RegisterKeyInput {
  pdndUrl: string;
  /** The consumer body's API key at PDND. */
  apiKey: string;
  clientId: string;
  publicKeyPem: string;
  name: string;
  fetch?: typeof fetch;
}

/**
 * Uploads a public key to one of the body's clients (POST /api/v1/clients/{clientId}/keys); returns
 * its kid. A key already there is not an error (idempotent at start-up).
 */
export async function registerClientKey(input: RegisterKeyInput): Promise<string> {
  const doFetch = input.fetch ?? fetch;
  const response = await doFetch(`${pdndEndpoints(input.pdndUrl).apiUrl}/clients/${encodeURIComponent(input.clientId)}/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${input.apiKey}`, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ key: Buffer.from(input.publicKeyPem).toString('base64'), use: 'SIG', alg: 'RS256', name: input.name }),
  });
  if (response.status === 409) {
    await response.arrayBuffer();
    return calculateJwkThumbprint(await exportJWK(await importSPKI(input.publicKeyPem, 'RS256', { extractable: true })), 'sha256');
  }
  const body = (await response.json().catch(() => ({}))) as { kid?: string; detail?: string };
  if (!response.ok || !body.kid) throw new Error(`PDND refused the key (${response.status}${body.detail ? `: ${body.detail}` : ''})`);
  return body.kid;
}
