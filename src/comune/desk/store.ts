// The desk's queries and actions on applications, limited in every query to what the operator's offices
// handle (another office's or ente's application is not found), each action audited in its transaction.
import { likeContaining, sql, transaction, type Executor } from '../../core/db.ts';
import { audit } from '../../core/audit.ts';
import { conflict, invalid, notFound } from '../../core/problem.ts';
import type { DocumentStore } from '../protocol/files.ts';
import { registerEntry } from '../protocol/register.ts';
import { dateInItaly } from '../../domain/dates.ts';
import { ApplicationStore, type Application, type ApplicationActor } from '../applications/store.ts';
import { isFinal, STATUS, type StatusCode } from '../applications/states.ts';
import { outcomeLetterPdf } from './letter.ts';
import { enqueueWebhookMessage } from '../webhooks/outbox.ts';
import { averageDays, deadlineView, HIDDEN_STATUSES, mayHandle, scopeOf, type DeadlineView, type DeskFilters, type DeskUser } from './model.ts';

export interface DeskRow {
  id: string;
  serviceId: string;
  serviceName: string;
  officeId: string | null;
  officeName: string | null;
  citizenName: string;
  citizenFiscalCode: string;
  status: StatusCode;
  submittedAt: Date | null;
  protocol: { number: number; year: number } | null;
  assignee: { id: string; name: string } | null;
  deadline: DeadlineView | undefined;
}

export interface DeskNote {
  authorName: string;
  body: string;
  at: Date;
}

export interface DeskLetter {
  outcome: StatusCode;
  sha256: string;
  fileName: string;
  protocol: { number: number; year: number };
  at: Date;
}

/** The outcome letter of an application, if decided; the caller has checked who may see it. */
export async function outcomeLetter(db: Executor, applicationId: string): Promise<DeskLetter | undefined> {
  const { rows } = await sql<{ outcome: StatusCode; sha256: string; file_name: string; protocol_number: number; protocol_year: number; created_at: Date }>`
    select outcome, sha256, file_name, protocol_number, protocol_year, created_at from comune.desk_letters where application_id = ${applicationId}`.execute(db);
  const r = rows[0];
  return r && { outcome: r.outcome, sha256: r.sha256, fileName: r.file_name, protocol: { number: r.protocol_number, year: r.protocol_year }, at: r.created_at };
}

interface ListRow {
  id: string;
  tenant_id: string;
  service_id: string;
  service_name: string;
  office_id: string | null;
  office_name: string | null;
  deadline_days: number;
  citizen_name: string;
  citizen_fiscal_code: string;
  status: StatusCode;
  submitted_at: Date | null;
  protocol_number: number | null;
  protocol_year: number | null;
  assignee_id: string | null;
  assignee_name: string | null;
  history: { to: StatusCode; at: string }[];
}

/** Loads the desk user of a staff login: their offices in the ente. */
export async function deskUser(db: Executor, staff: { id: string; role: 'operator' | 'tenant_admin'; tenantId: string; name: string }): Promise<DeskUser> {
  const { rows } = await sql<{ office_id: string }>`
    select m.office_id from comune.office_members m join comune.offices o on o.id = m.office_id
    where o.tenant_id = ${staff.tenantId} and m.staff_user_id = ${staff.id}`.execute(db);
  return { ...staff, offices: rows.map((r) => r.office_id) };
}


function textFilter(text: string) {
  const protocol = /^(\d{1,9})(?:\/(\d{4}))?$/.exec(text);
  const byProtocol = protocol ? sql`or (a.protocol_number = ${Number(protocol[1])} and (${protocol[2] ?? null}::int is null or a.protocol_year = ${protocol[2] ? Number(protocol[2]) : null}))` : sql``;
  return sql`and (a.citizen_name ilike ${likeContaining(text)} or a.citizen_fiscal_code ilike ${likeContaining(text)} or a.id::text = ${text.toLowerCase()} ${byProtocol})`;
}

const toRow = (r: ListRow, today: string): DeskRow => ({
  id: r.id,
  serviceId: r.service_id,
  serviceName: r.service_name,
  officeId: r.office_id,
  officeName: r.office_name,
  citizenName: r.citizen_name,
  citizenFiscalCode: r.citizen_fiscal_code,
  status: r.status,
  submittedAt: r.submitted_at,
  protocol: r.protocol_number === null ? null : { number: r.protocol_number, year: r.protocol_year! },
  assignee: r.assignee_id ? { id: r.assignee_id, name: r.assignee_name! } : null,
  deadline: deadlineView(
    r.history.map((e) => ({ to: e.to, on: dateInItaly(new Date(e.at)) })),
    r.status,
    r.deadline_days,
    today,
  ),
});

export class DeskStore {
  private readonly applications: ApplicationStore;

  constructor(
    private readonly db: Executor,
    private readonly files: DocumentStore,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.applications = new ApplicationStore(db, files, now);
  }

  private today = () => dateInItaly(this.now());

  private async query(user: DeskUser, where: ReturnType<typeof sql>, db: Executor = this.db): Promise<ListRow[]> {
    const scope = scopeOf(user);
    const offices = scope.offices === 'all' ? sql`` : sql`and s.office_id = any(${[...scope.offices]}::uuid[])`;
    const { rows } = await sql<ListRow>`
      select a.id, a.tenant_id, a.service_id, a.service_name, s.office_id, o.name as office_name, s.deadline_days, a.citizen_name, a.citizen_fiscal_code,
        a.status, a.submitted_at, a.protocol_number, a.protocol_year, d.staff_user_id as assignee_id,
        u.given_name || ' ' || u.family_name as assignee_name,
        (select coalesce(jsonb_agg(jsonb_build_object('to', e.to_status, 'at', e.at) order by e.id), '[]')
           from comune.application_events e where e.application_id = a.id) as history
      from comune.applications a
      join comune.services s on s.id = a.service_id and s.tenant_id = a.tenant_id
      left join comune.offices o on o.id = s.office_id
      left join comune.desk_assignments d on d.application_id = a.id
      left join comune.staff_users u on u.id = d.staff_user_id
      where a.tenant_id = ${scope.tenantId} and a.status <> all(${[...HIDDEN_STATUSES]}::int[]) ${offices} ${where}
      order by a.submitted_at desc nulls last, a.id`.execute(db);
    return rows;
  }

  /** The applications the user handles, filtered (overdue is computed from each one's history). */
  async list(user: DeskUser, filters: DeskFilters): Promise<DeskRow[]> {
    const f = filters;
    const where = sql`
      ${f.status !== undefined ? sql`and a.status = ${f.status}` : sql``}
      ${f.serviceId ? sql`and a.service_id = ${f.serviceId}` : sql``}
      ${f.officeId ? sql`and s.office_id = ${f.officeId}` : sql``}
      ${f.assigneeId ? sql`and d.staff_user_id = ${f.assigneeId}` : sql``}
      ${f.from ? sql`and (a.submitted_at at time zone 'Europe/Rome')::date >= ${f.from}::date` : sql``}
      ${f.to ? sql`and (a.submitted_at at time zone 'Europe/Rome')::date <= ${f.to}::date` : sql``}
      ${f.text ? textFilter(f.text) : sql``}`;
    const today = this.today();
    const rows = (await this.query(user, where)).map((r) => toRow(r, today));
    return f.overdue ? rows.filter((r) => r.deadline?.overdue) : rows;
  }

  /** One application the user may read (404 otherwise, as if it did not exist), with its desk row. */
  async detail(user: DeskUser, id: string, kind: 'read' | 'act' = 'read', db: Executor = this.db): Promise<{ row: DeskRow; application: Application }> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound('No such application.');
    const [found] = await this.query(user, sql`and a.id = ${id}`, db);
    if (!found || !mayHandle(user, kind, found.tenant_id, found.office_id)) throw notFound('No such application.');
    return { row: toRow(found, this.today()), application: await this.applications.get(this.actor(user), id, db) };
  }

  actor = (user: DeskUser): ApplicationActor => ({ kind: 'operator', tenantId: user.tenantId, id: user.id });

  timeline(user: DeskUser, id: string) {
    return this.applications.timeline(this.actor(user), id);
  }

  attachments(id: string) {
    return this.applications.attachments(this.db, id);
  }

  async notes(id: string): Promise<DeskNote[]> {
    const { rows } = await sql<{ author_name: string; body: string; at: Date }>`
      select u.given_name || ' ' || u.family_name as author_name, n.body, n.at
      from comune.desk_notes n join comune.staff_users u on u.id = n.author_id where n.application_id = ${id} order by n.id`.execute(this.db);
    return rows.map((r) => ({ authorName: r.author_name, body: r.body, at: r.at }));
  }

  letter(id: string): Promise<DeskLetter | undefined> {
    return outcomeLetter(this.db, id);
  }

  /** The operators of the office in charge of the application's service (who it can be assigned to). */
  async assignable(officeId: string | null, db: Executor = this.db): Promise<{ id: string; name: string }[]> {
    if (!officeId) return [];
    const { rows } = await sql<{ id: string; name: string }>`
      select u.id, u.given_name || ' ' || u.family_name as name from comune.office_members m join comune.staff_users u on u.id = m.staff_user_id
      where m.office_id = ${officeId} and u.active order by u.family_name, u.given_name`.execute(db);
    return rows;
  }

  /** An action on an application the user may act on: locked, then done and audited in one transaction. */
  private act<T>(user: DeskUser, id: string, action: string, details: Record<string, unknown>, fn: (tx: Executor, app: Application, row: DeskRow) => Promise<T>): Promise<T> {
    return transaction(this.db, async (tx) => {
      await sql`select 1 from comune.applications where id = ${id} for update`.execute(tx);
      const { row, application } = await this.detail(user, id, 'act', tx);
      const result = await fn(tx, application, row);
      await audit(tx, 'comune', { actorType: user.role, actorId: user.id, tenantId: user.tenantId, action, targetType: 'application', targetId: id, details });
      return result;
    });
  }

  private async assignTo(tx: Executor, id: string, staffId: string, by: string): Promise<void> {
    await sql`insert into comune.desk_assignments (application_id, staff_user_id, assigned_by, assigned_at) values (${id}, ${staffId}, ${by}, ${this.now()})
      on conflict (application_id) do update set staff_user_id = excluded.staff_user_id, assigned_by = excluded.assigned_by, assigned_at = excluded.assigned_at`.execute(tx);
  }

  /** Takes the application in charge (4000, or 4500 after an integration) and assigns it to the user. */
  takeInCharge(user: DeskUser, id: string): Promise<Application> {
    return this.act(user, id, 'application.take-in-charge', {}, async (tx, app) => {
      const afterIntegration = app.status === STATUS.submittedAfterIntegration || app.status === STATUS.registeredAfterIntegration;
      const moved = await this.applications.transition(this.actor(user), id, afterIntegration ? STATUS.pendingAfterIntegration : STATUS.pending, null, tx);
      await this.assignTo(tx, id, user.id, user.id);
      return moved;
    });
  }

  /** Assigns an application still open to an operator of the office in charge. */
  assign(user: DeskUser, id: string, staffId: string): Promise<void> {
    return this.act(user, id, 'application.assign', { staffId }, async (tx, app, row) => {
      if (isFinal(app.status)) throw conflict('A closed application cannot be assigned.');
      if (!(await this.assignable(row.officeId, tx)).some((s) => s.id === staffId)) throw invalid([{ pointer: '/body/staffId', code: 'not-in-office', detail: 'Not an operator of the office in charge.' }]);
      await this.assignTo(tx, id, staffId, user.id);
    });
  }

  /** Asks the applicant for more (4100): the message is their timeline event; the legal clock stops. */
  requestIntegration(user: DeskUser, id: string, message: string): Promise<Application> {
    return this.act(user, id, 'application.request-integration', {}, (tx) => this.applications.transition(this.actor(user), id, STATUS.requestIntegration, required(message), tx));
  }

  /**
   * Accepts (7000) or rejects (9000) with the outcome letter: generated (or the signed file uploaded
   * instead), registered as outgoing in the protocol and attached to the application, all or nothing.
   */
  decide(user: DeskUser, id: string, input: { outcome: 'accepted' | 'rejected'; motivation: string; signedFile?: { name: string; data: Buffer } }): Promise<DeskLetter> {
    const motivation = required(input.motivation);
    return this.act(user, id, `application.${input.outcome === 'accepted' ? 'accept' : 'reject'}`, {}, async (tx, app) => {
      const to = input.outcome === 'accepted' ? STATUS.complete : STATUS.cancelled;
      await this.applications.transition(this.actor(user), id, to, motivation, tx);
      const date = this.now();
      const { rows } = await sql<{ name: string }>`select name from comune.tenants where id = ${app.tenantId}`.execute(tx);
      const data =
        input.signedFile?.data ??
        (await outcomeLetterPdf({
          enteName: rows[0]!.name,
          applicant: { name: app.citizenName, fiscalCode: app.citizenFiscalCode },
          serviceName: app.serviceName,
          applicationId: app.id,
          applicationProtocol: app.protocol,
          submittedAt: app.submittedAt,
          outcome: input.outcome,
          motivation,
          signedBy: user.name,
          date,
        }));
      const fileName = input.signedFile?.name ?? `esito-${app.id}.pdf`;
      const registration = await registerEntry(
        tx,
        app.tenantId,
        {
          direction: 'outgoing',
          subject: `${app.serviceName} — esito della domanda di ${app.citizenName}`,
          correspondent: { name: app.citizenName, fiscalCode: app.citizenFiscalCode },
          classification: app.classification,
          documents: [{ name: fileName, mime: 'application/pdf', data }],
        },
        { store: this.files, now: this.now },
      );
      const { sha256, size } = await this.files.put(data);
      await this.applications.addAttachment(this.actor(user), id, { sha256, name: fileName, size, mime: 'application/pdf' }, tx);
      await sql`insert into comune.desk_letters (application_id, outcome, motivation, sha256, file_name, signed, protocol_id, protocol_number, protocol_year, created_by, created_at)
        values (${id}, ${to}, ${motivation}, ${sha256}, ${fileName}, ${Boolean(input.signedFile)}, ${registration.id}, ${registration.number}, ${registration.year}, ${user.id}, ${date})`.execute(tx);
      return { outcome: to, sha256, fileName, protocol: { number: registration.number, year: registration.year }, at: date };
    });
  }

  /** An internal note: operators of the office see it, the applicant never does. */
  note(user: DeskUser, id: string, body: string): Promise<void> {
    return this.act(user, id, 'application.note', {}, async (tx) => {
      await sql`insert into comune.desk_notes (application_id, author_id, body, at) values (${id}, ${user.id}, ${required(body)}, ${this.now()})`.execute(tx);
    });
  }

  /** A message to the applicant: an event of their timeline that leaves the status as it is. */
  message(user: DeskUser, id: string, body: string): Promise<void> {
    return this.act(user, id, 'application.message', {}, async (tx, app) => {
      await sql`insert into comune.application_events (application_id, from_status, to_status, actor_type, actor_id, message, at)
        values (${id}, ${app.status}, ${app.status}, 'operator', ${user.id}, ${required(body)}, ${this.now()})`.execute(tx);
      // Announced to the webhooks listening for messages (outbox, same transaction).
      await enqueueWebhookMessage(tx, id);
    });
  }

  /** Counts per status, overdue ones, and the average days from submission to outcome per service. */
  async dashboard(user: DeskUser): Promise<{ byStatus: { status: StatusCode; count: number }[]; overdue: number; total: number; closing: { serviceName: string; closed: number; averageDays: number | null }[] }> {
    const rows = await this.list(user, {});
    const byStatus = new Map<StatusCode, number>();
    for (const r of rows) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
    const ids = rows.filter((r) => isFinal(r.status) && r.submittedAt).map((r) => r.id);
    const { rows: closed } = await sql<{ service_name: string; submitted_at: Date; closed_at: Date }>`
      select a.service_name, a.submitted_at, max(e.at) as closed_at from comune.applications a
      join comune.application_events e on e.application_id = a.id and e.to_status in (${STATUS.complete}, ${STATUS.cancelled})
      where a.id = any(${ids}::uuid[]) group by a.id, a.service_name, a.submitted_at order by a.service_name`.execute(this.db);
    const perService = new Map<string, number[]>();
    for (const c of closed) perService.set(c.service_name, [...(perService.get(c.service_name) ?? []), new Date(c.closed_at).getTime() - new Date(c.submitted_at).getTime()]);
    return {
      byStatus: [...byStatus].sort(([a], [b]) => a - b).map(([status, count]) => ({ status, count })),
      overdue: rows.filter((r) => r.deadline?.overdue).length,
      total: rows.length,
      closing: [...perService].map(([serviceName, durations]) => ({ serviceName, closed: durations.length, averageDays: averageDays(durations) })),
    };
  }
}

function required(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) throw invalid([{ pointer: '/body/message', code: 'required', detail: 'A text is required.' }]);
  if (trimmed.length > 4000) throw invalid([{ pointer: '/body/message', code: 'too-long', detail: 'At most 4000 characters.' }]);
  return trimmed;
}
