// The PDND app: authorization server (token endpoint, JWKS, voucher status for providers),
// management REST API and the bodies' console.
import { Type } from '@sinclair/typebox';
import { createHttpApp, type App } from '../../core/http.ts';
import { registerSessions } from '../../core/auth/sessions.ts';
import { databaseHealth, type AppContext } from '../../core/runtime.ts';
import { registerAssets } from '../../core/web.ts';
import { CLIENT_ASSERTION_TYPE, pdndEndpoints } from '../../clients/pdnd/endpoints.ts';
import { registerApi } from './api.ts';
import { CONSOLE, consoleErrorPage, registerConsole } from './console.ts';
import { loadOrCreateSigningKeys } from './keys.ts';
import { SCHEMA } from './schema.ts';
import { issueVoucher, OAuthError, voucherStatus, VoucherStatusError } from './token.ts';

export const PDND_TITLE = 'PDND — Piattaforma Digitale Nazionale Dati (Interoperabilità)';

function description(pdndUrl: string): string {
  const e = pdndEndpoints(pdndUrl);
  return [
    'The interoperability platform: e-service catalog with versioned descriptors, agreements, purposes, clients and keys, and the vouchers consumers present to providers.',
    '',
    `- \`POST ${e.tokenUrl}\`: OAuth 2 \`client_credentials\` with a \`private_key_jwt\` client assertion (RS256; header \`kid\` = the key's RFC 7638 thumbprint; \`iss\` = \`sub\` = client id; \`aud\` = \`${e.assertionAudience}\`; single-use \`jti\`; \`iat\`, \`exp\`; \`purposeId\`). Answers a voucher (\`typ: at+jwt\`, \`aud\` = the descriptor's audience, lifetime = its voucherLifespan) or an RFC 6749 §5.2 error.`,
    `- \`GET ${e.jwksUrl}\`: the keys vouchers are signed with (issuer \`${e.issuer}\`).`,
    `- \`POST ${e.voucherStatusUrl}\`: for providers; body \`{ "token": "<voucher>" }\`; the voucher is the credential. Says whether its chain (descriptor, agreement, purpose, client, key) is still active, the purpose's daily calls and the consumer.`,
    `- \`${e.apiUrl}/...\`: management API, with a body's API key (\`Authorization: Bearer sk_...\`).`,
    `- \`${pdndUrl}${CONSOLE}\`: the bodies' web console.`,
  ].join('\n');
}

export async function buildPdndHttp(ctx: AppContext): Promise<App> {
  const { config, secret } = ctx;
  const db = ctx.database.db;
  const pdndUrl = config.urls.pdnd;
  const endpoints = pdndEndpoints(pdndUrl);
  const app = await createHttpApp({
    name: 'pdnd',
    title: PDND_TITLE,
    description: description(pdndUrl),
    publicUrl: pdndUrl,
    logLevel: config.logLevel,
    trustProxy: config.trustProxy,
    cookieSecret: secret,
    renderErrorPage: consoleErrorPage,
    healthChecks: databaseHealth(ctx),
  });
  await registerAssets(app);
  const keys = await loadOrCreateSigningKeys(db);

  app.get('/.well-known/jwks.json', { schema: { tags: ['authorization server'], summary: 'Public keys of the vouchers' } }, async (_request, reply) =>
    reply.header('cache-control', 'public, max-age=300').send(keys.jwks),
  );

  app.post(
    '/token.oauth2',
    {
      config: { rateLimit: { max: 600, timeWindow: '1 minute' } },
      schema: {
        tags: ['authorization server'],
        summary: 'Voucher request (client_credentials + private_key_jwt)',
        consumes: ['application/x-www-form-urlencoded'],
        body: Type.Object(
          {
            grant_type: Type.Optional(Type.String({ maxLength: 100 })),
            client_id: Type.Optional(Type.String({ maxLength: 100 })),
            client_assertion: Type.Optional(Type.String({ maxLength: 16_000 })),
            client_assertion_type: Type.Optional(Type.String({ maxLength: 200, description: CLIENT_ASSERTION_TYPE })),
          },
          { additionalProperties: true },
        ),
        response: {
          200: Type.Object({ access_token: Type.String(), token_type: Type.Literal('Bearer'), expires_in: Type.Integer() }),
          '4xx': Type.Object({ error: Type.String(), error_description: Type.Optional(Type.String()) }),
        },
      },
      // OAuth clients expect RFC 6749 errors here, also for malformed bodies.
      errorHandler: (error, request, reply) => {
        const status = (error as { statusCode?: number }).statusCode ?? 500;
        request.log.warn({ err: error }, 'token request refused before validation');
        return reply.status(status >= 500 ? 500 : 400).header('cache-control', 'no-store').send({ error: status >= 500 ? 'server_error' : 'invalid_request', error_description: error.message });
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      try {
        return await issueVoucher({ db, keys, pdndUrl, requestId: request.id }, request.body);
      } catch (err) {
        if (!(err instanceof OAuthError)) throw err;
        if (err.status === 401) reply.header('www-authenticate', 'Bearer realm="pdnd", error="invalid_client"');
        return reply.status(err.status).send({ error: err.error, error_description: err.description });
      }
    },
  );

  app.post(
    '/voucher-status',
    {
      config: { rateLimit: { max: 1200, timeWindow: '1 minute' } },
      schema: {
        tags: ['authorization server'],
        summary: 'For providers: is the chain behind this voucher still active, and with what daily calls?',
        body: Type.Object({ token: Type.String({ maxLength: 16_000 }) }, { additionalProperties: false }),
        response: { 401: Type.Ref('Problem') },
      },
    },
    async (request, reply) => {
      try {
        return await voucherStatus({ db, keys, pdndUrl }, request.body.token);
      } catch (err) {
        if (!(err instanceof VoucherStatusError)) throw err;
        return reply.status(401).type('application/problem+json').send({ type: 'urn:sportello:problem:pdnd-voucher-invalid', title: 'Unauthorized', status: 401, detail: err.message });
      }
    },
  );

  await registerApi(app, { db, apiUrl: endpoints.apiUrl });

  await app.register(async (pages) => {
    registerSessions(pages as App, { db, schema: SCHEMA, secret, cookieName: 'pdnd_sid', secure: pdndUrl.startsWith('https:') });
    registerConsole(pages as App, { db, secret, apiUrl: endpoints.apiUrl });
    pages.get('/', { schema: { hide: true } }, async (_request, reply) => reply.status(303).header('location', CONSOLE).send());
  });
  return app;
}
