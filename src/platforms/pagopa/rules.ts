// The rules of GPD (Gestione Posizioni Debitorie) as pure functions: what a debt position must contain,
// which operation each state allows and where it leads, and the time-driven changes of state.
// States, sets and error codes after pagopa/pagopa-debt-position (DebtPositionStatus, DebtPositionValidation, AppError).
import type { InvalidField } from '../../core/problem.ts';
import { validateFiscalCode } from '../../domain/fiscal-code.ts';
import { validateIban } from '../../domain/iban.ts';
import { hasValidPartitaIvaCheckDigit } from '../../domain/partita-iva.ts';
import { noticeNumberOfIuv, type IuvGenerationPoint } from '../../domain/pagopa/notice-number.ts';
import type { DebtPositionStatus, PaymentOptionStatus } from '../../clients/pagopa/wire.ts';

export { DEBT_POSITION_STATUSES, type DebtPositionStatus, type PaymentOptionStatus } from '../../clients/pagopa/wire.ts';
/** Shape of a code of the pagoPA "Tassonomia dei servizi di incasso" as GPD carries it, e.g. 9/0101108TS/. */
export const TAXONOMY_CATEGORY = /^9\/\d{7}[A-Z]{2}\/$/;

const NOT_UPDATABLE: readonly DebtPositionStatus[] = ['INVALID', 'PARTIALLY_PAID', 'PAID', 'REPORTED'];
const WITH_PAYMENTS: readonly DebtPositionStatus[] = ['PARTIALLY_PAID', 'PAID', 'REPORTED'];
const INVALIDABLE: readonly DebtPositionStatus[] = ['PUBLISHED', 'VALID'];
const PAYABLE: readonly DebtPositionStatus[] = ['VALID', 'PARTIALLY_PAID'];

export interface OptionState {
  iuv: string;
  isPartialPayment: boolean;
  dueDate: Date;
  status: PaymentOptionStatus;
}

export interface PositionState {
  status: DebtPositionStatus;
  /** When it becomes payable; null: as soon as it is published. */
  validityDate: Date | null;
  switchToExpired: boolean;
  options: readonly OptionState[];
}

/** The state a stored position is in at `now`: PUBLISHED becomes VALID at its validity date, VALID becomes EXPIRED after its last due date when switchToExpired and nothing is paid. */
export function statusAsOf(position: PositionState, now: Date): DebtPositionStatus {
  let status = position.status;
  if (status === 'PUBLISHED' && (!position.validityDate || position.validityDate <= now)) status = 'VALID';
  if (status === 'VALID' && position.switchToExpired && position.options.length > 0) {
    const lastDue = Math.max(...position.options.map((o) => o.dueDate.getTime()));
    if (lastDue < now.getTime() && position.options.every((o) => o.status === 'PO_UNPAID')) status = 'EXPIRED';
  }
  return status;
}

export type RefusalCode =
  | 'DEBT_POSITION_NOT_UPDATABLE'
  | 'DEBT_POSITION_PAYMENT_FOUND'
  | 'DEBT_POSITION_NOT_PUBLISHABLE'
  | 'DEBT_POSITION_PUBLISH_VALIDITY_DATE_MISMATCH'
  | 'DEBT_POSITION_PUBLISH_DUE_DATE_MISMATCH'
  | 'DEBT_POSITION_PUBLISH_DUE_DATE_BEFORE_VALIDITY_DATE'
  | 'DEBT_POSITION_NOT_INVALIDABLE'
  | 'PAYMENT_OPTION_NOT_FOUND'
  | 'PAYMENT_OPTION_NOT_PAYABLE'
  | 'PAYMENT_OPTION_ALREADY_PAID';

export interface Refusal {
  ok: false;
  code: RefusalCode;
  /** GPD's answer: 409 for a state that forbids the operation, 422 for an option that cannot be paid now. */
  status: 404 | 409 | 422;
  message: string;
}

export type Decision = { ok: true; status: DebtPositionStatus } | Refusal;

const refuse = (code: RefusalCode, message: string, status: Refusal['status'] = 409): Refusal => ({ ok: false, code, status, message });

export type DebtPositionAction = 'update' | 'delete' | 'publish' | 'invalidate';

/** Publishing needs dates still ahead: validity (if any) in the future, every due date after now and not before validity. */
function publishDates(position: PositionState, now: Date): Refusal | undefined {
  if (position.validityDate && position.validityDate <= now) {
    return refuse('DEBT_POSITION_PUBLISH_VALIDITY_DATE_MISMATCH', 'the validity date has already passed: update the position with a new one');
  }
  for (const option of position.options) {
    if (option.dueDate <= now) return refuse('DEBT_POSITION_PUBLISH_DUE_DATE_MISMATCH', `the due date of ${option.iuv} has already passed`);
    if (position.validityDate && option.dueDate < position.validityDate) {
      return refuse('DEBT_POSITION_PUBLISH_DUE_DATE_BEFORE_VALIDITY_DATE', `the due date of ${option.iuv} precedes the validity date`);
    }
  }
  return undefined;
}

/**
 * Whether `action` is allowed on the position at `now`, and the state it leads to. An update brings the
 * position back to DRAFT (it must be published again, or updated with toPublish); EXPIRED may be updated, as in GPD.
 */
export function decide(position: PositionState, action: DebtPositionAction, now: Date): Decision {
  const status = statusAsOf(position, now);
  switch (action) {
    case 'update':
    case 'delete':
      if (WITH_PAYMENTS.includes(status)) return refuse('DEBT_POSITION_PAYMENT_FOUND', `the position is ${status}: a payment has been made on it`);
      if (NOT_UPDATABLE.includes(status)) return refuse('DEBT_POSITION_NOT_UPDATABLE', `a position in state ${status} cannot be changed`);
      // A deleted position has no next state: the answer only says it may go.
      return { ok: true, status: action === 'update' ? 'DRAFT' : status };
    case 'publish': {
      if (status !== 'DRAFT') return refuse('DEBT_POSITION_NOT_PUBLISHABLE', `only a DRAFT position can be published; this one is ${status}`);
      const wrongDates = publishDates(position, now);
      if (wrongDates) return wrongDates;
      return { ok: true, status: position.validityDate ? 'PUBLISHED' : 'VALID' };
    }
    case 'invalidate':
      if (!INVALIDABLE.includes(status)) return refuse('DEBT_POSITION_NOT_INVALIDABLE', `only a PUBLISHED or VALID position can be invalidated; this one is ${status}`);
      return { ok: true, status: 'INVALID' };
  }
}

/**
 * Paying one option (a receipt, or the institution recording a payment made elsewhere): the position must be
 * payable, the option unpaid; a total option excludes the installments and the other way round. Paying the
 * total, or the last installment, makes the position PAID; an earlier installment, PARTIALLY_PAID.
 */
export function payOption(position: PositionState, iuv: string, now: Date): Decision {
  const option = position.options.find((o) => o.iuv === iuv);
  if (!option) return refuse('PAYMENT_OPTION_NOT_FOUND', `no payment option ${iuv} in the position`, 404);
  const status = statusAsOf(position, now);
  if (option.status !== 'PO_UNPAID') return refuse('PAYMENT_OPTION_ALREADY_PAID', `the payment option ${iuv} is already paid`);
  if (!PAYABLE.includes(status)) return refuse('PAYMENT_OPTION_NOT_PAYABLE', `a position in state ${status} cannot be paid`, 422);
  const paid = position.options.filter((o) => o.status !== 'PO_UNPAID');
  if (paid.some((o) => !o.isPartialPayment)) return refuse('PAYMENT_OPTION_ALREADY_PAID', 'another payment option of the position has already been paid in full');
  if (!option.isPartialPayment && paid.length > 0) return refuse('PAYMENT_OPTION_ALREADY_PAID', 'installments have already been paid: the single payment is no longer possible');
  if (!option.isPartialPayment) return { ok: true, status: 'PAID' };
  const installmentsLeft = position.options.filter((o) => o.isPartialPayment && o.status === 'PO_UNPAID' && o.iuv !== iuv);
  return { ok: true, status: installmentsLeft.length === 0 ? 'PAID' : 'PARTIALLY_PAID' };
}

// --- Content of a position ------------------------------------------------------------------------

export interface KeyValue {
  key: string;
  value?: string;
}

export interface TransferInput {
  idTransfer: string;
  amount: number;
  organizationFiscalCode?: string;
  remittanceInformation: string;
  category: string;
  iban?: string;
  postalIban?: string;
  stamp?: { hashDocument: string; stampType: string; provincialResidence: string };
  companyName?: string;
  transferMetadata?: KeyValue[];
}

export interface PaymentOptionInput {
  iuv?: string;
  amount: number;
  description: string;
  isPartialPayment: boolean;
  dueDate: Date;
  retentionDate?: Date;
  fee?: number;
  transfer: TransferInput[];
  paymentOptionMetadata?: KeyValue[];
}

export interface PositionInput {
  validityDate?: Date;
  paymentOption: PaymentOptionInput[];
}

export interface ValidationContext {
  now: Date;
  /** The owner's fiscal code: the beneficiary of transfers that name none. */
  organizationFiscalCode: string;
  generationPoint: IuvGenerationPoint;
  /** The IBANs registered by a creditor institution of the platform, undefined for an unknown one. */
  ibansOf(fiscalCode: string): readonly string[] | undefined;
}

export interface ContentProblems {
  /** GPD DEBT_POSITION_REQUEST_DATA_ERROR: 400. */
  invalid: InvalidField[];
  /** GPD *_METADATA_UNIQUE_VIOLATION and duplicate IUVs: 409. */
  conflicts: InvalidField[];
}

/** GPD's stand-in for a debtor whose fiscal code is not known. */
export const ANONYMOUS_DEBTOR = 'ANONIMO';

/** The debtor's code: a codice fiscale for a natural person (F), a numeric fiscal code or a personal one for a legal person (G). */
export function checkDebtor(type: 'F' | 'G', fiscalCode: string): InvalidField | undefined {
  const cf = fiscalCode.toUpperCase();
  if (cf === ANONYMOUS_DEBTOR) return undefined;
  const personal = validateFiscalCode(cf, { allowTemporary: true, requireKnownBirthplace: false });
  if (personal.ok && (type === 'F' || personal.value.kind === 'personal')) return undefined;
  if (type === 'G' && hasValidPartitaIvaCheckDigit(cf)) return undefined;
  const detail = type === 'F' ? 'the codice fiscale of a natural person (or ANONIMO)' : 'the 11-digit fiscal code of a legal person, or a codice fiscale';
  return { pointer: '/body/fiscalCode', code: 'fiscal-code', detail };
}

function duplicates(values: readonly string[]): string[] {
  return values.filter((v, i) => values.indexOf(v) !== i);
}

/**
 * What is wrong with the content of a position being created or updated: amounts (transfers add up to their
 * option), dates, beneficiaries and their IBANs, IUVs of the station, taxonomy codes, metadata keys.
 */
export function checkPositionContent(input: PositionInput, ctx: ValidationContext): ContentProblems {
  const invalid: InvalidField[] = [];
  const conflicts: InvalidField[] = [];
  const at = (pointer: string, code: string, detail: string, into = invalid) => into.push({ pointer: `/body${pointer}`, code, detail });

  if (input.validityDate && input.validityDate <= ctx.now) at('/validityDate', 'past-date', 'the validity date must be in the future');
  const earliestDue = input.validityDate ?? ctx.now;
  const iuvs: string[] = [];
  input.paymentOption.forEach((option, i) => {
    const o = `/paymentOption/${i}`;
    if (option.iuv !== undefined) {
      const nav = noticeNumberOfIuv(ctx.generationPoint, option.iuv);
      if (!nav.ok) at(`${o}/iuv`, nav.reason, nav.message);
      iuvs.push(option.iuv);
    }
    if (option.dueDate <= earliestDue) at(`${o}/dueDate`, 'past-date', input.validityDate ? 'the due date must follow the validity date' : 'the due date must be in the future');
    if (option.retentionDate && option.retentionDate < option.dueDate) at(`${o}/retentionDate`, 'before-due-date', 'the retention date cannot precede the due date');
    const total = option.transfer.reduce((sum, t) => sum + t.amount, 0);
    if (total !== option.amount) {
      at(`${o}/transfer`, 'amount-mismatch', `the transfers add up to ${total} cents, the payment option is ${option.amount} cents`);
    }
    for (const id of new Set(duplicates(option.transfer.map((t) => t.idTransfer)))) at(`${o}/transfer`, 'duplicate-id-transfer', `idTransfer ${id} appears more than once`);
    for (const key of new Set(duplicates((option.paymentOptionMetadata ?? []).map((m) => m.key)))) {
      at(`${o}/paymentOptionMetadata`, 'duplicate-key', `metadata key ${key} appears more than once`, conflicts);
    }
    option.transfer.forEach((transfer, j) => {
      const t = `${o}/transfer/${j}`;
      const beneficiary = transfer.organizationFiscalCode ?? ctx.organizationFiscalCode;
      if (!TAXONOMY_CATEGORY.test(transfer.category)) at(`${t}/category`, 'taxonomy', 'a code of the pagoPA taxonomy of collection services, e.g. 9/0101108TS/');
      for (const key of new Set(duplicates((transfer.transferMetadata ?? []).map((m) => m.key)))) {
        at(`${t}/transferMetadata`, 'duplicate-key', `metadata key ${key} appears more than once`, conflicts);
      }
      if (!hasValidPartitaIvaCheckDigit(beneficiary)) {
        at(`${t}/organizationFiscalCode`, 'fiscal-code', 'the fiscal code of a creditor institution: 11 digits with a valid check digit');
        return;
      }
      if (transfer.stamp) {
        if (transfer.iban || transfer.postalIban) at(`${t}/stamp`, 'iban-and-stamp', 'a transfer credits an IBAN or carries a digital stamp duty, not both');
        return;
      }
      if (!transfer.iban) {
        at(`${t}/iban`, 'required', 'a transfer needs the IBAN to credit (or a digital stamp duty)');
        return;
      }
      const registered = ctx.ibansOf(beneficiary);
      if (!registered) {
        at(`${t}/organizationFiscalCode`, 'unknown-institution', `${beneficiary} is not a creditor institution on pagoPA`);
        return;
      }
      for (const field of ['iban', 'postalIban'] as const) {
        const value = transfer[field];
        if (value === undefined) continue;
        const iban = validateIban(value);
        if (!iban.ok) at(`${t}/${field}`, iban.reason, iban.message);
        else if (!registered.includes(iban.value.iban)) at(`${t}/${field}`, 'iban-not-registered', `${iban.value.iban} is not an IBAN registered by ${beneficiary}`);
      }
    });
  });
  for (const iuv of new Set(duplicates(iuvs))) at('/paymentOption', 'duplicate-iuv', `IUV ${iuv} appears more than once`, conflicts);
  return { invalid, conflicts };
}
