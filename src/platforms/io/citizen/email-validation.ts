// The check that the profile's e-mail is the citizen's (io-backend POST /email-validation-process): a one-time link
// valid 24 hours, only its SHA-256 kept; opening it validates the address the link was sent to, if it is still the
// profile's (a changed e-mail is not validated, reference io.md §3.1). Forwarding by e-mail needs it.
import { createHash, randomBytes } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { checkFormCsrf, redirectTo } from '../../../core/auth/sessions.ts';
import { sql, transaction, type Executor } from '../../../core/db.ts';
import { alert } from '../../../core/forms.ts';
import { html } from '../../../core/html.ts';
import type { App } from '../../../core/http.ts';
import { conflict, notFound } from '../../../core/problem.ts';
import { SCHEMA } from '../schema.ts';
import { appPage, setFlash } from './layout.ts';
import { appT } from './messages.ts';
import { getProfile } from './profiles.ts';
import { appCitizen, requireAppCitizen, type AppDeps } from './session.ts';

export const EMAIL_CHECK = '/app/profilo/email/verifica';
const VALIDITY_HOURS = 24;

const validations = sql.table(`${SCHEMA}.email_validations`);
const profiles = sql.table(`${SCHEMA}.profiles`);
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** Sends the link to the profile's e-mail; 409 without one, 404 without a profile. The address it went to. */
export async function startEmailValidation(deps: AppDeps, request: FastifyRequest): Promise<string> {
  const citizen = appCitizen(request)!;
  const profile = await getProfile(deps.db, citizen.fiscalCode);
  if (!profile) throw notFound('No profile for this citizen.');
  if (!profile.email) throw conflict('The profile has no e-mail address to validate.');
  const token = randomBytes(32).toString('base64url');
  await sql`insert into ${validations} (token_hash, fiscal_code, email, expires_at)
    values (${hashToken(token)}, ${citizen.fiscalCode}, ${profile.email}, now() + make_interval(hours => ${VALIDITY_HOURS}))`.execute(deps.db);
  const tr = appT(request.locale);
  const url = `${deps.publicUrl}${EMAIL_CHECK}?token=${token}`;
  await deps.mailer.send({ to: profile.email, subject: tr('emailValidationSubject'), text: tr('emailValidationText', { name: citizen.givenName, url }) });
  return profile.email;
}

/** Uses the token once: the address it was sent to becomes validated if it still is the profile's; whose it was. */
export async function validateEmail(db: Executor, token: string): Promise<string | undefined> {
  return transaction(db, async (tx) => {
    const { rows } = await sql<{ fiscal_code: string; email: string }>`update ${validations} set used_at = now()
      where token_hash = ${hashToken(token)} and used_at is null and expires_at > now() returning fiscal_code, email`.execute(tx);
    if (!rows[0]) return undefined;
    const updated = await sql`update ${profiles} set is_email_validated = true, version = version + 1, updated_at = now()
      where fiscal_code = ${rows[0].fiscal_code} and email = ${rows[0].email}`.execute(tx);
    return Number(updated.numAffectedRows ?? 0) > 0 ? rows[0].fiscal_code : undefined;
  });
}

/** The profile page's button (POST, then back to the profile) and the link of the e-mail. */
export function registerEmailValidation(pages: App, deps: AppDeps): void {
  pages.post(EMAIL_CHECK, { config: { html: true }, schema: { hide: true }, preHandler: requireAppCitizen }, async (request, reply) => {
    checkFormCsrf(request, deps.secret);
    const email = await startEmailValidation(deps, request);
    setFlash(request, 'info', appT(request.locale)('emailValidationSent', { email }));
    return redirectTo(reply, '/app/profilo');
  });

  // Opened from the e-mail, perhaps on another device: the token alone decides.
  pages.get(
    EMAIL_CHECK,
    { config: { html: true }, schema: { hide: true, querystring: Type.Object({ token: Type.String({ minLength: 1, maxLength: 100 }) }) } },
    async (request, reply) => {
      const tr = appT(request.locale);
      const validated = await validateEmail(deps.db, request.query.token);
      const ok = validated !== undefined;
      if (ok && appCitizen(request)?.fiscalCode === validated) {
        setFlash(request, 'success', tr('emailValidatedDone'));
        return redirectTo(reply, '/app/profilo');
      }
      const body = html`<h1 class="h3">${tr('emailSection')}</h1>${alert(ok ? 'success' : 'danger', ok ? tr('emailValidatedDone') : tr('emailValidationInvalid'))}`;
      return appPage(request, reply, { title: tr('emailSection'), body, active: 'profile', status: ok ? 200 : 400 });
    },
  );
}
