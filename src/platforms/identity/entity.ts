// Each OP's own Entity Configuration (entity_configuration.rst, metadata_oidc_op.rst): the OP is a
// federation leaf, its entity id is its issuer, and it signs with a federation key distinct from
// the OIDC keys. metadata.openid_provider is its discovery document with the JWKS inline.
import { importJWK, type CryptoKey, type JWK } from 'jose';
import type { Db } from '../../core/db.ts';
import type { App } from '../../core/http.ts';
import { ENTITY_STATEMENT_CONTENT_TYPE, entityConfigurationUrl, signEntityConfiguration } from './federation.ts';
import { loadOrCreateSigningKeys, publicJwk } from './keys.ts';
import type { OpProfile } from './provider.ts';

// Reference implementation default (FEDERATION_DEFAULT_EXP): 48 hours.
const EC_LIFETIME_SECONDS = 48 * 3600;

export async function registerOpEntityConfiguration(
  app: App,
  options: { db: Db; profile: OpProfile; issuer: string; identityUrl: string; oidcKeys: JWK[] },
): Promise<void> {
  const [federationJwk] = await loadOrCreateSigningKeys(options.db, `${options.profile.kind}-federation`);
  const federationKey = { key: (await importJWK(federationJwk!, 'RS256', { extractable: true })) as CryptoKey, kid: federationJwk!.kid! };
  const issuerUrl = new URL(options.issuer);
  const path = new URL(entityConfigurationUrl(options.issuer)).pathname;

  app.get(path, { schema: { hide: true } }, async (_request, reply) => {
    // The provider's own discovery document, asked as if from outside so its URLs are the public ones.
    const discovery = await app.inject({
      method: 'GET',
      url: `${issuerUrl.pathname}/.well-known/openid-configuration`,
      headers: { host: issuerUrl.host, 'x-forwarded-proto': issuerUrl.protocol.slice(0, -1) },
    });
    if (discovery.statusCode !== 200) throw new Error(`discovery answered ${discovery.statusCode}`);
    const { jwks_uri: _jwksUri, ...openidProvider } = discovery.json() as Record<string, unknown>;
    const jws = await signEntityConfiguration({
      entityId: options.issuer,
      federationKey,
      lifetime: EC_LIFETIME_SECONDS,
      metadata: {
        openid_provider: { ...openidProvider, jwks: { keys: options.oidcKeys.map(publicJwk) } },
        federation_entity: { organization_name: options.profile.name, homepage_uri: options.identityUrl },
      },
    });
    return reply.type(ENTITY_STATEMENT_CONTENT_TYPE).send(jws);
  });
}
