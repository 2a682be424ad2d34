// Citizens log in with SPID or CIE: the comune is a relying party of the identity platform.
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { LEVEL_ACR, finishCitizenLogin, providerLogoutUrl, registerEntityConfiguration, startCitizenLogin, type PendingLogin } from '../../clients/identity/login.ts';
import { loginFailureMessage, signInChoices } from '../../clients/identity/sign-in.ts';
import { html } from '../../core/html.ts';
import { birthplaceByBelfiore } from '../../domain/municipalities.ts';
import type { App } from '../../core/http.ts';
import { transaction } from '../../core/db.ts';
import { audit } from '../../core/audit.ts';
import { checkFormCsrf, redirectTo } from '../../core/auth/sessions.ts';
import { HttpProblem } from '../../core/problem.ts';
import { requireTenant, citizenLogin, type CitizenLogin, type ComuneContext } from '../context.ts';
import { t } from '../messages.ts';
import { alert } from '../../core/forms.ts';
import { renderPage } from '../website/layout.ts';
import { sendPage } from '../website/routes.ts';

/** The pending login, and the ente the citizen came from. */
interface ComunePendingLogin extends PendingLogin {
  tenantId: string;
  tenantSlug: string;
}

/** "Pisa (PI)" from the place_of_birth claim { locality: Belfiore code, region: province }. */
export function placeOfBirthLabel(claim: { locality?: string; region?: string } | undefined): string | undefined {
  if (!claim?.locality) return undefined;
  const name = birthplaceByBelfiore(claim.locality)?.name ?? claim.locality;
  return claim.region ? `${name} (${claim.region})` : name;
}

function loginPage(request: FastifyRequest, message?: string): string {
  const tenant = requireTenant(request);
  const tr = t(request.locale);
  const body = html`<div class="row"><div class="col-lg-8">
  <h1>${tr('login.title')}</h1>
  <p class="lead">${tr('login.intro')}</p>
  ${message ? alert('danger', message) : ''}
  ${signInChoices({ locale: request.locale, spidHref: (idp) => `/${tenant.slug}/auth/spid?idp=${idp}`, cieHref: `/${tenant.slug}/auth/cie` })}
</div></div>`;
  return renderPage({ request, tenant, title: tr('login.title'), body, breadcrumb: [{ label: tr('login.title') }] });
}

const TenantParams = Type.Object({ tenant: Type.String() });

export function registerCitizenLoginRoutes(app: App, comune: ComuneContext): void {
  app.get('/accedi', { config: { html: true }, schema: { hide: true, params: TenantParams } }, async (request, reply) => {
    const tenant = requireTenant(request);
    if (citizenLogin(request)) return redirectTo(reply, `/${tenant.slug}/area-personale`);
    return sendPage(reply, loginPage(request));
  });

  app.get(
    '/auth/:provider',
    {
      config: { html: true, rateLimit: { max: 60, timeWindow: '1 minute' } },
      schema: {
        hide: true,
        params: Type.Object({ tenant: Type.String(), provider: Type.Union([Type.Literal('spid'), Type.Literal('cie')]) }),
        querystring: Type.Object({ idp: Type.Optional(Type.String()), level: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('2'), Type.Literal('3')])) }),
      },
    },
    async (request, reply) => {
      const tenant = requireTenant(request);
      const { provider } = request.params;
      const login = await startCitizenLogin(comune.relyingParty, provider, LEVEL_ACR[request.query.level ?? '2'], request.locale);
      const pending: ComunePendingLogin = { ...login.pending, tenantId: tenant.id, tenantSlug: tenant.slug };
      request.session.set('pendingLogin', pending);
      return redirectTo(reply, login.url.href);
    },
  );
}

/** Routes outside any tenant: the RP metadata, the OIDC callback and the post-logout landing. */
export function registerRelyingPartyRoutes(app: App, comune: ComuneContext): void {
  registerEntityConfiguration(app, comune.relyingParty, "The comune platform's Entity Configuration (SPID/CIE OIDC Federation)");

  app.get('/auth/callback', { config: { html: true }, schema: { hide: true } }, async (request, reply) => {
    const pending = request.session.data.pendingLogin as ComunePendingLogin | undefined;
    request.session.unset('pendingLogin');
    const outcome = await finishCitizenLogin(comune.relyingParty, pending, new URL(request.url, comune.app.config.urls.comune));
    if (!outcome.ok && outcome.reason === 'expired') throw new HttpProblem(400, { title: loginFailureMessage(request.locale, outcome) });
    request.tenant = await comune.tenants.byId(pending!.tenantId);
    const tenant = requireTenant(request);
    if (!outcome.ok) {
      request.log.info({ reason: outcome.reason, detail: outcome.detail }, 'login not completed');
      return sendPage(reply, loginPage(request, loginFailureMessage(request.locale, outcome)), 401);
    }
    const { verified } = outcome;
    const { fiscalCode, givenName, familyName } = outcome.citizen;
    const citizen = await transaction(comune.db, async (tx) => {
      const saved = await comune.citizens.recordLogin(tenant.id, { ...outcome.citizen, acr: verified.acr }, tx);
      await audit(tx, 'comune', {
        actorType: 'citizen',
        actorId: fiscalCode,
        tenantId: tenant.id,
        action: 'citizen.login',
        targetType: 'citizen',
        targetId: saved.id,
        details: { provider: outcome.provider, acr: verified.acr },
        requestId: request.id,
      });
      return saved;
    });
    const login: CitizenLogin = {
      tenantId: tenant.id,
      citizenId: citizen.id,
      fiscalCode,
      givenName,
      familyName,
      birthdate: citizen.birthdate ?? undefined,
      placeOfBirth: placeOfBirthLabel(outcome.citizen.placeOfBirth),
      provider: outcome.provider,
      acr: verified.acr,
      idToken: verified.idToken,
      accessToken: verified.accessToken,
    };
    // Back to the page that asked for the login (an application form), if it is this ente's.
    const back = request.session.data.returnTo;
    request.session.unset('returnTo');
    request.session.rotate();
    request.session.set('citizen', login);
    reply.setCookie('lang', citizen.locale, { path: '/', sameSite: 'lax', httpOnly: false, maxAge: 365 * 86400 });
    return redirectTo(reply, typeof back === 'string' && back.startsWith(`/${tenant.slug}/`) ? back : `/${tenant.slug}/area-personale`);
  });

  app.get('/auth/logged-out', { config: { html: true }, schema: { hide: true, querystring: Type.Object({ state: Type.Optional(Type.String()) }) } }, async (request, reply) => {
    const tenant = request.query.state ? await comune.tenants.bySlug(request.query.state) : undefined;
    return redirectTo(reply, tenant ? `/${tenant.slug}/` : '/');
  });
}

export function registerCitizenLogout(app: App, comune: ComuneContext): void {
  app.post('/esci', { config: { html: true }, schema: { hide: true, params: TenantParams } }, async (request, reply) => {
    const tenant = requireTenant(request);
    checkFormCsrf(request, comune.app.secret);
    const login = citizenLogin(request);
    request.session.destroy();
    if (!login) return redirectTo(reply, `/${tenant.slug}/`);
    // The slug travels as the logout state so the landing page can send the citizen home.
    const url = await providerLogoutUrl(comune.relyingParty, login, tenant.slug, (err) => request.log.warn({ err }, 'token revocation failed'));
    return redirectTo(reply, url.href);
  });
}
