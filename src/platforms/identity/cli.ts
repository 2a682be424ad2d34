// Command line for onboarding relying parties at the identity OPs:
//   npx sportello rp onboard <entity_id> <organization name>
//   npx sportello rp suspend|resume <entity_id>
//   npx sportello rp list
// Uses the same configuration as the apps (DATABASE_URL or the embedded database under DATA_DIR).
import type { Executor } from '../../core/db.ts';
import { listRelyingParties, onboardRelyingParty, setRelyingPartyActive } from './onboarding.ts';

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
