/*
 * Onboarding of relying parties, shaped like the SPID/CIE OIDC Federation "automatic" client
 * registration: the OP keeps the list of onboarded entities (entity id = client_id); the RP's
 * metadata comes from its own Entity Configuration at request time (see clients.ts).
 *
 * MISSING, by design for now (a real OP must do these before trusting an RP):
 *  - trust chain resolution: following authority_hints, fetching the superiors' Entity Statements
 *    (/fetch?sub=) up to the Trust Anchor and verifying each with its superior's keys;
 *  - Trust Anchor metadata_policy application and constraints (max_path_length);
 *  - trust mark validation (issuer listed in the TA's trust_mark_issuers, signature, exp, status).
 * Here the onboarding table stands in for all of that: an RP is trusted because it is in the table.
 */
import { audit, type ActorType } from '../../core/audit.ts';
import { sql, transaction, type Executor } from '../../core/db.ts';
import { SCHEMA } from './schema.ts';

const table = sql.table(`${SCHEMA}.relying_parties`);

export interface RelyingParty {
  entityId: string;
  organizationName: string;
  onboardedAt: Date;
  active: boolean;
}

// metadata_oidc_rp.rst: client_id is the RP's entity identifier, an http(s) URL (HTTPS in production);
// here it must end with "/" so the EC URL is the id + ".well-known/openid-federation".
export function isEntityId(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && value.endsWith('/') && !url.search && !url.hash && url.href === value;
  } catch {
    return false;
  }
}

interface Row {
  entity_id: string;
  organization_name: string;
  onboarded_at: Date;
  active: boolean;
}

const toRelyingParty = (row: Row): RelyingParty => ({
  entityId: row.entity_id,
  organizationName: row.organization_name,
  onboardedAt: row.onboarded_at,
  active: row.active,
});

/** Who onboards or suspends (audit log); by default the system itself (seed). */
export interface OnboardingActor {
  type: ActorType;
  id: string;
}
const SYSTEM: OnboardingActor = { type: 'system', id: 'identity.onboarding' };

/** Onboards (or re-activates and renames) a relying party. */
export async function onboardRelyingParty(
  db: Executor,
  input: { entityId: string; organizationName: string },
  actor: OnboardingActor = SYSTEM,
): Promise<RelyingParty> {
  if (!isEntityId(input.entityId)) throw new Error(`Not an entity id (an http(s) URL ending with "/"): ${input.entityId}`);
  const organizationName = input.organizationName.trim();
  if (!organizationName) throw new Error('The organization name is required');
  return transaction(db, async (tx) => {
    const { rows } = await sql<Row>`
      insert into ${table} (entity_id, organization_name) values (${input.entityId}, ${organizationName})
      on conflict (entity_id) do update set organization_name = excluded.organization_name, active = true
      returning *`.execute(tx);
    await audit(tx, SCHEMA, { actorType: actor.type, actorId: actor.id, action: 'relying-party.onboard', targetType: 'relying_party', targetId: input.entityId, details: { organizationName } });
    return toRelyingParty(rows[0]!);
  });
}

/** Suspends (or resumes) a relying party: its requests are refused from the next lookup on. */
export async function setRelyingPartyActive(db: Executor, entityId: string, active: boolean, actor: OnboardingActor = SYSTEM): Promise<boolean> {
  return transaction(db, async (tx) => {
    const result = await sql`update ${table} set active = ${active} where entity_id = ${entityId}`.execute(tx);
    const found = Number(result.numAffectedRows ?? 0) > 0;
    if (found) {
      await audit(tx, SCHEMA, { actorType: actor.type, actorId: actor.id, action: active ? 'relying-party.resume' : 'relying-party.suspend', targetType: 'relying_party', targetId: entityId });
    }
    return found;
  });
}

export async function findRelyingParty(db: Executor, entityId: string): Promise<RelyingParty | undefined> {
  const { rows } = await sql<Row>`select * from ${table} where entity_id = ${entityId}`.execute(db);
  return rows[0] && toRelyingParty(rows[0]);
}

export async function findActiveRelyingParty(db: Executor, entityId: string): Promise<RelyingParty | undefined> {
  const { rows } = await sql<Row>`select * from ${table} where entity_id = ${entityId} and active`.execute(db);
  return rows[0] && toRelyingParty(rows[0]);
}

export async function listRelyingParties(db: Executor): Promise<RelyingParty[]> {
  const { rows } = await sql<Row>`select * from ${table} order by onboarded_at, entity_id`.execute(db);
  return rows.map(toRelyingParty);
}
