// Applications ("pratiche") in the comune schema: drafts, submission (idempotent, with its PDF and the
// protocol job in the same transaction), transitions by the state machine's rules, the timeline.
import { randomUUID } from 'node:crypto';
import { executePrepared, sql, transaction, type Executor } from '../../core/db.ts';
import { audit, auditInsert } from '../../core/audit.ts';
import { enqueue, enqueueInsert } from '../../core/jobs.ts';
import { conflict, forbidden, notFound } from '../../core/problem.ts';
import type { DocumentStore } from '../protocol/files.ts';
import { applicationPdf, integrationAnswerPdf } from './pdf.ts';
import { checkTransition, STATUS, type PaymentKind, type StatusCode, type TransitionActor } from './states.ts';
import { enqueueWebhookEvents } from '../webhooks/outbox.ts';
import { enqueueStatusMessage } from '../messaging/store.ts';

export const REGISTER_APPLICATION_JOB = 'comune.protocol.register-application';
export const REGISTER_INTEGRATION_JOB = 'comune.protocol.register-integration';

/** Who acts on an application; a citizen only ever on their own (checked here, not only in routes). */
export type ApplicationActor =
  | { kind: 'citizen'; tenantId: string; fiscalCode: string; citizenId?: string }
  | { kind: 'operator'; tenantId: string; id: string }
  | { kind: 'system'; id: string };

export interface Attachment {
  sha256: string;
  name: string;
  size: number;
  mime: string;
}

export interface Application {
  id: string;
  tenantId: string;
  serviceId: string;
  serviceName: string;
  classification: string;
  formId: string | null;
  formVersion: number | null;
  citizenId: string | null;
  citizenFiscalCode: string;
  citizenName: string;
  status: StatusCode;
  data: Record<string, unknown>;
  idempotencyKey: string | null;
  pdfSha256: string | null;
  protocol: { id: string; number: number; year: number; registeredAt: Date } | null;
  createdAt: Date;
  submittedAt: Date | null;
  updatedAt: Date;
}

const answerPdfName = (answerId: string) => `integrazione-${answerId}.pdf`;

/** An answer to a request for integration, with its PDF and the receipt of its own registration. */
export interface IntegrationAnswer {
  id: string;
  applicationId: string;
  message: string;
  pdf: { sha256: string; name: string; mime: string };
  /** The documents sent with the answer. */
  attachments: Attachment[];
  submittedAt: Date;
  protocol: { id: string; number: number; year: number; registeredAt: Date } | null;
}

/** The applicant's answer to a request for integration, saved but not sent yet (status 4200). */
export interface IntegrationDraft {
  applicationId: string;
  message: string;
  attachments: Attachment[];
  updatedAt: Date;
}

export interface ApplicationEvent {
  from: StatusCode | null;
  to: StatusCode;
  actorType: TransitionActor;
  actorId: string;
  message: string | null;
  at: Date;
}

/** A row of comune.applications (the API and webhooks select it with extra columns). */
export interface Row {
  id: string;
  tenant_id: string;
  service_id: string;
  service_name: string;
  classification: string;
  form_id: string | null;
  form_version: number | null;
  citizen_id: string | null;
  citizen_fiscal_code: string;
  citizen_name: string;
  status: StatusCode;
  data: Record<string, unknown>;
  idempotency_key: string | null;
  pdf_sha256: string | null;
  protocol_id: string | null;
  protocol_number: number | null;
  protocol_year: number | null;
  protocol_registered_at: Date | null;
  created_at: Date;
  submitted_at: Date | null;
  updated_at: Date;
}

/** Row's columns, listed: the hot queries run prepared, and a prepared `select *` fails once a migration adds a column. */
const ROW_COLUMNS = ['id', 'tenant_id', 'service_id', 'service_name', 'classification', 'form_id', 'form_version', 'citizen_id', 'citizen_fiscal_code', 'citizen_name', 'status', 'data',
  'idempotency_key', 'pdf_sha256', 'protocol_id', 'protocol_number', 'protocol_year', 'protocol_registered_at', 'created_at', 'submitted_at', 'updated_at'] as const satisfies readonly (keyof Row)[];
const columns = (alias?: string) => sql.raw(ROW_COLUMNS.map((c) => (alias ? `${alias}.${c}` : c)).join(', '));

export const fromRow = (r: Row): Application => ({
  id: r.id,
  tenantId: r.tenant_id,
  serviceId: r.service_id,
  serviceName: r.service_name,
  classification: r.classification,
  formId: r.form_id,
  formVersion: r.form_version,
  citizenId: r.citizen_id,
  citizenFiscalCode: r.citizen_fiscal_code,
  citizenName: r.citizen_name,
  status: r.status,
  data: r.data,
  idempotencyKey: r.idempotency_key,
  pdfSha256: r.pdf_sha256,
  protocol: r.protocol_number === null ? null : { id: r.protocol_id!, number: r.protocol_number, year: r.protocol_year!, registeredAt: r.protocol_registered_at! },
  createdAt: r.created_at,
  submittedAt: r.submitted_at,
  updatedAt: r.updated_at,
});

export interface DraftInput {
  /** The catalog's service (by id) and what the application keeps of it. */
  service: { id: string; name: string; classification?: string };
  form?: { id: string; version: number };
  citizen: { id?: string; fiscalCode: string; name: string };
  data?: Record<string, unknown>;
}

export interface SubmitOptions {
  /** Sent again on a double click or a retried request: the same application comes back. */
  idempotencyKey: string;
  /** The validated answers, replacing the draft's in the same transaction (the wizard's last post). */
  data?: Record<string, unknown>;
  /** The answers as the form labels them, for the PDF; the data's keys otherwise. */
  summary?: readonly { label: string; value: string }[];
  attachments?: readonly Attachment[];
  /** The service asks for payment first: the draft waits in 1500 with its PDF; submitPaid submits it once paid. */
  awaitPayment?: boolean;
}

const actorType = (actor: ApplicationActor): TransitionActor => actor.kind;
const actorId = (actor: ApplicationActor) => (actor.kind === 'citizen' ? (actor.citizenId ?? actor.fiscalCode) : actor.id);

export class ApplicationStore {
  constructor(
    private readonly db: Executor,
    private readonly files: DocumentStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The application if `actor` may see it: the applicant, or an operator of its ente. */
  async get(actor: ApplicationActor, id: string, tx: Executor = this.db, lock = false): Promise<Application> {
    const { rows } = await executePrepared(tx, sql<Row>`select ${columns()} from comune.applications where id = ${id} ${lock ? sql`for update` : sql``}`);
    const app = rows[0] && fromRow(rows[0]);
    if (!app || !canSee(actor, app)) throw notFound('No such application.');
    return app;
  }

  async createDraft(actor: ApplicationActor, tenantId: string, input: DraftInput): Promise<Application> {
    if (actor.kind !== 'citizen' || actor.tenantId !== tenantId || actor.fiscalCode !== input.citizen.fiscalCode) throw forbidden('Only the applicant starts an application.');
    return transaction(this.db, async (tx) => {
      const { rows } = await sql<Row>`
        insert into comune.applications (tenant_id, service_id, service_name, classification, form_id, form_version, citizen_id, citizen_fiscal_code, citizen_name, status, data)
        values (${tenantId}, ${input.service.id}, ${input.service.name}, ${input.service.classification ?? ''}, ${input.form?.id ?? null}, ${input.form?.version ?? null},
                ${input.citizen.id ?? null}, ${input.citizen.fiscalCode}, ${input.citizen.name}, ${STATUS.draft}, ${JSON.stringify(input.data ?? {})}::jsonb)
        returning *`.execute(tx);
      await this.event(tx, rows[0]!.id, null, STATUS.draft, actor, null);
      return fromRow(rows[0]!);
    });
  }

  /** Replaces a draft's answers and attachments (drafts only, the applicant only). */
  async saveDraft(actor: ApplicationActor, id: string, data: Record<string, unknown>, attachments?: readonly Attachment[]): Promise<Application> {
    return transaction(this.db, async (tx) => {
      const app = await this.get(actor, id, tx, true);
      if (actor.kind !== 'citizen') throw forbidden('Only the applicant edits a draft.');
      if (app.status !== STATUS.draft) throw conflict('Only a draft can be edited.');
      if (attachments) await this.replaceAttachments(tx, id, attachments);
      const { rows } = await sql<Row>`update comune.applications set data = ${JSON.stringify(data)}::jsonb, updated_at = now() where id = ${id} returning *`.execute(tx);
      return fromRow(rows[0]!);
    });
  }

  /**
   * Submits a draft: its answers (when given), its PDF (the protocol's primary document), status 2000,
   * the timeline event and the protocol job, all in one transaction. The same idempotency key returns
   * the application it first submitted, even when both requests arrive together.
   */
  async submit(actor: ApplicationActor, id: string, options: SubmitOptions): Promise<{ application: Application; created: boolean }> {
    if (actor.kind !== 'citizen') throw forbidden('Only the applicant submits an application.');
    return transaction(this.db, async (tx) => {
      // Serialises submissions with the same key (both databases): the second sees the first's result.
      await executePrepared(tx, sql`select pg_advisory_xact_lock(hashtext(${`${actor.tenantId}|${actor.fiscalCode}|${options.idempotencyKey}`}))`);
      // One round trip: the draft locked, its ente's name for the PDF, and the application this key already submitted.
      const { rows: found } = await executePrepared(tx, sql<Row & { ente_name: string; done_id: string | null }>`
        select ${columns('a')}, t.name as ente_name,
          (select d.id from comune.applications d
           where d.tenant_id = ${actor.tenantId} and d.citizen_fiscal_code = ${actor.fiscalCode} and d.idempotency_key = ${options.idempotencyKey}) as done_id
        from comune.applications a left join comune.tenants t on t.id = a.tenant_id
        where a.id = ${id} for update of a`);
      const doneId = found[0] ? found[0].done_id : await this.submittedWith(tx, actor, options.idempotencyKey);
      if (doneId) return { application: doneId === id ? fromRow(found[0]!) : await this.get(actor, doneId, tx), created: false };
      const app = found[0] && fromRow(found[0]);
      if (!app || !canSee(actor, app)) throw notFound('No such application.');
      const to = options.awaitPayment ? STATUS.paymentPending : STATUS.submitted;
      const check = checkTransition(app.status, to, 'citizen');
      if (!check.ok) throw conflict(`An application in status ${app.status} cannot be submitted.`);
      const data = options.data ?? app.data;
      const attachments = options.attachments ? withoutDuplicates(options.attachments) : await this.attachments(tx, id);
      const submittedAt = this.now();
      const pdf = await applicationPdf({
        enteName: found[0]!.ente_name ?? '',
        serviceName: app.serviceName,
        applicant: { name: app.citizenName, fiscalCode: app.citizenFiscalCode },
        fields: options.summary ?? Object.entries(data).map(([label, value]) => ({ label, value: typeof value === 'string' ? value : JSON.stringify(value) })),
        attachments,
        submittedAt,
        applicationId: app.id,
      });
      const { sha256 } = await this.files.put(pdf);
      // One statement for the row, its timeline event, the protocol job and the audit entry (each a round trip otherwise).
      const { rows } = await executePrepared(tx, sql<Row>`
        with ${options.attachments ? sql`replaced as (delete from comune.application_attachments where application_id = ${id}),` : sql``}
          timeline as (${this.eventInsert(id, app.status, to, actor, null)}),
          ${to === STATUS.submitted ? sql`job as (${enqueueInsert('comune', { kind: REGISTER_APPLICATION_JOB, payload: { applicationId: id }, idempotencyKey: id })}),` : sql``}
          logged as (${auditInsert('comune', { actorType: 'citizen', actorId: actorId(actor), tenantId: app.tenantId, action: 'application.submit', targetType: 'application', targetId: id })})
        update comune.applications set status = ${to}, idempotency_key = ${options.idempotencyKey}, submitted_at = ${to === STATUS.submitted ? submittedAt : null},
          pdf_sha256 = ${sha256}, updated_at = now() ${options.data ? sql`, data = ${JSON.stringify(options.data)}::jsonb` : sql``}
        where id = ${id} returning ${columns()}`);
      await this.insertAttachments(tx, id, attachments);
      await announceStatusChange(tx, id, to);
      return { application: fromRow(rows[0]!), created: true };
    });
  }

  /** The id of the application the citizen submitted with this idempotency key, if any. */
  private async submittedWith(tx: Executor, actor: ApplicationActor & { kind: 'citizen' }, idempotencyKey: string): Promise<string | null> {
    const { rows } = await sql<{ id: string }>`
      select id from comune.applications where tenant_id = ${actor.tenantId} and citizen_fiscal_code = ${actor.fiscalCode} and idempotency_key = ${idempotencyKey}`.execute(tx);
    return rows[0]?.id ?? null;
  }

  /**
   * Moves an application by the state machine: 409 for a transition that does not exist, 403 for one the actor may not trigger;
   * `payment` is the kind of payment the application waits for, if any.
   */
  async transition(actor: ApplicationActor, id: string, to: StatusCode, message: string | null = null, tx?: Executor, payment?: PaymentKind): Promise<Application> {
    return this.move(actor, id, to, message, tx, sql``, payment);
  }

  /** The immediate payment arrived (1520): 1900 → 2000, submitted now, and the protocol job, in the caller's transaction. */
  async submitPaid(tx: Executor, id: string): Promise<Application> {
    const system = { kind: 'system', id: 'payments' } as const;
    await this.move(system, id, STATUS.preSubmit, null, tx, sql``, 'immediate');
    const app = await this.move(system, id, STATUS.submitted, null, tx, sql`, submitted_at = ${this.now()}`);
    await enqueue(tx, 'comune', { kind: REGISTER_APPLICATION_JOB, payload: { applicationId: id }, idempotencyKey: id });
    return app;
  }

  /** Records the protocol receipt and moves 2000 → 3000 (the system's transition), in the caller's transaction. */
  async recordRegistration(tx: Executor, id: string, receipt: { id: string; number: number; year: number; registeredAt: Date }): Promise<Application> {
    const protocol = sql`, protocol_id = ${receipt.id}, protocol_number = ${receipt.number}, protocol_year = ${receipt.year}, protocol_registered_at = ${receipt.registeredAt}`;
    return this.move({ kind: 'system', id: 'protocol' }, id, STATUS.registered, `Protocollo n. ${receipt.number}/${receipt.year}`, tx, protocol);
  }

  /** A transition, with more columns to set (`, column = value…`) in the same update. */
  private async move(actor: ApplicationActor, id: string, to: StatusCode, message: string | null, tx: Executor | undefined, set = sql``, payment?: PaymentKind): Promise<Application> {
    return transaction(tx ?? this.db, async (tx) => {
      const app = await this.get(actor, id, tx, true);
      const check = checkTransition(app.status, to, actorType(actor), payment);
      if (!check.ok && check.reason === 'not-allowed') throw conflict(`No transition from ${app.status} to ${to}.`);
      if (!check.ok) throw forbidden(`A ${actor.kind} cannot move an application from ${app.status} to ${to}.`);
      const entry = { actorType: actor.kind, actorId: actorId(actor), tenantId: app.tenantId, action: 'application.transition', targetType: 'application', targetId: id, details: { from: app.status, to } };
      // The row, its timeline event and the audit entry in one statement.
      const { rows } = await executePrepared(tx, sql<Row>`
        with timeline as (${this.eventInsert(id, app.status, to, actor, message)}), logged as (${auditInsert('comune', entry)})
        update comune.applications set status = ${to}, updated_at = now() ${set} where id = ${id} returning ${columns()}`);
      await announceStatusChange(tx, id, to);
      return fromRow(rows[0]!);
    });
  }

  /** The applicant's unsent answer (4200), if any: only the applicant reads it, the office sees the status only. */
  async integrationDraft(actor: ApplicationActor, id: string, tx: Executor = this.db): Promise<IntegrationDraft | undefined> {
    if (actor.kind !== 'citizen') throw forbidden('Only the applicant reads an answer in draft.');
    await this.get(actor, id, tx);
    const { rows } = await sql<{ message: string; documents: Attachment[]; updated_at: Date }>`
      select message, documents, updated_at from comune.application_integration_drafts where application_id = ${id}`.execute(tx);
    return rows[0] && { applicationId: id, message: rows[0].message, attachments: rows[0].documents, updatedAt: rows[0].updated_at };
  }

  /**
   * Saves the answer without sending it (4100 → 4200 the first time): the message as given, the new
   * documents added to those already saved (one per content).
   */
  async saveIntegrationDraft(actor: ApplicationActor, id: string, input: { message: string; attachments?: readonly Attachment[] }): Promise<IntegrationDraft> {
    if (actor.kind !== 'citizen') throw forbidden('Only the applicant answers a request for integration.');
    return transaction(this.db, async (tx) => {
      const app = await this.get(actor, id, tx, true);
      if (app.status === STATUS.requestIntegration) await this.transition(actor, id, STATUS.draftForIntegration, null, tx);
      else if (app.status !== STATUS.draftForIntegration) throw conflict('No integration is requested for this application.');
      const saved = (await this.integrationDraft(actor, id, tx))?.attachments ?? [];
      return this.writeIntegrationDraft(tx, id, input.message, withoutDuplicates([...saved, ...(input.attachments ?? [])]));
    });
  }

  /** Takes one document off the answer in draft; 404 if the draft has no such document. */
  async removeIntegrationDraftAttachment(actor: ApplicationActor, id: string, sha256: string): Promise<IntegrationDraft> {
    if (actor.kind !== 'citizen') throw forbidden('Only the applicant edits the answer in draft.');
    return transaction(this.db, async (tx) => {
      await this.get(actor, id, tx, true);
      const draft = await this.integrationDraft(actor, id, tx);
      if (!draft?.attachments.some((a) => a.sha256 === sha256)) throw notFound('The answer in draft has no such document.');
      return this.writeIntegrationDraft(tx, id, draft.message, draft.attachments.filter((a) => a.sha256 !== sha256));
    });
  }

  /**
   * Sends the applicant's answer to a request for integration (4100 or 4200 → 4300): the documents saved in
   * draft and the new ones, the answer's own PDF (the message and their SHA-256, the protocol's primary
   * document), the timeline event and the protocol job, all in one transaction. The idempotency key is the
   * answer's id: sent again (a double click) it returns the answer it first created.
   */
  async answerIntegration(actor: ApplicationActor, id: string, input: { message: string; attachments: readonly Attachment[]; idempotencyKey?: string }): Promise<IntegrationAnswer> {
    if (actor.kind !== 'citizen') throw forbidden('Only the applicant answers a request for integration.');
    return transaction(this.db, async (tx) => {
      // The application's row lock serialises two sends of the same answer: the second finds the first's.
      const app = await this.get(actor, id, tx, true);
      const answerId = input.idempotencyKey ?? randomUUID();
      const { rows: sent } = await sql<{ application_id: string }>`select application_id from comune.application_integrations where id = ${answerId}`.execute(tx);
      if (sent[0]?.application_id === id) return (await this.integrationAnswer(tx, answerId))!;
      if (sent[0]) throw conflict('This answer key belongs to another answer.');
      if (!checkTransition(app.status, STATUS.submittedAfterIntegration, 'citizen').ok) throw conflict('No integration is requested for this application.');
      const draft = app.status === STATUS.draftForIntegration ? await this.integrationDraft(actor, id, tx) : undefined;
      const attachments = withoutDuplicates([...(draft?.attachments ?? []), ...input.attachments]);
      const answer = { id: answerId, applicationId: id, message: input.message, attachments, submittedAt: this.now(), protocol: null };
      const pdf = await integrationAnswerPdf({
        enteName: await enteName(tx, app.tenantId),
        serviceName: app.serviceName,
        applicant: { name: app.citizenName, fiscalCode: app.citizenFiscalCode },
        applicationId: id,
        applicationProtocol: app.protocol,
        message: input.message,
        attachments: answer.attachments,
        submittedAt: answer.submittedAt,
        answerId: answer.id,
      });
      const stored = await this.files.put(pdf);
      const document = { ...stored, name: answerPdfName(answer.id), mime: 'application/pdf' };
      for (const attachment of [...answer.attachments, document]) await this.addAttachment(actor, id, attachment, tx);
      await sql`insert into comune.application_integrations (id, application_id, message, pdf_sha256, documents, submitted_at)
        values (${answer.id}, ${id}, ${input.message}, ${stored.sha256}, ${JSON.stringify(answer.attachments)}::jsonb, ${answer.submittedAt})`.execute(tx);
      await sql`delete from comune.application_integration_drafts where application_id = ${id}`.execute(tx);
      await this.transition(actor, id, STATUS.submittedAfterIntegration, input.message, tx);
      await enqueue(tx, 'comune', { kind: REGISTER_INTEGRATION_JOB, payload: { answerId: answer.id }, idempotencyKey: answer.id });
      return { ...answer, pdf: document };
    });
  }

  private async writeIntegrationDraft(tx: Executor, id: string, message: string, attachments: readonly Attachment[]): Promise<IntegrationDraft> {
    const { rows } = await sql<{ updated_at: Date }>`
      insert into comune.application_integration_drafts (application_id, message, documents, updated_at)
      values (${id}, ${message}, ${JSON.stringify(attachments)}::jsonb, ${this.now()})
      on conflict (application_id) do update set message = excluded.message, documents = excluded.documents, updated_at = excluded.updated_at
      returning updated_at`.execute(tx);
    // The personal area's "last change" of the application is the draft's.
    await sql`update comune.applications set updated_at = ${rows[0]!.updated_at} where id = ${id}`.execute(tx);
    return { applicationId: id, message, attachments: [...attachments], updatedAt: rows[0]!.updated_at };
  }

  /** One answer to a request for integration, for the protocol job (no actor: the system's read). */
  async integrationAnswer(db: Executor, answerId: string): Promise<IntegrationAnswer | undefined> {
    const { rows } = await sql<{ id: string; application_id: string; message: string; pdf_sha256: string; documents: Attachment[]; submitted_at: Date; protocol_id: string | null; protocol_number: number | null; protocol_year: number | null; protocol_registered_at: Date | null }>`
      select * from comune.application_integrations where id = ${answerId}`.execute(db);
    const r = rows[0];
    return (
      r && {
        id: r.id,
        applicationId: r.application_id,
        message: r.message,
        pdf: { sha256: r.pdf_sha256, name: answerPdfName(r.id), mime: 'application/pdf' },
        attachments: r.documents,
        submittedAt: r.submitted_at,
        protocol: r.protocol_id === null ? null : { id: r.protocol_id, number: r.protocol_number!, year: r.protocol_year!, registeredAt: r.protocol_registered_at! },
      }
    );
  }

  /**
   * Records the answer's protocol receipt, once, and shows it on the timeline: 4300 → 4400 (the system's
   * transition) when the application still waits for it, an event that keeps the status otherwise.
   */
  async recordIntegrationRegistration(tx: Executor, answerId: string, receipt: { id: string; number: number; year: number; registeredAt: Date }): Promise<void> {
    const { rows } = await sql<{ application_id: string }>`
      update comune.application_integrations set protocol_id = ${receipt.id}, protocol_number = ${receipt.number}, protocol_year = ${receipt.year},
        protocol_registered_at = ${receipt.registeredAt} where id = ${answerId} and protocol_id is null returning application_id`.execute(tx);
    if (!rows[0]) return;
    const id = rows[0].application_id;
    const system = { kind: 'system', id: 'protocol' } as const;
    const message = `Integrazione protocollata: n. ${receipt.number}/${receipt.year}`;
    const app = await this.get(system, id, tx, true);
    if (app.status === STATUS.submittedAfterIntegration) await this.transition(system, id, STATUS.registeredAfterIntegration, message, tx);
    // Taken in charge (or closed) before the number came back: the status stays, the timeline still says it.
    else await sql`insert into comune.application_events (application_id, from_status, to_status, actor_type, actor_id, message, at)
      values (${id}, ${app.status}, ${app.status}, 'system', ${system.id}, ${message}, ${this.now()})`.execute(tx);
  }

  async timeline(actor: ApplicationActor, id: string): Promise<ApplicationEvent[]> {
    await this.get(actor, id);
    const { rows } = await sql<{ from_status: StatusCode | null; to_status: StatusCode; actor_type: TransitionActor; actor_id: string; message: string | null; at: Date }>`
      select from_status, to_status, actor_type, actor_id, message, at from comune.application_events where application_id = ${id} order by id`.execute(this.db);
    return rows.map((r) => ({ from: r.from_status, to: r.to_status, actorType: r.actor_type, actorId: r.actor_id, message: r.message, at: r.at }));
  }

  async attachments(db: Executor, id: string): Promise<Attachment[]> {
    const { rows } = await sql<Attachment>`select sha256, name, size, mime from comune.application_attachments where application_id = ${id} order by created_at, name`.execute(db);
    return rows;
  }

  /**
   * Adds a document (bytes already in the document store): the applicant to a draft or an answer to a
   * request for integration (sent from 4100 or 4200), the ente's staff at any time (the outcome letter).
   */
  async addAttachment(actor: ApplicationActor, id: string, attachment: Attachment, tx: Executor = this.db): Promise<void> {
    const app = await this.get(actor, id, tx, true);
    if (actor.kind === 'citizen' && app.status !== STATUS.draft && app.status !== STATUS.requestIntegration && app.status !== STATUS.draftForIntegration) throw conflict(`A document cannot be added to an application in status ${app.status}.`);
    await sql`insert into comune.application_attachments (application_id, sha256, name, size, mime)
      values (${id}, ${attachment.sha256}, ${attachment.name}, ${attachment.size}, ${attachment.mime}) on conflict do nothing`.execute(tx);
  }

  /** Deletes one of the applicant's own drafts with its timeline and documents; false when there is no such draft. */
  async deleteDraft(actor: ApplicationActor, id: string, tx: Executor = this.db): Promise<boolean> {
    if (actor.kind !== 'citizen') throw forbidden('Only the applicant deletes a draft.');
    const { rows } = await sql<{ id: string }>`
      select id from comune.applications
      where id = ${id} and tenant_id = ${actor.tenantId} and citizen_fiscal_code = ${actor.fiscalCode} and status = ${STATUS.draft} for update`.execute(tx);
    if (!rows[0]) return false;
    await sql`delete from comune.application_attachments where application_id = ${id}`.execute(tx);
    await sql`delete from comune.application_events where application_id = ${id}`.execute(tx);
    await sql`delete from comune.applications where id = ${id}`.execute(tx);
    return true;
  }

  private async replaceAttachments(tx: Executor, id: string, attachments: readonly Attachment[]): Promise<void> {
    await sql`delete from comune.application_attachments where application_id = ${id}`.execute(tx);
    await this.insertAttachments(tx, id, attachments);
  }

  private async insertAttachments(tx: Executor, id: string, attachments: readonly Attachment[]): Promise<void> {
    if (!attachments.length) return;
    await sql`insert into comune.application_attachments (application_id, sha256, name, size, mime)
      values ${sql.join(attachments.map((a) => sql`(${id}, ${a.sha256}, ${a.name}, ${a.size}, ${a.mime})`))}
      on conflict do nothing`.execute(tx);
  }

  private async event(tx: Executor, id: string, from: StatusCode | null, to: StatusCode, actor: ApplicationActor, message: string | null): Promise<void> {
    await this.eventInsert(id, from, to, actor, message).execute(tx);
    await announceStatusChange(tx, id, to);
  }

  private eventInsert(id: string, from: StatusCode | null, to: StatusCode, actor: ApplicationActor, message: string | null) {
    return sql`insert into comune.application_events (application_id, from_status, to_status, actor_type, actor_id, message, at)
      values (${id}, ${from}, ${to}, ${actorType(actor)}, ${actorId(actor)}, ${message}, ${this.now()})`;
  }
}

/** Every status change is announced in its own transaction (outboxes): to the ente's webhooks and, through IO, to the citizen. */
async function announceStatusChange(tx: Executor, id: string, to: StatusCode): Promise<void> {
  await enqueueWebhookEvents(tx, id, to);
  await enqueueStatusMessage(tx, id, to);
}

function canSee(actor: ApplicationActor, app: Application): boolean {
  if (actor.kind === 'system') return true;
  if (actor.kind === 'operator') return actor.tenantId === app.tenantId;
  return actor.tenantId === app.tenantId && actor.fiscalCode === app.citizenFiscalCode;
}

async function enteName(db: Executor, tenantId: string): Promise<string> {
  const { rows } = await sql<{ name: string }>`select name from comune.tenants where id = ${tenantId}`.execute(db);
  return rows[0]?.name ?? '';
}

/** Each document once: the same content attached twice is one document (the attachments' key is its SHA-256). */
const withoutDuplicates = (attachments: readonly Attachment[]): Attachment[] => [...new Map(attachments.map((a) => [a.sha256, a])).values()];
