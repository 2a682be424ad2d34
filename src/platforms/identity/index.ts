// The identity platform: SPID ("Sportello ID") and CIE id OpenID Providers on one app (port 3001).
import type { AppModule } from '../../core/runtime.ts';
import { pruneExpired } from './adapter.ts';
import { buildIdentityHttp, IDENTITY_TITLE } from './app.ts';
import { identityMigrations } from './migrations.ts';
import { findRelyingParty, onboardRelyingParty } from './onboarding.ts';
import { identityDemoUsers, seedDemoUsers } from './users.ts';

const PRUNE_EVERY_MS = 10 * 60 * 1000;

export { identityDemoUsers } from './users.ts';
export { onboardRelyingParty } from './onboarding.ts';

const identity: AppModule = {
  name: 'identity',
  title: IDENTITY_TITLE,
  migrations: identityMigrations,

  async seedDemo(ctx) {
    const db = ctx.database.db;
    await seedDemoUsers(db);
    // The demo relying parties: the Comune platform, ANPR's citizen area and pagoPA's payments page, the IO app (EC: <entity id>.well-known/openid-federation).
    const relyingParties = [
      { entityId: `${ctx.config.urls.comune}/`, organizationName: 'Comune di Bugliano' },
      { entityId: `${ctx.config.urls.anpr}/`, organizationName: 'ANPR — Ministero dell’Interno' },
      { entityId: `${ctx.config.urls.pagopa}/`, organizationName: 'PagoPA S.p.A.' },
      { entityId: `${ctx.config.urls.io}/`, organizationName: 'PagoPA S.p.A. — IO' },
    ];
    for (const rp of relyingParties) if (!(await findRelyingParty(db, rp.entityId))) await onboardRelyingParty(db, rp);
  },

  buildHttp: buildIdentityHttp,

  async startBackground(ctx) {
    const prune = () =>
      pruneExpired(ctx.database.db).catch((err) => ctx.logger.warn({ err }, 'identity: pruning expired OIDC artifacts failed'));
    await prune();
    const timer = setInterval(prune, PRUNE_EVERY_MS);
    timer.unref();
    return async () => clearInterval(timer);
  },

  demoAccounts() {
    return identityDemoUsers().map((u) => ({
      who: `${u.givenName} ${u.familyName} (SPID / CIE)`,
      login: `${u.username} · card ${u.cardNumber}`,
      secret: `${u.password} · TOTP ${u.totpSecret} · PIN ${u.pin}`,
    }));
  },
};

export default identity;
