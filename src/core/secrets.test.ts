import { describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret, SecretDecryptionError } from './secrets.ts';

const SECRET = 'an-app-secret-of-at-least-32-characters!!';
const CONTEXT = 'comune.pdnd_connections.api_key:tenant-a';

/** Flips one bit of the base64url part at index `part` of a sealed value. */
function flip(sealed: string, part: number): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[part]!, 'base64url');
  bytes[0] = bytes[0]! ^ 1;
  parts[part] = bytes.toString('base64url');
  return parts.join('.');
}

describe('secrets at rest', () => {
  it('round-trips any text, with a fresh IV each time', () => {
    for (const value of ['sk_abcdefghijkl.' + 'x'.repeat(43), '', 'àèìòù — 🔑', '{"kty":"RSA"}'.repeat(200)]) {
      const sealed = encryptSecret(SECRET, value, CONTEXT);
      expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]*$/);
      expect(sealed).not.toContain(value || '\u0000');
      expect(decryptSecret(SECRET, sealed, CONTEXT)).toBe(value);
    }
    expect(encryptSecret(SECRET, 'same', CONTEXT)).not.toBe(encryptSecret(SECRET, 'same', CONTEXT));
  });

  it('refuses a tampered IV, tag or ciphertext', () => {
    const sealed = encryptSecret(SECRET, 'the PDND api key', CONTEXT);
    for (const part of [1, 2, 3]) expect(() => decryptSecret(SECRET, flip(sealed, part), CONTEXT)).toThrow(SecretDecryptionError);
    const truncated = sealed.slice(0, -2);
    expect(() => decryptSecret(SECRET, truncated, CONTEXT)).toThrow(SecretDecryptionError);
  });

  it('refuses another context (a value moved to another tenant) and another app secret', () => {
    const sealed = encryptSecret(SECRET, 'the PDND api key', CONTEXT);
    expect(() => decryptSecret(SECRET, sealed, 'comune.pdnd_connections.api_key:tenant-b')).toThrow(SecretDecryptionError);
    expect(() => decryptSecret(`${SECRET}-other`, sealed, CONTEXT)).toThrow(SecretDecryptionError);
  });

  it('refuses what is not a sealed value', () => {
    for (const junk of ['', 'plain text', 'v2.a.b.c', 'v1.a.b', 'v1.a.b.c.d']) expect(() => decryptSecret(SECRET, junk, CONTEXT)).toThrow(SecretDecryptionError);
  });
});
