// The OPs' signing keys: RSA 2048 for RS256, generated on first start and kept in the identity schema.
// SPID/CIE OIDC, cryptographic_algos.rst: RSA keys of at least 2048 bits; kid = RFC 7638 JWK thumbprint.
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { sql, type Db } from '../../core/db.ts';
import { SCHEMA } from './schema.ts';

const table = sql.table(`${SCHEMA}.signing_keys`);

const PRIVATE_PARTS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'] as const;

/** The public half of a JWK (drops the private members). */
export function publicJwk(jwk: JWK): JWK {
  const copy: JWK = { ...jwk };
  for (const part of PRIVATE_PARTS) delete copy[part];
  return copy;
}

export async function generateSigningJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'RS256', use: 'sig' };
}

/**
 * The private JWKs of one key owner (e.g. "spid"), oldest first; creates the first one when there is
 * none, under a lock so processes starting together agree on a single key.
 */
export async function loadOrCreateSigningKeys(db: Db, owner: string): Promise<JWK[]> {
  return db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`sportello.identity.keys.${owner}`}))`.execute(tx);
    const select = () =>
      sql<{ private_jwk: JWK }>`select private_jwk from ${table} where op = ${owner} order by created_at, kid`.execute(tx);
    let { rows } = await select();
    if (rows.length === 0) {
      const jwk = await generateSigningJwk();
      await sql`insert into ${table} (op, kid, private_jwk) values (${owner}, ${jwk.kid}, ${JSON.stringify(jwk)}::jsonb)`.execute(tx);
      ({ rows } = await select());
    }
    return rows.map((row) => row.private_jwk);
  });
}
