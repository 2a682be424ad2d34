// API keys: shown once at creation, stored only as SHA-256, looked up by a public prefix.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { sql, type Executor } from '../db.ts';
import { sqlMigration } from '../migrations.ts';

export const apiKeyMigrations = [
  sqlMigration(
    'core.api_keys.001',
    `create table {schema}.api_keys (
       id uuid primary key default gen_random_uuid(),
       prefix text not null unique,
       secret_hash text not null,
       owner_type text not null,
       owner_id text not null,
       label text not null,
       scopes text[] not null default '{}',
       created_at timestamptz not null default now(),
       last_used_at timestamptz,
       revoked_at timestamptz
     )`,
    `create index api_keys_owner_idx on {schema}.api_keys (owner_type, owner_id)`,
  ),
];

export interface ApiKeyOwner {
  ownerType: string;
  ownerId: string;
}

export interface ApiKeyRecord extends ApiKeyOwner {
  id: string;
  prefix: string;
  label: string;
  scopes: string[];
}

const sha256 = (value: string) => createHash('sha256').update(value).digest();

/** Key format "<prefix>.<secret>": the prefix finds the row, the secret is compared by hash. */
export function parseApiKey(key: string): { prefix: string; secret: string } | undefined {
  const match = /^(sk_[a-z0-9]{12})\.([A-Za-z0-9_-]{32,})$/.exec(key.trim());
  return match ? { prefix: match[1]!, secret: match[2]! } : undefined;
}

/**
 * A key in this format derived from a shared secret, so two rooms can agree on a demo key without either
 * reading the other's tables: "sk_<12 hex of HMAC(label-prefix)>.<HMAC(label), base64url>" over `label:holder`.
 */
export function derivedApiKey(secret: string, label: string, holder: string): string {
  const mac = (l: string) => createHmac('sha256', secret).update(`${l}:${holder}`);
  return `sk_${mac(`${label}-prefix`).digest('hex').slice(0, 12)}.${mac(label).digest('base64url')}`;
}

/**
 * A new key, random unless `key` gives its value (e.g. a demo key both sides derive from a shared
 * secret): creating a given key again returns the existing one, if it has the same owner.
 */
export async function createApiKey(
  db: Executor,
  schema: string,
  input: ApiKeyOwner & { label: string; scopes?: string[]; key?: string },
): Promise<{ key: string; record: ApiKeyRecord }> {
  const given = input.key === undefined ? undefined : parseApiKey(input.key);
  if (input.key !== undefined && !given) throw new Error('A given API key must look like sk_<12 lowercase letters or digits>.<32+ base64url characters>');
  const prefix = given?.prefix ?? `sk_${randomBytes(9).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, '0').slice(0, 12)}`;
  const secret = given?.secret ?? randomBytes(32).toString('base64url');
  const table = sql.table(`${schema}.api_keys`);
  const hash = sha256(secret).toString('base64url');
  const { rows } = await sql<{ id: string }>`
    insert into ${table} (prefix, secret_hash, owner_type, owner_id, label, scopes)
    values (${prefix}, ${hash}, ${input.ownerType}, ${input.ownerId}, ${input.label}, ${input.scopes ?? []})
    ${given ? sql`on conflict (prefix) do nothing` : sql``}
    returning id`.execute(db);
  let id = rows[0]?.id;
  if (!id) {
    const existing = await sql<{ id: string }>`select id from ${table}
      where prefix = ${prefix} and secret_hash = ${hash} and owner_type = ${input.ownerType} and owner_id = ${input.ownerId}`.execute(db);
    id = existing.rows[0]?.id;
    if (!id) throw new Error(`API key ${prefix} already exists with another secret or owner`);
  }
  return {
    key: `${prefix}.${secret}`,
    record: { id, prefix, label: input.label, scopes: input.scopes ?? [], ownerType: input.ownerType, ownerId: input.ownerId },
  };
}

/** A key's last use is written at most this often: a write per request otherwise on hot paths. */
export const LAST_USED_EVERY_SECONDS = 60;

/** The active key's record, or undefined for an unknown, malformed or revoked key. */
export async function verifyApiKey(db: Executor, schema: string, key: string): Promise<ApiKeyRecord | undefined> {
  const parsed = parseApiKey(key);
  if (!parsed) return undefined;
  const table = sql.table(`${schema}.api_keys`);
  const stale = sql`(last_used_at is null or last_used_at < now() - make_interval(secs => ${LAST_USED_EVERY_SECONDS}))`;
  const { rows } = await sql<{ id: string; secret_hash: string; owner_type: string; owner_id: string; label: string; scopes: string[]; last_used_stale: boolean }>`
    select id, secret_hash, owner_type, owner_id, label, scopes, ${stale} as last_used_stale from ${table}
    where prefix = ${parsed.prefix} and revoked_at is null`.execute(db);
  const row = rows[0];
  if (!row) return undefined;
  const expected = Buffer.from(row.secret_hash, 'base64url');
  if (!timingSafeEqual(expected, sha256(parsed.secret))) return undefined;
  // Guarded again in the update: concurrent requests of one key write it once.
  if (row.last_used_stale) await sql`update ${table} set last_used_at = now() where id = ${row.id} and ${stale}`.execute(db);
  return { id: row.id, prefix: parsed.prefix, label: row.label, scopes: row.scopes, ownerType: row.owner_type, ownerId: row.owner_id };
}

/** The active key of a request's `Authorization: Bearer <key>`, or undefined without one. */
export async function bearerApiKey(db: Executor, schema: string, request: { headers: { authorization?: string } }): Promise<ApiKeyRecord | undefined> {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  return match ? verifyApiKey(db, schema, match[1]!) : undefined;
}

export async function revokeApiKey(db: Executor, schema: string, id: string): Promise<void> {
  await sql`update ${sql.table(`${schema}.api_keys`)} set revoked_at = now() where id = ${id} and revoked_at is null`.execute(db);
}

export interface ApiKeySummary extends ApiKeyRecord {
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** An owner's active keys, newest first (for consoles: never the secret). */
export async function listApiKeys(db: Executor, schema: string, owner: ApiKeyOwner): Promise<ApiKeySummary[]> {
  const { rows } = await sql<{ id: string; prefix: string; label: string; scopes: string[]; created_at: Date; last_used_at: Date | null }>`
    select id, prefix, label, scopes, created_at, last_used_at from ${sql.table(`${schema}.api_keys`)}
    where owner_type = ${owner.ownerType} and owner_id = ${owner.ownerId} and revoked_at is null order by created_at desc`.execute(db);
  return rows.map((r) => ({ ...owner, id: r.id, prefix: r.prefix, label: r.label, scopes: r.scopes, createdAt: r.created_at, lastUsedAt: r.last_used_at }));
}
