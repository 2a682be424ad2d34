// The pagoPA app: GPD debt positions for creditor institutions (subscription keys) and their onboarding by operators.
import { createHttpApp, type App } from '../../core/http.ts';
import { databaseHealth, type AppContext } from '../../core/runtime.ts';
import { registerAdminApi } from './admin.ts';
import { GPD_PREFIX } from '../../clients/pagopa/wire.ts';
import { registerGpdApi, subscriptionKeyScheme } from './api.ts';
import { registerBulkApi } from './bulk/api.ts';
import { registerNodoApi, registerReceiptsApi } from './nodo/api.ts';
import { registerNoticeApi } from './notice/api.ts';
import { registerReportingApi } from './reporting/api.ts';
import { FDR_ORG_PREFIX, FDR_PSP_PREFIX } from '../../clients/pagopa/fdr.ts';
import { consoleErrorPage, registerConsoles } from './web/index.ts';
import { registerCheckout } from './checkout/index.ts';
import { registerEcommerceApi } from './ecommerce/api.ts';

export const PAGOPA_TITLE = 'pagoPA — Gestione Posizioni Debitorie';

function description(url: string): string {
  return [
    'Payments to the public administration: creditor institutions and their debt positions, shaped like the GPD API of pagoPA.',
    '',
    `- \`${url}${GPD_PREFIX}/organizations/{organizationfiscalcode}/debtpositions\`: create (\`toPublish\`), read, list, replace, delete, publish, invalidate; payment options (single payment or installments, amounts in euro cents) with up to 5 transfers each. Header \`Ocp-Apim-Subscription-Key\`: a key of the organization; another organization's fiscal code answers 403.`,
    '- Notice numbers (18 digits: aux digit 3, segregation code, IUV base, check digits mod 93) are generated from each institution’s own sequence when the IUV is omitted.',
    `- \`${url}${FDR_PSP_PREFIX}\` and \`${url}${FDR_ORG_PREFIX}\`: reporting flows (FdR): a PSP creates, fills and publishes its own flows with its key; an institution reads those it receives; publishing reports the transfers in GPD (T_REPORTED, REPORTED).`,
    `- \`${url}/admin/v1/creditor-institutions\`: onboarding (station, IBANs, subscription keys) for the platform’s operators (\`Authorization: Bearer <operator key>\`).`,
  ].join('\n');
}

export async function buildPagopaHttp(ctx: AppContext): Promise<App> {
  const url = ctx.config.urls.pagopa;
  const app = await createHttpApp({
    name: 'pagopa',
    title: PAGOPA_TITLE,
    description: description(url),
    publicUrl: url,
    logLevel: ctx.config.logLevel,
    trustProxy: ctx.config.trustProxy,
    healthChecks: databaseHealth(ctx),
    securitySchemes: subscriptionKeyScheme,
    cookieSecret: ctx.secret,
    renderErrorPage: consoleErrorPage,
    // Citizens sign in at the identity platform and come back from it.
    formActionOrigins: [ctx.config.urls.identity],
  });
  await registerGpdApi(app, ctx.database.db);
  await registerAdminApi(app, ctx.database.db);
  await registerBulkApi(app, ctx.database.db);
  await registerNodoApi(app, ctx.database.db);
  await registerReceiptsApi(app, ctx.database.db);
  await registerNoticeApi(app, ctx.database.db);
  await registerReportingApi(app, ctx.database.db);
  await registerCheckout(app, { db: ctx.database.db, secret: ctx.secret, mailer: ctx.mailer, publicUrl: url });
  await registerEcommerceApi(app, ctx.database.db, url);
  await registerConsoles(app, { db: ctx.database.db, secret: ctx.secret, publicUrl: url, identityUrl: ctx.config.urls.identity, loginRateLimit: ctx.config.loginRateLimit });
  return app;
}
