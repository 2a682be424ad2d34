// Secrets kept at rest (an API key of another platform, a private key): AES-256-GCM under a key
// derived from the app secret with HKDF, bound by associated data to where the value belongs, so a
// ciphertext copied to another row or column does not decrypt. Format: "v1.<iv>.<tag>.<ciphertext>".
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12; // NIST SP 800-38D: 96-bit IVs for GCM
const TAG_BYTES = 16;

const keyOf = (appSecret: string): Buffer => Buffer.from(hkdfSync('sha256', appSecret, 'sportello', 'secrets.v1 aes-256-gcm', 32));

/** Encrypts value; `context` (e.g. "comune.pdnd_connections.api_key:<tenant id>") must be given again to decrypt. */
export function encryptSecret(appSecret: string, value: string, context: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyOf(appSecret), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context));
  const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
}

/** The value back; throws SecretDecryptionError when tampered with, for another context or under another secret. */
export function decryptSecret(appSecret: string, sealed: string, context: string): string {
  const [version, iv, tag, ciphertext, ...rest] = sealed.split('.');
  if (version !== VERSION || iv === undefined || tag === undefined || ciphertext === undefined || rest.length) {
    throw new SecretDecryptionError('not a sealed secret');
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyOf(appSecret), Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretDecryptionError('the secret does not authenticate (tampered, another context, or another app secret)');
  }
}

export class SecretDecryptionError extends Error {
  override name = 'SecretDecryptionError';
}
