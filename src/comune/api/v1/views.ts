// Applications as the API and the webhooks see them: one ente's, filtered, ordered and paged, with the
// time of their last status change and the motivation of their outcome (from the timeline).
import { sql, type Executor } from '../../../core/db.ts';
import { fromRow, type Row } from '../../applications/store.ts';
import { STATUS, type StatusCode } from '../../applications/states.ts';
import { ServiceRepository } from '../../catalog/services.ts';
import type { ApplicationView } from './dto.ts';

export const ORDER_FIELDS = { creation_time: 'created_at', submission_time: 'submitted_at', latest_status_change_time: 'status_changed_at' } as const;
export type OrderField = keyof typeof ORDER_FIELDS;

export interface ApplicationFilters {
  serviceId?: string;
  status?: StatusCode;
  createdSince?: Date;
  updatedSince?: Date;
  order: OrderField;
  sort: 'ASC' | 'DESC';
  offset: number;
  limit: number;
}

type ViewRow = Row & { status_changed_at: Date; outcome_motivation: string | null };

const VIEW = sql`select a.*,
    coalesce((select max(e.at) from comune.application_events e where e.application_id = a.id), a.created_at) as status_changed_at,
    (select e.message from comune.application_events e where e.application_id = a.id and e.to_status in (${STATUS.complete}, ${STATUS.cancelled}) order by e.id desc limit 1) as outcome_motivation
  from comune.applications a`;

async function toViews(db: Executor, tenantId: string, rows: ViewRow[]): Promise<ApplicationView[]> {
  if (!rows.length) return [];
  const slugs = new Map((await new ServiceRepository(db).list(tenantId)).map((s) => [s.id, s.slug]));
  const { rows: files } = await sql<{ application_id: string; sha256: string; name: string; size: number; mime: string }>`
    select application_id, sha256, name, size, mime from comune.application_attachments
    where application_id in (${sql.join(rows.map((r) => r.id))}) order by created_at, name`.execute(db);
  return rows.map((r) => ({
    application: fromRow(r),
    serviceSlug: slugs.get(r.service_id) ?? r.service_id,
    attachments: files.filter((f) => f.application_id === r.id),
    statusChangedAt: r.status_changed_at,
    outcomeMotivation: r.outcome_motivation,
  }));
}

/** One ente's submitted application, or undefined (another ente's id, or a draft, finds nothing). */
export async function applicationView(db: Executor, tenantId: string, id: string): Promise<ApplicationView | undefined> {
  const { rows } = await sql<ViewRow>`select * from (${VIEW}) v where v.tenant_id = ${tenantId} and v.id = ${id} and v.status <> ${STATUS.draft}`.execute(db);
  return (await toViews(db, tenantId, rows))[0];
}

export async function listApplicationViews(db: Executor, tenantId: string, f: ApplicationFilters): Promise<{ count: number; views: ApplicationView[] }> {
  const where = sql.join(
    [
      sql`v.tenant_id = ${tenantId}`,
      // Drafts are the applicant's until submitted (OpenCity's API does not list them either).
      sql`v.status <> ${STATUS.draft}`,
      ...(f.serviceId ? [sql`v.service_id = ${f.serviceId}`] : []),
      ...(f.status ? [sql`v.status = ${f.status}`] : []),
      ...(f.createdSince ? [sql`v.created_at >= ${f.createdSince}`] : []),
      ...(f.updatedSince ? [sql`v.status_changed_at >= ${f.updatedSince}`] : []),
    ],
    sql` and `,
  );
  const { rows: counted } = await sql<{ count: string }>`select count(*) as count from (${VIEW}) v where ${where}`.execute(db);
  const { rows } = await sql<ViewRow>`select * from (${VIEW}) v where ${where}
    order by ${sql.ref(`v.${ORDER_FIELDS[f.order]}`)} ${f.sort === 'ASC' ? sql`asc nulls last` : sql`desc nulls last`}, v.id
    offset ${f.offset} limit ${f.limit}`.execute(db);
  return { count: Number(counted[0]!.count), views: await toViews(db, tenantId, rows) };
}
