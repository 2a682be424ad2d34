// oidc-provider's storage (sessions, interactions, codes, tokens, grants, replay detection...) in
// the identity schema: one row per artifact, its payload as jsonb, expired rows pruned.
import type { Adapter, AdapterPayload } from 'oidc-provider';
import { sql, type Executor } from '../../core/db.ts';
import { SCHEMA } from './schema.ts';

const table = sql.table(`${SCHEMA}.oidc_models`);

// oidc-provider: these models are revoked together when their grant is (adapter contract).
const GRANTABLE = new Set([
  'AccessToken',
  'AuthorizationCode',
  'RefreshToken',
  'DeviceCode',
  'ClientCredentials',
  'BackchannelAuthenticationRequest',
]);

export class KyselyAdapter implements Adapter {
  constructor(
    private readonly db: Executor,
    private readonly model: string,
  ) {}

  async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
    const expiresAt = expiresIn ? new Date(Date.now() + expiresIn * 1000) : null;
    const grantId = GRANTABLE.has(this.model) || this.model === 'Grant' ? (payload.grantId ?? null) : null;
    await sql`
      insert into ${table} (model, id, payload, grant_id, uid, user_code, expires_at)
      values (${this.model}, ${id}, ${JSON.stringify(payload)}::jsonb, ${grantId}, ${payload.uid ?? null},
              ${payload.userCode ?? null}, ${expiresAt})
      on conflict (model, id) do update set payload = excluded.payload, grant_id = excluded.grant_id,
        uid = excluded.uid, user_code = excluded.user_code, expires_at = excluded.expires_at, consumed_at = null`.execute(this.db);
  }

  private async findWhere(column: 'id' | 'uid' | 'user_code', value: string): Promise<AdapterPayload | undefined> {
    const { rows } = await sql<{ payload: AdapterPayload; consumed_at: Date | null }>`
      select payload, consumed_at from ${table}
      where model = ${this.model} and ${sql.ref(column)} = ${value} and (expires_at is null or expires_at > now())`.execute(this.db);
    const row = rows[0];
    if (!row) return undefined;
    // oidc-provider: a consumed artifact carries `consumed` (seconds since the epoch).
    return row.consumed_at ? { ...row.payload, consumed: Math.floor(row.consumed_at.getTime() / 1000) } : row.payload;
  }

  find(id: string) {
    return this.findWhere('id', id);
  }

  findByUid(uid: string) {
    return this.findWhere('uid', uid);
  }

  findByUserCode(userCode: string) {
    return this.findWhere('user_code', userCode);
  }

  async consume(id: string): Promise<void> {
    await sql`update ${table} set consumed_at = now() where model = ${this.model} and id = ${id}`.execute(this.db);
  }

  async destroy(id: string): Promise<void> {
    await sql`delete from ${table} where model = ${this.model} and id = ${id}`.execute(this.db);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await sql`delete from ${table} where grant_id = ${grantId}`.execute(this.db);
  }
}

/** Deletes expired artifacts; returns how many. */
export async function pruneExpired(db: Executor): Promise<number> {
  const result = await sql`delete from ${table} where expires_at < now()`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
