// Console accounts: local e-mail + password accounts of a body's people (src/core/auth/local-accounts.ts,
// table pdnd.accounts), without a second factor yet.
import type { Executor } from '../../core/db.ts';
import { LocalAccounts, type AccountInput } from '../../core/auth/local-accounts.ts';
import { SCHEMA } from './schema.ts';
import { tenantById } from './store.ts';

export interface ConsoleLogin {
  accountId: string;
  tenantId: string;
  tenantName: string;
  name: string;
}

const accounts = (db: Executor) => new LocalAccounts(db, { schema: SCHEMA, table: 'accounts' });

/** Creates the account, or sets name, body and password of the existing one with that e-mail (idempotent seeds). */
export async function upsertAccount(db: Executor, input: Omit<AccountInput, 'totpSecret'>): Promise<string> {
  return accounts(db).upsert(input);
}

export type LoginCheck = { outcome: 'ok'; login: ConsoleLogin } | { outcome: 'invalid' } | { outcome: 'throttled'; retryAfterSeconds: number };

export async function checkLogin(db: Executor, email: string, password: string): Promise<LoginCheck> {
  const check = await accounts(db).checkPassword(email, password);
  if (check.outcome === 'throttled') return check;
  const tenant = check.outcome === 'ok' ? await tenantById(db, check.account.tenantId) : undefined;
  if (check.outcome !== 'ok' || !tenant) return { outcome: 'invalid' };
  return { outcome: 'ok', login: { accountId: check.account.id, tenantId: tenant.id, tenantName: tenant.name, name: check.account.name } };
}
