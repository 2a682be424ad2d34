// The sign-in of a back-office's staff with local accounts (ANPR's registry office, the pagoPA and IO back-offices):
// e-mail and password, then the TOTP code (every account has one); the login throttle counts failures of either
// step. Sign-out ends the session. The app gives its page frame, its title and what it keeps in the session, or,
// with registerTenantStaffLogin, just how to name the organization its staff belong to.
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { audit } from '../audit.ts';
import type { Executor } from '../db.ts';
import { alert, textField } from '../forms.ts';
import { html, type SafeHtml } from '../html.ts';
import type { App } from '../http.ts';
import { defineMessages, translator, type Locale } from '../i18n.ts';
import type { LocalAccount, LocalAccounts, LoginCheck } from './local-accounts.ts';
import { checkFormCsrf, redirectTo } from './sessions.ts';

export const staffLoginMessages = defineMessages({
  it: {
    email: 'Indirizzo e-mail',
    password: 'Password',
    signIn: 'Accedi',
    totp: 'Codice di verifica',
    totpHelp: 'Il codice di 6 cifre mostrato dalla tua app di autenticazione.',
    continue: 'Continua',
    invalidLogin: 'Indirizzo e-mail o password errati.',
    invalidTotp: 'Codice di verifica errato.',
    totpExpired: 'La sessione di accesso è scaduta: inserisci di nuovo e-mail e password.',
    throttled: 'Troppi tentativi falliti: riprova tra {seconds} secondi.',
  },
  en: {
    email: 'E-mail address',
    password: 'Password',
    signIn: 'Sign in',
    totp: 'Verification code',
    totpHelp: 'The 6-digit code shown by your authenticator app.',
    continue: 'Continue',
    invalidLogin: 'Wrong e-mail address or password.',
    invalidTotp: 'Wrong verification code.',
    totpExpired: 'The sign-in has expired: enter your e-mail and password again.',
    throttled: 'Too many failed attempts: try again in {seconds} seconds.',
  },
  de: {
    email: 'E-Mail-Adresse',
    password: 'Passwort',
    signIn: 'Anmelden',
    totp: 'Bestätigungscode',
    totpHelp: 'Der 6-stellige Code Ihrer Authenticator-App.',
    continue: 'Weiter',
    invalidLogin: 'E-Mail-Adresse oder Passwort falsch.',
    invalidTotp: 'Falscher Bestätigungscode.',
    totpExpired: 'Die Anmeldung ist abgelaufen: Geben Sie E-Mail und Passwort erneut ein.',
    throttled: 'Zu viele Fehlversuche: Versuchen Sie es in {seconds} Sekunden erneut.',
  },
});

const staffT = (locale: Locale) => translator(staffLoginMessages, locale);

/** The login page of the back-office at `base` (its sign-out is `${base}/esci`). */
export const staffLoginPath = (base: string): string => `${base}/accedi`;

const PENDING_TOTP_TTL_MS = 5 * 60 * 1000;

/** What the session keeps between the password and the code. */
interface PendingStaff {
  id: string;
  at: number;
}

export interface StaffLoginRoutes {
  /** The back-office's home: where a sign-in lands. */
  base: string;
  accounts: LocalAccounts;
  secret: string;
  /** Sign-in attempts a minute from one address. */
  loginRateLimit: number;
  /** The session key of the account between the two steps. */
  pendingKey: string;
  /** The page's heading and introduction in the request's language. */
  heading(locale: Locale): { title: string; intro: string };
  /** The app's hidden CSRF field and page frame. */
  csrf(request: FastifyRequest): SafeHtml;
  sendPage(reply: FastifyReply, request: FastifyRequest, input: { title: string; main: SafeHtml }, status: number): FastifyReply;
  /** Keeps the account in a rotated session and audits the sign-in; false where the account cannot sign in here. */
  signedIn(request: FastifyRequest, account: LocalAccount): Promise<boolean>;
}

const LoginBody = Type.Object({ email: Type.String({ maxLength: 254 }), password: Type.String({ maxLength: 200 }) }, { additionalProperties: true });
const TotpBody = Type.Object({ code: Type.String({ maxLength: 10 }) }, { additionalProperties: true });

export function registerStaffLogin(pages: App, routes: StaffLoginRoutes): void {
  const LOGIN = staffLoginPath(routes.base);
  const config = { html: true, rateLimit: { max: routes.loginRateLimit, timeWindow: '1 minute' } };

  function page(request: FastifyRequest, reply: FastifyReply, step: 'password' | 'totp', status = 200, message?: string, email = '') {
    const tr = staffT(request.locale);
    const { title, intro } = routes.heading(request.locale);
    const form =
      step === 'password'
        ? html`<form method="post" action="${LOGIN}" novalidate>${routes.csrf(request)}
  ${textField({ name: 'email', label: tr('email'), type: 'email', autocomplete: 'username', value: email, required: true })}
  ${textField({ name: 'password', label: tr('password'), type: 'password', autocomplete: 'current-password', required: true })}
  <button type="submit" class="btn btn-primary">${tr('signIn')}</button></form>`
        : html`<form method="post" action="${LOGIN}/totp" novalidate>${routes.csrf(request)}
  ${textField({ name: 'code', label: tr('totp'), help: tr('totpHelp'), autocomplete: 'one-time-code', inputmode: 'numeric', required: true })}
  <button type="submit" class="btn btn-primary">${tr('continue')}</button></form>`;
    const main = html`<div class="row"><div class="col-md-6"><h1>${title}</h1><p>${intro}</p>
${message ? alert('danger', message) : ''}${form}</div></div>`;
    return routes.sendPage(reply, request, { title, main }, status);
  }

  function failure(request: FastifyRequest, reply: FastifyReply, check: Extract<LoginCheck, { outcome: 'invalid' | 'throttled' }>, step: 'password' | 'totp', email?: string) {
    const tr = staffT(request.locale);
    if (check.outcome === 'throttled') {
      reply.header('retry-after', String(check.retryAfterSeconds));
      return page(request, reply, step, 429, tr('throttled', { seconds: check.retryAfterSeconds }), email);
    }
    return page(request, reply, step, 401, tr(step === 'password' ? 'invalidLogin' : 'invalidTotp'), email);
  }

  pages.get(LOGIN, { config: { html: true }, schema: { hide: true } }, async (request, reply) => page(request, reply, 'password'));

  pages.post(LOGIN, { config, schema: { hide: true, body: LoginBody } }, async (request, reply) => {
    checkFormCsrf(request, routes.secret);
    const { email, password } = request.body;
    const check = await routes.accounts.checkPassword(email, password);
    if (check.outcome === 'totp_required') {
      request.session.set(routes.pendingKey, { id: check.account.id, at: Date.now() } satisfies PendingStaff);
      return page(request, reply, 'totp');
    }
    // Every account has a second factor: one without cannot sign in here.
    if (check.outcome === 'ok') return page(request, reply, 'password', 401, staffT(request.locale)('invalidLogin'), email);
    return failure(request, reply, check, 'password', email);
  });

  pages.post(`${LOGIN}/totp`, { config, schema: { hide: true, body: TotpBody } }, async (request, reply) => {
    checkFormCsrf(request, routes.secret);
    const pending = request.session.data[routes.pendingKey] as PendingStaff | undefined;
    if (!pending || Date.now() - pending.at > PENDING_TOTP_TTL_MS) return page(request, reply, 'password', 401, staffT(request.locale)('totpExpired'));
    const check = await routes.accounts.checkTotp(pending.id, request.body.code);
    if (check.outcome === 'ok') {
      if (!(await routes.signedIn(request, check.account))) return page(request, reply, 'password', 401, staffT(request.locale)('invalidLogin'));
      return redirectTo(reply, routes.base);
    }
    if (check.outcome === 'totp_required') return failure(request, reply, { outcome: 'invalid' }, 'totp');
    return failure(request, reply, check, 'totp');
  });

  pages.post(`${routes.base}/esci`, { config: { html: true }, schema: { hide: true } }, async (request, reply) => {
    checkFormCsrf(request, routes.secret);
    request.session.destroy();
    return redirectTo(reply, '/');
  });
}

/** A back-office's staff member in the session: an organization's (tenant: its fiscal code) or the platform operators'. */
export interface TenantStaff {
  accountId: string;
  name: string;
  /** The organization's fiscal code, or the operators' tenant. */
  tenant: string;
  /** Shown beside the name: the organization's name, or "platform operator". */
  tenantName: string;
}

export interface TenantStaffLoginRoutes extends Omit<StaffLoginRoutes, 'signedIn' | 'heading'> {
  db: Executor;
  /** The schema of the platform's audit log. */
  schema: string;
  /** The tenant of the platform operators' accounts. */
  operatorTenant: string;
  /** The back-office's messages: the login page's title and introduction, and "platform operator". */
  t(locale: Locale): (key: 'loginTitle' | 'loginIntro' | 'platformOperator') => string;
  /** The organization's name; undefined where it is not on the platform, and its staff cannot sign in. */
  organizationName(fiscalCode: string): Promise<string | undefined>;
  /** The session key of the signed-in staff member (a TenantStaff). */
  sessionKey: string;
  /** The session keys of other people a staff sign-in ends: one person per session. */
  endsSessions?: readonly string[];
}

/** The staff login of a platform's back-office whose accounts belong to an organization or to the platform operators. */
export function registerTenantStaffLogin(pages: App, routes: TenantStaffLoginRoutes): void {
  async function signedIn(request: FastifyRequest, account: LocalAccount): Promise<boolean> {
    const tenantName = account.tenantId === routes.operatorTenant ? routes.t(request.locale)('platformOperator') : await routes.organizationName(account.tenantId);
    if (tenantName === undefined) return false;
    const staff: TenantStaff = { accountId: account.id, name: account.name, tenant: account.tenantId, tenantName };
    request.session.rotate();
    request.session.unset(routes.pendingKey);
    for (const key of routes.endsSessions ?? []) request.session.unset(key);
    request.session.set(routes.sessionKey, staff);
    await audit(routes.db, routes.schema, { actorType: 'operator', actorId: `staff:${account.id}`, action: 'backoffice.login', targetType: 'account', targetId: account.id, details: { tenant: staff.tenant }, requestId: request.id });
    return true;
  }
  const heading = (locale: Locale) => ({ title: routes.t(locale)('loginTitle'), intro: routes.t(locale)('loginIntro') });
  registerStaffLogin(pages, { ...routes, heading, signedIn });
}

/**
 * onRequest hook of the area behind a tenant staff login: whoever is not signed in goes to the login page, and a
 * staff member whose account was deactivated (or moved to another tenant) loses their open session too.
 */
export function requireTenantStaff(area: { base: string; accounts: LocalAccounts; sessionKey: string }) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const staff = request.session?.data[area.sessionKey] as TenantStaff | undefined;
    const account = staff && (await area.accounts.byId(staff.accountId));
    if (staff && account && account.tenantId === staff.tenant) return undefined;
    if (staff) request.session.unset(area.sessionKey);
    return redirectTo(reply, staffLoginPath(area.base));
  };
}
