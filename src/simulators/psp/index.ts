// The PSP and bank simulator (port 3008), at the edge of the world: PSPs' counters that pay pagoPA notices
// through the Nodo, the PSPs' day closing (FdR + credit transfers), the treasury bank's statement. It reaches
// pagoPA only over HTTP with the typed clients, as a real bank would.
import type { AppModule } from '../../core/runtime.ts';
import { TREASURY_PREFIX, demoTreasuryKey } from '../../clients/psp/treasury.ts';
import { DEMO_CREDITOR_INSTITUTIONS } from '../../clients/pagopa/demo.ts';
import { buildPspHttp, PSP_TITLE } from './app.ts';
import { pspMigrations } from './migrations.ts';
import { seedTreasury } from './treasury.ts';

const psp: AppModule = {
  name: 'psp',
  title: PSP_TITLE,
  migrations: pspMigrations,
  async seedDemo(ctx) {
    await seedTreasury(ctx.database.db, ctx.secret);
  },
  buildHttp: (ctx) => buildPspHttp(ctx),
  demoAccounts: (ctx) => [
    { who: 'PSP counters (bank, post office, tobacconist) and day closing', login: `${ctx.config.urls.psp}/`, secret: 'no sign-in (a simulator)' },
    ...DEMO_CREDITOR_INSTITUTIONS.map((d) => ({ who: `Tesoreria — ${d.companyName} (${d.iban})`, login: `${TREASURY_PREFIX} · Authorization: Bearer`, secret: demoTreasuryKey(ctx.secret, d.fiscalCode) })),
  ],
};

export default psp;
