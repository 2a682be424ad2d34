// The stored outcome of an ente's reconciliation: replaced whole at each run, read in pages by state and issue.
import { sql, transaction, type Executor } from '../../../core/db.ts';
import type { IssueCode, ReconciliationItem, ReconciliationState } from '../../../domain/pagopa/reconciliation.ts';

export const RECONCILIATION_STATES = ['paid', 'reported', 'reconciled', 'anomaly'] as const satisfies readonly ReconciliationState[];

export interface StoredItem extends ReconciliationItem {
  key: string;
}

export interface ReconciliationRun {
  ranAt: Date;
  receipts: number;
  flows: number;
  movements: number;
}

/** A receipt by its IUV and IUR; a flow row or a credit that matches nothing by its place in the run. */
const itemKey = (item: ReconciliationItem, index: number) => (item.paidAt ? `receipt:${item.iuv}:${item.iur}` : `unmatched:${index}`);

export async function saveReconciliation(db: Executor, tenantId: string, items: readonly ReconciliationItem[], run: ReconciliationRun): Promise<void> {
  await transaction(db, async (tx) => {
    await sql`delete from comune.payment_reconciliation where tenant_id = ${tenantId}`.execute(tx);
    if (items.length) {
      const column = <T>(f: (i: ReconciliationItem) => T) => items.map(f);
      await sql`insert into comune.payment_reconciliation (tenant_id, item_key, iuv, iur, psp_id, amount, paid_at, fdr, fdr_revision, movement_id, state, issues)
        select ${tenantId}, k, iuv, iur, psp, amount, paid_at, fdr, revision, movement, state, coalesce(string_to_array(nullif(issues, ''), ','), '{}')
        from unnest(${items.map(itemKey)}::text[], ${column((i) => i.iuv)}::text[], ${column((i) => i.iur)}::text[], ${column((i) => i.pspId)}::text[],
                    ${column((i) => i.amount)}::bigint[], ${column((i) => i.paidAt)}::timestamptz[], ${column((i) => i.fdr)}::text[], ${column((i) => i.revision)}::int[],
                    ${column((i) => i.movementId)}::text[], ${column((i) => i.state)}::text[], ${column((i) => i.issues.join(','))}::text[])
          as r(k, iuv, iur, psp, amount, paid_at, fdr, revision, movement, state, issues)
        on conflict (tenant_id, item_key) do nothing`.execute(tx);
    }
    await sql`insert into comune.payment_reconciliation_runs (tenant_id, ran_at, receipts, flows, movements)
      values (${tenantId}, ${run.ranAt}, ${run.receipts}, ${run.flows}, ${run.movements})
      on conflict (tenant_id) do update set ran_at = excluded.ran_at, receipts = excluded.receipts, flows = excluded.flows, movements = excluded.movements`.execute(tx);
  });
}

export async function lastRun(db: Executor, tenantId: string): Promise<ReconciliationRun | undefined> {
  const { rows } = await sql<{ ran_at: Date; receipts: number; flows: number; movements: number }>`
    select ran_at, receipts, flows, movements from comune.payment_reconciliation_runs where tenant_id = ${tenantId}`.execute(db);
  return rows[0] && { ranAt: rows[0].ran_at, receipts: rows[0].receipts, flows: rows[0].flows, movements: rows[0].movements };
}

export interface ItemFilter {
  state?: ReconciliationState;
  issue?: IssueCode;
  /** A piece of the IUV, or the flow's identifier. */
  text?: string;
}

function where(tenantId: string, filter: ItemFilter) {
  const conditions = [sql`tenant_id = ${tenantId}`];
  if (filter.state) conditions.push(sql`state = ${filter.state}`);
  if (filter.issue) conditions.push(sql`${filter.issue} = any(issues)`);
  if (filter.text) conditions.push(sql`(iuv like ${`%${filter.text.replace(/[%_\\]/g, '\\$&')}%`} or fdr = ${filter.text})`);
  return sql.join(conditions, sql` and `);
}

export async function countItems(db: Executor, tenantId: string, filter: ItemFilter): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from comune.payment_reconciliation where ${where(tenantId, filter)}`.execute(db);
  return rows[0]!.n;
}

/** How many items are in each state. */
export async function countByState(db: Executor, tenantId: string): Promise<Record<ReconciliationState, number>> {
  const { rows } = await sql<{ state: ReconciliationState; n: number }>`
    select state, count(*)::int as n from comune.payment_reconciliation where tenant_id = ${tenantId} group by state`.execute(db);
  return Object.fromEntries(RECONCILIATION_STATES.map((s) => [s, rows.find((r) => r.state === s)?.n ?? 0])) as Record<ReconciliationState, number>;
}

/** Anomalies first, then the most recent payments. */
export async function findItems(db: Executor, tenantId: string, filter: ItemFilter, page: { offset: number; limit: number }): Promise<StoredItem[]> {
  const { rows } = await sql<{
    item_key: string;
    iuv: string | null;
    iur: string | null;
    psp_id: string | null;
    amount: number;
    paid_at: Date | null;
    fdr: string | null;
    fdr_revision: number | null;
    movement_id: string | null;
    state: ReconciliationState;
    issues: IssueCode[];
  }>`select item_key, iuv, iur, psp_id, amount, paid_at, fdr, fdr_revision, movement_id, state, issues from comune.payment_reconciliation
     where ${where(tenantId, filter)} order by state = 'anomaly' desc, paid_at desc nulls last, item_key limit ${page.limit} offset ${page.offset}`.execute(db);
  return rows.map((r) => ({
    key: r.item_key,
    iuv: r.iuv,
    iur: r.iur,
    pspId: r.psp_id,
    amount: Number(r.amount),
    paidAt: r.paid_at,
    fdr: r.fdr,
    revision: r.fdr_revision,
    movementId: r.movement_id,
    state: r.state,
    issues: r.issues,
  }));
}
