// oidc-provider's Client lookups, SPID/CIE OIDC Federation style (automatic registration): an
// onboarded RP's metadata is read from its Entity Configuration and cached until it expires.
import type { Logger } from 'pino';
import { errors, type Adapter, type ClientMetadata } from 'oidc-provider';
import type { Executor } from '../../core/db.ts';
import { entityConfigurationUrl, verifyEntityConfiguration, ENTITY_STATEMENT_CONTENT_TYPE, type VerifiedEntityConfiguration } from './federation.ts';
import { findActiveRelyingParty, type RelyingParty } from './onboarding.ts';

const MAX_CACHE_SECONDS = 3600;
const MAX_CACHE_ENTRIES = 200;
const FETCH_TIMEOUT_MS = 5000;
const MAX_EC_BYTES = 64 * 1024;

export class RelyingPartyMetadataError extends Error {
  override name = 'RelyingPartyMetadataError';
}

/**
 * The client metadata oidc-provider needs, from a verified RP Entity Configuration.
 * metadata_oidc_rp.rst: client_id = entity id, automatic registration, response_types code,
 * token_endpoint_auth_method private_key_jwt, jwks inline.
 */
export function clientMetadataFromEntity(ec: VerifiedEntityConfiguration, rp: RelyingParty): ClientMetadata {
  const meta = ec.metadata.openid_relying_party;
  if (!meta) throw new RelyingPartyMetadataError('no openid_relying_party metadata');
  if (meta.client_id !== ec.entityId) throw new RelyingPartyMetadataError('client_id differs from the entity id');
  if (meta.client_registration_types && !meta.client_registration_types.includes('automatic')) {
    throw new RelyingPartyMetadataError('client_registration_types does not include "automatic"');
  }
  if ((meta.token_endpoint_auth_method ?? 'private_key_jwt') !== 'private_key_jwt') {
    throw new RelyingPartyMetadataError('token_endpoint_auth_method must be private_key_jwt');
  }
  if (!Array.isArray(meta.redirect_uris) || meta.redirect_uris.length === 0) throw new RelyingPartyMetadataError('redirect_uris missing');
  if (!meta.jwks || !Array.isArray(meta.jwks.keys)) throw new RelyingPartyMetadataError('jwks missing');
  const optional = <K extends string>(key: K) => (meta[key] === undefined ? {} : { [key]: meta[key] });
  return {
    client_id: ec.entityId,
    client_name: meta.client_name ?? rp.organizationName,
    redirect_uris: meta.redirect_uris,
    post_logout_redirect_uris: meta.post_logout_redirect_uris ?? [],
    response_types: (meta.response_types ?? ['code']) as ClientMetadata['response_types'],
    grant_types: meta.grant_types ?? ['authorization_code'],
    jwks: meta.jwks as ClientMetadata['jwks'],
    token_endpoint_auth_method: 'private_key_jwt',
    // metadata_oidc_op.rst: subject_types_supported is [pairwise].
    subject_type: 'pairwise',
    ...optional('default_acr_values'),
    ...optional('id_token_signed_response_alg'),
    ...optional('userinfo_signed_response_alg'),
    ...optional('userinfo_encrypted_response_alg'),
    ...optional('userinfo_encrypted_response_enc'),
    ...optional('id_token_encrypted_response_alg'),
    ...optional('id_token_encrypted_response_enc'),
  };
}

export interface RelyingPartyRegistryOptions {
  logger: Logger;
  fetch?: typeof fetch;
  now?: () => Date;
}

/** Resolves client ids to metadata: onboarded and active first, then the fetched and verified EC. */
export class RelyingPartyRegistry {
  private readonly cache = new Map<string, { metadata: ClientMetadata; until: number }>();
  private readonly fetch: typeof fetch;
  private readonly now: () => Date;

  constructor(
    private readonly db: Executor,
    private readonly options: RelyingPartyRegistryOptions,
  ) {
    this.fetch = options.fetch ?? globalThis.fetch;
    this.now = options.now ?? (() => new Date());
  }

  async find(clientId: string): Promise<ClientMetadata | undefined> {
    // Onboarding is checked on every lookup, before any fetch: an unknown id never makes us call out.
    const rp = await findActiveRelyingParty(this.db, clientId);
    if (!rp) return undefined;
    const now = this.now().getTime();
    const cached = this.cache.get(clientId);
    if (cached && cached.until > now) return cached.metadata;
    this.cache.delete(clientId);

    const ec = await this.fetchEntityConfiguration(clientId);
    let metadata: ClientMetadata;
    try {
      metadata = clientMetadataFromEntity(ec, rp);
    } catch (err) {
      this.options.logger.warn({ clientId, err: (err as Error).message }, 'relying party metadata refused');
      // errors_federation.rst: unauthorized_client when the metadata is not compliant.
      throw new errors.UnauthorizedClient(`relying party metadata refused: ${(err as Error).message}`);
    }
    // entity_statement.rst: metadata is valid until the EC's exp; we also re-read it at least hourly.
    const until = Math.min(ec.expiresAt.getTime(), now + MAX_CACHE_SECONDS * 1000);
    if (this.cache.size >= MAX_CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(clientId, { metadata, until });
    return metadata;
  }

  forget(clientId: string): void {
    this.cache.delete(clientId);
  }

  private async fetchEntityConfiguration(entityId: string): Promise<VerifiedEntityConfiguration> {
    const url = entityConfigurationUrl(entityId);
    let body: string;
    try {
      const response = await this.fetch(url, {
        headers: { accept: ENTITY_STATEMENT_CONTENT_TYPE },
        redirect: 'error',
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      body = (await response.text()).trim();
      if (body.length > MAX_EC_BYTES) throw new Error('response too large');
    } catch (err) {
      this.options.logger.warn({ url, err: (err as Error).message }, 'relying party Entity Configuration unreachable');
      // errors_federation.rst: temporarily_unavailable when the well-known endpoint cannot be reached.
      throw new errors.TemporarilyUnavailable(`the relying party Entity Configuration could not be fetched from ${url}`);
    }
    try {
      return await verifyEntityConfiguration(body, entityId, this.now());
    } catch (err) {
      this.options.logger.warn({ url, err: (err as Error).message }, 'relying party Entity Configuration refused');
      // errors_federation.rst: invalid_client when the RP's statements do not validate.
      throw new errors.InvalidClient(`invalid relying party Entity Configuration: ${(err as Error).message}`);
    }
  }

  /** The read-only adapter oidc-provider uses for its Client model. */
  asAdapter(): Adapter {
    const readOnly = async () => {
      throw new Error('clients are registered by onboarding, not through oidc-provider');
    };
    return {
      find: (id) => this.find(id),
      findByUid: async () => undefined,
      findByUserCode: async () => undefined,
      upsert: readOnly,
      consume: readOnly,
      destroy: readOnly,
      revokeByGrantId: readOnly,
    };
  }
}
