// Append-only audit log, one per app schema: who did what to which object, written in the same
// transaction as the change so the log never misses a committed change nor records a rolled-back one.
import { sql, type Executor } from './db.ts';
import { sqlMigration } from './migrations.ts';

// Also spelled out in the migration, which must never change once released: a test keeps them in step.
export const ACTOR_TYPES = ['citizen', 'operator', 'tenant_admin', 'platform_admin', 'system', 'api_key'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

/** "subject.verb" in lower case, dot-separated, e.g. "tenant.create" or "practice.status-change". */
export const AUDIT_ACTION = /^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)+$/;

export const auditMigrations = [
  sqlMigration(
    'core.audit.001',
    `create table {schema}.audit_log (
       id bigserial primary key,
       at timestamptz not null default now(),
       actor_type text not null
         check (actor_type in ('citizen', 'operator', 'tenant_admin', 'platform_admin', 'system', 'api_key')),
       actor_id text not null,
       tenant_id text,
       action text not null check (action ~ '^[a-z][a-z0-9_-]*(\\.[a-z][a-z0-9_-]*)+$'),
       target_type text,
       target_id text,
       details jsonb not null default '{}',
       request_id text
     )`,
    `create index audit_log_tenant on {schema}.audit_log (tenant_id, id desc)`,
    `create index audit_log_target on {schema}.audit_log (target_type, target_id, id desc)`,
    `create function {schema}.audit_log_append_only() returns trigger language plpgsql as $$
     begin
       raise exception 'the audit log is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
     end $$`,
    `create trigger audit_log_no_change before update or delete on {schema}.audit_log
       for each row execute function {schema}.audit_log_append_only()`,
    `create trigger audit_log_no_truncate before truncate on {schema}.audit_log
       for each statement execute function {schema}.audit_log_append_only()`,
  ),
];

export interface AuditEntry {
  actorType: ActorType;
  /** The account, API key or component (for "system", e.g. "jobs.mail") that acted. */
  actorId: string;
  /** The tenant the action concerns; absent for platform-wide actions. */
  tenantId?: string | null;
  action: string;
  targetType?: string;
  targetId?: string;
  /** What changed, as JSON; never secrets or whole documents. */
  details?: Record<string, unknown>;
  requestId?: string;
}

export interface AuditRecord {
  id: number;
  at: Date;
  actorType: ActorType;
  actorId: string;
  tenantId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  details: Record<string, unknown>;
  requestId: string | null;
}

interface AuditRow {
  id: number;
  at: Date;
  actor_type: ActorType;
  actor_id: string;
  tenant_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  details: Record<string, unknown>;
  request_id: string | null;
}

function toRecord(row: AuditRow): AuditRecord {
  return {
    id: row.id,
    at: row.at,
    actorType: row.actor_type,
    actorId: row.actor_id,
    tenantId: row.tenant_id,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    details: row.details,
    requestId: row.request_id,
  };
}

/** Records an action; pass the business transaction. Returns the entry's id. */
export async function audit(tx: Executor, schema: string, entry: AuditEntry): Promise<number> {
  const { rows } = await auditInsert(schema, entry).execute(tx);
  return rows[0]!.id;
}

/** The statement of audit, for a caller that writes the entry in the WITH of its own statement (one round trip). */
export function auditInsert(schema: string, entry: AuditEntry) {
  return sql<{ id: number }>`
    insert into ${sql.table(`${schema}.audit_log`)}
      (actor_type, actor_id, tenant_id, action, target_type, target_id, details, request_id)
    values (${entry.actorType}, ${entry.actorId}, ${entry.tenantId ?? null}, ${entry.action},
            ${entry.targetType ?? null}, ${entry.targetId ?? null}, ${JSON.stringify(entry.details ?? {})}::jsonb,
            ${entry.requestId ?? null})
    returning id`;
}

export interface ListAuditOptions {
  /** A tenant's entries; null for the platform-wide ones (no tenant); absent for all. */
  tenantId?: string | null;
  targetType?: string;
  targetId?: string;
  action?: string;
  actorId?: string;
  /** Entries of this Italian calendar day (YYYY-MM-DD) or later / or earlier. */
  fromDay?: string;
  toDay?: string;
  limit?: number;
  /** Keyset pagination: only entries with a smaller id (the last id of the previous page). */
  before?: number;
}

/** Newest first, for consoles. */
export async function listAudit(db: Executor, schema: string, options: ListAuditOptions = {}): Promise<AuditRecord[]> {
  const { tenantId, targetType, targetId, action, actorId, fromDay, toDay, before, limit = 50 } = options;
  const italianDay = sql<string>`(at at time zone 'Europe/Rome')::date`;
  const rows = await db
    .withSchema(schema)
    .selectFrom('audit_log')
    .selectAll()
    .$if(tenantId !== undefined, (q) => q.where('tenant_id', tenantId === null ? 'is' : '=', tenantId))
    .$if(targetType !== undefined, (q) => q.where('target_type', '=', targetType))
    .$if(targetId !== undefined, (q) => q.where('target_id', '=', targetId))
    .$if(action !== undefined, (q) => q.where('action', '=', action))
    .$if(actorId !== undefined, (q) => q.where('actor_id', '=', actorId))
    .$if(fromDay !== undefined, (q) => q.where(italianDay, '>=', fromDay!))
    .$if(toDay !== undefined, (q) => q.where(italianDay, '<=', toDay!))
    .$if(before !== undefined, (q) => q.where('id', '<', before))
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => toRecord(row as AuditRow));
}
