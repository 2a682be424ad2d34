// IO (port 3005): public bodies' services and the Services API, citizens' profiles and preferences, the durable
// delivery pipeline (inbox, e-mail, Web Push), the citizen app and the developer back-office. docs/io.md.
import type { AppModule } from '../../core/runtime.ts';
import { buildIoHttp, IO_TITLE } from './app.ts';
import { ioMigrations } from './migrations.ts';
import { seedDemoProfiles } from './citizen/seed-profiles.ts';
import { backofficeDemoAccounts, seedBackofficeAccounts } from './backoffice/index.ts';
import { startPipeline } from './pipeline/worker.ts';
import { ioServicesDemoAccounts, seedIoServices } from './seed.ts';

const io: AppModule = {
  name: 'io',
  title: IO_TITLE,
  migrations: ioMigrations,
  async seedDemo(ctx) {
    await seedIoServices(ctx.database.db, ctx.secret);
    await seedBackofficeAccounts(ctx.database.db, ctx.secret);
    await seedDemoProfiles(ctx.database.db);
  },
  buildHttp: buildIoHttp,
  startBackground: (ctx) => startPipeline(ctx),
  demoAccounts: (ctx) => [...ioServicesDemoAccounts(ctx.secret), ...backofficeDemoAccounts(ctx.config.urls.io)],
};

export default io;
