// Staff sign-in to the back-office: e-mail and password, then the TOTP code (every account has one); the login
// throttle counts failures of either step. Sign-out ends the session.
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { audit } from '../../../core/audit.ts';
import type { LocalAccount, LoginCheck } from '../../../core/auth/local-accounts.ts';
import { checkFormCsrf, redirectTo } from '../../../core/auth/sessions.ts';
import type { Executor } from '../../../core/db.ts';
import { alert, textField } from '../../../core/forms.ts';
import { html } from '../../../core/html.ts';
import type { App } from '../../../core/http.ts';
import { institutionByFiscalCode } from '../institutions.ts';
import { SCHEMA } from '../schema.ts';
import { backofficeAccounts, OPERATOR_TENANT } from './accounts.ts';
import { BACKOFFICE, csrf, sendPage, type StaffSession } from './layout.ts';
import { consoleT } from './messages.ts';

export const LOGIN = `${BACKOFFICE}/accedi`;
const PENDING_TOTP_TTL_MS = 5 * 60 * 1000;

interface PendingStaff {
  id: string;
  at: number;
}

export interface BackofficeDeps {
  db: Executor;
  secret: string;
  loginRateLimit: number;
}

const LoginBody = Type.Object({ email: Type.String({ maxLength: 254 }), password: Type.String({ maxLength: 200 }) }, { additionalProperties: true });
const TotpBody = Type.Object({ code: Type.String({ maxLength: 10 }) }, { additionalProperties: true });

/** What the session keeps of a staff member: their institution's name, or none for an operator. */
export async function staffSession(db: Executor, account: LocalAccount, operatorLabel: string): Promise<StaffSession | undefined> {
  if (account.tenantId === OPERATOR_TENANT) return { accountId: account.id, name: account.name, tenant: OPERATOR_TENANT, tenantName: operatorLabel };
  const institution = await institutionByFiscalCode(db, account.tenantId);
  return institution && { accountId: account.id, name: account.name, tenant: institution.fiscalCode, tenantName: institution.companyName };
}

export function registerBackofficeLogin(pages: App, deps: BackofficeDeps): void {
  const accounts = backofficeAccounts(deps.db, deps.secret);
  const config = { html: true, rateLimit: { max: deps.loginRateLimit, timeWindow: '1 minute' } };

  function page(request: FastifyRequest, reply: FastifyReply, step: 'password' | 'totp', status = 200, message?: string, email = '') {
    const tr = consoleT(request.locale);
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
    const tr = consoleT(request.locale);
    if (check.outcome === 'throttled') {
      reply.header('retry-after', String(check.retryAfterSeconds));
      return page(request, reply, step, 429, tr('throttled', { seconds: check.retryAfterSeconds }), email);
    }
    return page(request, reply, step, 401, tr(step === 'password' ? 'invalidLogin' : 'invalidTotp'), email);
  }

  async function complete(request: FastifyRequest, reply: FastifyReply, account: LocalAccount) {
    const staff = await staffSession(deps.db, account, consoleT(request.locale)('platformOperator'));
    if (!staff) return page(request, reply, 'password', 401, consoleT(request.locale)('invalidLogin'));
    request.session.rotate();
    request.session.unset('pagopaStaffPending');
    // One person per session: a staff sign-in ends any citizen's on this browser.
    request.session.unset('pagopaCitizen');
    request.session.set('pagopaStaff', staff);
    await audit(deps.db, SCHEMA, { actorType: 'operator', actorId: `staff:${account.id}`, action: 'backoffice.login', targetType: 'account', targetId: account.id, details: { tenant: staff.tenant }, requestId: request.id });
    return redirectTo(reply, BACKOFFICE);
  }

  pages.get(LOGIN, { config: { html: true }, schema: { hide: true } }, async (request, reply) => page(request, reply, 'password'));

  pages.post(LOGIN, { config, schema: { hide: true, body: LoginBody } }, async (request, reply) => {
    checkFormCsrf(request, deps.secret);
    const { email, password } = request.body as { email: string; password: string };
    const check = await accounts.checkPassword(email, password);
    if (check.outcome === 'totp_required') {
      request.session.set('pagopaStaffPending', { id: check.account.id, at: Date.now() } satisfies PendingStaff);
      return page(request, reply, 'totp');
    }
    // Every account has a second factor: one without cannot sign in here.
    if (check.outcome === 'ok') return page(request, reply, 'password', 401, consoleT(request.locale)('invalidLogin'), email);
    return failure(request, reply, check, 'password', email);
  });

  pages.post(`${LOGIN}/totp`, { config, schema: { hide: true, body: TotpBody } }, async (request, reply) => {
    checkFormCsrf(request, deps.secret);
    const pending = request.session.data.pagopaStaffPending as PendingStaff | undefined;
    if (!pending || Date.now() - pending.at > PENDING_TOTP_TTL_MS) return page(request, reply, 'password', 401, consoleT(request.locale)('totpExpired'));
    const check = await accounts.checkTotp(pending.id, (request.body as { code: string }).code);
    if (check.outcome === 'ok') return complete(request, reply, check.account);
    if (check.outcome === 'totp_required') return failure(request, reply, { outcome: 'invalid' }, 'totp');
    return failure(request, reply, check, 'totp');
  });

  pages.post(`${BACKOFFICE}/esci`, { config: { html: true }, schema: { hide: true } }, async (request, reply) => {
    checkFormCsrf(request, deps.secret);
    request.session.destroy();
    return redirectTo(reply, '/');
  });
}
