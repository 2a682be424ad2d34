// The payment of a service, pure: how much (fixed, typed in a form field, or a price per chosen option),
// how it is split on the ente's budget chapters (one GPD transfer each, at most five), how it is spread on
// installments, and the GPD payment options that result. Amounts in euro cents, integers throughout.
import { addDays, compareIsoDates, isIsoDate, type IsoDate } from '../../domain/dates.ts';
import { MAX_TRANSFERS } from '../../clients/pagopa/wire.ts';

export const PAYMENT_MODES = ['none', 'immediate', 'deferred', 'optional'] as const;
export type PaymentMode = (typeof PAYMENT_MODES)[number];

export type AmountRule =
  | { kind: 'fixed'; cents: number }
  /** The form field `key` holds an amount in euros ("12,50", "12.50" or a number). */
  | { kind: 'field'; key: string }
  /** The option chosen in the form field `key` (a select or radio) → its price. */
  | { kind: 'priceList'; key: string; prices: Record<string, number> };

/** One part of the split: a fixed amount, or a percentage of what the fixed parts leave. */
export type SplitPart = { chapter: string; cents: number } | { chapter: string; percent: number };

export interface InstallmentRule {
  /** Due dates of the installments, in order (2 to 12). */
  dueDates: IsoDate[];
}

export interface ServicePayment {
  mode: PaymentMode;
  amount: AmountRule;
  split: SplitPart[];
  installments: InstallmentRule | null;
  /** The causale: what the citizen reads on the notice and the receipt (≤ 140 characters in GPD). */
  reason: string;
  /** A single payment is due this many days after it is asked. */
  dueDays: number;
}

/** GPD: a payment option's amount is 1 cent to 99 999 999.99 €; our services stay far below. */
export const MAX_CENTS = 999_999_999;
export const MAX_INSTALLMENTS = 12;
export const REASON_MAX = 140;

/** An amount in euros as a citizen or an admin types it (Italian comma or a dot, up to two decimals) → cents. */
export function parseEuroCents(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value * 100) : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim().replace(/\s|€/g, '');
  const match = /^(\d{1,7})(?:[.,](\d{1,2}))?$/.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * 100 + Number((match[2] ?? '0').padEnd(2, '0'));
}

export type AmountOutcome = { ok: true; cents: number } | { ok: false; reason: 'missing' | 'invalid' | 'unpriced' | 'zero' | 'too-large' };

/** What the application owes, from its answers. */
export function amountOf(rule: AmountRule, data: Record<string, unknown>): AmountOutcome {
  let cents: number | undefined;
  if (rule.kind === 'fixed') cents = rule.cents;
  else {
    const value = data[rule.key];
    if (value === undefined || value === null || value === '') return { ok: false, reason: 'missing' };
    if (rule.kind === 'field') cents = parseEuroCents(value);
    else {
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return { ok: false, reason: 'invalid' };
      if (!Object.hasOwn(rule.prices, String(value))) return { ok: false, reason: 'unpriced' };
      cents = rule.prices[String(value)];
    }
  }
  if (cents === undefined || !Number.isInteger(cents) || cents < 0) return { ok: false, reason: 'invalid' };
  if (cents === 0) return { ok: false, reason: 'zero' };
  if (cents > MAX_CENTS) return { ok: false, reason: 'too-large' };
  return { ok: true, cents };
}

/**
 * Splits `total` in proportion to `weights` so that the parts add up to `total` exactly: each part rounded
 * down, the cents left over to the largest remainders (Hamilton's method), ties to the earlier part.
 */
export function allocate(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum <= 0) throw new RangeError('weights must add up to more than zero');
  const exact = weights.map((w) => (total * w) / sum);
  const parts = exact.map(Math.floor);
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left === 0) break;
    parts[i]! += 1;
    left--;
  }
  return parts;
}

export type SplitOutcome = { ok: true; parts: { chapter: string; cents: number }[] } | { ok: false; reason: 'no-parts' | 'too-many-parts' | 'duplicate-chapter' | 'fixed-exceed' | 'percent-not-100' | 'fixed-not-total' | 'empty-part' };

/**
 * The amount on the chapters: fixed parts first, the rest by percentages (which must add up to 100); without
 * percentages the fixed parts must make the total. Each part is one GPD transfer: at most five, none empty.
 */
export function splitAmount(total: number, split: readonly SplitPart[]): SplitOutcome {
  if (split.length === 0) return { ok: false, reason: 'no-parts' };
  if (split.length > MAX_TRANSFERS) return { ok: false, reason: 'too-many-parts' };
  if (new Set(split.map((p) => p.chapter)).size !== split.length) return { ok: false, reason: 'duplicate-chapter' };
  const fixed = split.reduce((sum, p) => sum + ('cents' in p ? p.cents : 0), 0);
  const percents = split.filter((p): p is { chapter: string; percent: number } => 'percent' in p);
  if (fixed > total) return { ok: false, reason: 'fixed-exceed' };
  let rest: number[] = [];
  if (percents.length) {
    if (Math.abs(percents.reduce((sum, p) => sum + p.percent, 0) - 100) > 1e-9) return { ok: false, reason: 'percent-not-100' };
    rest = allocate(total - fixed, percents.map((p) => p.percent));
  } else if (fixed !== total) return { ok: false, reason: 'fixed-not-total' };
  let next = 0;
  const parts = split.map((p) => ({ chapter: p.chapter, cents: 'cents' in p ? p.cents : rest[next++]! }));
  if (parts.some((p) => p.cents < 1)) return { ok: false, reason: 'empty-part' };
  return { ok: true, parts };
}

/** The installments of `total`: equal parts, the cents that do not divide on the first ones (allocate). */
export function installmentAmounts(total: number, count: number): number[] {
  return allocate(total, Array.from({ length: count }, () => 1));
}

export function checkInstallments(rule: InstallmentRule): 'count' | 'date' | 'order' | undefined {
  if (rule.dueDates.length < 2 || rule.dueDates.length > MAX_INSTALLMENTS) return 'count';
  if (!rule.dueDates.every(isIsoDate)) return 'date';
  for (let i = 1; i < rule.dueDates.length; i++) if (compareIsoDates(rule.dueDates[i - 1]!, rule.dueDates[i]!) >= 0) return 'order';
  return undefined;
}

export interface Chapter {
  code: string;
  taxonomy: string;
  iban: string;
  active: boolean;
}

/** A payment option as the comune asks GPD for it (PaymentOptionModel without the IUV, which pagoPA generates). */
export interface PlannedOption {
  amount: number;
  description: string;
  isPartialPayment: boolean;
  dueDate: IsoDate;
  transfer: { idTransfer: '1' | '2' | '3' | '4' | '5'; amount: number; remittanceInformation: string; category: string; iban: string }[];
}

export type PlanFailure = Extract<SplitOutcome, { ok: false }>['reason'] | 'unknown-chapter' | 'inactive-chapter' | 'installments';
export type PlanOutcome = { ok: true; options: PlannedOption[] } | { ok: false; reason: PlanFailure };

const ID_TRANSFER = ['1', '2', '3', '4', '5'] as const;

/**
 * The payment options of a debt position for `total` (SANP "Opzioni di pagamento"): one single payment due
 * `dueDays` after `today`; with installments, also one option per installment (isPartialPayment), each split on
 * the chapters in the same proportions as the whole, so every option's transfers add up to its amount.
 */
export function planOptions(input: { total: number; split: readonly SplitPart[]; installments: InstallmentRule | null; reason: string; chapters: readonly Chapter[]; today: IsoDate; dueDays: number }): PlanOutcome {
  const split = splitAmount(input.total, input.split);
  if (!split.ok) return split;
  const chapters = split.parts.map((p) => input.chapters.find((c) => c.code === p.chapter));
  if (chapters.some((c) => c === undefined)) return { ok: false, reason: 'unknown-chapter' };
  if (chapters.some((c) => !c!.active)) return { ok: false, reason: 'inactive-chapter' };
  const reason = input.reason.slice(0, REASON_MAX);
  const option = (amount: number, description: string, dueDate: IsoDate, isPartialPayment: boolean): PlannedOption => {
    const cents = amount === input.total ? split.parts.map((p) => p.cents) : allocate(amount, split.parts.map((p) => p.cents));
    return {
      amount,
      description: description.slice(0, REASON_MAX),
      isPartialPayment,
      dueDate,
      transfer: cents.map((c, i) => ({ idTransfer: ID_TRANSFER[i]!, amount: c, remittanceInformation: reason, category: chapters[i]!.taxonomy, iban: chapters[i]!.iban })),
    };
  };
  const single = option(input.total, reason, addDays(input.today, input.dueDays), false);
  if (!input.installments) return { ok: true, options: [single] };
  if (checkInstallments(input.installments)) return { ok: false, reason: 'installments' };
  const dates = input.installments.dueDates;
  const options = [
    { ...single, dueDate: dates[0]! },
    ...installmentAmounts(input.total, dates.length).map((amount, i) => option(amount, `${reason} - rata ${i + 1} di ${dates.length}`, dates[i]!, true)),
  ];
  // GPD refuses a transfer of 0 cents: a small installment cannot carry every chapter.
  if (options.some((o) => o.transfer.some((t) => t.amount < 1))) return { ok: false, reason: 'empty-part' };
  return { ok: true, options };
}
