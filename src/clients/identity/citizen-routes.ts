// The routes of a relying party's citizen area, as ANPR, IO and the pagoPA consoles have them: the login page, the
// redirect to SPID or CIE (/auth/spid|cie), the callback that keeps the citizen in the session, and the sign-out
// that ends the login at the provider too. What differs between the apps (pages, session keys) is passed in.
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { audit } from '../../core/audit.ts';
import { checkFormCsrf, redirectTo } from '../../core/auth/sessions.ts';
import type { Executor } from '../../core/db.ts';
import type { App } from '../../core/http.ts';
import { LEVEL_ACR, finishCitizenLogin, providerLogoutUrl, startCitizenLogin, type PendingLogin, type ProviderName, type RelyingParty } from './login.ts';
import { loginFailureMessage } from './sign-in.ts';

/** What the app's session keeps of a signed-in citizen (the tokens end the login at the provider). */
export interface CitizenSession {
  fiscalCode: string;
  givenName: string;
  familyName: string;
  /** The e-mail the provider asserted, when it gave one (IO's first profile starts from it). */
  email?: string;
  provider: ProviderName;
  acr: string;
  idToken: string;
  accessToken: string;
}

export interface CitizenLoginRoutes {
  db: Executor;
  /** The app's schema: where the sign-in is audited. */
  schema: string;
  secret: string;
  /** The app's public URL: the base of the callback's URL. */
  publicUrl: string;
  /** The area's home and login page; sign-out is `${area}/esci`. */
  area: string;
  loginPath: string;
  /** The session key of the login between the redirect and the callback. */
  pendingKey: string;
  /** The `state` of the provider's logout redirect. */
  logoutState: string;
  /** The signed-in citizen, and the one the area accepts (its level may be higher). */
  citizenOf(request: FastifyRequest): CitizenSession | undefined;
  areaCitizen(request: FastifyRequest): CitizenSession | undefined;
  loginPage(request: FastifyRequest, reply: FastifyReply, message?: string, status?: number): FastifyReply;
  /** Keeps the citizen in a rotated session and redirects into the area. */
  signedIn(request: FastifyRequest, reply: FastifyReply, citizen: CitizenSession): FastifyReply;
}

/** The page of a citizen area asked for before the login (a GET below `area`), kept in the session under `sessionKey`. */
export function pageToReturnTo(sessionKey: string, area: string) {
  return {
    /** Sends whoever is not signed in to the login page, remembering the page they asked for. */
    toLogin(request: FastifyRequest, reply: FastifyReply, loginPath: string): FastifyReply {
      if (request.method === 'GET') request.session.set(sessionKey, request.url.split('?')[0]);
      return redirectTo(reply, loginPath);
    },
    /** Where the sign-in lands: the page remembered (forgotten now), or else `home`. */
    take(request: FastifyRequest, home: string): string {
      const page = request.session.data[sessionKey];
      request.session.unset(sessionKey);
      return typeof page === 'string' && page.startsWith(`${area}/`) ? page : home;
    },
  };
}

export function registerCitizenLoginRoutes(pages: App, rp: RelyingParty, routes: CitizenLoginRoutes): void {
  pages.get(routes.loginPath, { config: { html: true }, schema: { hide: true } }, async (request, reply) => {
    if (routes.areaCitizen(request)) return redirectTo(reply, routes.area);
    return routes.loginPage(request, reply);
  });

  pages.get(
    '/auth/:provider',
    {
      config: { html: true, rateLimit: { max: 60, timeWindow: '1 minute' } },
      schema: {
        hide: true,
        params: Type.Object({ provider: Type.Union([Type.Literal('spid'), Type.Literal('cie')]) }),
        querystring: Type.Object({ idp: Type.Optional(Type.String({ maxLength: 100 })), level: Type.Optional(Type.Union([Type.Literal('2'), Type.Literal('3')])) }),
      },
    },
    async (request, reply) => {
      const login = await startCitizenLogin(rp, request.params.provider, LEVEL_ACR[request.query.level ?? '2'], request.locale);
      request.session.set(routes.pendingKey, login.pending);
      return redirectTo(reply, login.url.href);
    },
  );

  pages.get('/auth/callback', { config: { html: true }, schema: { hide: true } }, async (request, reply) => {
    const pending = request.session.data[routes.pendingKey] as PendingLogin | undefined;
    request.session.unset(routes.pendingKey);
    const outcome = await finishCitizenLogin(rp, pending, new URL(request.url, routes.publicUrl));
    if (!outcome.ok) {
      request.log.info({ reason: outcome.reason, detail: outcome.detail }, 'citizen login not completed');
      return routes.loginPage(request, reply, loginFailureMessage(request.locale, outcome), outcome.reason === 'expired' ? 400 : 401);
    }
    const { citizen, verified } = outcome;
    const session: CitizenSession = {
      fiscalCode: citizen.fiscalCode,
      givenName: citizen.givenName,
      familyName: citizen.familyName,
      ...(citizen.email ? { email: citizen.email } : {}),
      provider: outcome.provider,
      acr: verified.acr,
      idToken: verified.idToken,
      accessToken: verified.accessToken,
    };
    await audit(routes.db, routes.schema, {
      actorType: 'citizen',
      actorId: citizen.fiscalCode,
      action: 'citizen.login',
      targetType: 'citizen',
      targetId: citizen.fiscalCode,
      details: { provider: outcome.provider, acr: verified.acr },
      requestId: request.id,
    });
    return routes.signedIn(request, reply, session);
  });

  pages.post(`${routes.area}/esci`, { config: { html: true }, schema: { hide: true } }, async (request, reply) => {
    checkFormCsrf(request, routes.secret);
    const citizen = routes.citizenOf(request);
    request.session.destroy();
    if (!citizen) return redirectTo(reply, '/');
    const url = await providerLogoutUrl(rp, citizen, routes.logoutState, (err) => request.log.warn({ err }, 'token revocation failed'));
    return redirectTo(reply, url.href);
  });
}
