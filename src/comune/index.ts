// The comune platform (port 3000): every ente's site, personal area, back-office and administration.
import path from 'node:path';
import { html } from '../core/html.ts';
import { createHttpApp } from '../core/http.ts';
import { isLocale } from '../core/i18n.ts';
import { notFound } from '../core/problem.ts';
import { registerSessions } from '../core/auth/sessions.ts';
import { registerAssets } from '../core/web.ts';
import { databaseHealth, type AppModule } from '../core/runtime.ts';
import { relyingParty } from '../clients/identity/login.ts';
import { relyingPartyKeys } from '../clients/identity/rp-keys.ts';
import { comuneMigrations } from './migrations.ts';
import { TenantRepository, siteLocale } from './tenants/tenants.ts';
import { StaffRepository } from './staff/staff.ts';
import { CitizenRepository } from './citizens/citizens.ts';
import { registerCitizenLoginRoutes, registerCitizenLogout, registerRelyingPartyRoutes } from './auth/citizen-auth.ts';
import { registerPersonalArea } from './area/routes.ts';
import { registerBackoffice } from './backoffice/routes.ts';
import { registerDesk } from './desk/routes.ts';
import { registerTenantSettings } from './backoffice/settings.ts';
import multipart from '@fastify/multipart';
import { registerAdmin } from './admin/routes.ts';
import { registerChecks } from './api/checks.ts';
import { registerPlatformPages, registerTenantPages } from './website/routes.ts';
import { renderPage } from './website/layout.ts';
import { t } from './messages.ts';
import type { ComuneContext } from './context.ts';
import { comuneDemoAccounts, seedComuneDemo } from './seed.ts';
import { createJobWorker } from '../core/jobs.ts';
import { VERIFY_EMAIL_JOB, verifyEmailHandler } from './citizens/email-verification.ts';
import { comuneInterop, pdndConnectJobs } from './interop/startup.ts';
import { REGISTER_APPLICATION_JOB, REGISTER_INTEGRATION_JOB, registerApplicationHandler, registerIntegrationHandler } from './applications/register-job.ts';
import { REGISTER_LETTER_JOB, registerLetterHandler } from './desk/letter.ts';
import { diskDocumentStore } from './protocol/files.ts';
import { registerInteropRoutes } from './interop/routes.ts';
import { registerCatalog } from './catalog/routes.ts';
import { registerApiV1 } from './api/v1/routes.ts';
import { registerWebhookApi } from './webhooks/routes.ts';
import { WEBHOOK_DELIVERY_JOB } from './webhooks/outbox.ts';
import { webhookDeliveryHandler } from './webhooks/deliver.ts';
import { startEventStream } from './webhooks/stream.ts';
import { registerIntegrations } from './webhooks/admin.ts';
import { registerFormBuilder } from './forms/builder.ts';
import { registerJourney } from './journey/routes.ts';
import { registerApplicationArea } from './journey/area.ts';
import { registerRatings } from './ratings/routes.ts';
import { registerProtocolRegister } from './backoffice/register.ts';
import { registerPaymentReconciliation } from './payments/reconciliation/routes.ts';
import { enqueueReconciliation, RECONCILIATION_JOB, reconciliationHandler } from './payments/reconciliation/job.ts';
import { DAILY_REGISTER_JOB, dailyRegisterHandler, enqueueDailyRegisters } from './protocol/daily.ts';
import { registerPayments } from './payments/routes.ts';
import { catchUpHandler, enqueuePaymentsCatchUp, PAYMENTS_CATCH_UP_JOB, registerPaSendRt } from './payments/receipts.ts';
import { registerDues } from './payments/dues/routes.ts';
import { DUES_UPLOAD_JOB, duesUploadHandler } from './payments/dues/job.ts';
import { registerMessaging } from './messaging/pages.ts';
import { FOLLOW_JOB, followHandler, REMINDER_JOB, reminderHandler, SUBMIT_JOB, submitHandler } from './messaging/jobs.ts';

const comune: AppModule = {
  name: 'comune',
  title: 'Comune — siti, area personale, back-office (tutti gli enti)',
  migrations: comuneMigrations,
  seedDemo: seedComuneDemo,
  demoAccounts: comuneDemoAccounts,

  async startBackground(ctx) {
    const pdnd = pdndConnectJobs(ctx, comuneInterop(ctx));
    const events = await startEventStream(ctx);
    // Documents the protocol registers (applications, answers to integration requests, outcome letters), content-addressed under the data directory.
    const protocol = { secret: ctx.secret, store: diskDocumentStore(path.join(ctx.config.dataDir, 'documents')) };
    const messagingDeps = { db: ctx.database.db, secret: ctx.secret, mailer: ctx.mailer, config: ctx.config };
    const messagingHandlers = { [SUBMIT_JOB]: submitHandler(messagingDeps), [FOLLOW_JOB]: followHandler(messagingDeps), [REMINDER_JOB]: reminderHandler(messagingDeps) };
    const worker = createJobWorker({
      db: ctx.database.db,
      schema: 'comune',
      handlers: {
        [VERIFY_EMAIL_JOB]: verifyEmailHandler(ctx.mailer, ctx.config.urls.comune, ctx.secret),
        ...pdnd.handlers,
        [REGISTER_APPLICATION_JOB]: registerApplicationHandler(ctx.database.db, protocol),
        [REGISTER_INTEGRATION_JOB]: registerIntegrationHandler(ctx.database.db, protocol),
        [REGISTER_LETTER_JOB]: registerLetterHandler(ctx.database.db, protocol),
        [DAILY_REGISTER_JOB]: dailyRegisterHandler(ctx.database.db, protocol.store),
        [RECONCILIATION_JOB]: reconciliationHandler(ctx),
        [PAYMENTS_CATCH_UP_JOB]: catchUpHandler({ db: ctx.database.db, app: ctx }),
        [WEBHOOK_DELIVERY_JOB]: webhookDeliveryHandler(ctx.database.db, { appSecret: ctx.secret, publicUrl: ctx.config.urls.comune, allowPrivateNetworks: ctx.config.webhooksAllowPrivateNetworks }),
        ...events.handlers,
        [DUES_UPLOAD_JOB]: duesUploadHandler({ db: ctx.database.db, secret: ctx.secret }),
        ...messagingHandlers,
      },
      concurrency: 4,
      listenUrl: ctx.config.databaseUrl,
      logger: ctx.logger.child({ app: 'comune', worker: 'jobs' }),
    });
    await worker.start();
    await pdnd.enqueue();
    await enqueueDailyRegisters(ctx.database.db);
    await enqueueReconciliation(ctx.database.db);
    await enqueuePaymentsCatchUp(ctx.database.db);
    return async () => {
      await worker.stop();
      await events.close();
    };
  },

  async buildHttp(ctx) {
    const { config } = ctx;
    const db = ctx.database.db;
    const app = await createHttpApp({
      name: 'comune',
      title: 'Sportello — Comune',
      description: 'The municipal platform: ente sites, the citizen personal area, the operator back-office and the platform administration.',
      publicUrl: config.urls.comune,
      logLevel: config.logLevel,
      trustProxy: config.trustProxy,
      cookieSecret: ctx.secret,
      // Login and logout hand the browser over to the identity provider, "Paga online" to pagoPA's checkout.
      formActionOrigins: [config.urls.identity, config.urls.pagopa],
      healthChecks: databaseHealth(ctx),
      renderErrorPage: (request, error) => {
        const tr = t(request.locale);
        const detail = error.status === 404 ? tr('error.notFound') : error.status === 403 ? tr('error.forbidden') : error.status >= 500 ? tr('error.generic') : error.detail ?? error.title;
        const tenant = request.tenant;
        const body = html`<h1>${tr('error.pageTitle', { status: error.status })}</h1>
<p class="lead">${detail}</p>
<p class="small">${tr('error.requestId', { id: error.requestId })}</p>
<p><a class="btn btn-primary" href="${tenant ? `/${tenant.slug}/` : '/'}">${tr('error.backHome')}</a></p>`;
        return renderPage({ request, tenant, title: tr('error.pageTitle', { status: error.status }), body });
      },
    });
    await registerAssets(app);
    // Only the ente logo is uploaded for now: one small file per request.
    await app.register(multipart, { limits: { fileSize: 1024 * 1024, files: 1, fields: 10 } });
    registerSessions(app, { db, schema: 'comune', secret: ctx.secret, secure: config.urls.comune.startsWith('https:') });
    app.addHook('onRequest', async (request, reply) => {
      const lang = (request.query as Record<string, unknown> | undefined)?.lang;
      if (isLocale(lang)) reply.setCookie('lang', lang, { path: '/', sameSite: 'lax', maxAge: 365 * 86400 });
    });

    const keys = await relyingPartyKeys(db, 'comune');
    const meta = {
      entityId: `${config.urls.comune}/`,
      clientName: 'Sportello — Comune',
      redirectUri: `${config.urls.comune}/auth/callback`,
      postLogoutRedirectUri: `${config.urls.comune}/auth/logged-out`,
      homepageUri: `${config.urls.comune}/`,
    };
    const context: ComuneContext = {
      app: ctx,
      db,
      tenants: new TenantRepository(db),
      staff: new StaffRepository(db),
      citizens: new CitizenRepository(db),
      relyingParty: relyingParty(config.urls.identity, meta, keys),
      interop: comuneInterop(ctx),
    };

    registerPlatformPages(app, context);
    registerRelyingPartyRoutes(app, context);
    registerAdmin(app, context);
    registerChecks(app);
    registerPaSendRt(app, context);
    await app.register(
      async (scope) => {
        scope.addHook('onRequest', async (request) => {
          const slug = (request.params as { tenant?: string }).tenant;
          request.tenant = slug ? await context.tenants.bySlug(slug) : undefined;
          if (request.tenant) request.locale = siteLocale(request.tenant.languages, request.locale, request.headers['accept-language']);
        });
        scope.addHook('preHandler', async (request) => {
          if (!request.tenant) throw notFound('No ente at this address.');
        });
        registerTenantPages(scope, context);
        registerCitizenLoginRoutes(scope, context);
        registerCitizenLogout(scope, context);
        registerPersonalArea(scope, context);
        registerBackoffice(scope, context);
        registerDesk(scope, context);
        registerTenantSettings(scope, context);
        registerInteropRoutes(scope, context);
        registerCatalog(scope, context);
        registerApiV1(scope, context);
        registerWebhookApi(scope, context);
        registerIntegrations(scope, context);
        registerFormBuilder(scope, context);
        registerJourney(scope, context);
        registerApplicationArea(scope, context);
        registerRatings(scope, context);
        registerProtocolRegister(scope, context);
        registerPayments(scope, context);
        registerPaymentReconciliation(scope, context);
        registerDues(scope, context);
        registerMessaging(scope, context);
      },
      { prefix: '/:tenant' },
    );
    return app;
  },
};

export default comune;
