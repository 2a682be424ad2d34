// Officers' sign-in: e-mail and password, then the TOTP code (every officer has one); the login throttle
// counts failures of either step. Sign-out ends the session.
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { audit } from '../../../core/audit.ts';
import type { LocalAccount, LoginCheck } from '../../../core/auth/local-accounts.ts';
import { checkFormCsrf, redirectTo } from '../../../core/auth/sessions.ts';
import { alert, textField } from '../../../core/forms.ts';
import { html } from '../../../core/html.ts';
import type { App } from '../../../core/http.ts';
import { municipalityByIstat } from '../../../domain/municipalities.ts';
import { SCHEMA } from '../schema.ts';
import { csrf, OFFICE, sendPage } from '../web/layout.ts';
import type { OfficerSession } from '../web/session.ts';
import { officerAccounts } from './accounts.ts';
import type { OfficeDeps } from './common.ts';
import { officeT } from './messages.ts';

export const LOGIN = `${OFFICE}/accedi`;
const PENDING_TOTP_TTL_MS = 5 * 60 * 1000;

interface PendingOfficer {
  id: string;
  at: number;
}

const LoginBody = Type.Object({ email: Type.String({ maxLength: 254 }), password: Type.String({ maxLength: 200 }) }, { additionalProperties: true });
const TotpBody = Type.Object({ code: Type.String({ maxLength: 10 }) }, { additionalProperties: true });

export function registerOfficeLogin(pages: App, deps: OfficeDeps): void {
  const accounts = officerAccounts(deps.db, deps.secret);
  const config = { html: true, rateLimit: { max: deps.loginRateLimit, timeWindow: '1 minute' } };

  function page(request: FastifyRequest, reply: FastifyReply, step: 'password' | 'totp', status = 200, message?: string, email = '') {
    const tr = officeT(request.locale);
    const form =
      step === 'password'
        ? html`<form method="post" action="${LOGIN}" novalidate>${csrf(request)}
  ${textField({ name: 'email', label: tr('email'), type: 'email', autocomplete: 'username', value: email, required: true })}
  ${textField({ name: 'password', label: tr('password'), type: 'password', autocomplete: 'current-password', required: true })}
  <button type="submit" class="btn btn-primary">${tr('signIn')}</button></form>`
        : html`<form method="post" action="${LOGIN}/totp" novalidate>${csrf(request)}
  ${textField({ name: 'code', label: tr('totp'), help: tr('totpHelp'), autocomplete: 'one-time-code', inputmode: 'numeric', required: true })}
  <button type="submit" class="btn btn-primary">${tr('continue')}</button></form>`;
    const main = html`<div class="row"><div class="col-md-6"><h1>${tr('loginTitle')}</h1><p>${tr('loginIntro')}</p>
${message ? alert('danger', message) : ''}${form}</div></div>`;
    return sendPage(reply, request, { title: tr('loginTitle'), main }, status);
  }

  function failure(request: FastifyRequest, reply: FastifyReply, check: Extract<LoginCheck, { outcome: 'invalid' | 'throttled' }>, step: 'password' | 'totp', email?: string) {
    const tr = officeT(request.locale);
    if (check.outcome === 'throttled') {
      reply.header('retry-after', String(check.retryAfterSeconds));
      return page(request, reply, step, 429, tr('throttled', { seconds: check.retryAfterSeconds }), email);
    }
    return page(request, reply, step, 401, tr(step === 'password' ? 'invalidLogin' : 'invalidTotp'), email);
  }

  async function complete(request: FastifyRequest, reply: FastifyReply, account: LocalAccount) {
    const comune = municipalityByIstat(account.tenantId);
    const officer: OfficerSession = { accountId: account.id, name: account.name, istatCode: account.tenantId, comuneName: comune?.name ?? account.tenantId };
    request.session.rotate();
    request.session.unset('anprOfficerPending');
    // One person per session: an officer's sign-in ends any citizen's on this browser.
    request.session.unset('anprCitizen');
    request.session.set('anprOfficer', officer);
    await audit(deps.db, SCHEMA, { actorType: 'operator', actorId: `officer:${account.id}`, tenantId: account.tenantId, action: 'officer.login', targetType: 'officer', targetId: account.id, details: { secondFactor: true }, requestId: request.id });
    return redirectTo(reply, OFFICE);
  }

  pages.get(LOGIN, { config: { html: true }, schema: { hide: true } }, async (request, reply) => page(request, reply, 'password'));

  pages.post(LOGIN, { config, schema: { hide: true, body: LoginBody } }, async (request, reply) => {
    checkFormCsrf(request, deps.secret);
    const { email, password } = request.body as { email: string; password: string };
    const check = await accounts.checkPassword(email, password);
    if (check.outcome === 'totp_required') {
      request.session.set('anprOfficerPending', { id: check.account.id, at: Date.now() } satisfies PendingOfficer);
      return page(request, reply, 'totp');
    }
    // Every officer has a second factor: an account without one cannot sign in here.
    if (check.outcome === 'ok') return page(request, reply, 'password', 401, officeT(request.locale)('invalidLogin'), email);
    return failure(request, reply, check, 'password', email);
  });

  pages.post(`${LOGIN}/totp`, { config, schema: { hide: true, body: TotpBody } }, async (request, reply) => {
    checkFormCsrf(request, deps.secret);
    const pending = request.session.data.anprOfficerPending as PendingOfficer | undefined;
    if (!pending || Date.now() - pending.at > PENDING_TOTP_TTL_MS) return page(request, reply, 'password', 401, officeT(request.locale)('totpExpired'));
    const check = await accounts.checkTotp(pending.id, (request.body as { code: string }).code);
    if (check.outcome === 'ok') return complete(request, reply, check.account);
    if (check.outcome === 'totp_required') return failure(request, reply, { outcome: 'invalid' }, 'totp');
    return failure(request, reply, check, 'totp');
  });

  pages.post(`${OFFICE}/esci`, { config: { html: true }, schema: { hide: true } }, async (request, reply) => {
    checkFormCsrf(request, deps.secret);
    request.session.destroy();
    return redirectTo(reply, '/');
  });
}
