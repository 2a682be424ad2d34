// The identity app: two OpenID Providers (SPID "Sportello ID" and CIE id) in one Fastify app, their
// interaction pages, and the assets those pages need.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import { sql } from '../../core/db.ts';
import { createHttpApp, type App } from '../../core/http.ts';
import type { AppContext } from '../../core/runtime.ts';
import { registerAssets } from '../../core/web.ts';
import { RelyingPartyRegistry } from './clients.ts';
import { registerOpEntityConfiguration } from './entity.ts';
import { registerInteractionRoutes, type OpRuntime } from './interactions.ts';
import { loadOrCreateSigningKeys } from './keys.ts';
import type { OpKind } from './levels.ts';
import { mountProvider } from './mount.ts';
import { errorPage, homePage, type Brand } from './pages.ts';
import { createOpenIdProvider, OP_PROFILES } from './provider.ts';

export const IDENTITY_TITLE = 'Identità digitale — SPID (Sportello ID) e CIE id, OpenID Connect';
const ASSETS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'assets');

export const issuerOf = (identityUrl: string, kind: OpKind) => `${identityUrl}${OP_PROFILES[kind].path}`;

function openApiDescription(identityUrl: string): string {
  const endpoints = (kind: OpKind) => {
    const issuer = issuerOf(identityUrl, kind);
    return [
      `- \`GET ${issuer}/.well-known/openid-configuration\`: discovery document (the source of truth for every endpoint below)`,
      `- \`GET ${issuer}/.well-known/openid-federation\`: the OP's Entity Configuration (\`application/entity-statement+jwt\`, signed with a federation key)`,
      `- \`GET ${issuer}/jwks\`: the OP's public signing keys (RS256, kid = RFC 7638 thumbprint)`,
      `- \`GET ${issuer}/auth\`: authorization endpoint; code flow only, PKCE S256 required, \`acr_values\` SpidL1/L2/L3 (default SpidL2), \`claims\` parameter, optional signed \`request\` object`,
      `- \`POST ${issuer}/token\`: token endpoint; client authentication \`private_key_jwt\` only`,
      `- \`GET ${issuer}/me\`: userinfo; \`application/jwt\` when the RP's metadata has \`userinfo_signed_response_alg\``,
      `- \`POST ${issuer}/token/revocation\`, \`POST ${issuer}/token/introspection\`: RFC 7009 / RFC 7662`,
      `- \`GET ${issuer}/session/end\`: RP-initiated logout with \`post_logout_redirect_uri\``,
    ].join('\n');
  };
  return [
    'Two OpenID Connect Providers following the SPID/CIE OpenID Connect Federation rules, for demonstration:',
    '',
    `**SPID — Sportello ID** (issuer \`${issuerOf(identityUrl, 'spid')}\`)`,
    '',
    endpoints('spid'),
    '',
    `**CIE id** (issuer \`${issuerOf(identityUrl, 'cie')}\`)`,
    '',
    endpoints('cie'),
    '',
    'Relying parties are onboarded by entity id; their metadata is read from their Entity Configuration at `<entity_id>.well-known/openid-federation` (automatic registration). The HTML login and consent pages under `/interaction/` are not part of the API.',
  ].join('\n');
}

const brandOf = (url: string): Brand => (url.includes('/spid') ? 'spid' : url.includes('/cie') ? 'cie' : 'identity');

export async function buildIdentityHttp(ctx: AppContext): Promise<App> {
  const { config, secret } = ctx;
  const db = ctx.database.db;
  const identityUrl = config.urls.identity;
  const app = await createHttpApp({
    name: 'identity',
    title: IDENTITY_TITLE,
    description: openApiDescription(identityUrl),
    publicUrl: identityUrl,
    logLevel: config.logLevel,
    trustProxy: config.trustProxy,
    cookieSecret: secret,
    renderErrorPage: (request, input) =>
      errorPage(
        { locale: request.locale, brand: brandOf(request.url), path: request.url.split('?')[0]! },
        { detail: input.detail, code: String(input.status), requestId: input.requestId },
      ),
    healthChecks: { database: async () => void (await sql`select 1`.execute(db)) },
  });
  await registerAssets(app);
  await app.register(fastifyStatic, { root: ASSETS_DIR, prefix: '/assets/identity/', decorateReply: false, maxAge: '1h' });

  const registry = new RelyingPartyRegistry(db, { logger: app.log as AppContext['logger'] });
  const ops = {} as Record<OpKind, OpRuntime>;
  for (const profile of Object.values(OP_PROFILES)) {
    const keys = await loadOrCreateSigningKeys(db, profile.kind);
    const provider = createOpenIdProvider({ profile, issuer: issuerOf(identityUrl, profile.kind), keys, db, registry, secret });
    provider.on('server_error', (_ctx, err) => app.log.error({ err, op: profile.kind }, 'OpenID provider error'));
    await mountProvider(app, profile.path, provider);
    await registerOpEntityConfiguration(app, { db, profile, issuer: issuerOf(identityUrl, profile.kind), identityUrl, oidcKeys: keys });
    ops[profile.kind] = { profile, provider };
  }
  registerInteractionRoutes(app, { ops, db, secret, loginRateLimit: config.loginRateLimit });

  app.get('/', { schema: { hide: true }, config: { html: true } }, async (request, reply) =>
    reply.type('text/html; charset=utf-8').send(
      homePage(
        { locale: request.locale, brand: 'identity', path: '/' },
        Object.values(OP_PROFILES).map((p) => ({ name: p.name, issuer: issuerOf(identityUrl, p.kind) })),
      ),
    ),
  );
  return app;
}
