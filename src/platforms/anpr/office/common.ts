// What every registry-office page shares: who is acting, the day, refusals of service.ts turned into
// form errors, and the plain-words rendering of places, addresses and dates.
import { formatCalendarDate, type Locale } from '../../../core/i18n.ts';
import type { FastifyRequest } from 'fastify';
import { alert, type FieldErrors } from '../../../core/forms.ts';
import { html, type SafeHtml } from '../../../core/html.ts';
import { notFound } from '../../../core/problem.ts';
import { sql, type Executor } from '../../../core/db.ts';
import { isIsoDate, todayUtc, type IsoDate } from '../../../domain/dates.ts';
import { municipalityByIstat } from '../../../domain/municipalities.ts';
import type { Address, Place } from '../model.ts';
import { mayWriteRecord, type Officer } from '../policy.ts';
import { SCHEMA } from '../schema.ts';
import { AnprError, type OperationOptions } from '../service.ts';
import { personRow, type PersonRow } from '../store.ts';
import { officerOf, type OfficerSession } from '../web/session.ts';
import { officeT, type OfficeKey, type OfficeT } from './messages.ts';

export interface OfficeDeps {
  db: Executor;
  secret: string;
  /** The day operations are recorded on (tests fix it). */
  today?: () => IsoDate;
  /** Login attempts per minute per client address. */
  loginRateLimit: number;
}

export const today = (deps: OfficeDeps): IsoDate => deps.today?.() ?? todayUtc();

/** The signed-in officer (the routes of the office scope run only with one). */
export function sessionOf(request: FastifyRequest): OfficerSession {
  return officerOf(request)!;
}

/** The officer as service.ts knows them: the account (for the audit log) and the comune. */
export function officerFor(request: FastifyRequest): Officer {
  const s = sessionOf(request);
  return { id: `officer:${s.accountId}`, istatCode: s.istatCode };
}

export const operation = (deps: OfficeDeps, request: FastifyRequest): OperationOptions => ({ today: today(deps), requestId: request.id });

/** The record of a resident of the officer's comune; anyone else is "not found" (their existence is not told). */
export async function recordInComune(db: Executor, request: FastifyRequest, idAnpr: string): Promise<PersonRow> {
  const row = /^\d{9}$/.test(idAnpr) ? await personRow(db, idAnpr) : undefined;
  if (!row || !mayWriteRecord(officerFor(request), row)) throw notFound(officeT(request.locale)('notInComune'));
  return row;
}

/** A fiscal code typed in a form, normalized. */
export const fiscalCodeInput = (value: string | undefined) => (value ?? '').replace(/\s+/g, '').toUpperCase();

/** The id of the resident of the officer's comune with this fiscal code. */
export async function residentByFiscalCode(db: Executor, istatCode: string, fiscalCode: string): Promise<PersonRow | undefined> {
  const { rows } = await sql<PersonRow>`select id_anpr, fiscal_code, family_name, given_name, status, comune_istat, family_id
    from ${sql.table(`${SCHEMA}.persons`)} where fiscal_code = ${fiscalCode} and comune_istat = ${istatCode}`.execute(db);
  return rows[0];
}

/** A required date field: the error message when missing or not a real date. */
export function dateError(tr: OfficeT, value: string | undefined): string | undefined {
  if (!value) return tr('required');
  return isIsoDate(value) ? undefined : tr('invalidDate');
}

// Registry rules the forms can meet, in plain words; any other is shown with the registry's own message.
const RULE_MESSAGES: Record<string, OfficeKey> = {
  'invalid-date': 'invalidDate',
  'future-date': 'ruleFutureDate',
  'death-before-birth': 'ruleDeathBeforeBirth',
  deceased: 'ruleDeceased',
  'before-registration': 'ruleBeforeRegistration',
  'not-registered': 'ruleBeforeRegistration',
  'civil-status-transition': 'ruleCivilStatusTransition',
  'under-age': 'ruleUnderAge',
  'before-last-status': 'ruleBeforeLastStatus',
  'no-parent': 'ruleNoParent',
  'no-resident-parent': 'ruleNoResidentParent',
  'registered-before-birth': 'ruleBeforeRegistration',
  'reason-required': 'required',
  'silence-confirmed': 'ruleSilenceConfirmed',
  'unknown-place': 'ruleUnknownPlace',
};

export interface Refusal {
  status: number;
  /** Errors of the form's fields, by field name. */
  errors: FieldErrors;
  /** What concerns no single field. */
  message?: string;
}

/**
 * A refusal of service.ts for a form: its violations on the form's fields (`fields` maps the service's field
 * names to the form's), the rest as one message. Records outside the comune are "not found" (unless the form
 * says which field a missing record is about); anything that
 * is not a refusal propagates (the error page, never a stack trace).
 */
export function refusal(err: unknown, tr: OfficeT, fields: Record<string, string>, notFoundAs?: { field: string; message: OfficeKey }): Refusal {
  if (!(err instanceof AnprError)) throw err;
  if (err.code === 'not-found' && notFoundAs) return { status: 422, errors: { [notFoundAs.field]: tr(notFoundAs.message) } };
  if (err.code === 'not-found' || err.code === 'forbidden') throw notFound(tr('notInComune'));
  if (err.code === 'conflict') return { status: 409, errors: {}, message: tr('conflict') };
  const errors: FieldErrors = {};
  const other: string[] = [];
  for (const v of err.violations) {
    const key = RULE_MESSAGES[v.rule];
    const text = key ? tr(key) : tr('ruleOther', { message: v.message });
    const field = v.field ? fields[v.field] : undefined;
    if (field && !errors[field]) errors[field] = text;
    else other.push(text);
  }
  if (!err.violations.length) other.push(tr('ruleOther', { message: err.message }));
  return { status: 422, errors, message: other.length ? other.join(' ') : undefined };
}

/** A form shown again: what was typed, and what was wrong with it. */
export interface FormState {
  values: Record<string, string | undefined>;
  errors: FieldErrors;
  message?: string;
}

/** The alert for a refusal that concerns no field, if any. */
export const refusalAlert = (state: { message?: string } | undefined) => (state?.message ? alert('danger', state.message) : html``);

// --- Plain words ---------------------------------------------------------------------------------

export function dateText(locale: Locale, date: IsoDate | null | undefined): string {
  if (!date) return '—';
  return formatCalendarDate(locale, date);
}

export function instantText(locale: Locale, instant: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Rome' }).format(new Date(instant));
}

export function placeText(place: Place): string {
  return place.kind === 'comune' ? `${place.name} (${place.province})` : place.locality ? `${place.locality}, ${place.name}` : place.name;
}

export function addressText(a: Address): string {
  return `${a.species} ${a.streetName} ${a.houseNumber}${a.interior ? `/${a.interior}` : ''}, ${a.postcode} ${a.comune} (${a.province})`;
}

export function comuneText(istatCode: string): string {
  const m = municipalityByIstat(istatCode);
  return m ? `${m.name} (${m.province})` : istatCode;
}

export function citizenshipText(locale: Locale, codes: readonly string[]): string {
  const names = new Intl.DisplayNames([locale], { type: 'region', fallback: 'code' });
  return codes.map((c) => names.of(c) ?? c).join(', ');
}

/** The success message of the last operation (post/redirect/get: ?esito=<key>). */
export function outcomeAlert(tr: OfficeT, outcome: string | undefined, known: Record<string, OfficeKey>): SafeHtml {
  const key = outcome ? known[outcome] : undefined;
  return key ? alert('success', tr(key)) : html``;
}
