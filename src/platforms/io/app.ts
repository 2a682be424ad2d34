// The IO app (port 3005): the Services API for public bodies, the citizen app (PWA) and its backend, the
// delivery pipeline's endpoints, and the developer back-office. Map and contracts: docs/io.md.
import { createHttpApp, type App } from '../../core/http.ts';
import { databaseHealth, type AppContext } from '../../core/runtime.ts';
import { registerCitizenApp } from './citizen/index.ts';
import { appErrorPage } from './citizen/layout.ts';
import { messagePaymentSlot } from './payments/box.ts';
import { pagopaChannel } from './payments/channel.ts';
import { paymentsArea } from './payments/pages.ts';
import { BACKOFFICE, backofficeErrorPage, registerBackoffice } from './backoffice/index.ts';
import { registerNotifyRoute, vapidSubjectOf } from './pipeline/notify.ts';
import { registerIoApis, subscriptionKeySchemes } from './api/index.ts';

export const IO_TITLE = 'IO — l’app dei servizi pubblici';

function description(url: string): string {
  return [
    'Messages from public bodies to citizens through the IO app, shaped like IO’s Services API v1 (io-functions-services).',
    '',
    `- \`${url}/api/v1/profiles\`, \`${url}/api/v1/messages\`: may this service write to a citizen, send a message (201 + Location), read its status per channel. Header \`Ocp-Apim-Subscription-Key\`: a key of the service (primary or secondary).`,
    `- \`${url}/api/v1/manage/services\`: the body’s services and their keys (the body’s manage key).`,
  ].join('\n');
}

export async function buildIoHttp(ctx: AppContext): Promise<App> {
  const url = ctx.config.urls.io;
  const app = await createHttpApp({
    name: 'io',
    title: IO_TITLE,
    description: description(url),
    publicUrl: url,
    logLevel: ctx.config.logLevel,
    trustProxy: ctx.config.trustProxy,
    healthChecks: databaseHealth(ctx),
    securitySchemes: subscriptionKeySchemes,
    cookieSecret: ctx.secret,
    // Citizens sign in at the identity platform and pay at pagoPA's checkout.
    formActionOrigins: [ctx.config.urls.identity, ctx.config.urls.pagopa],
    // The back-office's pages in its own frame, the rest in the citizen app's.
    renderErrorPage: (request, error) => (request.url.startsWith(BACKOFFICE) ? backofficeErrorPage : appErrorPage)(request, error),
  });
  await registerIoApis(app, { db: ctx.database.db, secret: ctx.secret });
  await registerCitizenApp(
    app,
    { db: ctx.database.db, secret: ctx.secret, publicUrl: url, identityUrl: ctx.config.urls.identity, mailer: ctx.mailer },
    { areas: [paymentsArea(pagopaChannel(ctx))], messageExtras: (request, message) => messagePaymentSlot(request, ctx.database.db, message.id) },
  );
  await registerBackoffice(app, { db: ctx.database.db, secret: ctx.secret, publicUrl: url, loginRateLimit: ctx.config.loginRateLimit });
  registerNotifyRoute(app, { db: ctx.database.db, secret: ctx.secret, vapidSubject: vapidSubjectOf(ctx.config.smtp.from), logger: app.log });
  return app;
}
