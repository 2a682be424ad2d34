// The payments asked of applications: one GPD debt position each (IUPD from the application's id), kept in
// comune.application_payments with its options as GPD answered. The position is written here first and
// published on GPD after, retried until GPD has it; what GPD says about it (re-read, never taken from a push)
// moves the application: 1500/1510 → 1520 → 1900 → 2000 (immediate) or back where it was (deferred), in one
// transaction with the timeline events.
import { sql, transaction, type Executor } from '../../core/db.ts';
import { audit } from '../../core/audit.ts';
import { conflict, notFound } from '../../core/problem.ts';
import type { AppContext } from '../../core/runtime.ts';
import { GpdError, type GpdClient, type PaymentPosition, type PaymentPositionBody } from '../../clients/pagopa/index.ts';
import type { PaymentOptionStatus } from '../../clients/pagopa/wire.ts';
import { ApplicationStore, type Application } from '../applications/store.ts';
import { STATUS, type StatusCode } from '../applications/states.ts';
import type { DocumentStore } from '../protocol/files.ts';
import { gpdClientFor, paymentSettingsOf, type PaymentSettings } from './settings.ts';
import type { PlannedOption } from './rules.ts';
import { enqueuePaymentNotice } from '../messaging/store.ts';

export type ApplicationPaymentKind = 'immediate' | 'deferred' | 'optional';
export type ApplicationPaymentStatus = 'unpaid' | 'paid' | 'cancelled';

/** A payment option as GPD answered it. */
export interface StoredOption {
  nav: string;
  iuv: string;
  amount: number;
  description: string;
  isPartialPayment: boolean;
  dueDate: string;
  status: PaymentOptionStatus;
  paymentDate?: string;
  pspCompany?: string;
  paymentMethod?: string;
  idReceipt?: string;
}

export interface ApplicationPayment {
  id: string;
  tenantId: string;
  applicationId: string;
  kind: ApplicationPaymentKind;
  creditorFiscalCode: string;
  iupd: string;
  debtorFiscalCode: string;
  amountCents: number;
  reason: string;
  status: ApplicationPaymentStatus;
  published: boolean;
  position: PaymentPositionBody;
  options: StoredOption[];
  /** Deferred: the status the application goes back to once paid. */
  resumeStatus: StatusCode | null;
  requestedBy: string | null;
  paidAt: Date | null;
  pspCompany: string | null;
  receiptId: string | null;
  createdAt: Date;
  lastCheckedAt: Date | null;
}

interface Row {
  id: string;
  tenant_id: string;
  application_id: string;
  kind: ApplicationPaymentKind;
  creditor_fiscal_code: string;
  iupd: string;
  debtor_fiscal_code: string;
  amount_cents: number;
  reason: string;
  status: ApplicationPaymentStatus;
  published: boolean;
  position: PaymentPositionBody;
  options: StoredOption[];
  resume_status: StatusCode | null;
  requested_by: string | null;
  paid_at: Date | null;
  psp_company: string | null;
  receipt_id: string | null;
  created_at: Date;
  last_checked_at: Date | null;
}

const fromRow = (r: Row): ApplicationPayment => ({
  id: r.id,
  tenantId: r.tenant_id,
  applicationId: r.application_id,
  kind: r.kind,
  creditorFiscalCode: r.creditor_fiscal_code,
  iupd: r.iupd,
  debtorFiscalCode: r.debtor_fiscal_code,
  amountCents: r.amount_cents,
  reason: r.reason,
  status: r.status,
  published: r.published,
  position: r.position,
  options: r.options,
  resumeStatus: r.resume_status,
  requestedBy: r.requested_by,
  paidAt: r.paid_at,
  pspCompany: r.psp_company,
  receiptId: r.receipt_id,
  createdAt: r.created_at,
  lastCheckedAt: r.last_checked_at,
});

/** GPD states in which the whole debt is paid (§3.4 "fully paid"). */
const FULLY_PAID = ['PAID', 'REPORTED'];
/** The application moves on with the first payment: the whole, or the first installment of a plan. */
const SETTLES_APPLICATION = [...FULLY_PAID, 'PARTIALLY_PAID'];
/** The statuses an application waits for its payment in. */
export const AWAITING_PAYMENT: readonly StatusCode[] = [STATUS.paymentPending, STATUS.paymentOutcomePending];

/** A due date (YYYY-MM-DD) as GPD's date-time: 21:59:59Z is the same calendar day in Rome in winter and in summer. */
export const gpdDueDate = (day: string) => `${day}T21:59:59.000Z`;

const toStored = (o: PaymentPosition['paymentOption'][number]): StoredOption => ({
  nav: o.nav,
  iuv: o.iuv,
  amount: o.amount,
  description: o.description,
  isPartialPayment: o.isPartialPayment,
  dueDate: o.dueDate,
  status: o.status,
  ...(o.paymentDate ? { paymentDate: o.paymentDate } : {}),
  ...(o.pspCompany ? { pspCompany: o.pspCompany } : {}),
  ...(o.paymentMethod ? { paymentMethod: o.paymentMethod } : {}),
  ...(o.idReceipt ? { idReceipt: o.idReceipt } : {}),
});

/** The payments asked of an application, oldest first. */
export async function applicationPayments(db: Executor, applicationId: string): Promise<ApplicationPayment[]> {
  const { rows } = await sql<Row>`select * from comune.application_payments where application_id = ${applicationId} order by created_at`.execute(db);
  return rows.map(fromRow);
}

export interface PaymentsDeps {
  db: Executor;
  app: Pick<AppContext, 'secret'>;
  documents: DocumentStore;
  now?: () => Date;
  /** The ente's GPD client (tests may observe it); gpdClientFor by default. */
  gpd?: (settings: PaymentSettings) => GpdClient;
}

export interface OpenPaymentInput {
  application: Pick<Application, 'id' | 'tenantId' | 'citizenFiscalCode' | 'citizenName'>;
  kind: ApplicationPaymentKind;
  settings: PaymentSettings;
  companyName: string;
  officeName?: string;
  email?: string | null;
  options: PlannedOption[];
  reason: string;
  resumeStatus?: StatusCode;
  requestedBy?: string;
}

export class PaymentStore {
  private readonly applications: ApplicationStore;
  private readonly now: () => Date;
  constructor(private readonly deps: PaymentsDeps) {
    this.now = deps.now ?? (() => new Date());
    this.applications = new ApplicationStore(deps.db, deps.documents, this.now);
  }

  private gpd(settings: PaymentSettings): GpdClient {
    return this.deps.gpd ? this.deps.gpd(settings) : gpdClientFor(this.deps.app, settings);
  }

  async byId(id: string, db: Executor = this.deps.db, lock = false): Promise<ApplicationPayment | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
    const { rows } = await sql<Row>`select * from comune.application_payments where id = ${id} ${lock ? sql`for update` : sql``}`.execute(db);
    return rows[0] && fromRow(rows[0]);
  }

  forApplication(applicationId: string): Promise<ApplicationPayment[]> {
    return applicationPayments(this.deps.db, applicationId);
  }

  /** The citizen's payments with this ente, newest first. */
  async forDebtor(tenantId: string, fiscalCode: string): Promise<(ApplicationPayment & { serviceName: string })[]> {
    const { rows } = await sql<Row & { service_name: string }>`
      select p.*, a.service_name from comune.application_payments p join comune.applications a on a.id = p.application_id
      where p.tenant_id = ${tenantId} and p.debtor_fiscal_code = ${fiscalCode} and p.status <> 'cancelled' order by p.created_at desc`.execute(this.deps.db);
    return rows.map((r) => ({ ...fromRow(r), serviceName: r.service_name }));
  }

  /** The payment whose option has this notice number, for a creditor (pagoPA's pushes name the notice). */
  async byNotice(creditorFiscalCode: string, nav: string): Promise<ApplicationPayment | undefined> {
    const { rows } = await sql<Row>`
      select * from comune.application_payments where creditor_fiscal_code = ${creditorFiscalCode} and options @> ${JSON.stringify([{ nav }])}::jsonb`.execute(this.deps.db);
    return rows[0] && fromRow(rows[0]);
  }

  /**
   * Writes the payment and the position it asks of GPD (not yet published), in the caller's transaction. The
   * IUPD is the application's id, with a counter for the later payments of the same application.
   */
  async open(tx: Executor, input: OpenPaymentInput): Promise<ApplicationPayment> {
    const { rows: count } = await sql<{ n: number }>`select count(*)::int as n from comune.application_payments where application_id = ${input.application.id}`.execute(tx);
    const iupd = count[0]!.n === 0 ? input.application.id : `${input.application.id}-${count[0]!.n + 1}`;
    const position: PaymentPositionBody = {
      iupd,
      type: 'F',
      fiscalCode: input.application.citizenFiscalCode,
      fullName: input.application.citizenName.slice(0, 70),
      ...(input.email ? { email: input.email } : {}),
      switchToExpired: false,
      companyName: input.companyName.slice(0, 140),
      ...(input.officeName ? { officeName: input.officeName.slice(0, 140) } : {}),
      paymentOption: input.options.map((o) => ({ ...o, dueDate: gpdDueDate(o.dueDate) })),
    };
    const total = input.options.find((o) => !o.isPartialPayment)!.amount;
    const { rows } = await sql<Row>`
      insert into comune.application_payments (tenant_id, application_id, kind, creditor_fiscal_code, iupd, debtor_fiscal_code, amount_cents, reason, status,
        position, resume_status, requested_by)
      values (${input.application.tenantId}, ${input.application.id}, ${input.kind}, ${input.settings.creditorFiscalCode}, ${iupd}, ${input.application.citizenFiscalCode},
        ${total}, ${input.reason}, 'unpaid', ${JSON.stringify(position)}::jsonb, ${input.resumeStatus ?? null}, ${input.requestedBy ?? null})
      returning *`.execute(tx);
    return fromRow(rows[0]!);
  }

  /**
   * Creates and publishes the position on GPD, once: a position GPD already has (a retry after a lost answer,
   * 409) is read back instead. Stores the options (NAV, IUV) GPD gave.
   */
  async publish(payment: ApplicationPayment): Promise<ApplicationPayment> {
    if (payment.published) return payment;
    const settings = await this.settingsOf(payment.tenantId);
    const gpd = this.gpd(settings);
    let position: PaymentPosition;
    try {
      position = await gpd.createPosition(payment.position, { toPublish: true });
    } catch (err) {
      if (!(err instanceof GpdError && err.status === 409)) throw err;
      position = await gpd.getPosition(payment.iupd);
      if (position.status === 'DRAFT') position = await gpd.publishPosition(payment.iupd);
    }
    return this.record(payment.id, position);
  }

  /** Reads the position from GPD and acts on what it says (publishing it first if it never was). */
  async sync(payment: ApplicationPayment): Promise<ApplicationPayment> {
    if (!payment.published) return this.publish(payment);
    const position = await this.gpd(await this.settingsOf(payment.tenantId)).getPosition(payment.iupd);
    return this.record(payment.id, position);
  }

  private async settingsOf(tenantId: string): Promise<PaymentSettings> {
    const settings = await paymentSettingsOf(this.deps.db, tenantId);
    if (!settings) throw conflict('The ente has no payment settings.');
    return settings;
  }

  /**
   * Stores what GPD says of the position and, when it is paid, moves the application, all in one transaction
   * under the payment's row lock (a push and the catch-up job never move it twice).
   */
  async record(paymentId: string, position: PaymentPosition): Promise<ApplicationPayment> {
    return transaction(this.deps.db, async (tx) => {
      const before = (await this.byId(paymentId, tx, true))!;
      const options = position.paymentOption.map(toStored);
      const paid = options.filter((o) => o.status !== 'PO_UNPAID').sort((a, b) => (a.paymentDate ?? '').localeCompare(b.paymentDate ?? ''));
      const last = paid.at(-1);
      const status: ApplicationPaymentStatus = FULLY_PAID.includes(position.status) ? 'paid' : position.status === 'INVALID' ? 'cancelled' : 'unpaid';
      const { rows } = await sql<Row>`
        update comune.application_payments set published = true, options = ${JSON.stringify(options)}::jsonb, status = ${status},
          paid_at = ${last?.paymentDate ? new Date(last.paymentDate) : null}, psp_company = ${last?.pspCompany ?? null}, receipt_id = ${last?.idReceipt ?? null},
          last_checked_at = ${this.now()}, updated_at = now()
        where id = ${paymentId} returning *`.execute(tx);
      const payment = fromRow(rows[0]!);
      // Published for the first time: the citizen gets the notice (through IO) with its reminder, in this transaction.
      const notice = options.find((o) => !o.isPartialPayment) ?? options[0];
      if (!before.published && notice && status === 'unpaid') {
        await enqueuePaymentNotice(tx, { kind: 'payment_notice', tenantId: payment.tenantId, applicationId: payment.applicationId, fiscalCode: payment.debtorFiscalCode, reason: payment.reason,
          creditorFiscalCode: payment.creditorFiscalCode, iupd: payment.iupd, option: notice }, this.now());
      }
      if (SETTLES_APPLICATION.includes(position.status) && before.kind !== 'optional') await this.settle(tx, payment, last);
      if (status === 'paid' && before.status !== 'paid') {
        await audit(tx, 'comune', {
          actorType: 'system',
          actorId: 'payments',
          tenantId: payment.tenantId,
          action: 'payment.paid',
          targetType: 'application',
          targetId: payment.applicationId,
          details: { iupd: payment.iupd, amountCents: payment.amountCents, receiptId: payment.receiptId, psp: payment.pspCompany },
        });
      }
      return payment;
    });
  }

  /** The payment arrived: the application waiting for it moves on (nothing happens if it does not wait any more). */
  private async settle(tx: Executor, payment: ApplicationPayment, option: StoredOption | undefined): Promise<void> {
    const system = { kind: 'system', id: 'payments' } as const;
    const app = await this.applications.get(system, payment.applicationId, tx, true);
    if (!AWAITING_PAYMENT.includes(app.status)) return;
    const message = option ? `Pagamento ricevuto: avviso ${option.nav}${option.pspCompany ? `, ${option.pspCompany}` : ''}` : null;
    await this.applications.transition(system, app.id, STATUS.paymentSuccess, message, tx);
    if (payment.kind === 'immediate') await this.applications.submitPaid(tx, app.id);
    else await this.applications.transition(system, app.id, payment.resumeStatus ?? STATUS.pending, null, tx, 'deferred');
  }

  /** The citizen left for pagoPA's checkout: 1500 → 1510 (kept if already there). */
  async leftForCheckout(payment: ApplicationPayment, fiscalCode: string, tenantId: string): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      const actor = { kind: 'citizen', tenantId, fiscalCode } as const;
      const app = await this.applications.get(actor, payment.applicationId, tx, true);
      if (app.status === STATUS.paymentPending && payment.kind !== 'optional') await this.applications.transition(actor, app.id, STATUS.paymentOutcomePending, null, tx);
    });
  }

  /** Back from the checkout without paying, or never back (catch-up): 1510 → 1500, the notice payable again. */
  async backFromCheckout(payment: ApplicationPayment, actor: { kind: 'citizen'; tenantId: string; fiscalCode: string } | { kind: 'system'; id: string }): Promise<void> {
    await transaction(this.deps.db, async (tx) => {
      const app = await this.applications.get(actor, payment.applicationId, tx, true);
      if (app.status === STATUS.paymentOutcomePending) await this.applications.transition(actor, app.id, STATUS.paymentPending, null, tx);
    });
  }

  /** The payments still unpaid and not looked at since `before`, oldest check first (the catch-up job's round). */
  async due(before: Date, limit: number): Promise<ApplicationPayment[]> {
    const { rows } = await sql<Row>`
      select * from comune.application_payments where status = 'unpaid' and (last_checked_at is null or last_checked_at < ${before})
      order by last_checked_at nulls first, created_at limit ${limit}`.execute(this.deps.db);
    return rows.map(fromRow);
  }

  /** Only for a payment this store opened: 404 otherwise. */
  async require(id: string): Promise<ApplicationPayment> {
    const payment = await this.byId(id);
    if (!payment) throw notFound('No such payment.');
    return payment;
  }
}
