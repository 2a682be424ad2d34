// Local accounts of the people who run the platform: operators and tenant admins of one ente,
// and platform admins. Passwords hashed with scrypt, optional TOTP second factor.
import { sql, type Executor } from '../../core/db.ts';
import { hashPassword, verifyPassword } from '../../core/auth/passwords.ts';
import { LoginThrottle } from '../../core/auth/throttle.ts';
import { verifyTotp } from '../../core/auth/totp.ts';
import type { InvalidField } from '../../core/problem.ts';
import { isValidEmail } from '../../domain/contacts.ts';

export const STAFF_ROLES = ['operator', 'tenant_admin', 'platform_admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export interface StaffUser {
  id: string;
  tenantId: string | null;
  role: StaffRole;
  email: string;
  givenName: string;
  familyName: string;
  hasTotp: boolean;
  /** A disabled account cannot log in; it stays for the audit log's sake. */
  active: boolean;
}

export interface StaffInput {
  tenantId: string | null;
  role: StaffRole;
  email: string;
  givenName: string;
  familyName: string;
  password: string;
  totpSecret?: string | null;
}

export const MIN_PASSWORD_LENGTH = 12;

export function validateStaffInput(input: StaffInput): InvalidField[] {
  const errors: InvalidField[] = [];
  if (!isValidEmail(input.email)) errors.push({ pointer: '/email', code: 'format', detail: 'not an e-mail address' });
  if (!input.givenName.trim()) errors.push({ pointer: '/givenName', code: 'required', detail: 'required' });
  if (!input.familyName.trim()) errors.push({ pointer: '/familyName', code: 'required', detail: 'required' });
  if (input.password.length < MIN_PASSWORD_LENGTH) {
    errors.push({ pointer: '/password', code: 'length', detail: `at least ${MIN_PASSWORD_LENGTH} characters` });
  }
  if (!STAFF_ROLES.includes(input.role)) errors.push({ pointer: '/role', code: 'enum', detail: STAFF_ROLES.join(', ') });
  if ((input.role === 'platform_admin') !== (input.tenantId === null)) {
    errors.push({ pointer: '/tenantId', code: 'tenant', detail: 'platform admins have no tenant; every other role has one' });
  }
  return errors;
}

interface StaffRow {
  id: string;
  tenant_id: string | null;
  role: StaffRole;
  email: string;
  given_name: string;
  family_name: string;
  password_hash: string;
  totp_secret: string | null;
  active: boolean;
}

const fromRow = (row: StaffRow): StaffUser => ({
  id: row.id,
  tenantId: row.tenant_id,
  role: row.role,
  email: row.email,
  givenName: row.given_name,
  familyName: row.family_name,
  hasTotp: row.totp_secret !== null,
  active: row.active,
});

const columns = sql`id, tenant_id, role, email, given_name, family_name, password_hash, totp_secret, active`;

export type PasswordCheck =
  | { outcome: 'ok'; user: StaffUser }
  | { outcome: 'totp_required'; user: StaffUser }
  | { outcome: 'invalid' }
  | { outcome: 'throttled'; retryAfterSeconds: number };

export class StaffRepository {
  private readonly throttle: LoginThrottle;
  constructor(private readonly db: Executor) {
    this.throttle = new LoginThrottle(db, 'comune');
  }

  private async row(where: ReturnType<typeof sql>): Promise<StaffRow | undefined> {
    const { rows } = await sql<StaffRow>`select ${columns} from comune.staff_users where active and ${where}`.execute(this.db);
    return rows[0];
  }

  async byId(id: string): Promise<StaffUser | undefined> {
    const row = await this.row(sql`id = ${id}`);
    return row && fromRow(row);
  }

  async listByTenant(tenantId: string): Promise<StaffUser[]> {
    const { rows } = await sql<StaffRow>`select ${columns} from comune.staff_users where tenant_id = ${tenantId} order by family_name, given_name`.execute(this.db);
    return rows.map(fromRow);
  }

  /** An account of the ente, active or not (the admin console's view). */
  async inTenant(tenantId: string, id: string): Promise<StaffUser | undefined> {
    const { rows } = await sql<StaffRow>`select ${columns} from comune.staff_users where tenant_id = ${tenantId} and id = ${id}`.execute(this.db);
    return rows[0] && fromRow(rows[0]);
  }

  async updateAccess(id: string, role: StaffRole, active: boolean, tx: Executor = this.db): Promise<void> {
    await sql`update comune.staff_users set role = ${role}, active = ${active} where id = ${id}`.execute(tx);
  }

  /** Ends the account's open sessions, so a new role or a disabling applies at once, not at the next login. */
  async endSessions(id: string, tx: Executor = this.db): Promise<number> {
    const result = await sql`delete from comune.sessions where data->'staff'->>'id' = ${id}`.execute(tx);
    return Number(result.numAffectedRows ?? 0);
  }

  /** Inserts a validated account; undefined when the e-mail is already taken. */
  async create(input: StaffInput, createdBy: string | null, tx: Executor = this.db): Promise<StaffUser | undefined> {
    const { rows } = await sql<StaffRow>`
      insert into comune.staff_users (tenant_id, role, email, given_name, family_name, password_hash, totp_secret, created_by)
      values (${input.tenantId}, ${input.role}, ${input.email.toLowerCase()}, ${input.givenName.trim()}, ${input.familyName.trim()},
              ${await hashPassword(input.password)}, ${input.totpSecret ?? null}, ${createdBy})
      on conflict (email) do nothing
      returning ${columns}`.execute(tx);
    return rows[0] && fromRow(rows[0]);
  }

  /**
   * First factor. `scope` is the tenant of the login page (null for the platform admin page):
   * an account of another tenant fails exactly like a wrong password.
   */
  async checkPassword(email: string, password: string, scope: string | null): Promise<PasswordCheck> {
    const account = email.trim().toLowerCase();
    const state = await this.throttle.check(account);
    if (state.locked) return { outcome: 'throttled', retryAfterSeconds: state.retryAfterSeconds };
    const row = await this.row(sql`email = ${account}`);
    const inScope = row && (scope === null ? row.role === 'platform_admin' : row.tenant_id === scope);
    if (!row || !inScope || !(await verifyPassword(password, row.password_hash))) {
      const after = await this.throttle.recordFailure(account);
      return after.locked ? { outcome: 'throttled', retryAfterSeconds: after.retryAfterSeconds } : { outcome: 'invalid' };
    }
    if (row.totp_secret) return { outcome: 'totp_required', user: fromRow(row) };
    await this.throttle.recordSuccess(account);
    return { outcome: 'ok', user: fromRow(row) };
  }

  /** Second factor, for an account whose password was just verified. */
  async checkTotp(userId: string, code: string): Promise<PasswordCheck> {
    const row = await this.row(sql`id = ${userId}`);
    if (!row?.totp_secret) return { outcome: 'invalid' };
    const state = await this.throttle.check(row.email);
    if (state.locked) return { outcome: 'throttled', retryAfterSeconds: state.retryAfterSeconds };
    if (!verifyTotp(row.totp_secret, code)) {
      const after = await this.throttle.recordFailure(row.email);
      return after.locked ? { outcome: 'throttled', retryAfterSeconds: after.retryAfterSeconds } : { outcome: 'invalid' };
    }
    await this.throttle.recordSuccess(row.email);
    return { outcome: 'ok', user: fromRow(row) };
  }
}
