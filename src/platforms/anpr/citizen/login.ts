// Citizens sign in to ANPR with SPID or CIE: the ANPR app is a relying party of the identity platform, like
// the comune (src/clients/identity). The citizen area asks for level 2 at least (SpidL2): certificates and
// declarations need it.
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { audit } from '../../../core/audit.ts';
import { checkFormCsrf, redirectTo } from '../../../core/auth/sessions.ts';
import { alert } from '../../../core/forms.ts';
import { html } from '../../../core/html.ts';
import type { App } from '../../../core/http.ts';
import { acrRank } from '../../../clients/identity/index.ts';
import { LEVEL_ACR, finishCitizenLogin, providerLogoutUrl, registerEntityConfiguration, relyingParty, startCitizenLogin, type PendingLogin, type RelyingParty } from '../../../clients/identity/login.ts';
import { relyingPartyKeys } from '../../../clients/identity/rp-keys.ts';
import { loginFailureMessage, signInChoices } from '../../../clients/identity/sign-in.ts';
import { SCHEMA } from '../schema.ts';
import { CITIZEN, sendPage } from '../web/layout.ts';
import { citizenOf, type CitizenSession } from '../web/session.ts';
import type { CitizenDeps } from './context.ts';
import { citizenT } from './messages.ts';

export const LOGIN_PATH = `${CITIZEN}/accedi`;
/** SpidL2: the least the citizen area accepts. */
export const MINIMUM_LEVEL = 2;
const PENDING = 'anprPendingLogin';
/** Where to go after the login (a citizen-area page asked for before it). */
const RETURN_TO = 'anprReturnTo';

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
  if (areaCitizen(request)) return undefined;
  if (request.method === 'GET') request.session.set(RETURN_TO, request.url.split('?')[0]);
  return redirectTo(reply, LOGIN_PATH);
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

  pages.get(LOGIN_PATH, { config: { html: true }, schema: { hide: true } }, async (request, reply) => {
    if (areaCitizen(request)) return redirectTo(reply, CITIZEN);
    return loginPage(request, reply);
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
      request.session.set(PENDING, login.pending);
      return redirectTo(reply, login.url.href);
    },
  );

  pages.get('/auth/callback', { config: { html: true }, schema: { hide: true } }, async (request, reply) => {
    const pending = request.session.data[PENDING] as PendingLogin | undefined;
    request.session.unset(PENDING);
    const outcome = await finishCitizenLogin(rp, pending, new URL(request.url, deps.publicUrl));
    if (!outcome.ok) {
      request.log.info({ reason: outcome.reason, detail: outcome.detail }, 'citizen login not completed');
      return loginPage(request, reply, loginFailureMessage(request.locale, outcome), outcome.reason === 'expired' ? 400 : 401);
    }
    const { citizen, verified } = outcome;
    const session: CitizenSession = {
      fiscalCode: citizen.fiscalCode,
      givenName: citizen.givenName,
      familyName: citizen.familyName,
      provider: outcome.provider,
      acr: verified.acr,
      idToken: verified.idToken,
      accessToken: verified.accessToken,
    };
    await audit(deps.db, SCHEMA, {
      actorType: 'citizen',
      actorId: citizen.fiscalCode,
      action: 'citizen.login',
      targetType: 'citizen',
      targetId: citizen.fiscalCode,
      details: { provider: outcome.provider, acr: verified.acr },
      requestId: request.id,
    });
    const returnTo = request.session.data[RETURN_TO];
    request.session.unset(RETURN_TO);
    request.session.rotate();
    request.session.set('anprCitizen', session);
    return redirectTo(reply, typeof returnTo === 'string' && returnTo.startsWith(`${CITIZEN}/`) ? returnTo : CITIZEN);
  });

  pages.post(`${CITIZEN}/esci`, { config: { html: true }, schema: { hide: true } }, async (request, reply) => {
    checkFormCsrf(request, deps.secret);
    const citizen = citizenOf(request);
    request.session.destroy();
    if (!citizen) return redirectTo(reply, '/');
    const url = await providerLogoutUrl(rp, citizen, 'anpr', (err) => request.log.warn({ err }, 'token revocation failed'));
    return redirectTo(reply, url.href);
  });
}
