// A new e-mail address is confirmed by a link sent to it: the request is a durable job enqueued with
// the change, so no change is saved without its mail and a crash never loses (or doubles) one.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Executor } from '../../core/db.ts';
import { enqueue, type JobHandler } from '../../core/jobs.ts';
import type { Mailer } from '../../core/mail.ts';
import type { Locale } from '../../core/i18n.ts';
import { t } from '../messages.ts';

export const VERIFY_EMAIL_JOB = 'citizen.verify-email';
export const VERIFICATION_LINK_TTL_SECONDS = 48 * 60 * 60;

export interface VerificationClaim {
  citizenId: string;
  email: string;
  /** Unix seconds after which the link no longer works. */
  expires: number;
}

export function signVerification(secret: string, claim: VerificationClaim): string {
  return createHmac('sha256', secret).update(`verify-email|${claim.citizenId}|${claim.email}|${claim.expires}`).digest('base64url');
}

/** The link is valid when signed by us, not expired and still about the citizen's current address. */
export function isValidVerification(secret: string, claim: VerificationClaim, signature: string, nowSeconds: number): boolean {
  const expected = Buffer.from(signVerification(secret, claim));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given) && claim.expires >= nowSeconds;
}

export interface VerifyEmailPayload {
  tenantSlug: string;
  tenantName: string;
  citizenId: string;
  givenName: string;
  email: string;
  locale: Locale;
}

/** Called inside the transaction that saves the new address. */
export async function requestEmailVerification(tx: Executor, payload: VerifyEmailPayload): Promise<void> {
  await enqueue(tx, 'comune', { kind: VERIFY_EMAIL_JOB, payload });
}

export function verificationUrl(baseUrl: string, secret: string, payload: VerifyEmailPayload, nowSeconds: number): string {
  const claim = { citizenId: payload.citizenId, email: payload.email, expires: nowSeconds + VERIFICATION_LINK_TTL_SECONDS };
  const query = new URLSearchParams({ c: claim.citizenId, e: claim.email, x: String(claim.expires), s: signVerification(secret, claim) });
  return `${baseUrl}/${payload.tenantSlug}/area-personale/verifica-email?${query.toString()}`;
}

export function verifyEmailHandler(mailer: Mailer, baseUrl: string, secret: string): JobHandler<VerifyEmailPayload> {
  return async (payload, ctx) => {
    const tr = t(payload.locale);
    const link = verificationUrl(baseUrl, secret, payload, Math.floor(Date.now() / 1000));
    await mailer.send({
      to: payload.email,
      subject: tr('mail.verifySubject', { tenant: payload.tenantName }),
      text: tr('mail.verifyText', { name: payload.givenName, tenant: payload.tenantName, link, hours: VERIFICATION_LINK_TTL_SECONDS / 3600 }),
      // The same job retried sends the same Message-ID, so a relay or the inbox can drop the repeat.
      messageId: `<${ctx.idempotencyKey}@sportello.comune>`,
    });
  };
}
