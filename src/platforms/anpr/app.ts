// The ANPR app: e-services for PDND consumers and the registry office's JSON API.
import { postgresCallCounter, requireVoucher } from '../../clients/pdnd/voucher.ts';
import { anprAudience } from '../../clients/pdnd/anpr.ts';
import { createHttpApp, type App } from '../../core/http.ts';
import { databaseHealth, type AppContext } from '../../core/runtime.ts';
import { registerBackoffice } from './backoffice.ts';
import { registerEservices, type CallerAuth } from './eservices.ts';
import { SCHEMA } from './schema.ts';
import { registerCertificateRoutes } from './certificates/routes.ts';
import { citizenArea } from './citizen/index.ts';
import { officePages } from './office/index.ts';
import { registerAnprPages } from './web/index.ts';
import { anprErrorPage } from './web/layout.ts';

export const ANPR_TITLE = 'ANPR — Anagrafe nazionale della popolazione residente';

export interface AnprHttpOptions {
  /** How e-service callers are authenticated; default the PDND voucher (tests plug a fake). */
  callerAuth?: CallerAuth;
  /** The day lookups and operations default to (tests). */
  today?: () => string;
}

/** The PDND voucher guard for one e-service: audience = its URL on this app, daily calls counted here (unused reservations given back when `app` closes). */
export function anprCallerAuth(ctx: AppContext, app?: App): CallerAuth {
  const counter = postgresCallCounter(ctx.database.db, SCHEMA);
  app?.addHook('onClose', () => counter.close());
  return (eservice) => requireVoucher({ pdndUrl: ctx.config.urls.pdnd, audience: anprAudience(ctx.config.urls.anpr, eservice), counter });
}

export async function buildAnprHttp(ctx: AppContext, options: AnprHttpOptions = {}): Promise<App> {
  const app = await createHttpApp({
    name: 'anpr',
    title: ANPR_TITLE,
    description: [
      'The national resident-population registry, for demonstration.',
      '',
      '**E-services for PDND consumers** (voucher: `Authorization: Bearer`): C030, C015, C020, C021, C019, C018, each at',
      '`POST /<CODE>-<name>/v1/anpr-service-e002` (RichiestaE002 → RispostaE002OK, as ANPR) and',
      '`GET /<CODE>-<name>/v1/soggetti/{codiceFiscale}?date=YYYY-MM-DD` (the record as it was on that day).',
      'Every access is logged for the citizen to see.',
      '',
      "**Registry office** (`/backoffice/v1/...`, an officer API key of the comune): births, deaths, civil status, declarations of change of residence (45-day silence), rectifications.",
    ].join('\n'),
    publicUrl: ctx.config.urls.anpr,
    logLevel: ctx.config.logLevel,
    trustProxy: ctx.config.trustProxy,
    healthChecks: databaseHealth(ctx),
    cookieSecret: ctx.secret,
    renderErrorPage: anprErrorPage,
    // Citizens sign in at the identity platform and come back from it.
    formActionOrigins: [ctx.config.urls.identity],
  });
  const db = ctx.database.db;
  registerEservices(app, { db, callerAuth: options.callerAuth ?? anprCallerAuth(ctx, app), today: options.today });
  registerBackoffice(app, { db, today: options.today });
  await registerAnprPages(app, { db, secret: ctx.secret, publicUrl: ctx.config.urls.anpr }, [
    (pages) => registerCertificateRoutes(pages, { db, publicUrl: ctx.config.urls.anpr, today: options.today }),
    officePages({ db, secret: ctx.secret, today: options.today, loginRateLimit: ctx.config.loginRateLimit }),
    citizenArea({ db, secret: ctx.secret, publicUrl: ctx.config.urls.anpr, identityUrl: ctx.config.urls.identity, today: options.today }),
  ]);
  return app;
}
