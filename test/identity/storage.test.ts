// Repository-level behaviour on the identity schema: oidc-provider storage, keys, relying-party
// lookups through Entity Configurations, demo seed.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { sql } from '../../src/core/db.ts';
import { KyselyAdapter, pruneExpired } from '../../src/platforms/identity/adapter.ts';
import { RelyingPartyRegistry } from '../../src/platforms/identity/clients.ts';
import { signEntityConfiguration, type RelyingPartyMetadata } from '../../src/platforms/identity/federation.ts';
import { loadOrCreateSigningKeys, publicJwk } from '../../src/platforms/identity/keys.ts';
import { listRelyingParties, onboardRelyingParty, setRelyingPartyActive } from '../../src/platforms/identity/onboarding.ts';
import { seedDemoUsers, findUserByUsername, findUserByCard, identityDemoUsers } from '../../src/platforms/identity/users.ts';
import { listAudit } from '../../src/core/audit.ts';
import { runRelyingPartyCommand } from '../../src/platforms/identity/cli.ts';
import { withTestDatabases, type TestDatabase } from '../support/database.ts';
import { migrateIdentity } from './harness.ts';

let database: TestDatabase;

await withTestDatabases('identity storage', (use) => {
  beforeAll(async () => {
    database = use.database();
    await migrateIdentity(database);
  });
  storage();
});

function storage() {
  describe('oidc-provider storage', () => {
    it('stores, finds, consumes, revokes by grant and prunes', async () => {
      const codes = new KyselyAdapter(database.db, 'AuthorizationCode');
      const sessions = new KyselyAdapter(database.db, 'Session');
      await codes.upsert('c1', { grantId: 'g1', accountId: 'a' }, 60);
      await codes.upsert('c2', { grantId: 'g2' }, 60);
      await sessions.upsert('s1', { uid: 'u1', accountId: 'a' }, 60);
      expect(await codes.find('c1')).toMatchObject({ grantId: 'g1', accountId: 'a' });
      expect(await sessions.findByUid('u1')).toMatchObject({ accountId: 'a' });
      expect(await sessions.find('c1')).toBeUndefined();

      await codes.consume('c1');
      expect((await codes.find('c1'))?.consumed).toEqual(expect.any(Number));

      await codes.revokeByGrantId('g1');
      expect(await codes.find('c1')).toBeUndefined();
      expect(await codes.find('c2')).toBeDefined();

      await codes.upsert('old', { grantId: 'g3' }, 1);
      await sql`update identity.oidc_models set expires_at = now() - interval '1 minute' where id = 'old'`.execute(database.db);
      expect(await codes.find('old')).toBeUndefined();
      expect(await pruneExpired(database.db)).toBe(1);
      await codes.destroy('c2');
      expect(await codes.find('c2')).toBeUndefined();
    });
  });

  describe('signing keys', () => {
    it('creates one RSA key per owner on first use and keeps it', async () => {
      const [a, b] = await Promise.all([loadOrCreateSigningKeys(database.db, 'test-op'), loadOrCreateSigningKeys(database.db, 'test-op')]);
      expect(a).toHaveLength(1);
      expect(b).toEqual(a);
      expect(a[0]!.kid).toBe(await calculateJwkThumbprint(publicJwk(a[0]!)));
      expect(await loadOrCreateSigningKeys(database.db, 'test-op')).toEqual(a);
      expect((await loadOrCreateSigningKeys(database.db, 'other-op'))[0]!.kid).not.toBe(a[0]!.kid);
    });
  });

  describe('relying parties through their Entity Configuration', () => {
    const entityId = 'https://rp.example.it/';
    const logger = pino({ level: 'silent' });

    async function ecServer(overrides: Partial<RelyingPartyMetadata> = {}, lifetime = 7200) {
      const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
      const federationKey = { key: privateKey, kid: await calculateJwkThumbprint(await exportJWK(privateKey)) };
      const oidcJwk = { ...publicJwk(await exportJWK(privateKey)), kid: 'oidc' };
      const fetch = vi.fn(async (url: string | URL | Request) => {
        expect(String(url)).toBe(`${entityId}.well-known/openid-federation`);
        const jws = await signEntityConfiguration({
          entityId,
          federationKey,
          lifetime,
          metadata: {
            openid_relying_party: {
              client_id: entityId,
              redirect_uris: [`${entityId}cb`],
              jwks: { keys: [oidcJwk] },
              client_registration_types: ['automatic'],
              token_endpoint_auth_method: 'private_key_jwt',
              ...overrides,
            },
          },
        });
        return new Response(jws, { headers: { 'content-type': 'application/entity-statement+jwt' } });
      });
      return fetch;
    }

    it('never fetches for an RP that is not onboarded', async () => {
      const fetch = await ecServer();
      const registry = new RelyingPartyRegistry(database.db, { logger, fetch });
      expect(await registry.find('https://unknown.example.it/')).toBeUndefined();
      expect(fetch).not.toHaveBeenCalled();
    });

    it('maps an onboarded RP, caches it at most an hour, and stops at once when suspended', async () => {
      await onboardRelyingParty(database.db, { entityId, organizationName: 'Comune di Esempio' });
      let now = new Date();
      const fetch = await ecServer();
      const registry = new RelyingPartyRegistry(database.db, { logger, fetch, now: () => now });
      expect(await registry.find(entityId)).toMatchObject({
        client_id: entityId,
        client_name: 'Comune di Esempio',
        redirect_uris: [`${entityId}cb`],
        token_endpoint_auth_method: 'private_key_jwt',
        response_types: ['code'],
        subject_type: 'pairwise',
      });
      await registry.find(entityId);
      expect(fetch).toHaveBeenCalledTimes(1);
      now = new Date(now.getTime() + 3601_000);
      await registry.find(entityId);
      expect(fetch).toHaveBeenCalledTimes(2);

      await setRelyingPartyActive(database.db, entityId, false);
      expect(await registry.find(entityId)).toBeUndefined();
      await onboardRelyingParty(database.db, { entityId, organizationName: 'Comune di Esempio' });
      expect((await listRelyingParties(database.db)).find((rp) => rp.entityId === entityId)?.active).toBe(true);
    });

    it('re-reads the EC when it expires before the hour', async () => {
      let now = new Date();
      const fetch = await ecServer({}, 120);
      const registry = new RelyingPartyRegistry(database.db, { logger, fetch, now: () => now });
      await registry.find(entityId);
      now = new Date(now.getTime() + 121_000);
      // Re-fetched; the fake server signs with the real clock, so at this fake time the new EC is expired too.
      await expect(registry.find(entityId)).rejects.toMatchObject({ error: 'invalid_client' });
      expect(fetch).toHaveBeenCalledTimes(2);
    });

    it('refuses non-compliant metadata and unreachable ECs with the federation error codes', async () => {
      const wrongClient = new RelyingPartyRegistry(database.db, { logger, fetch: await ecServer({ client_id: 'https://evil.example.it/' }) });
      await expect(wrongClient.find(entityId)).rejects.toMatchObject({ error: 'unauthorized_client' });
      const secretAuth = new RelyingPartyRegistry(database.db, { logger, fetch: await ecServer({ token_endpoint_auth_method: 'client_secret_basic' }) });
      await expect(secretAuth.find(entityId)).rejects.toMatchObject({ error: 'unauthorized_client' });
      const down = new RelyingPartyRegistry(database.db, { logger, fetch: async () => new Response('no', { status: 503 }) });
      await expect(down.find(entityId)).rejects.toMatchObject({ error: 'temporarily_unavailable' });
      const garbage = new RelyingPartyRegistry(database.db, { logger, fetch: async () => new Response('garbage') });
      await expect(garbage.find(entityId)).rejects.toMatchObject({ error: 'invalid_client' });
    });
  });

  describe('onboarding command line', () => {
    it('onboards, lists, suspends and resumes, with an audit trail', async () => {
      const id = 'https://cli.example.it/';
      expect(await runRelyingPartyCommand(database.db, ['onboard', id, 'Comune', 'di', 'Prova'])).toEqual([
        `Onboarded ${id} (Comune di Prova); its Entity Configuration: ${id}.well-known/openid-federation`,
      ]);
      expect((await runRelyingPartyCommand(database.db, ['list'])).some((line) => line.includes(id) && line.startsWith('active'))).toBe(true);
      await runRelyingPartyCommand(database.db, ['suspend', id]);
      expect((await runRelyingPartyCommand(database.db, ['list'])).some((line) => line.includes(id) && line.startsWith('suspended'))).toBe(true);
      await runRelyingPartyCommand(database.db, ['resume', id]);
      await expect(runRelyingPartyCommand(database.db, ['suspend', 'https://nobody.example.it/'])).rejects.toThrow(/No onboarded/);
      await expect(runRelyingPartyCommand(database.db, ['onboard', 'https://no-slash.example.it', 'X'])).rejects.toThrow(/entity id/);
      await expect(runRelyingPartyCommand(database.db, ['frobnicate'])).rejects.toThrow(/Usage/);
      const actions = (await listAudit(database.db, 'identity')).filter((e) => e.targetId === id).map((e) => `${e.action} by ${e.actorId}`);
      expect(actions.sort()).toEqual(['relying-party.onboard by cli', 'relying-party.resume by cli', 'relying-party.suspend by cli']);
    });
  });

  describe('demo seed', () => {
    it('adds every demo person once, with password, TOTP and card', async () => {
      const first = await seedDemoUsers(database.db);
      expect(first).toBe(identityDemoUsers().length);
      expect(await seedDemoUsers(database.db)).toBe(0);
      const login = identityDemoUsers()[1]!;
      const user = await findUserByUsername(database.db, login.username.toUpperCase());
      expect(user).toMatchObject({ fiscalCode: login.fiscalCode, totpSecret: login.totpSecret, cardNumber: login.cardNumber, birthProvince: 'RM' });
      expect((await findUserByCard(database.db, ` ${login.cardNumber.toLowerCase()} `))?.id).toBe(user!.id);
    });
  });
}
