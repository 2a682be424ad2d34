// A migrated comune schema with tenants, for the protocol and applications tests.
import { randomBytes } from 'node:crypto';
import { migrateSchema } from '../../src/core/migrations.ts';
import type { Db, Executor } from '../../src/core/db.ts';
import { comuneMigrations } from '../../src/comune/migrations.ts';
import { TenantRepository } from '../../src/comune/tenants/tenants.ts';

export async function migrateComune(db: Db): Promise<void> {
  await migrateSchema(db as Db, 'comune', comuneMigrations);
}

/** A fresh ente with unique codes. */
export async function createTestTenant(db: Executor, name = 'Comune di Prova'): Promise<string> {
  const suffix = randomBytes(3).toString('hex');
  const tenant = await new TenantRepository(db).create({
    slug: `prova-${suffix}`,
    name,
    ipaCode: `c_${suffix}`,
    fiscalCode: '00000000000',
    istatCode: '050001',
  });
  return tenant!.id;
}
