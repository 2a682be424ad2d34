// Where payments meet applications: the fee of a service at submission (immediate, optional), the payment an
// operator asks during the iter (deferred), both opened as a debt position and published on GPD. A failure of
// GPD leaves the payment written and unpublished: the payment page and the catch-up job publish it later.
import type { FastifyBaseLogger } from 'fastify';
import { sql, transaction, type Executor } from '../../core/db.ts';
import { audit } from '../../core/audit.ts';
import { conflict, HttpProblem, invalid, problemType } from '../../core/problem.ts';
import { dateInItaly } from '../../domain/dates.ts';
import { ApplicationStore, type Application } from '../applications/store.ts';
import { STATUS } from '../applications/states.ts';
import type { Service } from '../catalog/model.ts';
import type { Tenant } from '../tenants/tenants.ts';
import { amountOf, planOptions, type PlanFailure, type PlannedOption, type ServicePayment } from './rules.ts';
import { servicePaymentOf } from './service-payments.ts';
import { paymentSettingsOf, type PaymentSettings } from './settings.ts';
import { applicationPayments, PaymentStore, type ApplicationPayment, type PaymentsDeps } from './store.ts';

/** The service's payment asked at submission and its amount for these answers; undefined when it asks none then. */
export async function feeAtSubmission(db: Executor, service: Pick<Service, 'id'>, data: Record<string, unknown>): Promise<{ rule: ServicePayment; cents: number } | undefined> {
  const rule = await servicePaymentOf(db, service.id);
  if (!rule || (rule.mode !== 'immediate' && rule.mode !== 'optional')) return undefined;
  const amount = amountOf(rule.amount, data);
  if (!amount.ok) {
    const pointer = rule.amount.kind === 'fixed' ? '/amount' : `/data/${rule.amount.key}`;
    throw invalid([{ pointer, code: `payment-amount-${amount.reason}`, detail: 'The answers do not give the amount to pay.' }], 'The amount to pay cannot be computed.');
  }
  return { rule, cents: amount.cents };
}

const planProblem = (reason: PlanFailure) =>
  new HttpProblem(422, { type: problemType('payment-plan'), detail: `The payment cannot be split on the budget chapters: ${reason}.`, extra: { code: reason } });

export interface PlannedFee {
  rule: ServicePayment;
  settings: PaymentSettings;
  options: PlannedOption[];
}

export class PaymentFlow {
  readonly store: PaymentStore;
  constructor(
    private readonly deps: PaymentsDeps,
    private readonly log?: FastifyBaseLogger,
  ) {
    this.store = new PaymentStore(deps);
  }

  /**
   * The fee's payment options on the ente's chapters: asked before the submission, so that a fee the ente cannot
   * collect (no settings, a chapter gone) refuses the submission instead of leaving the application in 1500.
   */
  async planFee(tenant: Tenant, fee: { rule: ServicePayment; cents: number }): Promise<PlannedFee> {
    const settings = await paymentSettingsOf(this.deps.db, tenant.id);
    if (!settings) throw conflict('The ente has no payment settings.');
    const plan = planOptions({
      total: fee.cents,
      split: fee.rule.split,
      installments: fee.rule.installments,
      reason: fee.rule.reason,
      chapters: settings.chapters,
      today: dateInItaly(this.now()),
      dueDays: fee.rule.dueDays,
    });
    if (!plan.ok) throw planProblem(plan.reason);
    return { rule: fee.rule, settings, options: plan.options };
  }

  /**
   * Opens the planned fee for a submitted application (the draft went to 1500 for an immediate one) and publishes
   * it on GPD; the payment comes back published, or unpublished when GPD could not be reached (published later).
   */
  async openAtSubmission(tenant: Tenant, application: Application, fee: PlannedFee, email?: string | null): Promise<ApplicationPayment> {
    const { rule, settings, options } = fee;
    const payment = await transaction(this.deps.db, async (tx) => {
      // A double-clicked submission: the application's row lock makes the second find the first's payment.
      await sql`select id from comune.applications where id = ${application.id} for update`.execute(tx);
      const existing = (await applicationPayments(tx, application.id)).find((p) => p.kind === 'immediate' || p.kind === 'optional');
      return (
        existing ??
        (await this.store.open(tx, { application, kind: rule.mode as 'immediate' | 'optional', settings, companyName: tenant.name, email, options, reason: rule.reason }))
      );
    });
    return this.tryPublish(payment);
  }

  /**
   * The office asks a payment during the iter (4000/4500 → 1500): amount, reason and due date from the
   * operator, split on the service's chapters; the application goes back where it was once paid.
   */
  async requestDeferred(tenant: Tenant, application: Application, operatorId: string, input: { cents: number; reason: string; dueDate: string }): Promise<ApplicationPayment> {
    const rule = await servicePaymentOf(this.deps.db, application.serviceId);
    if (!rule || rule.mode !== 'deferred') throw conflict('This service has no payment asked by the office.');
    const settings = await paymentSettingsOf(this.deps.db, tenant.id);
    if (!settings) throw conflict('The ente has no payment settings.');
    const today = dateInItaly(this.now());
    if (input.dueDate <= today) throw invalid([{ pointer: '/body/dueDate', code: 'future', detail: 'The due date must be after today.' }]);
    const dueDays = Math.round((Date.parse(input.dueDate) - Date.parse(today)) / 86_400_000);
    const plan = planOptions({ total: input.cents, split: rule.split, installments: null, reason: input.reason, chapters: settings.chapters, today, dueDays });
    if (!plan.ok) throw planProblem(plan.reason);
    const applications = new ApplicationStore(this.deps.db, this.deps.documents, this.deps.now);
    const operator = { kind: 'operator', tenantId: tenant.id, id: operatorId } as const;
    const payment = await transaction(this.deps.db, async (tx) => {
      const app = await applications.get(operator, application.id, tx, true);
      if (app.status !== STATUS.pending && app.status !== STATUS.pendingAfterIntegration) throw conflict('A payment can be asked only of an application taken in charge.');
      const opened = await this.store.open(tx, {
        application: app,
        kind: 'deferred',
        settings,
        companyName: tenant.name,
        options: plan.options,
        reason: input.reason,
        resumeStatus: app.status,
        requestedBy: operatorId,
      });
      await applications.transition(operator, app.id, STATUS.paymentPending, input.reason, tx);
      await audit(tx, 'comune', { actorType: 'operator', actorId: operatorId, tenantId: tenant.id, action: 'payment.request', targetType: 'application', targetId: app.id, details: { iupd: opened.iupd, amountCents: input.cents, dueDate: input.dueDate } });
      return opened;
    });
    return this.tryPublish(payment);
  }

  /** Publishes on GPD, or leaves it for later (logged) when GPD cannot be reached or refuses for now. */
  async tryPublish(payment: ApplicationPayment): Promise<ApplicationPayment> {
    try {
      return await this.store.publish(payment);
    } catch (err) {
      this.log?.warn({ err, iupd: payment.iupd }, 'payments: the debt position is not on GPD yet; retried later');
      return payment;
    }
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}
