// PDND's voucher-signing keys: RSA 2048 for RS256, generated on first start and kept in the pdnd
// schema; kid = RFC 7638 thumbprint. The newest signs; all are published in the JWKS, so a new key
// can be added before the old one stops being used.
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { sql, type Db } from '../../core/db.ts';

const PRIVATE_PARTS = ['d', 'p', 'q', 'dp', 'dq', 'qi'] as const;

export function publicJwk(jwk: JWK): JWK {
  const copy: JWK = { ...jwk };
  for (const part of PRIVATE_PARTS) delete copy[part];
  return copy;
}

export interface SigningKeys {
  /** The key vouchers are signed with now. */
  current: { kid: string; privateKey: CryptoKey };
  /** Every public key, for /.well-known/jwks.json and for checking our own vouchers. */
  jwks: { keys: JWK[] };
}

async function generate(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'RS256', use: 'sig' };
}

/** Loads the keys, creating the first one under a lock so processes starting together agree on one. */
export async function loadOrCreateSigningKeys(db: Db): Promise<SigningKeys> {
  const jwks = await db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(hashtext('sportello.pdnd.signing_keys'))`.execute(tx);
    const select = () => sql<{ private_jwk: JWK }>`select private_jwk from pdnd.signing_keys order by created_at, kid`.execute(tx);
    let { rows } = await select();
    if (rows.length === 0) {
      const jwk = await generate();
      await sql`insert into pdnd.signing_keys (kid, private_jwk) values (${jwk.kid!}, ${JSON.stringify(jwk)}::jsonb)`.execute(tx);
      ({ rows } = await select());
    }
    return rows.map((r) => r.private_jwk);
  });
  const newest = jwks[jwks.length - 1]!;
  return {
    current: { kid: newest.kid!, privateKey: (await importJWK(newest, 'RS256')) as CryptoKey },
    jwks: { keys: jwks.map(publicJwk) },
  };
}
