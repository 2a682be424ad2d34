// Time-based one-time passwords (RFC 6238, 30 s steps, 6 digits, SHA-1): what authenticator apps use.
import { authenticator } from 'otplib';

authenticator.options = { step: 30, digits: 6, window: 1 };

export function generateTotpSecret(): string {
  return authenticator.generateSecret(20);
}

export function totpCode(secret: string): string {
  return authenticator.generate(secret);
}

export function verifyTotp(secret: string, code: string): boolean {
  if (!/^\d{6}$/.test(code.trim())) return false;
  return authenticator.check(code.trim(), secret);
}

/** otpauth:// URI for a QR code in an authenticator app (Key Uri Format). */
export function totpUri(secret: string, account: string, issuer: string): string {
  return authenticator.keyuri(account, issuer, secret);
}
