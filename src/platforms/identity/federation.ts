// Entity Configurations of the SPID/CIE OIDC Federation (entity_configuration.rst): a self-signed JWS
// published at <entity_id>/.well-known/openid-federation. Signing and verifying, nothing else:
// trust chains and trust marks are not handled here (see onboarding.ts).
import { createLocalJWKSet, decodeJwt, exportJWK, jwtVerify, SignJWT, type CryptoKey, type JSONWebKeySet, type JWK, type KeyObject } from 'jose';
import { publicJwk } from './keys.ts';

export const ENTITY_STATEMENT_TYPE = 'entity-statement+jwt';
export const ENTITY_STATEMENT_CONTENT_TYPE = 'application/entity-statement+jwt';
// SPID/CIE OIDC, cryptographic_algos.rst: RS256 and RS512 MUST, PS/ES RECOMMENDED; never none or HS*.
export const FEDERATION_ALGS = ['RS256', 'RS512', 'PS256', 'PS512', 'ES256', 'ES512'];

/** federation_endpoint.rst: the EC lives at the entity id + ".well-known/openid-federation" (adding "/" when missing). */
export function entityConfigurationUrl(entityId: string): string {
  return `${entityId.endsWith('/') ? entityId : `${entityId}/`}.well-known/openid-federation`;
}

export interface RelyingPartyMetadata {
  client_id: string;
  client_name?: string;
  redirect_uris: string[];
  post_logout_redirect_uris?: string[];
  response_types?: string[];
  grant_types?: string[];
  jwks: JSONWebKeySet;
  token_endpoint_auth_method?: string;
  id_token_signed_response_alg?: string;
  userinfo_signed_response_alg?: string;
  userinfo_encrypted_response_alg?: string;
  userinfo_encrypted_response_enc?: string;
  client_registration_types?: string[];
  [other: string]: unknown;
}

export interface EntityMetadata {
  openid_relying_party?: RelyingPartyMetadata;
  openid_provider?: Record<string, unknown>;
  federation_entity?: Record<string, unknown>;
  [other: string]: unknown;
}

export interface SignEntityConfigurationInput {
  entityId: string;
  /** The federation private key (extractable, to publish its public half) and its kid. */
  federationKey: { key: CryptoKey | KeyObject; kid: string; alg?: string };
  metadata: EntityMetadata;
  authorityHints?: string[];
  /** Seconds; the reference implementation uses 48 h (FEDERATION_DEFAULT_EXP = 2880 minutes). */
  lifetime?: number;
  now?: Date;
}

/** Signs an Entity Configuration: iss = sub = entity id, jwks = the federation public key. */
export async function signEntityConfiguration(input: SignEntityConfigurationInput): Promise<string> {
  const alg = input.federationKey.alg ?? 'RS256';
  const jwk: JWK = { ...publicJwk(await exportJWK(input.federationKey.key)), kid: input.federationKey.kid };
  const iat = Math.floor((input.now ?? new Date()).getTime() / 1000);
  return new SignJWT({
    jwks: { keys: [jwk] },
    metadata: input.metadata,
    ...(input.authorityHints ? { authority_hints: input.authorityHints } : {}),
  })
    .setProtectedHeader({ alg, kid: input.federationKey.kid, typ: ENTITY_STATEMENT_TYPE })
    .setIssuer(input.entityId)
    .setSubject(input.entityId)
    .setIssuedAt(iat)
    .setExpirationTime(iat + (input.lifetime ?? 48 * 3600))
    .sign(input.federationKey.key);
}

export interface VerifiedEntityConfiguration {
  entityId: string;
  metadata: EntityMetadata;
  jwks: JSONWebKeySet;
  issuedAt: Date;
  expiresAt: Date;
}

export class EntityConfigurationError extends Error {
  override name = 'EntityConfigurationError';
}

/**
 * Verifies a self-signed Entity Configuration: typ, allowed alg, signature by a key of its own jwks
 * (selected by kid), iss = sub = the expected entity id, iat and exp present, not expired.
 */
export async function verifyEntityConfiguration(jws: string, entityId: string, now = new Date()): Promise<VerifiedEntityConfiguration> {
  let jwks: JSONWebKeySet;
  try {
    jwks = decodeJwt(jws).jwks as JSONWebKeySet;
  } catch (cause) {
    throw new EntityConfigurationError('not a JWT', { cause });
  }
  if (!jwks || !Array.isArray(jwks.keys) || jwks.keys.length === 0 || jwks.keys.some((k) => typeof k.kid !== 'string')) {
    // entity_configuration.rst: jwks is required and every key MUST have a kid.
    throw new EntityConfigurationError('jwks missing, empty or with a key without kid');
  }
  try {
    const { payload } = await jwtVerify(jws, createLocalJWKSet(jwks), {
      typ: ENTITY_STATEMENT_TYPE,
      algorithms: FEDERATION_ALGS,
      issuer: entityId,
      subject: entityId,
      requiredClaims: ['iat', 'exp'],
      currentDate: now,
    });
    return {
      entityId,
      metadata: (payload.metadata ?? {}) as EntityMetadata,
      jwks,
      issuedAt: new Date(payload.iat! * 1000),
      expiresAt: new Date(payload.exp! * 1000),
    };
  } catch (cause) {
    throw new EntityConfigurationError(`invalid Entity Configuration: ${(cause as Error).message}`, { cause });
  }
}
