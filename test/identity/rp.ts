// A test relying party: publishes its Entity Configuration from a tiny node:http server and talks
// to the OPs with openid-client v6 (private_key_jwt), like the Comune platform does.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as client from 'openid-client';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { ENTITY_STATEMENT_CONTENT_TYPE, signEntityConfiguration, type RelyingPartyMetadata } from '../../src/platforms/identity/federation.ts';
import { publicJwk } from '../../src/platforms/identity/keys.ts';

export interface TestRelyingParty {
  entityId: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
  /** The OIDC core key (distinct from the federation key, as the rules recommend). */
  oidcKey: { key: CryptoKey; kid: string };
  /** How many times the EC was requested. */
  ecRequests: number;
  configFor(issuer: string): Promise<client.Configuration>;
  close(): Promise<void>;
}

async function rsaKey() {
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  return { key: privateKey, kid: await calculateJwkThumbprint(await exportJWK(privateKey)) };
}

export async function startTestRelyingParty(options: { name?: string; metadata?: Partial<RelyingPartyMetadata> } = {}): Promise<TestRelyingParty> {
  const federationKey = await rsaKey();
  const oidcKey = await rsaKey();
  const oidcJwk = { ...publicJwk(await exportJWK(oidcKey.key)), kid: oidcKey.kid, use: 'sig', alg: 'RS256' };
  let entityId = '';
  const rp: TestRelyingParty = {
    entityId: '',
    redirectUri: '',
    postLogoutRedirectUri: '',
    oidcKey,
    ecRequests: 0,
    configFor: (issuer) =>
      client.discovery(
        new URL(issuer),
        entityId,
        { id_token_signed_response_alg: 'RS256', userinfo_signed_response_alg: 'RS256' },
        client.PrivateKeyJwt(oidcKey),
        { execute: [client.allowInsecureRequests] },
      ),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = http.createServer((req, res) => {
    if (req.url !== '/.well-known/openid-federation') {
      res.writeHead(404).end();
      return;
    }
    rp.ecRequests++;
    signEntityConfiguration({
      entityId,
      federationKey,
      lifetime: 3600,
      metadata: {
        federation_entity: { organization_name: options.name ?? 'Comune di Prova' },
        openid_relying_party: {
          client_id: entityId,
          client_name: options.name ?? 'Comune di Prova',
          redirect_uris: [rp.redirectUri],
          post_logout_redirect_uris: [rp.postLogoutRedirectUri],
          response_types: ['code'],
          grant_types: ['authorization_code', 'refresh_token'],
          jwks: { keys: [oidcJwk] },
          token_endpoint_auth_method: 'private_key_jwt',
          id_token_signed_response_alg: 'RS256',
          userinfo_signed_response_alg: 'RS256',
          client_registration_types: ['automatic'],
          ...options.metadata,
        },
      },
    }).then(
      (jws) => res.writeHead(200, { 'content-type': ENTITY_STATEMENT_CONTENT_TYPE }).end(jws),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  entityId = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  rp.entityId = entityId;
  rp.redirectUri = `${entityId}auth/callback`;
  rp.postLogoutRedirectUri = `${entityId}auth/logged-out`;
  return rp;
}
