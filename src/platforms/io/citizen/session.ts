// The citizen's sign-in to the IO app: IO is a relying party of the identity platform (SPID or CIE, level 2 at
// least, as ANPR's and pagoPA's citizen areas), with the shared login routes; a citizen without a profile is sent
// to the onboarding first (reference io.md §6 "Access").
import type { FastifyReply, FastifyRequest } from 'fastify';
import { redirectTo } from '../../../core/auth/sessions.ts';
import type { Executor } from '../../../core/db.ts';
import { alert } from '../../../core/forms.ts';
import { html } from '../../../core/html.ts';
import type { App } from '../../../core/http.ts';
import type { Mailer } from '../../../core/mail.ts';
import { acrRank } from '../../../clients/identity/index.ts';
import { pageToReturnTo, registerCitizenLoginRoutes, type CitizenSession } from '../../../clients/identity/citizen-routes.ts';
import { registerEntityConfiguration, relyingParty, type RelyingParty } from '../../../clients/identity/login.ts';
import { relyingPartyKeys } from '../../../clients/identity/rp-keys.ts';
import { signInChoices } from '../../../clients/identity/sign-in.ts';
import { SCHEMA } from '../schema.ts';
import { appPage } from './layout.ts';
import { appT } from './messages.ts';
import { profileExists } from './profiles.ts';

export type { CitizenSession };

export const APP = '/app';
export const APP_LOGIN = `${APP}/accedi`;
export const APP_HOME = `${APP}/messaggi`;
export const ONBOARDING = `${APP}/benvenuto`;
/** SpidL2: messages carry personal data. */
const MINIMUM_LEVEL = 2;
const returnTo = pageToReturnTo('ioReturnTo', APP);

/** What the citizen app's routes need. */
export interface AppDeps {
  db: Executor;
  secret: string;
  /** IO's public URL: the relying party's entity id, the base of links sent by e-mail. */
  publicUrl: string;
  identityUrl: string;
  mailer: Mailer;
}

const citizenOf = (request: FastifyRequest) => request.session?.data.ioCitizen as CitizenSession | undefined;

/** The signed-in citizen of the app (undefined below SpidL2 or without a session). */
export function appCitizen(request: FastifyRequest): CitizenSession | undefined {
  const citizen = citizenOf(request);
  return citizen && acrRank(citizen.acr) >= MINIMUM_LEVEL ? citizen : undefined;
}

/**
 * preHandler of the app's pages: whoever is not signed in goes to /app/accedi (the page asked for remembered),
 * a citizen without a profile to the onboarding.
 */
export async function requireAppCitizen(this: unknown, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  const citizen = appCitizen(request);
  if (!citizen) return returnTo.toLogin(request, reply, APP_LOGIN);
  if (request.url.split('?')[0] !== ONBOARDING && !(await profileExists(request.server.ioDb, citizen.fiscalCode))) return redirectTo(reply, ONBOARDING);
  return undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** IO's database, for the app's preHandlers (decorated by registerAppLogin). */
    ioDb: Executor;
  }
}

/** The IO app as a relying party: entity id `${publicUrl}/`, its keys in io.rp_keys. */
export async function ioRelyingParty(deps: AppDeps): Promise<RelyingParty> {
  const keys = await relyingPartyKeys(deps.db, SCHEMA);
  return relyingParty(
    deps.identityUrl,
    {
      entityId: `${deps.publicUrl}/`,
      clientName: 'IO — l’app dei servizi pubblici',
      redirectUri: `${deps.publicUrl}/auth/callback`,
      postLogoutRedirectUri: `${deps.publicUrl}${APP_LOGIN}`,
      homepageUri: `${deps.publicUrl}${APP}`,
    },
    keys,
  );
}

function loginPage(request: FastifyRequest, reply: FastifyReply, message?: string, status = 200): FastifyReply {
  const tr = appT(request.locale);
  const body = html`<h1 class="h3">${tr('loginTitle')}</h1>
<p class="lead">${tr('loginIntro')}</p>
${message ? alert('danger', message) : ''}
${signInChoices({ locale: request.locale, spidHref: (idp) => `/auth/spid?idp=${encodeURIComponent(idp)}`, cieHref: '/auth/cie' })}`;
  return appPage(request, reply, { title: tr('loginTitle'), body, status });
}

/** /app/accedi, /auth/spid|cie, /auth/callback, /app/esci, and /app itself (to the inbox). */
export async function registerAppLogin(pages: App, deps: AppDeps): Promise<void> {
  if (!pages.hasDecorator('ioDb')) pages.decorate('ioDb', deps.db);
  const rp = await ioRelyingParty(deps);
  registerEntityConfiguration(pages, rp, "IO's Entity Configuration as a relying party of SPID and CIE (OIDC Federation)");
  registerCitizenLoginRoutes(pages, rp, {
    ...deps,
    schema: SCHEMA,
    area: APP,
    loginPath: APP_LOGIN,
    pendingKey: 'ioPendingLogin',
    logoutState: 'io',
    citizenOf,
    areaCitizen: appCitizen,
    loginPage,
    signedIn(request, reply, citizen) {
      const next = returnTo.take(request, APP_HOME);
      request.session.rotate();
      request.session.set('ioCitizen', citizen);
      return redirectTo(reply, next);
    },
  });
  pages.get(APP, { config: { html: true }, schema: { hide: true } }, async (_request, reply) => redirectTo(reply, APP_HOME));
}
