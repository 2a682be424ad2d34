// The tenant admin's activity log: the filters as they arrive in the query string, checked; the
// query string of a page; the rows of the CSV export. Pure.
import { isIsoDate } from '../../domain/dates.ts';
import { AUDIT_ACTION, type AuditRecord } from '../../core/audit.ts';

export const AUDIT_LOG_PATH = '/backoffice/registro-attivita';
export const AUDIT_PAGE_SIZE = 50;
/** The CSV holds at most this many entries, newest first: narrow the filters for older ones. */
export const AUDIT_EXPORT_LIMIT = 10_000;

export interface AuditFilters {
  action?: string;
  actorId?: string;
  fromDay?: string;
  toDay?: string;
}

export type AuditQuery = Partial<Record<'action' | 'actor' | 'from' | 'to' | 'before', string>>;

/** The query string's filters; each bad one is named with why (the page shows it next to its field). */
export function parseAuditQuery(query: AuditQuery): { filters: AuditFilters; before?: number; errors: Record<string, 'action' | 'date'> } {
  const filters: AuditFilters = {};
  const errors: Record<string, 'action' | 'date'> = {};
  const text = (name: keyof AuditQuery) => query[name]?.trim() || undefined;
  const action = text('action');
  if (action) {
    if (AUDIT_ACTION.test(action)) filters.action = action;
    else errors.action = 'action';
  }
  const actor = text('actor');
  if (actor) filters.actorId = actor;
  for (const [name, key] of [['from', 'fromDay'], ['to', 'toDay']] as const) {
    const day = text(name);
    if (!day) continue;
    if (isIsoDate(day)) filters[key] = day;
    else errors[name] = 'date';
  }
  const before = Number(text('before'));
  return { filters, before: Number.isSafeInteger(before) && before > 0 ? before : undefined, errors };
}

/** The filters (and a page) as a query string, for the links of the pages and of the CSV. */
export function auditQueryString(filters: AuditFilters, before?: number): string {
  const params = new URLSearchParams();
  if (filters.action) params.set('action', filters.action);
  if (filters.actorId) params.set('actor', filters.actorId);
  if (filters.fromDay) params.set('from', filters.fromDay);
  if (filters.toDay) params.set('to', filters.toDay);
  if (before !== undefined) params.set('before', String(before));
  return params.toString();
}

/** The export's table: a header, then one row per entry with the actor's name when known. */
export function auditCsvRows(entries: readonly AuditRecord[], actorName: (entry: AuditRecord) => string): string[][] {
  return [
    ['id', 'at', 'actor_type', 'actor_id', 'actor_name', 'action', 'target_type', 'target_id', 'request_id', 'details'],
    ...entries.map((e) => [
      String(e.id),
      e.at.toISOString(),
      e.actorType,
      e.actorId,
      actorName(e),
      e.action,
      e.targetType ?? '',
      e.targetId ?? '',
      e.requestId ?? '',
      JSON.stringify(e.details),
    ]),
  ];
}
