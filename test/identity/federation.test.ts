import { describe, expect, it } from 'vitest';
import { calculateJwkThumbprint, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { entityConfigurationUrl, signEntityConfiguration, verifyEntityConfiguration } from '../../src/platforms/identity/federation.ts';
import { publicJwk } from '../../src/platforms/identity/keys.ts';

const entityId = 'https://comune.example.it/';

async function key() {
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  return { key: privateKey, kid: await calculateJwkThumbprint(await exportJWK(privateKey)) };
}

const metadata = { openid_relying_party: { client_id: entityId, redirect_uris: [`${entityId}cb`], jwks: { keys: [] } } };

describe('Entity Configurations', () => {
  it('builds the well-known URL from the entity id', () => {
    expect(entityConfigurationUrl('https://rp.example.it/oidc/')).toBe('https://rp.example.it/oidc/.well-known/openid-federation');
    expect(entityConfigurationUrl('https://rp.example.it/oidc')).toBe('https://rp.example.it/oidc/.well-known/openid-federation');
  });

  it('signs and verifies a self-signed EC', async () => {
    const federationKey = await key();
    const jws = await signEntityConfiguration({ entityId, federationKey, metadata, lifetime: 600 });
    expect(decodeProtectedHeader(jws)).toEqual({ alg: 'RS256', kid: federationKey.kid, typ: 'entity-statement+jwt' });
    const ec = await verifyEntityConfiguration(jws, entityId);
    expect(ec.metadata).toEqual(metadata);
    expect(ec.jwks.keys[0]).toMatchObject({ kty: 'RSA', kid: federationKey.kid });
    expect(ec.jwks.keys[0]).not.toHaveProperty('d');
    expect(ec.expiresAt.getTime() - ec.issuedAt.getTime()).toBe(600_000);
  });

  it('refuses another entity, an expired EC, a wrong typ and a key outside its jwks', async () => {
    const federationKey = await key();
    const jws = await signEntityConfiguration({ entityId, federationKey, metadata, lifetime: 600 });
    await expect(verifyEntityConfiguration(jws, 'https://other.example.it/')).rejects.toThrow(/iss/);
    await expect(verifyEntityConfiguration(jws, entityId, new Date(Date.now() + 3600_000))).rejects.toThrow(/exp/);

    const iat = Math.floor(Date.now() / 1000);
    const jwk = { ...publicJwk(await exportJWK(federationKey.key)), kid: federationKey.kid };
    const plainJwt = await new SignJWT({ jwks: { keys: [jwk] }, metadata })
      .setProtectedHeader({ alg: 'RS256', kid: federationKey.kid, typ: 'JWT' })
      .setIssuer(entityId).setSubject(entityId).setIssuedAt(iat).setExpirationTime(iat + 600)
      .sign(federationKey.key);
    await expect(verifyEntityConfiguration(plainJwt, entityId)).rejects.toThrow(/typ/);

    const intruder = await key();
    const forged = await new SignJWT({ jwks: { keys: [jwk] }, metadata })
      .setProtectedHeader({ alg: 'RS256', kid: federationKey.kid, typ: 'entity-statement+jwt' })
      .setIssuer(entityId).setSubject(entityId).setIssuedAt(iat).setExpirationTime(iat + 600)
      .sign(intruder.key);
    await expect(verifyEntityConfiguration(forged, entityId)).rejects.toThrow(/signature/);
    await expect(verifyEntityConfiguration('not-a-jwt', entityId)).rejects.toThrow(/not a JWT/);
  });
});
