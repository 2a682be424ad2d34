// The comune platform's relying-party keys: generated once, kept in its own schema.
import { sql, type Executor } from '../../core/db.ts';
import { generateSigningKey, type KeyPairJwk, type RelyingPartyKeys } from '../../clients/identity/index.ts';

async function loadOrCreate(db: Executor, purpose: 'federation' | 'core'): Promise<KeyPairJwk> {
  const existing = await sql<{ private_jwk: KeyPairJwk['privateJwk']; public_jwk: KeyPairJwk['publicJwk'] }>`
    select private_jwk, public_jwk from comune.rp_keys where purpose = ${purpose}`.execute(db);
  if (existing.rows[0]) return { privateJwk: existing.rows[0].private_jwk, publicJwk: existing.rows[0].public_jwk };
  const generated = await generateSigningKey();
  // Two processes may race on first start: the first insert wins and both read it back.
  await sql`insert into comune.rp_keys (purpose, private_jwk, public_jwk)
    values (${purpose}, ${JSON.stringify(generated.privateJwk)}::jsonb, ${JSON.stringify(generated.publicJwk)}::jsonb)
    on conflict (purpose) do nothing`.execute(db);
  return loadOrCreate(db, purpose);
}

export async function relyingPartyKeys(db: Executor): Promise<RelyingPartyKeys> {
  return { federation: await loadOrCreate(db, 'federation'), core: await loadOrCreate(db, 'core') };
}
