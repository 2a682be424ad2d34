// The operators' desk for applications: who sees which applications (the policy turned into a query
// scope), the list's filters, the deadline as the desk shows it, CSV export. Pure.
import { addDays, compareIsoDates, type IsoDate } from '../../domain/dates.ts';
import { legalDeadline, MAX_SUSPENSION_DAYS, type StatusEvent } from '../applications/deadline.ts';
import { isFinal, STATUS, SUSPENDING_STATUSES, type StatusCode } from '../applications/states.ts';
import { may } from '../policies.ts';
import type { Locale } from '../../core/i18n.ts';
import type { FormSchema } from '../forms/schema.ts';
import type { UploadedFileRef } from '../forms/validate.ts';
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

/** Statuses an operator never sees before submission: the citizen's draft and payment steps (a payment asked during the iter stays visible). */
export const HIDDEN_STATUSES: readonly StatusCode[] = [STATUS.draft, STATUS.paymentPending, STATUS.paymentOutcomePending, STATUS.paymentSuccess, STATUS.preSubmit];

export interface DeskFilters {
  status?: StatusCode;
  serviceId?: string;
  officeId?: string;
  assigneeId?: string;
  /** Submitted on or after / on or before these Italian days. */
  from?: IsoDate;
  to?: IsoDate;
  overdue?: boolean;
  /** Due from today up to this many days from today (not suspended, not yet overdue). */
  dueWithin?: number;
  /** Applicant name or fiscal code, application id, protocol number ("12" or "12/2026"). */
  text?: string;
}

export interface DeadlineView {
  /** While suspended: the day the clock reaches if the applicant never answers (the suspension at its maximum). */
  due: IsoDate;
  daysLeft: number;
  suspended: boolean;
  overdue: boolean;
}

/** What the desk stores of an application's legal deadline: it does not depend on today, only on the history and the rule. */
export interface StoredDeadline {
  dueOn: IsoDate;
  /** Set while a request for integration is unanswered: the clock stands still until this day (excluded). */
  resumesOn: IsoDate | null;
}

// Later than any day a suspension can reach: legalDeadline then counts it at its maximum.
const END_OF_TIME: IsoDate = '9999-12-31';

const daysBetween = (from: IsoDate, to: IsoDate) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/** The deadline to store; none before submission or once the outcome is decided. */
export function storedDeadline(history: readonly StatusEvent[], status: StatusCode, deadlineDays: number): StoredDeadline | undefined {
  if (isFinal(status)) return undefined;
  const latest = legalDeadline(history, { deadlineDays }, END_OF_TIME);
  if (!latest) return undefined;
  const asked = history.find((e) => SUSPENDING_STATUSES.includes(e.to));
  // Suspended on the day of the request exactly when the request is still unanswered.
  const open = asked !== undefined && legalDeadline(history, { deadlineDays }, asked.on)!.suspended;
  return { dueOn: latest.due, resumesOn: open ? addDays(asked.on, MAX_SUSPENSION_DAYS) : null };
}

/** Whether the clock stands still today (L. 241/1990 art. 2 c.7); the SQL twin is in store.ts (SUSPENDED). */
const isSuspended = (stored: StoredDeadline, today: IsoDate) => stored.resumesOn !== null && compareIsoDates(today, stored.resumesOn) < 0;

/** The stored deadline as the desk shows it today: never overdue while suspended. */
export function deadlineAt(stored: StoredDeadline | undefined, today: IsoDate): DeadlineView | undefined {
  if (!stored) return undefined;
  const suspended = isSuspended(stored, today);
  return { due: stored.dueOn, daysLeft: daysBetween(today, stored.dueOn), suspended, overdue: !suspended && compareIsoDates(stored.dueOn, today) < 0 };
}

/** One CSV field (RFC 4180 quoting); a leading =, +, - or @ is neutralised so a spreadsheet does not run it as a formula (OWASP CSV injection). */
export function csvField(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n;]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Excel reads accents right after a UTF-8 byte order mark. */
export const CSV_BOM = '\uFEFF';

/** One CSV record with its CRLF line end (RFC 4180). */
export const csvLine = (row: readonly (string | number | null | undefined)[]) => `${row.map(csvField).join(',')}\r\n`;

/** A whole CSV document, for the exports small enough to build at once. */
export const toCsv = (rows: readonly (readonly (string | number | null | undefined)[])[]) => CSV_BOM + rows.map(csvLine).join('');

/** How the list is ordered: latest submissions first, or the nearest due date first (none last). */
export type DeskSort = 'submitted' | 'due';

/** An average duration in days, one decimal. */
export const averageDays = (averageMs: number) => Math.round((averageMs / 86_400_000) * 10) / 10;

/** A file the citizen uploaded in a file field; `attached` when its copy is among the application's documents (downloadable). */
export interface DeskFile extends UploadedFileRef {
  sha256: string;
  attached: boolean;
}

export interface DeskAnswer {
  label: string;
  value: string;
  /** A file field's files (its value is then empty). */
  files?: DeskFile[];
}

/**
 * The answers as the operator reads them: labelled and displayed by the form version the citizen filled in;
 * raw keys only when that version is gone (an application made without a form, e.g. through the API).
 */
export function labelledAnswers(schema: FormSchema | undefined, data: Record<string, unknown>, today: IsoDate, locale: Locale, files: readonly DeskFile[] = []): DeskAnswer[] {
  if (schema) {
    // The file fields are the answers that change when the files are known (shown by id, to map each back to its files).
    const byId = new Map(files.map((f) => [f.id, f]));
    const withIds = summaryFields(schema, data, { today, files: files.map((f) => ({ ...f, name: f.id })) }, locale);
    return summaryFields(schema, data, { today, files: [] }, locale).map((a, i) => {
      const ids = withIds[i]!.value;
      return ids === a.value ? a : { label: a.label, value: '', files: ids.split(', ').map((id) => byId.get(id)!) };
    });
  }
  return Object.entries(data).map(([label, value]) => ({ label, value: typeof value === 'string' ? value : JSON.stringify(value) }));
}
