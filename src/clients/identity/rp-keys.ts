// A relying party's keys (federation and OIDC core), generated once and kept in the RP's own schema: each
// app that logs citizens in with SPID/CIE (comune, ANPR) holds its own table, created by `rpKeyMigrations`.
import { sql, type Executor } from '../../core/db.ts';
import { sqlMigration } from '../../core/migrations.ts';
import { generateSigningKey, type KeyPairJwk, type RelyingPartyKeys } from './index.ts';

/** The key table, for a relying party's migration list (the comune created the same table as its 004_rp_keys). */
export const rpKeyMigrations = [
  sqlMigration(
    'clients.identity.rp_keys.001',
    `create table {schema}.rp_keys (
       purpose text primary key check (purpose in ('federation', 'core')),
       private_jwk jsonb not null,
       public_jwk jsonb not null,
       created_at timestamptz not null default now()
     )`,
  ),
];

async function loadOrCreate(db: Executor, schema: string, purpose: 'federation' | 'core'): Promise<KeyPairJwk> {
  const table = sql.table(`${schema}.rp_keys`);
  const existing = await sql<{ private_jwk: KeyPairJwk['privateJwk']; public_jwk: KeyPairJwk['publicJwk'] }>`
    select private_jwk, public_jwk from ${table} where purpose = ${purpose}`.execute(db);
  if (existing.rows[0]) return { privateJwk: existing.rows[0].private_jwk, publicJwk: existing.rows[0].public_jwk };
  const generated = await generateSigningKey();
  // Two processes may race on first start: the first insert wins and both read it back.
  await sql`insert into ${table} (purpose, private_jwk, public_jwk)
    values (${purpose}, ${JSON.stringify(generated.privateJwk)}::jsonb, ${JSON.stringify(generated.publicJwk)}::jsonb)
    on conflict (purpose) do nothing`.execute(db);
  return loadOrCreate(db, schema, purpose);
}

/** The relying party's keys from `<schema>.rp_keys`, generated on first use. */
export async function relyingPartyKeys(db: Executor, schema: string): Promise<RelyingPartyKeys> {
  return { federation: await loadOrCreate(db, schema, 'federation'), core: await loadOrCreate(db, schema, 'core') };
}
