import { expect, it } from 'vitest';
import { withTestDatabases } from '../../../test/support/database.ts';
import { sql } from '../db.ts';
import { migrateSchema } from '../migrations.ts';
import { LocalAccounts, localAccountsMigration } from './local-accounts.ts';
import { MAX_FAILURES, loginThrottleMigrations } from './throttle.ts';
import { generateTotpSecret, totpCode } from './totp.ts';

const KEY = 'a-test-app-secret-0123456789-0123456789';

await withTestDatabases('local accounts', ({ database }) => {
  const accounts = (totp = true) => new LocalAccounts(database().db, { schema: 'accounts_test', table: totp ? 'people' : 'plain', ...(totp ? { totpSealKey: KEY } : {}) });

  it('creates the tables', async () => {
    await migrateSchema(database().db, 'accounts_test', [
      ...loginThrottleMigrations,
      localAccountsMigration('people', 'people', 'text', { totp: true }),
      localAccountsMigration('plain', 'plain', 'uuid', { totp: false }),
    ]);
  });

  it('logs in with a password where there is no second factor; an upsert changes the password', async () => {
    const tenant = '11111111-2222-3333-4444-555555555555';
    const id = await accounts(false).upsert({ tenantId: tenant, email: ' Ada@Example.IT ', name: 'Ada', password: 'una-password-lunga' });
    expect(await accounts(false).checkPassword('ada@example.it', 'una-password-lunga')).toEqual({ outcome: 'ok', account: { id, tenantId: tenant, email: 'ada@example.it', name: 'Ada', hasTotp: false } });
    expect(await accounts(false).upsert({ tenantId: tenant, email: 'ada@example.it', name: 'Ada L.', password: 'un-altra-password' })).toBe(id);
    expect((await accounts(false).checkPassword('ada@example.it', 'una-password-lunga')).outcome).toBe('invalid');
    expect(await accounts(false).checkPassword('ada@example.it', 'un-altra-password')).toMatchObject({ outcome: 'ok', account: { name: 'Ada L.' } });
    await expect(accounts(false).upsert({ tenantId: tenant, email: 'b@example.it', name: 'B', password: 'corta' })).rejects.toThrow(/12 characters/);
    await expect(accounts(false).upsert({ tenantId: tenant, email: 'b@example.it', name: 'B', password: 'una-password-lunga', totpSecret: generateTotpSecret() })).rejects.toThrow(/no second factor/);
  });

  it('asks for the second factor, keeps its secret sealed, and throttles wrong codes like wrong passwords', async () => {
    const secret = generateTotpSecret();
    const id = await accounts().upsert({ tenantId: '050999', email: 'uff@example.it', name: 'Ufficiale', password: 'una-password-lunga', totpSecret: secret });
    const stored = await sql<{ totp_secret: string }>`select totp_secret from accounts_test.people where id = ${id}`.execute(database().db);
    expect(stored.rows[0]!.totp_secret).not.toContain(secret);
    expect(await accounts().checkPassword('uff@example.it', 'una-password-lunga')).toMatchObject({ outcome: 'totp_required', account: { id, tenantId: '050999', hasTotp: true } });
    expect(await accounts().checkTotp(id, totpCode(secret))).toMatchObject({ outcome: 'ok', account: { id } });
    expect((await accounts().checkTotp('not-an-id', totpCode(secret))).outcome).toBe('invalid');
    const outcomes = [];
    for (let i = 0; i < MAX_FAILURES; i++) outcomes.push((await accounts().checkTotp(id, '000000')).outcome);
    expect(outcomes).toEqual(['invalid', 'invalid', 'invalid', 'invalid', 'throttled']);
    expect((await accounts().checkPassword('uff@example.it', 'una-password-lunga')).outcome).toBe('throttled');
    expect((await accounts().checkTotp(id, totpCode(secret))).outcome).toBe('throttled');
  });

  it('refuses an account outside the scope of the page like a wrong password', async () => {
    await accounts().upsert({ tenantId: '050038', email: 'vico@example.it', name: 'Vico', password: 'una-password-lunga', totpSecret: generateTotpSecret() });
    expect((await accounts().checkPassword('vico@example.it', 'una-password-lunga', (a) => a.tenantId === '050999')).outcome).toBe('invalid');
    expect((await accounts().checkPassword('vico@example.it', 'una-password-lunga', (a) => a.tenantId === '050038')).outcome).toBe('totp_required');
    expect((await accounts().checkPassword('nobody@example.it', 'una-password-lunga')).outcome).toBe('invalid');
    expect(await accounts().byId('00000000-0000-0000-0000-000000000000')).toBeUndefined();
  });
});
