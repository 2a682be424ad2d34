// The platform's VAPID key pair (RFC 8292): made once, the public key given to browsers as applicationServerKey, the
// private key kept sealed with the app secret (core/secrets) and opened only to sign a push request.
import webPush from 'web-push';
import { sql, type Executor } from '../../../core/db.ts';
import { decryptSecret, encryptSecret } from '../../../core/secrets.ts';
import { SCHEMA } from '../schema.ts';

const vapidKeys = sql.table(`${SCHEMA}.vapid_keys`);
const SEALING_CONTEXT = 'io.vapid_keys.sealed_private_key';

export interface VapidKeyPair {
  /** Uncompressed P-256 point, base64url (what PushManager.subscribe takes). */
  publicKey: string;
  /** The private scalar, base64url. */
  privateKey: string;
}

interface VapidRow {
  public_key: string;
  sealed_private_key: string;
}

const storedPair = async (db: Executor) => (await sql<VapidRow>`select public_key, sealed_private_key from ${vapidKeys} where id = 1`.execute(db)).rows[0];

/** The pair, generated and stored on first use; concurrent first uses agree on the one that was stored. */
export async function vapidKeyPair(db: Executor, secret: string): Promise<VapidKeyPair> {
  let row = await storedPair(db);
  if (!row) {
    const made = webPush.generateVAPIDKeys();
    await sql`insert into ${vapidKeys} (id, public_key, sealed_private_key)
              values (1, ${made.publicKey}, ${encryptSecret(secret, made.privateKey, SEALING_CONTEXT)})
              on conflict (id) do nothing`.execute(db);
    row = (await storedPair(db))!;
  }
  return { publicKey: row.public_key, privateKey: decryptSecret(secret, row.sealed_private_key, SEALING_CONTEXT) };
}

/** The applicationServerKey browsers subscribe with. */
export async function vapidPublicKey(db: Executor, secret: string): Promise<string> {
  return (await vapidKeyPair(db, secret)).publicKey;
}
