// Citizens log in with SPID or CIE: the comune is a relying party of the identity platform.
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { ACR, FISCAL_NUMBER_CLAIM, fiscalCodeFromClaim, signEntityConfiguration, type Acr } from '../../clients/identity/index.ts';
import { html } from '../../core/html.ts';
import { birthplaceByBelfiore } from '../../domain/municipalities.ts';
import type { App } from '../../core/http.ts';
import { transaction } from '../../core/db.ts';
import { audit } from '../../core/audit.ts';
import { checkFormCsrf, redirectTo } from '../../core/auth/sessions.ts';
import { HttpProblem } from '../../core/problem.ts';
import { requireTenant, citizenLogin, type CitizenLogin, type ComuneContext, type ProviderName } from '../context.ts';
import { t } from '../messages.ts';
import { alert } from '../../core/forms.ts';
import { renderPage } from '../website/layout.ts';
import { sendPage } from '../website/routes.ts';

interface PendingLogin {
  provider: ProviderName;
  tenantId: string;
  tenantSlug: string;
  acr: Acr;
  state: string;
  nonce: string;
  codeVerifier: string;
  startedAt: number;
}

/** "Pisa (PI)" from the place_of_birth claim { locality: Belfiore code, region: province }. */
export function placeOfBirthLabel(claim: { locality?: string; region?: string } | undefined): string | undefined {
  if (!claim?.locality) return undefined;
  const name = birthplaceByBelfiore(claim.locality)?.name ?? claim.locality;
  return claim.region ? `${name} (${claim.region})` : name;
}

const PENDING_LOGIN_TTL_MS = 10 * 60 * 1000;
const LEVELS: Record<string, Acr> = { '1': ACR.L1, '2': ACR.L2, '3': ACR.L3 };

/** The SPID identity providers offered in the button; shuffled per the SPID button guidelines. */
const SPID_IDPS = [{ id: 'sportello-id', name: 'Sportello ID (demo)' }];
function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

function loginPage(request: FastifyRequest, message?: string): string {
  const tenant = requireTenant(request);
  const tr = t(request.locale);
  const body = html`<div class="row"><div class="col-lg-8">
  <h1>${tr('login.title')}</h1>
  <p class="lead">${tr('login.intro')}</p>
  ${message ? alert('danger', message) : ''}
  <section class="mb-5" aria-labelledby="spid-title">
    <h2 id="spid-title" class="h4">${tr('login.spidTitle')}</h2>
    <p>${tr('login.spidText')}</p>
    <div class="dropdown">
      <button class="btn btn-primary btn-icon dropdown-toggle" type="button" id="spid-button" data-bs-toggle="dropdown" aria-haspopup="true" aria-expanded="false">
        <img src="/assets/sportello/spid-icon.svg" alt="" width="24" height="24" class="me-2">${tr('login.spid')}
      </button>
      <div class="dropdown-menu" aria-labelledby="spid-button">
        <div class="link-list-wrapper"><p class="px-3 pt-2 small">${tr('login.chooseIdp')}</p>
          <ul class="link-list spid-idp-list">
            ${shuffled(SPID_IDPS).map((idp) => html`<li><a class="dropdown-item list-item" href="/${tenant.slug}/auth/spid?idp=${idp.id}"><span>${idp.name}</span></a></li>`)}
          </ul>
        </div>
      </div>
    </div>
    <p class="mt-3 small"><a href="https://www.spid.gov.it/cos-e-spid/come-attivare-spid/">${tr('login.noSpid')}</a> ·
      <a href="https://www.spid.gov.it">${tr('login.moreInfo')}</a></p>
  </section>
  <section aria-labelledby="cie-title">
    <h2 id="cie-title" class="h4">${tr('login.cieTitle')}</h2>
    <p>${tr('login.cieText')}</p>
    <a class="btn btn-primary btn-icon" href="/${tenant.slug}/auth/cie"><img src="/assets/sportello/cie-icon.svg" alt="" width="24" height="24" class="me-2">${tr('login.cie')}</a>
  </section>
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
      const acr = LEVELS[request.query.level ?? '2']!;
      const login = await comune.providers[provider].startLogin(acr, request.locale);
      const pending: PendingLogin = {
        provider,
        tenantId: tenant.id,
        tenantSlug: tenant.slug,
        acr,
        state: login.state,
        nonce: login.nonce,
        codeVerifier: login.codeVerifier,
        startedAt: Date.now(),
      };
      request.session.set('pendingLogin', pending);
      return redirectTo(reply, login.url.href);
    },
  );
}

/** Routes outside any tenant: the RP metadata, the OIDC callback and the post-logout landing. */
export function registerRelyingPartyRoutes(app: App, comune: ComuneContext): void {
  app.get('/.well-known/openid-federation', { schema: { summary: "The comune platform's Entity Configuration (SPID/CIE OIDC Federation)", tags: ['identity'] } }, async (_request, reply) => {
    const jws = await signEntityConfiguration(comune.relyingParty.meta, comune.relyingParty.keys);
    return reply.type('application/entity-statement+jwt').send(jws);
  });

  app.get('/auth/callback', { config: { html: true }, schema: { hide: true } }, async (request, reply) => {
    const pending = request.session.data.pendingLogin as PendingLogin | undefined;
    request.session.unset('pendingLogin');
    if (!pending || Date.now() - pending.startedAt > PENDING_LOGIN_TTL_MS) {
      throw new HttpProblem(400, { title: t(request.locale)('login.failed', { reason: t(request.locale)('login.expired') }) });
    }
    request.tenant = await comune.tenants.byId(pending.tenantId);
    const tenant = requireTenant(request);
    const tr = t(request.locale);
    const query = request.query as Record<string, string | undefined>;
    if (query.error) {
      request.log.info({ error: query.error, description: query.error_description }, 'login not completed at the identity provider');
      return sendPage(reply, loginPage(request, tr('login.cancelled')), 401);
    }
    let verified;
    try {
      verified = await comune.providers[pending.provider].finishLogin(new URL(request.url, comune.app.config.urls.comune), pending, pending.acr);
    } catch (err) {
      request.log.warn({ err }, 'login verification failed');
      const reason = /level/.test((err as Error).message) ? tr('login.levelTooLow') : (err as Error).message;
      return sendPage(reply, loginPage(request, tr('login.failed', { reason })), 401);
    }
    const fiscalCode = fiscalCodeFromClaim(verified.claims[FISCAL_NUMBER_CLAIM]);
    const givenName = String(verified.claims.given_name ?? '');
    const familyName = String(verified.claims.family_name ?? '');
    if (!fiscalCode || !givenName || !familyName) {
      return sendPage(reply, loginPage(request, tr('login.failed', { reason: 'fiscal_number, given_name, family_name' })), 401);
    }
    const placeOfBirth = verified.claims.place_of_birth as { locality?: string; region?: string } | undefined;
    const citizen = await transaction(comune.db, async (tx) => {
      const saved = await comune.citizens.recordLogin(
        tenant.id,
        {
          fiscalCode,
          givenName,
          familyName,
          birthdate: typeof verified.claims.birthdate === 'string' ? verified.claims.birthdate : undefined,
          email: typeof verified.claims.email === 'string' ? verified.claims.email : undefined,
          phone: typeof verified.claims.phone_number === 'string' ? verified.claims.phone_number : undefined,
          acr: verified.acr,
        },
        tx,
      );
      await audit(tx, 'comune', {
        actorType: 'citizen',
        actorId: fiscalCode,
        tenantId: tenant.id,
        action: 'citizen.login',
        targetType: 'citizen',
        targetId: saved.id,
        details: { provider: pending.provider, acr: verified.acr },
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
      placeOfBirth: placeOfBirthLabel(placeOfBirth),
      provider: pending.provider,
      acr: verified.acr,
      idToken: verified.idToken,
      accessToken: verified.accessToken,
    };
    request.session.rotate();
    request.session.set('citizen', login);
    reply.setCookie('lang', citizen.locale, { path: '/', sameSite: 'lax', httpOnly: false, maxAge: 365 * 86400 });
    return redirectTo(reply, `/${tenant.slug}/area-personale`);
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
    const provider = comune.providers[login.provider];
    await provider.revoke(login.accessToken).catch((err) => request.log.warn({ err }, 'token revocation failed'));
    // The slug travels as the logout state so the landing page can send the citizen home.
    return redirectTo(reply, (await provider.logoutUrl(login.idToken, tenant.slug)).href);
  });
}
