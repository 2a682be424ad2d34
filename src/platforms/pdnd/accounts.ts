// Console accounts: local e-mail + password accounts of a body's people (scrypt hashes, the core
// login throttle), like the comune's staff accounts, kept simple (no second factor yet).
import { sql, type Executor } from '../../core/db.ts';
import { hashPassword, verifyPassword } from '../../core/auth/passwords.ts';
import { LoginThrottle } from '../../core/auth/throttle.ts';
import { SCHEMA } from './schema.ts';

export interface ConsoleLogin {
  accountId: string;
  tenantId: string;
  tenantName: string;
  name: string;
}

export const MIN_PASSWORD_LENGTH = 12;

/** Creates the account, or sets name and password of the existing one with that e-mail (idempotent seeds). */
export async function upsertAccount(db: Executor, input: { tenantId: string; email: string; name: string; password: string }): Promise<string> {
  if (input.password.length < MIN_PASSWORD_LENGTH) throw new Error(`Passwords need at least ${MIN_PASSWORD_LENGTH} characters`);
  const { rows } = await sql<{ id: string }>`
    insert into pdnd.accounts (tenant_id, email, name, password_hash)
    values (${input.tenantId}, ${input.email.trim().toLowerCase()}, ${input.name}, ${await hashPassword(input.password)})
    on conflict (email) do update set name = excluded.name, tenant_id = excluded.tenant_id
    returning id`.execute(db);
  return rows[0]!.id;
}

export type LoginCheck = { outcome: 'ok'; login: ConsoleLogin } | { outcome: 'invalid' } | { outcome: 'throttled'; retryAfterSeconds: number };

export async function checkLogin(db: Executor, email: string, password: string): Promise<LoginCheck> {
  const account = email.trim().toLowerCase();
  const throttle = new LoginThrottle(db, SCHEMA);
  const state = await throttle.check(account);
  if (state.locked) return { outcome: 'throttled', retryAfterSeconds: state.retryAfterSeconds };
  const { rows } = await sql<{ id: string; tenant_id: string; tenant_name: string; name: string; password_hash: string }>`
    select a.id, a.tenant_id, t.name as tenant_name, a.name, a.password_hash
    from pdnd.accounts a join pdnd.tenants t on t.id = a.tenant_id where a.email = ${account} and a.active`.execute(db);
  const row = rows[0];
  if (!row || !(await verifyPassword(password, row.password_hash))) {
    const after = await throttle.recordFailure(account);
    return after.locked ? { outcome: 'throttled', retryAfterSeconds: after.retryAfterSeconds } : { outcome: 'invalid' };
  }
  await throttle.recordSuccess(account);
  return { outcome: 'ok', login: { accountId: row.id, tenantId: row.tenant_id, tenantName: row.tenant_name, name: row.name } };
}
