// ANPR: the national resident-population registry (port 3002). Event-sourced scheda anagrafica (model.ts),
// validation rules (rules.ts), registry-office operations (service.ts), e-services for PDND consumers
// (eservices.ts), back-office JSON API (backoffice.ts), synthetic population (generator.ts, seed.ts).
import type { AppModule } from '../../core/runtime.ts';
import { buildAnprHttp, ANPR_TITLE } from './app.ts';
import { anprMigrations } from './migrations.ts';
import { seedDemoPopulation } from './seed.ts';
import { anprDemoAccounts, seedDemoOfficers } from './office/accounts.ts';

export { seedPopulation, seedDemoPopulation, DEMO_SEED, DEMO_PEOPLE, type SeedPopulationOptions, type SeedProgress, type SeedResult } from './seed.ts';
export * from './service.ts';
export { readPersonAsOf, readFamilyAsOf, idByFiscalCode, loadEvents } from './store.ts';
export { personAsOf, membershipHistory, type PersonState, type AnprEvent, type Address, type Place } from './model.ts';
export { declarationStateAt, checkEvent, checkAddress, SILENCE_DAYS } from './rules.ts';
export { stradarioOf, findStreet, type Street } from './stradario.ts';
export { RELATIONSHIP_CODES, CIVIL_STATUS_CODES } from './codes.ts';
export { createOfficerKey } from './backoffice.ts';
export { readAccessLog } from './access-log.ts';

const anpr: AppModule = {
  name: 'anpr',
  title: ANPR_TITLE,
  migrations: anprMigrations,
  async seedDemo(ctx) {
    const result = await seedDemoPopulation(ctx.database.db);
    if (result) ctx.logger.info({ people: result.people, families: result.families, ms: Math.round(result.elapsedMs) }, 'anpr: demo population seeded');
    await seedDemoOfficers(ctx.database.db, ctx.secret);
  },
  buildHttp: buildAnprHttp,
  demoAccounts: anprDemoAccounts,
};

export default anpr;
