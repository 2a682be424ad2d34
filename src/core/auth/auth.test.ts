import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './passwords.ts';
import { LoginThrottle, MAX_FAILURES, loginThrottleMigrations, lockSeconds } from './throttle.ts';
import { totpCode, verifyTotp, generateTotpSecret } from './totp.ts';
import { apiKeyMigrations, createApiKey, LAST_USED_EVERY_SECONDS, parseApiKey, revokeApiKey, verifyApiKey } from './api-keys.ts';
import { csrfToken, isValidCsrf } from './csrf.ts';
import { migrateSchema } from '../migrations.ts';
import { sql } from '../db.ts';
import { withTestDatabases } from '../../../test/support/database.ts';

describe('passwords, TOTP and CSRF', () => {
  it('hashes with a salt and verifies', async () => {
    const hash = await hashPassword('una password lunga');
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(hash).not.toBe(await hashPassword('una password lunga'));
    expect(await verifyPassword('una password lunga', hash)).toBe(true);
    expect(await verifyPassword('una password lungA', hash)).toBe(false);
    expect(await verifyPassword('x', 'plain')).toBe(false);
  });

  it('verifies the current TOTP code only', () => {
    const secret = generateTotpSecret();
    expect(verifyTotp(secret, totpCode(secret))).toBe(true);
    expect(verifyTotp(secret, 'abcdef')).toBe(false);
    expect(verifyTotp(generateTotpSecret(), totpCode(secret))).toBe(false);
  });

  it('binds CSRF tokens to their session', () => {
    const token = csrfToken('secret', 'seed-a');
    expect(isValidCsrf('secret', 'seed-a', token)).toBe(true);
    expect(isValidCsrf('secret', 'seed-b', token)).toBe(false);
    expect(isValidCsrf('secret', 'seed-a', undefined)).toBe(false);
  });

  it('makes throttled accounts wait longer after each failure, never forever', () => {
    expect(lockSeconds(MAX_FAILURES - 1)).toBe(0);
    expect(lockSeconds(MAX_FAILURES)).toBe(60);
    expect(lockSeconds(MAX_FAILURES + 1)).toBe(120);
    expect(lockSeconds(100)).toBe(15 * 60);
  });
});

await withTestDatabases('login throttle and API keys', ({ database }) => {
  it('throttles an account after 5 failures and frees it on success', async () => {
    const { db } = database();
    await migrateSchema(db, 'auth_test', [...loginThrottleMigrations, ...apiKeyMigrations]);
    const throttle = new LoginThrottle(db, 'auth_test');
    const states = [];
    for (let i = 0; i < MAX_FAILURES; i++) states.push((await throttle.recordFailure('a@example.it')).locked);
    expect(states).toEqual([false, false, false, false, true]);
    expect((await throttle.check('a@example.it')).locked).toBe(true);
    expect((await throttle.check('a@example.it', new Date(Date.now() + 61_000))).locked).toBe(false);
    await throttle.recordSuccess('a@example.it');
    expect((await throttle.check('a@example.it')).locked).toBe(false);
  });

  it('stores API keys hashed and refuses unknown, malformed or revoked ones', async () => {
    const { db } = database();
    const { key, record } = await createApiKey(db, 'auth_test', { ownerType: 'service', ownerId: 's1', label: 'primary', scopes: ['messages:write'] });
    expect(parseApiKey(key)).toBeDefined();
    const stored = await sql<{ secret_hash: string }>`select secret_hash from auth_test.api_keys`.execute(db);
    expect(stored.rows[0]!.secret_hash).not.toContain(key.split('.')[1]!);
    expect(await verifyApiKey(db, 'auth_test', key)).toMatchObject({ ownerId: 's1', scopes: ['messages:write'] });
    expect(await verifyApiKey(db, 'auth_test', `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`)).toBeUndefined();
    expect(await verifyApiKey(db, 'auth_test', 'garbage')).toBeUndefined();
    await revokeApiKey(db, 'auth_test', record.id);
    expect(await verifyApiKey(db, 'auth_test', key)).toBeUndefined();
  });

  it('writes a key’s last use at most once a minute', async () => {
    const { db } = database();
    const { key, record } = await createApiKey(db, 'auth_test', { ownerType: 'service', ownerId: 's2', label: 'hot path' });
    const lastUsed = async () => (await sql<{ last_used_at: Date | null }>`select last_used_at from auth_test.api_keys where id = ${record.id}`.execute(db)).rows[0]!.last_used_at;
    const setLastUsed = (secondsAgo: number) => sql`update auth_test.api_keys set last_used_at = now() - make_interval(secs => ${secondsAgo}) where id = ${record.id}`.execute(db);
    expect(await lastUsed()).toBeNull();
    await verifyApiKey(db, 'auth_test', key);
    expect(Date.now() - (await lastUsed())!.getTime()).toBeLessThan(5_000);
    await setLastUsed(LAST_USED_EVERY_SECONDS - 10);
    const recent = await lastUsed();
    await verifyApiKey(db, 'auth_test', key);
    expect(await lastUsed()).toEqual(recent);
    await setLastUsed(LAST_USED_EVERY_SECONDS + 10);
    await verifyApiKey(db, 'auth_test', key);
    expect(Date.now() - (await lastUsed())!.getTime()).toBeLessThan(5_000);
  });

  it('creates a key of a given value once, and refuses the same prefix with another secret or owner', async () => {
    const { db } = database();
    const given = `sk_given0000001.${'g'.repeat(43)}`;
    const first = await createApiKey(db, 'auth_test', { ownerType: 'tenant', ownerId: 't1', label: 'demo', key: given });
    const again = await createApiKey(db, 'auth_test', { ownerType: 'tenant', ownerId: 't1', label: 'demo', key: given });
    expect(first.key).toBe(given);
    expect(again.record.id).toBe(first.record.id);
    expect(await verifyApiKey(db, 'auth_test', given)).toMatchObject({ ownerId: 't1' });
    await expect(createApiKey(db, 'auth_test', { ownerType: 'tenant', ownerId: 't2', label: 'demo', key: given })).rejects.toThrow(/already exists/);
    await expect(createApiKey(db, 'auth_test', { ownerType: 'tenant', ownerId: 't1', label: 'demo', key: `sk_given0000001.${'h'.repeat(43)}` })).rejects.toThrow(/already exists/);
    await expect(createApiKey(db, 'auth_test', { ownerType: 'tenant', ownerId: 't1', label: 'demo', key: 'not-a-key' })).rejects.toThrow(/must look like/);
  });
});
