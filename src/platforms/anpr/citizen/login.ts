// Citizens sign in to ANPR with SPID or CIE: the ANPR app is a relying party of the identity platform, like
// the comune (src/clients/identity). The citizen area asks for level 2 at least (SpidL2): certificates and
// declarations need it.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { redirectTo } from '../../../core/auth/sessions.ts';
import { alert } from '../../../core/forms.ts';
import { html } from '../../../core/html.ts';
import type { App } from '../../../core/http.ts';
import { acrRank } from '../../../clients/identity/index.ts';
import { pageToReturnTo, registerCitizenLoginRoutes, type CitizenSession } from '../../../clients/identity/citizen-routes.ts';
import { registerEntityConfiguration, relyingParty, type RelyingParty } from '../../../clients/identity/login.ts';
import { relyingPartyKeys } from '../../../clients/identity/rp-keys.ts';
import { signInChoices } from '../../../clients/identity/sign-in.ts';
import { SCHEMA } from '../schema.ts';
import { CITIZEN, sendPage } from '../web/layout.ts';
import { citizenOf } from '../web/session.ts';
import type { CitizenDeps } from './context.ts';
import { citizenT } from './messages.ts';

export const LOGIN_PATH = `${CITIZEN}/accedi`;
/** SpidL2: the least the citizen area accepts. */
export const MINIMUM_LEVEL = 2;
/** Where to go after the login (a citizen-area page asked for before it). */
const returnTo = pageToReturnTo('anprReturnTo', CITIZEN);

/** The ANPR app as a relying party: entity id `${publicUrl}/`, its keys in anpr.rp_keys. */
export async function anprRelyingParty(deps: CitizenDeps): Promise<RelyingParty> {
  const keys = await relyingPartyKeys(deps.db, SCHEMA);
  const meta = {
    entityId: `${deps.publicUrl}/`,
    clientName: 'ANPR — Anagrafe nazionale della popolazione residente',
    redirectUri: `${deps.publicUrl}/auth/callback`,
    postLogoutRedirectUri: `${deps.publicUrl}/`,
    homepageUri: `${deps.publicUrl}/`,
  };
  return relyingParty(deps.identityUrl, meta, keys);
}

/** A signed-in citizen with a level below the area's no longer counts (sessions from before a policy change). */
export function areaCitizen(request: FastifyRequest): CitizenSession | undefined {
  const citizen = citizenOf(request);
  return citizen && acrRank(citizen.acr) >= MINIMUM_LEVEL ? citizen : undefined;
}

/** Sends whoever is not signed in to the login page, remembering the page they asked for. */
export function requireLogin(request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined {
  return areaCitizen(request) ? undefined : returnTo.toLogin(request, reply, LOGIN_PATH);
}

function loginPage(request: FastifyRequest, reply: FastifyReply, message?: string, status = 200): FastifyReply {
  const tr = citizenT(request.locale);
  const main = html`<div class="row"><div class="col-lg-8">
  <h1>${tr('loginTitle')}</h1>
  <p class="lead">${tr('loginIntro')}</p>
  <p>${tr('loginLevel')}</p>
  ${message ? alert('danger', message) : ''}
  ${signInChoices({ locale: request.locale, spidHref: (idp) => `/auth/spid?idp=${encodeURIComponent(idp)}`, cieHref: '/auth/cie' })}
</div></div>`;
  return sendPage(reply, request, { title: tr('loginTitle'), main, breadcrumb: [{ label: tr('loginTitle') }] }, status);
}

export function registerCitizenLogin(pages: App, deps: CitizenDeps, rp: RelyingParty): void {
  registerEntityConfiguration(pages, rp, "ANPR's Entity Configuration as a relying party of SPID and CIE (OIDC Federation)");
  registerCitizenLoginRoutes(pages, rp, {
    ...deps,
    schema: SCHEMA,
    area: CITIZEN,
    loginPath: LOGIN_PATH,
    pendingKey: 'anprPendingLogin',
    logoutState: 'anpr',
    citizenOf,
    areaCitizen,
    loginPage,
    signedIn(request, reply, citizen) {
      const next = returnTo.take(request, CITIZEN);
      request.session.rotate();
      request.session.set('anprCitizen', citizen);
      return redirectTo(reply, next);
    },
  });
}
