// The desk's queries and actions on applications, limited in every query to what the operator's offices
// handle (another office's or ente's application is not found), each action audited in its transaction.
import { likeContaining, sql, transaction, type Executor } from '../../core/db.ts';
import type { RawBuilder } from 'kysely';
import { audit } from '../../core/audit.ts';
import { conflict, invalid, notFound } from '../../core/problem.ts';
import type { DocumentStore } from '../protocol/files.ts';
import { addDays, dateInItaly, type IsoDate } from '../../domain/dates.ts';
import { ApplicationStore, type Application, type ApplicationActor } from '../applications/store.ts';
import { FINAL_STATUSES, isFinal, STATUS, type StatusCode } from '../applications/states.ts';
import { outcomeLetterPdf, registerOutcomeLetter } from './letter.ts';
import { enqueueWebhookMessage } from '../webhooks/outbox.ts';
import { averageDays, deadlineAt, HIDDEN_STATUSES, mayHandle, scopeOf, storedDeadline, type DeadlineView, type DeskFilters, type DeskSort, type DeskUser } from './model.ts';

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

export interface Choice {
  id: string;
  name: string;
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
  /** Null until an external protocol system, down when the letter was issued, numbers it. */
  protocol: { number: number; year: number } | null;
  at: Date;
}

/** The outcome letter of an application, if decided; the caller has checked who may see it. */
export async function outcomeLetter(db: Executor, applicationId: string): Promise<DeskLetter | undefined> {
  const { rows } = await sql<{ outcome: StatusCode; sha256: string; file_name: string; protocol_number: number | null; protocol_year: number | null; created_at: Date }>`
    select outcome, sha256, file_name, protocol_number, protocol_year, created_at from comune.desk_letters where application_id = ${applicationId}`.execute(db);
  const r = rows[0];
  return r && { outcome: r.outcome, sha256: r.sha256, fileName: r.file_name, protocol: r.protocol_number === null ? null : { number: r.protocol_number, year: r.protocol_year! }, at: r.created_at };
}

interface ListRow {
  id: string;
  tenant_id: string;
  service_id: string;
  service_name: string;
  office_id: string | null;
  office_name: string | null;
  citizen_name: string;
  citizen_fiscal_code: string;
  status: StatusCode;
  submitted_at: Date | null;
  protocol_number: number | null;
  protocol_year: number | null;
  assignee_id: string | null;
  assignee_name: string | null;
  due_on: IsoDate | null;
  resumes_on: IsoDate | null;
  /** The sort key as text, where the next batch of an export starts. */
  sort_key: string;
}

/** Loads the desk user of a staff login: their offices in the ente. */
export async function deskUser(db: Executor, staff: { id: string; role: 'operator' | 'tenant_admin'; tenantId: string; name: string }): Promise<DeskUser> {
  const { rows } = await sql<{ office_id: string }>`
    select m.office_id from comune.office_members m join comune.offices o on o.id = m.office_id
    where o.tenant_id = ${staff.tenantId} and m.staff_user_id = ${staff.id}`.execute(db);
  return { ...staff, offices: rows.map((r) => r.office_id) };
}

const REFRESH_BATCH = 500;

/**
 * Computes the stale rows of comune.desk_deadlines of an ente, or of one application (the triggers of desk.002 mark
 * them in the transaction of each status event or rule change), in batches. A row changed meanwhile stays stale for
 * the next call; one locked by a transaction still changing it is skipped, not waited for (two refreshes never deadlock).
 */
export async function refreshDeadlines(db: Executor, tenantId: string, applicationId?: string): Promise<void> {
  for (;;) {
    const { rows } = await sql<{ id: string; version: number; status: StatusCode; deadline_days: number | null; history: { to: StatusCode; at: string }[] }>`
      select k.application_id as id, k.version, a.status, s.deadline_days,
        (select coalesce(jsonb_agg(jsonb_build_object('to', e.to_status, 'at', e.at) order by e.id), '[]')
           from comune.application_events e where e.application_id = a.id) as history
      from comune.desk_deadlines k join comune.applications a on a.id = k.application_id
      left join comune.services s on s.id = a.service_id and s.tenant_id = a.tenant_id
      where k.computed_version is distinct from k.version and a.tenant_id = ${tenantId} ${applicationId ? sql`and k.application_id = ${applicationId}` : sql``}
      limit ${REFRESH_BATCH}`.execute(db);
    if (!rows.length) return;
    const computed = rows.map((r) =>
      r.deadline_days === null ? undefined : storedDeadline(r.history.map((e) => ({ to: e.to, on: dateInItaly(new Date(e.at)) })), r.status, r.deadline_days),
    );
    const ids = rows.map((r) => r.id);
    const { rows: updated } = await sql`
      with free as (select application_id from comune.desk_deadlines where application_id = any(${ids}::uuid[]) for update skip locked)
      update comune.desk_deadlines k set computed_version = v.version, due_on = nullif(v.due_on, '')::date, resumes_on = nullif(v.resumes_on, '')::date
      from unnest(${ids}::uuid[], ${rows.map((r) => r.version)}::int[], ${computed.map((d) => d?.dueOn ?? '')}::text[], ${computed.map((d) => d?.resumesOn ?? '')}::text[])
        as v(id, version, due_on, resumes_on)
      where k.application_id = v.id and k.version = v.version and k.application_id in (select application_id from free)
      returning k.application_id`.execute(db);
    // A full batch with progress may have more behind it; without progress the rest is someone else's to finish.
    if (rows.length < REFRESH_BATCH || !updated.length) return;
  }
}

function textFilter(text: string) {
  const protocol = /^(\d{1,9})(?:\/(\d{4}))?$/.exec(text);
  const byProtocol = protocol ? sql`or (a.protocol_number = ${Number(protocol[1])} and (${protocol[2] ?? null}::int is null or a.protocol_year = ${protocol[2] ? Number(protocol[2]) : null}))` : sql``;
  return sql`and (a.citizen_name ilike ${likeContaining(text)} or a.citizen_fiscal_code ilike ${likeContaining(text)} or a.id::text = ${text.toLowerCase()} ${byProtocol})`;
}

// The SQL twins of model.ts deadlineAt: the clock stands still until resumes_on (excluded), then due_on counts.
const running = (today: IsoDate) => sql`(k.resumes_on is null or k.resumes_on <= ${today}::date)`;
const overdue = (today: IsoDate) => sql`(k.due_on < ${today}::date and ${running(today)})`;

function filterSql(f: DeskFilters, today: IsoDate) {
  return sql`
      ${f.status !== undefined ? sql`and a.status = ${f.status}` : sql``}
      ${f.serviceId ? sql`and a.service_id = ${f.serviceId}` : sql``}
      ${f.officeId ? sql`and s.office_id = ${f.officeId}` : sql``}
      ${f.assigneeId ? sql`and d.staff_user_id = ${f.assigneeId}` : sql``}
      ${f.from ? sql`and (a.submitted_at at time zone 'Europe/Rome')::date >= ${f.from}::date` : sql``}
      ${f.to ? sql`and (a.submitted_at at time zone 'Europe/Rome')::date <= ${f.to}::date` : sql``}
      ${f.overdue ? sql`and ${overdue(today)}` : sql``}
      ${f.dueWithin !== undefined ? sql`and k.due_on between ${today}::date and ${addDays(today, f.dueWithin)}::date and ${running(today)}` : sql``}
      ${f.text ? textFilter(f.text) : sql``}`;
}

/** Each order's key (nulls mapped to an end, so that a key always compares) and direction; ties broken by id the same way. */
const SORTS = {
  submitted: { key: sql`coalesce(a.submitted_at, a.created_at)`, type: sql.raw('timestamptz'), desc: true },
  due: { key: sql`coalesce(k.due_on, 'infinity'::date)`, type: sql.raw('date'), desc: false },
} as const;

const toRow = (r: ListRow, today: IsoDate): DeskRow => ({
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
  deadline: deadlineAt(r.due_on === null ? undefined : { dueOn: r.due_on, resumesOn: r.resumes_on }, today),
});

export interface ListOptions {
  sort?: DeskSort;
  offset?: number;
  limit?: number;
}

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

  /** The applications the user may see: the ente, their offices unless they are its admin, never a citizen's draft. */
  private scope(user: DeskUser) {
    const scope = scopeOf(user);
    const offices = scope.offices === 'all' ? sql`` : sql`and s.office_id = any(${[...scope.offices]}::uuid[])`;
    return sql`from comune.applications a
      join comune.services s on s.id = a.service_id and s.tenant_id = a.tenant_id
      left join comune.offices o on o.id = s.office_id
      left join comune.desk_assignments d on d.application_id = a.id
      left join comune.staff_users u on u.id = d.staff_user_id
      left join comune.desk_deadlines k on k.application_id = a.id
      where a.tenant_id = ${scope.tenantId} and (a.status <> all(${[...HIDDEN_STATUSES]}::int[]) or a.submitted_at is not null) ${offices}`;
  }

  private async query(user: DeskUser, where: RawBuilder<unknown>, options: ListOptions & { after?: { key: string; id: string } } = {}, db: Executor = this.db): Promise<ListRow[]> {
    const sort = SORTS[options.sort ?? 'submitted'];
    const dir = sql.raw(sort.desc ? 'desc' : 'asc');
    const after = options.after ? sql`and (${sort.key}, a.id) ${sql.raw(sort.desc ? '<' : '>')} (${options.after.key}::${sort.type}, ${options.after.id}::uuid)` : sql``;
    const { rows } = await sql<ListRow>`
      select a.id, a.tenant_id, a.service_id, a.service_name, s.office_id, o.name as office_name, a.citizen_name, a.citizen_fiscal_code,
        a.status, a.submitted_at, a.protocol_number, a.protocol_year, d.staff_user_id as assignee_id,
        u.given_name || ' ' || u.family_name as assignee_name,
        to_char(k.due_on, 'YYYY-MM-DD') as due_on, to_char(k.resumes_on, 'YYYY-MM-DD') as resumes_on, (${sort.key})::text as sort_key
      ${this.scope(user)} ${where} ${after}
      order by ${sort.key} ${dir}, a.id ${dir}
      ${options.limit !== undefined ? sql`limit ${options.limit}` : sql``} ${options.offset ? sql`offset ${options.offset}` : sql``}`.execute(db);
    return rows;
  }

  /** The applications the user handles, filtered and ordered; a page of them with `offset` and `limit`. */
  async list(user: DeskUser, filters: DeskFilters, options: ListOptions = {}): Promise<DeskRow[]> {
    await refreshDeadlines(this.db, user.tenantId);
    const today = this.today();
    return (await this.query(user, filterSql(filters, today), options)).map((r) => toRow(r, today));
  }

  /** How many applications the filters select. */
  async count(user: DeskUser, filters: DeskFilters): Promise<number> {
    await refreshDeadlines(this.db, user.tenantId);
    const { rows } = await sql<{ count: number }>`select count(*)::int as count ${this.scope(user)} ${filterSql(filters, this.today())}`.execute(this.db);
    return rows[0]!.count;
  }

  /**
   * Every application the filters select, read in batches by keyset (a CSV export streams it without holding it all);
   * the first batch is read before this resolves, so that a failure is the request's error rather than a cut file.
   */
  async all(user: DeskUser, filters: DeskFilters, sort: DeskSort = 'submitted', batch = 500): Promise<AsyncGenerator<DeskRow>> {
    await refreshDeadlines(this.db, user.tenantId);
    const today = this.today();
    const where = filterSql(filters, today);
    const read = (after?: { key: string; id: string }) => this.query(user, where, { sort, limit: batch, after });
    let rows = await read();
    return (async function* () {
      for (;;) {
        for (const r of rows) yield toRow(r, today);
        if (rows.length < batch) return;
        rows = await read({ key: rows.at(-1)!.sort_key, id: rows.at(-1)!.id });
      }
    })();
  }

  /** The choices of the list's filters within the user's scope: services with applications, offices, their operators. */
  async filterOptions(user: DeskUser): Promise<{ services: Choice[]; offices: Choice[]; assignees: Choice[] }> {
    const scope = scopeOf(user);
    const inOffices = (column: RawBuilder<unknown>) => (scope.offices === 'all' ? sql`` : sql`and ${column} = any(${[...scope.offices]}::uuid[])`);
    const [services, offices, assignees] = await Promise.all([
      sql<Choice>`select a.service_id as id, max(a.service_name) as name ${this.scope(user)} group by a.service_id order by 2, 1`.execute(this.db),
      sql<Choice>`select o.id, o.name from comune.offices o where o.tenant_id = ${scope.tenantId} ${inOffices(sql`o.id`)} order by o.name, o.id`.execute(this.db),
      sql<Choice>`select distinct u.id, u.given_name || ' ' || u.family_name as name
        from comune.office_members m join comune.offices o on o.id = m.office_id join comune.staff_users u on u.id = m.staff_user_id
        where o.tenant_id = ${scope.tenantId} ${inOffices(sql`m.office_id`)} order by name, id`.execute(this.db),
    ]);
    return { services: services.rows, offices: offices.rows, assignees: assignees.rows };
  }

  /** One application the user may read (404 otherwise, as if it did not exist), with its desk row. */
  async detail(user: DeskUser, id: string, kind: 'read' | 'act' = 'read', db: Executor = this.db): Promise<{ row: DeskRow; application: Application }> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound('No such application.');
    await refreshDeadlines(db, user.tenantId, id);
    const [found] = await this.query(user, sql`and a.id = ${id}`, {}, db);
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
      const registration = await registerOutcomeLetter(tx, { store: this.files, now: this.now }, {
        tenantId: app.tenantId,
        applicationId: app.id,
        serviceName: app.serviceName,
        applicant: { name: app.citizenName, fiscalCode: app.citizenFiscalCode },
        classification: app.classification,
        applicationProtocol: app.protocol,
        document: { name: fileName, data },
      });
      const { sha256, size } = await this.files.put(data);
      await this.applications.addAttachment(this.actor(user), id, { sha256, name: fileName, size, mime: 'application/pdf' }, tx);
      await sql`insert into comune.desk_letters (application_id, outcome, motivation, sha256, file_name, signed, protocol_id, protocol_number, protocol_year, created_by, created_at)
        values (${id}, ${to}, ${motivation}, ${sha256}, ${fileName}, ${Boolean(input.signedFile)}, ${registration?.id ?? null}, ${registration?.number ?? null}, ${registration?.year ?? null}, ${user.id}, ${date})`.execute(tx);
      return { outcome: to, sha256, fileName, protocol: registration && { number: registration.number, year: registration.year }, at: date };
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

  /** Counts per status, open and overdue ones per service, and the average days from submission to outcome (accepted or rejected) per service. */
  async dashboard(user: DeskUser): Promise<Dashboard> {
    await refreshDeadlines(this.db, user.tenantId);
    const scope = this.scope(user);
    const [byStatus, open, closing] = await Promise.all([
      sql<{ status: StatusCode; count: number }>`select a.status, count(*)::int as count ${scope} group by a.status order by a.status`.execute(this.db),
      sql<{ service_name: string; open: number; overdue: number }>`
        select a.service_name, count(*)::int as open, count(*) filter (where ${overdue(this.today())})::int as overdue
        ${scope} and a.status <> all(${[...FINAL_STATUSES]}::int[]) group by a.service_name order by a.service_name`.execute(this.db),
      sql<{ service_name: string; closed: number; average_ms: number | string }>`
        select service_name, count(*)::int as closed, avg(extract(epoch from closed_at - submitted_at)) * 1000 as average_ms
        from (select a.service_name, a.submitted_at,
            (select max(e.at) from comune.application_events e where e.application_id = a.id and e.to_status = a.status) as closed_at
          ${scope} and a.status in (${STATUS.complete}, ${STATUS.cancelled}) and a.submitted_at is not null) closed
        where closed_at is not null group by service_name order by service_name`.execute(this.db),
    ]);
    return {
      byStatus: byStatus.rows,
      overdue: open.rows.reduce((sum, s) => sum + s.overdue, 0),
      open: open.rows.map((o) => ({ serviceName: o.service_name, open: o.open, overdue: o.overdue })),
      total: byStatus.rows.reduce((sum, s) => sum + s.count, 0),
      closing: closing.rows.map((c) => ({ serviceName: c.service_name, closed: c.closed, averageDays: averageDays(Number(c.average_ms)) })),
    };
  }
}

export interface Dashboard {
  byStatus: { status: StatusCode; count: number }[];
  overdue: number;
  total: number;
  /** Per service: the applications still open, and how many of them are past their due date. */
  open: { serviceName: string; open: number; overdue: number }[];
  closing: { serviceName: string; closed: number; averageDays: number }[];
}

function required(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) throw invalid([{ pointer: '/body/message', code: 'required', detail: 'A text is required.' }]);
  if (trimmed.length > 4000) throw invalid([{ pointer: '/body/message', code: 'too-long', detail: 'At most 4000 characters.' }]);
  return trimmed;
}
