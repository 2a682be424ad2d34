// pagoPA (port 3004): creditor institutions and GPD debt positions; the time-driven states are stored every minute.
import type { AppModule } from '../../core/runtime.ts';
import { buildPagopaHttp, PAGOPA_TITLE } from './app.ts';
import { pagopaMigrations } from './migrations.ts';
import { advanceStatuses } from './positions.ts';
import { pagopaDemoAccounts, seedPagopa } from './seed.ts';
import { nodoDemoAccounts, seedNodo } from './nodo/seed.ts';
import { backofficeDemoAccounts, seedBackofficeAccounts } from './web/accounts.ts';
import { startNodoWorker } from './nodo/delivery.ts';
import { startBulkWorker } from './bulk/worker.ts';

const SWEEP_EVERY_MS = 60 * 1000;

const pagopa: AppModule = {
  name: 'pagopa',
  title: PAGOPA_TITLE,
  migrations: pagopaMigrations,
  async seedDemo(ctx) {
    await seedPagopa(ctx.database.db, ctx.secret);
    await seedNodo(ctx.database.db, ctx.secret, ctx.config.urls.comune);
    await seedBackofficeAccounts(ctx.database.db, ctx.secret);
  },
  buildHttp: buildPagopaHttp,
  async startBackground(ctx) {
    const sweep = () => advanceStatuses(ctx.database.db).catch((err) => ctx.logger.warn({ err }, 'pagopa: advancing debt position states failed'));
    await sweep();
    const timer = setInterval(sweep, SWEEP_EVERY_MS);
    timer.unref();
    const stopNodo = await startNodoWorker(ctx);
    const stopBulk = await startBulkWorker(ctx);
    return async () => {
      clearInterval(timer);
      await stopNodo();
      await stopBulk();
    };
  },
  demoAccounts: (ctx) => [...pagopaDemoAccounts(ctx.secret), ...nodoDemoAccounts(ctx.secret), ...backofficeDemoAccounts(ctx.config.urls.pagopa)],
};

export default pagopa;
