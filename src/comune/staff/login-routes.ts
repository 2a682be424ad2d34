// Login of staff accounts (password, then TOTP when enabled), shared by the back-office of each
// ente and by the platform administration.
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { html } from '../../core/html.ts';
import type { App } from '../../core/http.ts';
import { audit } from '../../core/audit.ts';
import { checkFormCsrf, formCsrfToken, redirectTo } from '../../core/auth/sessions.ts';
import type { Tenant } from '../tenants/tenants.ts';
import type { ComuneContext, StaffLogin } from '../context.ts';
import { t } from '../messages.ts';
import { alert, csrfField, textField } from '../../core/forms.ts';
import { renderPage } from '../website/layout.ts';
import { sendPage } from '../website/routes.ts';
import type { PasswordCheck, StaffUser } from './staff.ts';

const PENDING_TOTP_TTL_MS = 5 * 60 * 1000;

export interface StaffLoginOptions {
  /** Path of the login page, e.g. "/backoffice/accedi" inside a tenant, "/admin/accedi" outside. */
  loginPath: string;
  /** Where to go after login. */
  homePath(request: FastifyRequest): string;
  /** The tenant whose staff may log in here; null for platform admins. */
  scope(request: FastifyRequest): Tenant | null;
  title: 'staff.loginTitle' | 'staff.adminLoginTitle';
}

const LoginBody = Type.Object({ email: Type.String({ maxLength: 254 }), password: Type.String({ maxLength: 200 }) }, { additionalProperties: true });
const TotpBody = Type.Object({ code: Type.String({ maxLength: 10 }) }, { additionalProperties: true });

export function registerStaffLogin(app: App, comune: ComuneContext, options: StaffLoginOptions): void {
  const secret = comune.app.secret;

  function page(request: FastifyRequest, step: 'password' | 'totp', message?: string, email = '') {
    const tr = t(request.locale);
    const tenant = options.scope(request) ?? undefined;
    const base = tenant ? `/${tenant.slug}` : '';
    const token = formCsrfToken(request, secret);
    const form =
      step === 'password'
        ? html`<form method="post" action="${base}${options.loginPath}" novalidate>
    ${csrfField(token)}
    ${textField({ name: 'email', label: tr('staff.email'), type: 'email', autocomplete: 'username', value: email, required: true })}
    ${textField({ name: 'password', label: tr('staff.password'), type: 'password', autocomplete: 'current-password', required: true })}
    <button type="submit" class="btn btn-primary">${tr('staff.signIn')}</button>
  </form>`
        : html`<form method="post" action="${base}${options.loginPath}/totp" novalidate>
    ${csrfField(token)}
    ${textField({ name: 'code', label: tr('staff.totp'), help: tr('staff.totpHelp'), autocomplete: 'one-time-code', inputmode: 'numeric', required: true })}
    <button type="submit" class="btn btn-primary">${tr('staff.continue')}</button>
  </form>`;
    const body = html`<div class="row"><div class="col-md-6">
  <h1>${tr(options.title)}</h1>
  ${message ? alert('danger', message) : ''}
  ${form}
</div></div>`;
    return renderPage({ request, tenant, title: tr(options.title), body });
  }

  async function complete(request: FastifyRequest, reply: FastifyReply, user: StaffUser) {
    const login: StaffLogin = { id: user.id, role: user.role, tenantId: user.tenantId, name: `${user.givenName} ${user.familyName}` };
    request.session.rotate();
    request.session.unset('pendingStaff');
    request.session.set('staff', login);
    await audit(comune.db, 'comune', {
      actorType: user.role,
      actorId: user.id,
      tenantId: user.tenantId,
      action: 'staff.login',
      targetType: 'staff_user',
      targetId: user.id,
      details: { secondFactor: user.hasTotp },
      requestId: request.id,
    });
    return redirectTo(reply, options.homePath(request));
  }

  function failure(request: FastifyRequest, reply: FastifyReply, check: Exclude<PasswordCheck, { outcome: 'ok' | 'totp_required' }>, step: 'password' | 'totp', email?: string) {
    const tr = t(request.locale);
    if (check.outcome === 'throttled') {
      reply.header('retry-after', String(check.retryAfterSeconds));
      return sendPage(reply, page(request, step, tr('staff.throttled', { seconds: check.retryAfterSeconds }), email), 429);
    }
    return sendPage(reply, page(request, step, tr(step === 'password' ? 'staff.invalid' : 'staff.invalidTotp'), email), 401);
  }

  app.get(options.loginPath, { config: { html: true }, schema: { hide: true } }, async (request, reply) => sendPage(reply, page(request, 'password')));

  app.post(
    options.loginPath,
    { config: { html: true, rateLimit: { max: comune.app.config.loginRateLimit, timeWindow: '1 minute' } }, schema: { hide: true, body: LoginBody } },
    async (request, reply) => {
      checkFormCsrf(request, secret);
      const { email, password } = request.body;
      const check = await comune.staff.checkPassword(email, password, options.scope(request)?.id ?? null);
      if (check.outcome === 'ok') return complete(request, reply, check.user);
      if (check.outcome === 'totp_required') {
        request.session.set('pendingStaff', { id: check.user.id, at: Date.now() });
        return sendPage(reply, page(request, 'totp'));
      }
      return failure(request, reply, check, 'password', email);
    },
  );

  app.post(
    `${options.loginPath}/totp`,
    { config: { html: true, rateLimit: { max: comune.app.config.loginRateLimit, timeWindow: '1 minute' } }, schema: { hide: true, body: TotpBody } },
    async (request, reply) => {
      checkFormCsrf(request, secret);
      const pending = request.session.data.pendingStaff as { id: string; at: number } | undefined;
      if (!pending || Date.now() - pending.at > PENDING_TOTP_TTL_MS) return sendPage(reply, page(request, 'password'), 401);
      const check = await comune.staff.checkTotp(pending.id, request.body.code);
      if (check.outcome === 'ok') return complete(request, reply, check.user);
      if (check.outcome === 'totp_required') return sendPage(reply, page(request, 'totp'), 401);
      return failure(request, reply, check, 'totp');
    },
  );

  app.post(`${options.loginPath.replace(/\/accedi$/, '')}/esci`, { config: { html: true }, schema: { hide: true } }, async (request, reply) => {
    checkFormCsrf(request, secret);
    request.session.destroy();
    const tenant = options.scope(request);
    return redirectTo(reply, tenant ? `/${tenant.slug}/` : '/');
  });
}
