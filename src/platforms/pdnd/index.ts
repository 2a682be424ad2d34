// PDND — the interoperability platform (port 3003): catalog, agreements, purposes, clients, vouchers.
import type { AppModule } from '../../core/runtime.ts';
import { pruneExpiredSessions } from '../../core/auth/sessions.ts';
import { buildPdndHttp, PDND_TITLE } from './app.ts';
import { pdndMigrations } from './migrations.ts';
import { SCHEMA } from './schema.ts';
import { pdndDemoAccounts, seedPdnd } from './seed.ts';
import { pruneUsedAssertions } from './token.ts';

const PRUNE_EVERY_MS = 10 * 60 * 1000;

const pdnd: AppModule = {
  name: 'pdnd',
  title: PDND_TITLE,
  migrations: pdndMigrations,
  async seedDemo(ctx) {
    await seedPdnd(ctx.database.db, { anpr: ctx.config.urls.anpr }, ctx.secret);
  },
  buildHttp: buildPdndHttp,
  async startBackground(ctx) {
    const db = ctx.database.db;
    const prune = () =>
      Promise.all([pruneUsedAssertions(db), pruneExpiredSessions(db, SCHEMA)]).catch((err) => ctx.logger.warn({ err }, 'pdnd: pruning failed'));
    await prune();
    const timer = setInterval(prune, PRUNE_EVERY_MS);
    timer.unref();
    return async () => clearInterval(timer);
  },
  demoAccounts: pdndDemoAccounts,
};

export default pdnd;
