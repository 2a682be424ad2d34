// The token endpoint: a voucher for a whole active chain, and each RFC 6749 error otherwise.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SignJWT, createLocalJWKSet, decodeProtectedHeader, importJWK, jwtVerify, type CryptoKey } from 'jose';
import { sql } from '../../src/core/db.ts';
import { buildClientAssertion, generateClientKeyPair, type ClientAssertionInput } from '../../src/clients/pdnd/consumer.ts';
import { CLIENT_ASSERTION_TYPE } from '../../src/clients/pdnd/endpoints.ts';
import { withTestDatabases } from '../support/database.ts';
import { startPdndHarness, type Consumer, type PdndHarness } from './harness.ts';

await withTestDatabases('PDND token endpoint', ({ database }) => {
  let h: PdndHarness;
  let bugliano: Consumer;
  beforeAll(async () => {
    h = await startPdndHarness(database());
    bugliano = await h.consumer('c_m999');
  });
  afterAll(() => h?.close());

  const assertionInput = (overrides: Partial<ClientAssertionInput> = {}): ClientAssertionInput => ({
    pdndUrl: h.url,
    clientId: bugliano.clientId,
    kid: bugliano.keyPair.kid,
    privateKey: bugliano.keyPair.privateJwk,
    purposeId: bugliano.purposes.C015!,
    ...overrides,
  });

  async function token(fields: Record<string, string>) {
    const response = await fetch(`${h.url}/token.oauth2`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields),
    });
    return { status: response.status, body: (await response.json()) as Record<string, any>, headers: response.headers };
  }
  const request = async (assertion: string, extra: Record<string, string> = {}) =>
    token({ grant_type: 'client_credentials', client_id: bugliano.clientId, client_assertion: assertion, client_assertion_type: CLIENT_ASSERTION_TYPE, ...extra });

  /** An assertion with hand-made claims, signed with the given key. */
  async function custom(claims: Record<string, unknown>, key: CryptoKey | Uint8Array, header: Record<string, unknown> = {}) {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ iss: bugliano.clientId, sub: bugliano.clientId, aud: `${h.url}/client-assertion`, jti: randomUUID(), iat: now, exp: now + 300, purposeId: bugliano.purposes.C015, ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: bugliano.keyPair.kid, typ: 'JWT', ...header } as never)
      .sign(key);
  }
  const ownKey = async () => (await importJWK(bugliano.keyPair.privateJwk, 'RS256')) as CryptoKey;

  it('issues a voucher with the claims of the real one, signed with a key of the JWKS, and records it', async () => {
    const { status, body, headers } = await request(await buildClientAssertion(assertionInput()));
    expect(status).toBe(200);
    expect(headers.get('cache-control')).toBe('no-store');
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 600 });
    const header = decodeProtectedHeader(body.access_token);
    expect(header).toMatchObject({ alg: 'RS256', typ: 'at+jwt' });
    const jwks = await (await fetch(`${h.url}/.well-known/jwks.json`)).json();
    expect(jwks.keys.map((k: { kid: string }) => k.kid)).toContain(header.kid);
    expect(jwks.keys[0].d).toBeUndefined();
    const { payload } = await jwtVerify(body.access_token, createLocalJWKSet(jwks), { issuer: h.url, audience: h.audience('C015'), typ: 'at+jwt' });
    expect(payload).toMatchObject({ sub: bugliano.clientId, client_id: bugliano.clientId, purposeId: bugliano.purposes.C015, consumerId: bugliano.tenant.id });
    expect(payload.nbf).toBe(payload.iat);
    expect(payload.exp! - payload.iat!).toBe(600);
    const audit = await sql<{ client_kid: string; purpose_id: string }>`select client_kid, purpose_id from pdnd.issued_vouchers where jti = ${payload.jti!}`.execute(h.db);
    expect(audit.rows[0]).toEqual({ client_kid: bugliano.keyPair.kid, purpose_id: bugliano.purposes.C015 });
  });

  it('copies a well-formed digest into the voucher and refuses a malformed one', async () => {
    const digest = 'a'.repeat(64);
    const ok = await request(await buildClientAssertion(assertionInput({ trackingEvidenceDigest: digest })));
    expect(ok.status).toBe(200);
    expect(JSON.parse(Buffer.from(ok.body.access_token.split('.')[1], 'base64url').toString()).digest).toEqual({ alg: 'SHA256', value: digest });
    const bad = await request(await custom({ digest: { alg: 'SHA1', value: 'x' } }, await ownKey()));
    expect(bad).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
  });

  it('answers unsupported_grant_type and invalid_request for a malformed request', async () => {
    const assertion = await buildClientAssertion(assertionInput());
    expect(await request(assertion, { grant_type: 'authorization_code' })).toMatchObject({ status: 400, body: { error: 'unsupported_grant_type' } });
    expect(await token({ grant_type: 'client_credentials' })).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(await request(assertion, { client_assertion_type: 'urn:other' })).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(await request('not-a-jwt')).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(await request(await custom({ purposeId: 'not-a-uuid' }, await ownKey()))).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    expect(await request(await custom({ purposeId: undefined }, await ownKey()))).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    const hs = await custom({}, new TextEncoder().encode('x'.repeat(32)), { alg: 'HS256' });
    expect(await request(hs)).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
  });

  it('answers invalid_client (401) for a bad signature, an unknown kid or client, the wrong audience, an expired or replayed assertion', async () => {
    const other = await generateClientKeyPair();
    const otherKey = (await importJWK(other.privateJwk, 'RS256')) as CryptoKey;
    const badSignature = await request(await custom({}, otherKey));
    expect(badSignature).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(badSignature.body.error_description).toMatch(/signature/);
    expect(badSignature.headers.get('www-authenticate')).toMatch(/Bearer/);
    expect((await request(await custom({}, otherKey, { kid: other.kid }))).body.error_description).toMatch(/No key/);
    const unknownClient = randomUUID();
    expect(await request(await custom({ iss: unknownClient, sub: unknownClient }, await ownKey()), { client_id: unknownClient })).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(await request(await custom({ aud: `${h.url}/token.oauth2` }, await ownKey()))).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(await request(await custom({ sub: randomUUID() }, await ownKey()))).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    const past = Math.floor(Date.now() / 1000) - 3600;
    const expired = await request(await custom({ iat: past, exp: past + 600 }, await ownKey()));
    expect(expired).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(expired.body.error_description).toMatch(/expired/);
    const once = await buildClientAssertion(assertionInput());
    expect((await request(once)).status).toBe(200);
    const replay = await request(once);
    expect(replay).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
    expect(replay.body.error_description).toMatch(/already been used/);
  });

  it('refuses a client not associated with the purpose (unauthorized_client) and an inactive chain (invalid_grant)', async () => {
    // Another purpose of the same comune, not on the client
    const extra = await bugliano.api('/purposes', { body: { eserviceId: (await bugliano.api(`/purposes/${bugliano.purposes.C020}`)).body.eserviceId, title: 'Altra finalità', description: 'Una finalità non associata al client', dailyCalls: 10 } });
    expect(extra.status).toBe(201);
    expect(await request(await buildClientAssertion(assertionInput({ purposeId: extra.body.id })))).toMatchObject({ status: 400, body: { error: 'unauthorized_client' } });
    expect(await request(await buildClientAssertion(assertionInput({ purposeId: randomUUID() })))).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });

    // Purpose suspended by the consumer, then resumed
    expect((await bugliano.api(`/purposes/${bugliano.purposes.C015}/suspend`, { method: 'POST' })).body.state).toBe('Suspended');
    const suspended = await request(await buildClientAssertion(assertionInput()));
    expect(suspended).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(suspended.body.error_description).toMatch(/purpose suspended/);
    expect((await bugliano.api(`/purposes/${bugliano.purposes.C015}/activate`, { method: 'POST' })).body.state).toBe('Active');

    // Agreement suspended by the producer
    const anpr = await h.body('m_it');
    const agreement = (await bugliano.api('/agreements?role=consumer')).body.results.find((a: { eserviceName: string }) => a.eserviceName.startsWith('C015'));
    expect((await anpr.api(`/agreements/${agreement.id}/suspend`, { method: 'POST' })).body).toMatchObject({ state: 'Suspended', suspendedByProducer: true });
    const noAgreement = await request(await buildClientAssertion(assertionInput()));
    expect(noAgreement).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    expect(noAgreement.body.error_description).toMatch(/agreement suspended/);
    // The consumer cannot lift the producer's suspension
    expect((await bugliano.api(`/agreements/${agreement.id}/activate`, { method: 'POST' })).status).toBe(409);
    expect((await anpr.api(`/agreements/${agreement.id}/activate`, { method: 'POST' })).body.state).toBe('Active');

    // Descriptor suspended by the producer
    const eservice = (await anpr.api(`/eservices/${agreement.eserviceId}`)).body;
    expect((await anpr.api(`/eservices/${eservice.id}/descriptors/${eservice.descriptors[0].id}/suspend`, { method: 'POST' })).body.state).toBe('Suspended');
    expect((await request(await buildClientAssertion(assertionInput()))).body.error_description).toMatch(/descriptor not active/);
    expect((await anpr.api(`/eservices/${eservice.id}/descriptors/${eservice.descriptors[0].id}/activate`, { method: 'POST' })).body.state).toBe('Published');
    expect((await request(await buildClientAssertion(assertionInput()))).status).toBe(200);
  });

  it('stops issuing when the key is removed from the client', async () => {
    expect((await bugliano.api(`/clients/${bugliano.clientId}/keys/${bugliano.keyPair.kid}`, { method: 'DELETE' })).status).toBe(204);
    expect(await request(await buildClientAssertion(assertionInput()))).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  });
});
