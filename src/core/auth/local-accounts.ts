// Local e-mail + password accounts of a platform's people (PDND console, ANPR registry officers): scrypt
// hashes, the core login throttle, an optional TOTP second factor sealed at rest. One table per use, in the
// app's own schema, with the columns `localAccountsMigration` creates.
import { sql, type Executor } from '../db.ts';
import { sqlMigration, type Migration } from '../migrations.ts';
import { decryptSecret, encryptSecret } from '../secrets.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { LoginThrottle } from './throttle.ts';
import { verifyTotp } from './totp.ts';

export const MIN_PASSWORD_LENGTH = 12;

export interface LocalAccountsOptions {
  /** The app's schema (it must also have the login_throttle table). */
  schema: string;
  table: string;
  /**
   * The table has a totp_secret column, sealed under this app secret: an account with a secret logs in
   * with a second factor. Absent: no second factor (and no such column).
   */
  totpSealKey?: string;
}

export interface LocalAccount {
  id: string;
  /** What the account belongs to (a PDND body's id, a comune's ISTAT code...). */
  tenantId: string;
  email: string;
  name: string;
  hasTotp: boolean;
}

export interface AccountInput {
  tenantId: string;
  email: string;
  name: string;
  password: string;
  /** Base32 TOTP secret (only where the table has a second factor). */
  totpSecret?: string | null;
}

export type LoginCheck =
  | { outcome: 'ok'; account: LocalAccount }
  | { outcome: 'totp_required'; account: LocalAccount }
  | { outcome: 'invalid' }
  | { outcome: 'throttled'; retryAfterSeconds: number };

/** The table `LocalAccounts` reads; `tenantType` is the SQL type of what accounts belong to. */
export function localAccountsMigration(id: string, table: string, tenantType: 'uuid' | 'text', options: { totp: boolean }): Migration {
  return sqlMigration(
    id,
    `create table {schema}.${table} (
       id uuid primary key default gen_random_uuid(),
       tenant_id ${tenantType} not null,
       email text not null unique,
       name text not null,
       password_hash text not null,${options.totp ? '\n       totp_secret text,' : ''}
       active boolean not null default true,
       created_at timestamptz not null default now()
     )`,
    `create index ${table}_tenant on {schema}.${table} (tenant_id)`,
  );
}

interface AccountRow {
  id: string;
  tenant_id: string;
  email: string;
  name: string;
  password_hash: string;
  totp_secret?: string | null;
}

const normalize = (email: string) => email.trim().toLowerCase();

export class LocalAccounts {
  private readonly throttle: LoginThrottle;
  private readonly table;
  constructor(
    private readonly db: Executor,
    private readonly options: LocalAccountsOptions,
  ) {
    this.throttle = new LoginThrottle(db, options.schema);
    this.table = sql.table(`${options.schema}.${options.table}`);
  }

  // Bound to the account's e-mail: a sealed secret copied to another row does not open.
  private context(email: string) {
    return `${this.options.schema}.${this.options.table}.totp_secret:${email}`;
  }

  private toAccount(row: AccountRow): LocalAccount {
    return { id: row.id, tenantId: row.tenant_id, email: row.email, name: row.name, hasTotp: !!row.totp_secret };
  }

  private async row(where: ReturnType<typeof sql>): Promise<AccountRow | undefined> {
    const totp = this.options.totpSealKey ? sql`, totp_secret` : sql``;
    const { rows } = await sql<AccountRow>`select id, tenant_id::text, email, name, password_hash${totp} from ${this.table} where active and ${where}`.execute(this.db);
    return rows[0];
  }

  /** An active account. */
  async byId(id: string): Promise<LocalAccount | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
    const row = await this.row(sql`id = ${id}`);
    return row && this.toAccount(row);
  }

  /** Creates the account, or sets tenant, name, password (and second factor) of the one with that e-mail. */
  async upsert(input: AccountInput): Promise<string> {
    if (input.password.length < MIN_PASSWORD_LENGTH) throw new Error(`Passwords need at least ${MIN_PASSWORD_LENGTH} characters`);
    const email = normalize(input.email);
    const key = this.options.totpSealKey;
    if (input.totpSecret && !key) throw new Error(`${this.options.schema}.${this.options.table} has no second factor`);
    const sealed = key && input.totpSecret ? encryptSecret(key, input.totpSecret, this.context(email)) : null;
    const hash = await hashPassword(input.password);
    const [column, value, update] = key ? [sql`, totp_secret`, sql`, ${sealed}`, sql`, totp_secret = excluded.totp_secret`] : [sql``, sql``, sql``];
    const { rows } = await sql<{ id: string }>`insert into ${this.table} (tenant_id, email, name, password_hash${column})
      values (${input.tenantId}, ${email}, ${input.name}, ${hash}${value})
      on conflict (email) do update set tenant_id = excluded.tenant_id, name = excluded.name, password_hash = excluded.password_hash${update}
      returning id`.execute(this.db);
    return rows[0]!.id;
  }

  private async failed(account: string): Promise<LoginCheck> {
    const after = await this.throttle.recordFailure(account);
    return after.locked ? { outcome: 'throttled', retryAfterSeconds: after.retryAfterSeconds } : { outcome: 'invalid' };
  }

  /**
   * First factor. `inScope` narrows who may log in on this page: an account outside it fails exactly like a
   * wrong password (and counts as a failure).
   */
  async checkPassword(email: string, password: string, inScope: (account: LocalAccount) => boolean = () => true): Promise<LoginCheck> {
    const account = normalize(email);
    const state = await this.throttle.check(account);
    if (state.locked) return { outcome: 'throttled', retryAfterSeconds: state.retryAfterSeconds };
    const row = await this.row(sql`email = ${account}`);
    if (!row || !inScope(this.toAccount(row)) || !(await verifyPassword(password, row.password_hash))) return this.failed(account);
    if (row.totp_secret) return { outcome: 'totp_required', account: this.toAccount(row) };
    await this.throttle.recordSuccess(account);
    return { outcome: 'ok', account: this.toAccount(row) };
  }

  /** Second factor, for an account whose password was just verified; failures count towards the same throttle. */
  async checkTotp(accountId: string, code: string): Promise<LoginCheck> {
    const row = this.options.totpSealKey && /^[0-9a-f-]{36}$/i.test(accountId) ? await this.row(sql`id = ${accountId}`) : undefined;
    if (!row?.totp_secret) return { outcome: 'invalid' };
    const state = await this.throttle.check(row.email);
    if (state.locked) return { outcome: 'throttled', retryAfterSeconds: state.retryAfterSeconds };
    if (!verifyTotp(decryptSecret(this.options.totpSealKey!, row.totp_secret, this.context(row.email)), code)) return this.failed(row.email);
    await this.throttle.recordSuccess(row.email);
    return { outcome: 'ok', account: this.toAccount(row) };
  }
}
