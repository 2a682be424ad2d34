// Command line for onboarding relying parties at the identity OPs:
//   npx tsx src/platforms/identity/cli.ts onboard <entity_id> <organization name>
//   npx tsx src/platforms/identity/cli.ts suspend|resume <entity_id>
//   npx tsx src/platforms/identity/cli.ts list
// Uses the same configuration as the apps (DATABASE_URL or the embedded database under DATA_DIR).
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../core/config.ts';
import { openDatabase, type Executor } from '../../core/db.ts';
import { migrateSchema } from '../../core/migrations.ts';
import { identityMigrations } from './migrations.ts';
import { listRelyingParties, onboardRelyingParty, setRelyingPartyActive } from './onboarding.ts';
import { SCHEMA } from './schema.ts';

export const RELYING_PARTY_USAGE = `Usage:
  onboard <entity_id> <organization name>   onboard (or re-activate) a relying party; entity_id ends with "/"
  suspend <entity_id>                       refuse its requests from now on
  resume <entity_id>                        accept them again
  list                                      onboarded relying parties`;

const CLI_ACTOR = { type: 'platform_admin', id: 'cli' } as const;

/** Runs one onboarding command; returns the lines to print. Throws on bad usage. */
export async function runRelyingPartyCommand(db: Executor, args: string[]): Promise<string[]> {
  const [command, entityId, ...name] = args;
  switch (command) {
    case 'onboard': {
      if (!entityId || !name.length) throw new Error(RELYING_PARTY_USAGE);
      const rp = await onboardRelyingParty(db, { entityId, organizationName: name.join(' ') }, CLI_ACTOR);
      return [`Onboarded ${rp.entityId} (${rp.organizationName}); its Entity Configuration: ${rp.entityId}.well-known/openid-federation`];
    }
    case 'suspend':
    case 'resume': {
      if (!entityId) throw new Error(RELYING_PARTY_USAGE);
      const found = await setRelyingPartyActive(db, entityId, command === 'resume', CLI_ACTOR);
      if (!found) throw new Error(`No onboarded relying party ${entityId}`);
      return [`${command === 'resume' ? 'Resumed' : 'Suspended'} ${entityId}`];
    }
    case 'list':
      return (await listRelyingParties(db)).map(
        (rp) => `${rp.active ? 'active   ' : 'suspended'}  ${rp.entityId}  ${rp.organizationName}  (since ${rp.onboardedAt.toISOString()})`,
      );
    default:
      throw new Error(RELYING_PARTY_USAGE);
  }
}

async function main(args: string[]): Promise<void> {
  const config = loadConfig();
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateSchema(database.db, SCHEMA, identityMigrations);
    for (const line of await runRelyingPartyCommand(database.db, args)) console.log(line);
  } catch (err) {
    console.error((err as Error).message);
    process.exitCode = 1;
  } finally {
    await database.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main(process.argv.slice(2));
