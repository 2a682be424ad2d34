// Failed-login throttling: after MAX_FAILURES wrong attempts an account waits, it is never locked forever.
import { sql, type Executor } from '../db.ts';
import { sqlMigration } from '../migrations.ts';

export const MAX_FAILURES = 5;
export const BASE_LOCK_SECONDS = 60;
export const MAX_LOCK_SECONDS = 15 * 60;

export const loginThrottleMigrations = [
  sqlMigration(
    'core.login_throttle.001',
    `create table {schema}.login_throttle (
       account text primary key,
       failures integer not null default 0,
       locked_until timestamptz,
       updated_at timestamptz not null default now()
     )`,
  ),
];

/** Lock length after a given number of consecutive failures: doubles per extra failure, capped. */
export function lockSeconds(failures: number): number {
  if (failures < MAX_FAILURES) return 0;
  return Math.min(BASE_LOCK_SECONDS * 2 ** (failures - MAX_FAILURES), MAX_LOCK_SECONDS);
}

export interface ThrottleState {
  locked: boolean;
  retryAfterSeconds: number;
}

export class LoginThrottle {
  constructor(
    private readonly db: Executor,
    private readonly schema: string,
  ) {}

  private get table() {
    return sql.table(`${this.schema}.login_throttle`);
  }

  async check(account: string, now = new Date()): Promise<ThrottleState> {
    const { rows } = await sql<{ locked_until: Date | null }>`select locked_until from ${this.table} where account = ${account}`.execute(this.db);
    const until = rows[0]?.locked_until;
    if (!until || until <= now) return { locked: false, retryAfterSeconds: 0 };
    return { locked: true, retryAfterSeconds: Math.ceil((until.getTime() - now.getTime()) / 1000) };
  }

  async recordFailure(account: string, now = new Date()): Promise<ThrottleState> {
    const { rows } = await sql<{ failures: number }>`
      insert into ${this.table} (account, failures, updated_at) values (${account}, 1, ${now})
      on conflict (account) do update set failures = ${this.table}.failures + 1, updated_at = ${now}
      returning failures`.execute(this.db);
    const seconds = lockSeconds(rows[0]!.failures);
    if (seconds === 0) return { locked: false, retryAfterSeconds: 0 };
    const until = new Date(now.getTime() + seconds * 1000);
    await sql`update ${this.table} set locked_until = ${until} where account = ${account}`.execute(this.db);
    return { locked: true, retryAfterSeconds: seconds };
  }

  async recordSuccess(account: string): Promise<void> {
    await sql`delete from ${this.table} where account = ${account}`.execute(this.db);
  }
}
