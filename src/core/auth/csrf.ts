// CSRF protection for cookie-authenticated forms: a token bound to the session (or to another
// per-visitor value such as an OIDC interaction id), compared in constant time.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { forbidden } from '../problem.ts';

export const CSRF_FIELD = '_csrf';

export function csrfToken(secret: string, binding: string): string {
  return createHmac('sha256', secret).update(`csrf:${binding}`).digest('base64url');
}

export function isValidCsrf(secret: string, binding: string, token: unknown): boolean {
  if (typeof token !== 'string' || token.length === 0) return false;
  const expected = Buffer.from(csrfToken(secret, binding));
  const given = Buffer.from(token);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** Throws 403 problem unless the form carried the right token. */
export function assertCsrf(secret: string, binding: string, token: unknown): void {
  if (!isValidCsrf(secret, binding, token)) throw forbidden('Missing or invalid CSRF token: reload the page and try again.');
}
