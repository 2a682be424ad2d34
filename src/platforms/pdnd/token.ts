// The authorization server: POST /token.oauth2 (client_credentials + private_key_jwt client
// assertion) issues vouchers; POST /voucher-status tells a provider whether a voucher's chain is
// still active. Checks follow interop-be-monorepo client-assertion-validation and authorization-server
// (reference §5.2): parameters → assertion claims, kid, aud, alg → key by client and kid → signature
// and exp → single-use jti → the whole chain active → voucher → audit record.
import { randomUUID } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, errors as joseErrors, importJWK, jwtVerify, SignJWT, createLocalJWKSet, type JWTPayload } from 'jose';
import { sql, type Executor } from '../../core/db.ts';
import { CLIENT_ASSERTION_TYPE, VOUCHER_ALG, VOUCHER_TYP, pdndEndpoints, type VoucherStatus } from '../../clients/pdnd/endpoints.ts';
import { descriptorServesVouchers, type AgreementState, type DescriptorState, type PurposeVersionState } from './rules.ts';
import { clientExists, clientKeyJwk, isUuid } from './store.ts';
import type { SigningKeys } from './keys.ts';

/** RFC 6749 §5.2 error codes, with the HTTP status each is sent with. */
export type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type' | 'server_error';

export class OAuthError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
  ) {
    super(description);
  }
  get status(): number {
    return this.error === 'invalid_client' ? 401 : this.error === 'server_error' ? 500 : 400;
  }
}

const fail = (error: OAuthErrorCode, description: string): never => {
  throw new OAuthError(error, description);
};

/** Allowed clock skew between the client and PDND. */
export const CLOCK_TOLERANCE_SECONDS = 10;
/** An assertion may live at most this long (interop tools allow up to a day in collaudo). */
export const MAX_ASSERTION_LIFETIME_SECONDS = 24 * 60 * 60;

// --- The chain --------------------------------------------------------------------------------------

export interface Chain {
  purposeId: string;
  purposeVersionId: string | null;
  purposeState: PurposeVersionState;
  dailyCalls: number;
  eserviceId: string;
  consumer: { id: string; name: string; ipaCode: string };
  producer: { id: string; name: string; ipaCode: string };
  clientOnPurpose: boolean;
  agreementId: string | null;
  agreementState: AgreementState | 'Missing';
  descriptorId: string | null;
  descriptorState: DescriptorState | 'Missing';
  audience: string[];
  voucherLifespan: number;
}

/** Everything between a client and a purpose, in one read; undefined when the purpose is unknown. */
export async function loadChain(db: Executor, clientId: string, purposeId: string): Promise<Chain | undefined> {
  if (!isUuid(purposeId) || !isUuid(clientId)) return undefined;
  const { rows } = await sql<{
    purpose_id: string;
    eservice_id: string;
    consumer_id: string;
    consumer_name: string;
    consumer_ipa: string;
    producer_id: string;
    producer_name: string;
    producer_ipa: string;
    version_id: string | null;
    version_state: PurposeVersionState | null;
    daily_calls: number | null;
    on_purpose: boolean;
    agreement_id: string | null;
    agreement_state: AgreementState | null;
    descriptor_id: string | null;
    descriptor_state: DescriptorState | null;
    audience: string[] | null;
    voucher_lifespan: number | null;
  }>`
    select pu.id as purpose_id, pu.eservice_id, c.id as consumer_id, c.name as consumer_name, c.ipa_code as consumer_ipa,
      p.id as producer_id, p.name as producer_name, p.ipa_code as producer_ipa,
      v.id as version_id, v.state as version_state, v.daily_calls,
      exists (select 1 from pdnd.client_purposes cp join pdnd.clients cl on cl.id = cp.client_id
              where cp.purpose_id = pu.id and cp.client_id = ${clientId} and cl.consumer_id = pu.consumer_id) as on_purpose,
      a.id as agreement_id, a.state as agreement_state, d.id as descriptor_id, d.state as descriptor_state, d.audience, d.voucher_lifespan
    from pdnd.purposes pu
    join pdnd.eservices e on e.id = pu.eservice_id
    join pdnd.tenants c on c.id = pu.consumer_id
    join pdnd.tenants p on p.id = e.producer_id
    left join lateral (select id, state, daily_calls from pdnd.purpose_versions
        where purpose_id = pu.id and state in ('Active', 'Suspended') order by created_at desc limit 1) v on true
    left join lateral (select id, state, descriptor_id from pdnd.agreements
        where consumer_id = pu.consumer_id and eservice_id = pu.eservice_id and state in ('Active', 'Suspended', 'Pending')
        order by created_at desc limit 1) a on true
    left join pdnd.descriptors d on d.id = a.descriptor_id
    where pu.id = ${purposeId}`.execute(db);
  const r = rows[0];
  if (!r) return undefined;
  let purposeState: PurposeVersionState = r.version_state ?? 'Archived';
  if (!r.version_state) {
    const latest = await sql<{ state: PurposeVersionState }>`select state from pdnd.purpose_versions where purpose_id = ${purposeId} order by created_at desc limit 1`.execute(db);
    purposeState = latest.rows[0]?.state ?? 'Draft';
  }
  return {
    purposeId: r.purpose_id,
    purposeVersionId: r.version_id,
    purposeState,
    dailyCalls: r.version_state === 'Active' ? (r.daily_calls ?? 0) : 0,
    eserviceId: r.eservice_id,
    consumer: { id: r.consumer_id, name: r.consumer_name, ipaCode: r.consumer_ipa },
    producer: { id: r.producer_id, name: r.producer_name, ipaCode: r.producer_ipa },
    clientOnPurpose: r.on_purpose,
    agreementId: r.agreement_id,
    agreementState: r.agreement_state ?? 'Missing',
    descriptorId: r.descriptor_id,
    descriptorState: r.descriptor_state ?? 'Missing',
    audience: r.audience ?? [],
    voucherLifespan: r.voucher_lifespan ?? 0,
  };
}

/** Why a chain cannot carry vouchers, or undefined when it can (reference §5.1: the whole chain active). */
export function chainProblem(chain: Chain): string | undefined {
  if (!chain.clientOnPurpose) return 'client_not_on_purpose';
  if (chain.agreementState !== 'Active') return chain.agreementState === 'Suspended' ? 'agreement_suspended' : 'agreement_not_active';
  if (!descriptorServesVouchers(chain.descriptorState as DescriptorState)) return 'descriptor_not_active';
  if (chain.purposeState !== 'Active') return chain.purposeState === 'Suspended' ? 'purpose_suspended' : 'purpose_not_active';
  return undefined;
}

// --- Token endpoint ---------------------------------------------------------------------------------

export interface TokenRequest {
  grant_type?: string;
  client_id?: string;
  client_assertion?: string;
  client_assertion_type?: string;
}

export interface IssuedVoucher {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

export interface TokenContext {
  db: Executor;
  keys: SigningKeys;
  pdndUrl: string;
  requestId?: string;
  now?: () => Date;
}

function claimString(payload: JWTPayload, name: string): string {
  const value = payload[name];
  if (typeof value !== 'string' || !value) fail('invalid_request', `The client assertion has no ${name} claim`);
  return value as string;
}

export async function issueVoucher(ctx: TokenContext, body: TokenRequest): Promise<IssuedVoucher> {
  const endpoints = pdndEndpoints(ctx.pdndUrl);
  const now = ctx.now?.() ?? new Date();
  if (!body.grant_type || !body.client_assertion || !body.client_assertion_type) {
    fail('invalid_request', 'grant_type, client_assertion and client_assertion_type are required');
  }
  if (body.grant_type !== 'client_credentials') fail('unsupported_grant_type', 'Only grant_type=client_credentials is supported');
  if (body.client_assertion_type !== CLIENT_ASSERTION_TYPE) fail('invalid_request', `client_assertion_type must be ${CLIENT_ASSERTION_TYPE}`);

  let header: ReturnType<typeof decodeProtectedHeader>;
  let claims: JWTPayload;
  try {
    header = decodeProtectedHeader(body.client_assertion!);
    claims = decodeJwt(body.client_assertion!);
  } catch {
    return fail('invalid_request', 'The client assertion is not a well-formed JWS');
  }
  if (header.alg !== 'RS256') fail('invalid_request', 'The client assertion must be signed with RS256');
  if (typeof header.kid !== 'string' || !header.kid) fail('invalid_request', 'The client assertion header has no kid');
  const iss = claimString(claims, 'iss');
  const sub = claimString(claims, 'sub');
  const jti = claimString(claims, 'jti');
  if (typeof claims.iat !== 'number') fail('invalid_request', 'The client assertion has no iat claim');
  if (typeof claims.exp !== 'number') fail('invalid_request', 'The client assertion has no exp claim');
  const purposeId = claims.purposeId;
  if (purposeId !== undefined && !isUuid(purposeId)) fail('invalid_request', 'The purposeId claim is not a UUID');
  if (iss !== sub) fail('invalid_client', 'iss and sub of the client assertion must both be the client id');
  if (body.client_id !== undefined && body.client_id !== sub) fail('invalid_client', 'client_id does not match the assertion subject');
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(endpoints.assertionAudience)) fail('invalid_client', `The client assertion audience must be ${endpoints.assertionAudience}`);
  if (claims.exp! - claims.iat! > MAX_ASSERTION_LIFETIME_SECONDS) fail('invalid_request', 'The client assertion lives too long (exp - iat above 24 hours)');

  const client = await clientExists(ctx.db, sub);
  if (!client) return fail('invalid_client', 'Unknown client');
  if (client.kind !== 'Consumer') fail('unauthorized_client', 'Only consumer clients obtain e-service vouchers');
  if (!purposeId) fail('invalid_request', 'The client assertion of a consumer client must carry purposeId');
  const jwk = await clientKeyJwk(ctx.db, sub, header.kid!);
  if (!jwk) return fail('invalid_client', `No key ${header.kid} on client ${sub}`);

  try {
    const key = await importJWK(jwk, 'RS256');
    await jwtVerify(body.client_assertion!, key, { algorithms: ['RS256'], clockTolerance: CLOCK_TOLERANCE_SECONDS, currentDate: now });
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) fail('invalid_client', 'The client assertion has expired');
    if (err instanceof joseErrors.JWSSignatureVerificationFailed) fail('invalid_client', 'The client assertion signature is not valid for this key');
    fail('invalid_client', `The client assertion was refused: ${(err as Error).message}`);
  }

  // Single use: after the signature, so nobody can burn another client's jti.
  const used = await sql`insert into pdnd.used_assertions (client_id, jti, expires_at)
    values (${sub}, ${jti}, to_timestamp(${claims.exp! + CLOCK_TOLERANCE_SECONDS})) on conflict do nothing`.execute(ctx.db);
  if (!Number(used.numAffectedRows ?? 0)) fail('invalid_client', 'This client assertion (jti) has already been used');

  const chain = await loadChain(ctx.db, sub, purposeId as string);
  if (!chain) return fail('invalid_grant', 'Unknown purpose');
  const problem = chainProblem(chain);
  if (problem === 'client_not_on_purpose') fail('unauthorized_client', 'The client is not associated with this purpose');
  if (problem) fail('invalid_grant', `No voucher: ${problem.replaceAll('_', ' ')}`);

  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + chain.voucherLifespan;
  const voucherId = randomUUID();
  const digest = claims.digest as { alg?: unknown; value?: unknown } | undefined;
  if (digest !== undefined && (digest?.alg !== 'SHA256' || typeof digest.value !== 'string' || !/^[0-9a-f]{64}$/i.test(digest.value))) {
    fail('invalid_request', 'digest must be { alg: "SHA256", value: <64 hex characters> }');
  }
  const voucher = await new SignJWT({
    client_id: sub,
    purposeId: chain.purposeId,
    ...(digest ? { digest } : {}),
    producerId: chain.producer.id,
    consumerId: chain.consumer.id,
    eserviceId: chain.eserviceId,
    descriptorId: chain.descriptorId!,
  })
    .setProtectedHeader({ alg: VOUCHER_ALG, kid: ctx.keys.current.kid, typ: VOUCHER_TYP, use: 'sig' } as never)
    .setIssuer(endpoints.issuer)
    .setSubject(sub)
    .setAudience(chain.audience.length === 1 ? chain.audience[0]! : chain.audience)
    .setJti(voucherId)
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(exp)
    .sign(ctx.keys.current.privateKey);

  await sql`insert into pdnd.issued_vouchers (jti, issued_at, expires_at, client_id, client_kid, assertion_jti, purpose_id,
      purpose_version_id, agreement_id, eservice_id, descriptor_id, consumer_id, producer_id, audience, request_id)
    values (${voucherId}, to_timestamp(${iat}), to_timestamp(${exp}), ${sub}, ${header.kid!}, ${jti}, ${chain.purposeId},
      ${chain.purposeVersionId}, ${chain.agreementId}, ${chain.eserviceId}, ${chain.descriptorId}, ${chain.consumer.id},
      ${chain.producer.id}, ${chain.audience}, ${ctx.requestId ?? null})`.execute(ctx.db);
  return { access_token: voucher, token_type: 'Bearer', expires_in: chain.voucherLifespan };
}

// --- Voucher status (for providers) ----------------------------------------------------------------

export class VoucherStatusError extends Error {}

/**
 * The status of the chain behind one of our vouchers. The voucher itself is the credential: only who
 * holds a valid voucher (its consumer, or the provider it was sent to) learns about that purpose.
 */
export async function voucherStatus(ctx: TokenContext, token: string): Promise<VoucherStatus> {
  const endpoints = pdndEndpoints(ctx.pdndUrl);
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, createLocalJWKSet(ctx.keys.jwks), {
      issuer: endpoints.issuer,
      typ: VOUCHER_TYP,
      algorithms: [VOUCHER_ALG],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      currentDate: ctx.now?.(),
    }));
  } catch (err) {
    throw new VoucherStatusError(err instanceof joseErrors.JWTExpired ? 'The voucher has expired' : 'Not a valid voucher of this platform');
  }
  const clientId = String(payload.client_id ?? '');
  const purposeId = String(payload.purposeId ?? '');
  const issued = await sql<{ client_kid: string }>`select client_kid from pdnd.issued_vouchers where jti = ${isUuid(payload.jti) ? payload.jti : null}`.execute(ctx.db);
  const chain = await loadChain(ctx.db, clientId, purposeId);
  if (!chain || !issued.rows[0]) throw new VoucherStatusError('Not a voucher issued by this platform');
  const keyKept = !!(await clientKeyJwk(ctx.db, clientId, issued.rows[0].client_kid));
  const reason = chainProblem(chain) ?? (keyKept ? undefined : 'client_key_removed');
  return {
    active: !reason,
    ...(reason ? { reason } : {}),
    purposeId: chain.purposeId,
    purposeState: chain.purposeState,
    dailyCalls: chain.dailyCalls,
    agreementState: chain.agreementState,
    descriptorState: chain.descriptorState,
    eserviceId: chain.eserviceId,
    descriptorId: chain.descriptorId ?? '',
    clientId,
    consumer: chain.consumer,
    producer: chain.producer,
  };
}

export async function pruneUsedAssertions(db: Executor): Promise<number> {
  const result = await sql`delete from pdnd.used_assertions where expires_at < now()`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
