// The operators' desk for applications: who sees which applications (the policy turned into a query
// scope), the list's filters, the deadline as the desk shows it, CSV export. Pure.
import { compareIsoDates, type IsoDate } from '../../domain/dates.ts';
import { legalDeadline, type StatusEvent } from '../applications/deadline.ts';
import { isFinal, STATUS, type StatusCode } from '../applications/states.ts';
import { may } from '../policies.ts';
import type { Locale } from '../../core/i18n.ts';
import type { FormSchema } from '../forms/schema.ts';
import { summaryFields } from '../journey/wizard.ts';

/** Where the desk's pages live under an ente's address. */
export const DESK_PATH = '/backoffice/pratiche';

/** A staff member of an ente at the desk, with the offices they work in. */
export interface DeskUser {
  id: string;
  role: 'operator' | 'tenant_admin';
  tenantId: string;
  name: string;
  offices: readonly string[];
}

/** What a desk user's queries are limited to: the ente, and the offices unless they are its admin. */
export interface DeskScope {
  tenantId: string;
  offices: readonly string[] | 'all';
}

const staffActor = (user: DeskUser) => ({ kind: 'staff', role: user.role, tenantId: user.tenantId, id: user.id }) as const;

/** Whether the policy lets `user` read or act on an application of a service of `officeId`. */
export const mayHandle = (user: DeskUser, kind: 'read' | 'act', tenantId: string, officeId: string | null) =>
  may(staffActor(user), { type: kind === 'read' ? 'application.read' : 'application.act', tenantId, officeId, staffOffices: user.offices });

/** The scope of the list queries, the same rule as mayHandle: an admin's whole ente, an operator's offices. */
export function scopeOf(user: DeskUser): DeskScope {
  const everything = mayHandle(user, 'read', user.tenantId, null);
  return { tenantId: user.tenantId, offices: everything ? 'all' : user.offices };
}

/** Statuses an operator never sees: the citizen's draft and payment steps. */
export const HIDDEN_STATUSES: readonly StatusCode[] = [STATUS.draft, STATUS.paymentPending, STATUS.preSubmit];

export interface DeskFilters {
  status?: StatusCode;
  serviceId?: string;
  officeId?: string;
  assigneeId?: string;
  /** Submitted on or after / on or before these Italian days. */
  from?: IsoDate;
  to?: IsoDate;
  overdue?: boolean;
  /** Applicant name or fiscal code, application id, protocol number ("12" or "12/2026"). */
  text?: string;
}

export interface DeadlineView {
  due: IsoDate;
  daysLeft: number;
  suspended: boolean;
  overdue: boolean;
}

const daysBetween = (from: IsoDate, to: IsoDate) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/** The legal deadline as the desk shows it; none before submission or once the outcome is decided. */
export function deadlineView(history: readonly StatusEvent[], status: StatusCode, deadlineDays: number, today: IsoDate): DeadlineView | undefined {
  if (isFinal(status)) return undefined;
  const deadline = legalDeadline(history, { deadlineDays }, today);
  if (!deadline) return undefined;
  // While suspended the due date is as if the integration were answered today: never overdue.
  const { due, suspended } = deadline;
  return { due, daysLeft: daysBetween(today, due), suspended, overdue: !suspended && compareIsoDates(due, today) < 0 };
}

/** One CSV field (RFC 4180 quoting); a leading =, +, - or @ is neutralised so a spreadsheet does not run it as a formula (OWASP CSV injection). */
export function csvField(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n;]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A CSV document with a UTF-8 byte order mark (Excel reads accents right) and CRLF line ends (RFC 4180). */
export const toCsv = (rows: readonly (readonly (string | number | null | undefined)[])[]) =>
  `\uFEFF${rows.map((r) => r.map(csvField).join(',')).join('\r\n')}\r\n`;

/** Pages of `size` rows: the page asked for, kept within the pages that exist. */
export function paginate<T>(rows: readonly T[], page: number, size: number): { rows: T[]; page: number; pages: number; total: number } {
  const pages = Math.max(1, Math.ceil(rows.length / size));
  const current = Math.min(Math.max(1, Math.trunc(page) || 1), pages);
  return { rows: rows.slice((current - 1) * size, current * size), page: current, pages, total: rows.length };
}

/** Days from submission to the outcome, one decimal. */
export const averageDays = (durationsMs: readonly number[]) =>
  durationsMs.length ? Math.round((durationsMs.reduce((a, b) => a + b, 0) / durationsMs.length / 86_400_000) * 10) / 10 : null;

/**
 * The answers as the operator reads them: labelled and displayed by the form version the citizen filled in;
 * raw keys only when that version is gone (an application made without a form, e.g. through the API).
 */
export function labelledAnswers(schema: FormSchema | undefined, data: Record<string, unknown>, today: IsoDate, locale: Locale): { label: string; value: string }[] {
  if (schema) return summaryFields(schema, data, { today }, locale);
  return Object.entries(data).map(([label, value]) => ({ label, value: typeof value === 'string' ? value : JSON.stringify(value) }));
}
