// The payment of each service (comune.service_payments): none, before submission (immediate), asked by the
// office during the iter (deferred) or optional; its amount rule, split on budget chapters, installments and
// reason. Checked against the ente's chapters before it is saved.
import { sql, type Executor } from '../../core/db.ts';
import type { BudgetChapter } from './settings.ts';
import { checkInstallments, MAX_CENTS, PAYMENT_MODES, planOptions, REASON_MAX, type AmountRule, type ServicePayment } from './rules.ts';

interface Row {
  mode: ServicePayment['mode'];
  amount: AmountRule;
  split: ServicePayment['split'];
  installments: ServicePayment['installments'];
  reason: string;
  due_days: number;
}

export async function servicePaymentOf(db: Executor, serviceId: string): Promise<ServicePayment | undefined> {
  const { rows } = await sql<Row>`select mode, amount, split, installments, reason, due_days from comune.service_payments where service_id = ${serviceId}`.execute(db);
  const r = rows[0];
  return r && { mode: r.mode, amount: r.amount, split: r.split, installments: r.installments, reason: r.reason, dueDays: r.due_days };
}

export async function saveServicePayment(db: Executor, tenantId: string, serviceId: string, payment: ServicePayment): Promise<void> {
  await sql`
    insert into comune.service_payments (service_id, tenant_id, mode, amount, split, installments, reason, due_days)
    values (${serviceId}, ${tenantId}, ${payment.mode}, ${JSON.stringify(payment.amount)}::jsonb, ${JSON.stringify(payment.split)}::jsonb,
      ${payment.installments ? JSON.stringify(payment.installments) : null}::jsonb, ${payment.reason}, ${payment.dueDays})
    on conflict (service_id) do update set mode = excluded.mode, amount = excluded.amount, split = excluded.split, installments = excluded.installments,
      reason = excluded.reason, due_days = excluded.due_days, updated_at = now()`.execute(db);
}

/**
 * What is wrong with a service's payment, field → reason code (payments/messages.ts `payments.error.*`): every
 * amount the rule can give must make a valid plan on the ente's chapters.
 */
export function checkServicePayment(payment: ServicePayment, chapters: readonly BudgetChapter[], today: string): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!PAYMENT_MODES.includes(payment.mode)) errors.mode = 'invalid';
  if (payment.mode === 'none') return errors;
  if (!payment.reason.trim() || payment.reason.length > REASON_MAX) errors.reason = 'reason';
  if (!Number.isInteger(payment.dueDays) || payment.dueDays < 1 || payment.dueDays > 365) errors.dueDays = 'dueDays';
  const amount = payment.amount;
  if (amount.kind === 'fixed' && (!Number.isInteger(amount.cents) || amount.cents < 1 || amount.cents > MAX_CENTS)) errors.amount = 'amount';
  if (amount.kind !== 'fixed' && !/^[A-Za-z0-9_-]{1,100}$/.test(amount.key)) errors.amountKey = 'fieldKey';
  if (amount.kind === 'priceList' && (Object.keys(amount.prices).length === 0 || Object.values(amount.prices).some((c) => !Number.isInteger(c) || c < 1 || c > MAX_CENTS))) errors.prices = 'prices';
  if (payment.installments) {
    const wrong = checkInstallments(payment.installments);
    if (wrong) errors.installments = `installments-${wrong}`;
  }
  if (!errors.amount && !errors.prices && !errors.installments) {
    // Every amount the rule can give must split: the fixed one, each price, or (typed by the citizen) one above the fixed parts.
    const fixedParts = payment.split.reduce((sum, p) => sum + ('cents' in p ? p.cents : 0), 0);
    const samples =
      amount.kind === 'fixed' ? [amount.cents] : amount.kind === 'priceList' ? Object.values(amount.prices) : [fixedParts + 100 * Math.max(1, payment.split.length) * (payment.installments?.dueDates.length ?? 1)];
    for (const total of samples) {
      const plan = planOptions({ total, split: payment.split, installments: payment.installments, reason: payment.reason || 'x', chapters, today, dueDays: 1 });
      if (!plan.ok) errors.split = plan.reason;
    }
  }
  return errors;
}
