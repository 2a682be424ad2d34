// A submission checked against its form's schema, purely: values coerced from form posts (strings to
// numbers, dates, booleans), unknown keys and hidden fields dropped, every problem named by a JSON pointer.
import { validateFiscalCode } from '../../domain/fiscal-code.ts';
import { validateIban } from '../../domain/iban.ts';
import { isValidEmail, isValidItalianPhone, normalizePhone } from '../../domain/contacts.ts';
import { compareIsoDates, parseIsoDate, type IsoDate } from '../../domain/dates.ts';
import { isGrid, parseFileSize, type Component, type Conditional, type FormSchema, type Text } from './schema.ts';
import { choiceSourceOf, type AddressValue, type PrefillChoice } from './prefill.ts';

/** A file the citizen uploaded (files.ts), as a field's value refers to it. */
export interface UploadedFileRef {
  id: string;
  name: string;
  size: number;
  mime: string;
}

export interface ValidationContext {
  /** For 'today' in date limits. */
  today: IsoDate;
  /** The files this citizen uploaded for this form: a file field may name only these. */
  files?: readonly UploadedFileRef[];
  /** Prefilled values from an authoritative source: they replace whatever was posted. */
  locked?: Record<string, unknown>;
  /** A wizard's page (index of its panel): only that page's fields report errors. */
  page?: number;
  /** The lists ANPR gave the fields fed by a list source (PrefillResult.choices): the only values those accept. */
  choices?: Readonly<Record<string, readonly PrefillChoice[]>>;
}

export interface FieldError {
  pointer: string;
  code: string;
  detail: string;
}

export type SubmissionResult = { ok: true; value: Record<string, unknown> } | { ok: false; errors: FieldError[] };

type Coerced = { value?: unknown; errors: FieldError[] };
export type Lookup = (key: string) => unknown;
export type Entry<T extends Text = Text> = { component: Component<T>; conds: Conditional[] };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isAbsent = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);
const TRUE = new Set([true, 'true', 'on', '1', 'yes']);
const FALSE = new Set([false, 'false', '0', 'no', '']);
const EXTENSION_TYPES: Record<string, string> = { '.pdf': 'application/pdf', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg' };

/** The value-holding components of a list, panels flattened; a panel's conditional applies to its fields. */
export function fieldEntries<T extends Text>(components: readonly Component<T>[], conds: Conditional[] = []): Entry<T>[] {
  return components.flatMap((c): Entry<T>[] => {
    const own = c.conditional ? [...conds, c.conditional] : conds;
    return c.type === 'panel' ? fieldEntries(c.components ?? [], own) : [{ component: c, conds: own }];
  });
}

/** Form.io's simple conditional: shown when `when` equals `eq` (show: true), or when it does not (show: false). */
export function conditionMet(cond: Conditional, value: unknown): boolean {
  const equal = isRecord(value) ? value[cond.eq] === true : value !== undefined && String(value) === cond.eq;
  return equal === cond.show;
}

export function validateSubmission(schema: FormSchema, data: unknown, ctx: ValidationContext): SubmissionResult {
  const input = { ...(isRecord(data) ? data : {}), ...ctx.locked };
  const { value, errors } = validateScope(fieldEntries(schema.components), input, '/data', ctx);
  const pageKeys = ctx.page === undefined ? undefined : new Set(fieldEntries(schema.components[ctx.page]?.components ?? []).map((e) => e.component.key));
  const reported = pageKeys ? errors.filter((e) => pageKeys.has(e.pointer.split('/')[2]!)) : errors;
  return reported.length ? { ok: false, errors: reported } : { ok: true, value };
}

export interface FormState {
  /** The top-level fields shown, given the data. */
  visible: Set<string>;
  /** A shown field's coerced value (undefined when hidden, empty or invalid): what conditionals compare. */
  valueOf: Lookup;
}

/** Which top-level fields the data shows, and their values as conditionals see them. */
export function formState(schema: FormSchema, data: Record<string, unknown>, ctx: ValidationContext): FormState {
  const scope = fieldEntries(schema.components);
  const coerced = new Map(scope.map((e) => [e.component.key, coerceField(e.component, data[e.component.key], '', ctx, () => undefined).value]));
  const shown = visibility(scope, (key) => coerced.get(key));
  const visible = new Set(scope.filter((e) => shown(e.component.key)).map((e) => e.component.key));
  return { visible, valueOf: (key) => (visible.has(key) ? coerced.get(key) : undefined) };
}

function visibility(scope: Entry[], valueOf: Lookup, outer?: Lookup): (key: string) => boolean {
  const byKey = new Map(scope.map((e) => [e.component.key, e]));
  const memo = new Map<string, boolean>();
  const lookup: Lookup = (key) => (byKey.has(key) ? (visible(key) ? valueOf(key) : undefined) : outer?.(key));
  function visible(key: string): boolean {
    if (memo.has(key)) return memo.get(key)!;
    memo.set(key, false); // a loop (refused by checkSchema) counts as hidden
    const shown = byKey.get(key)!.conds.every((c) => conditionMet(c, lookup(c.when)));
    memo.set(key, shown);
    return shown;
  }
  return visible;
}

function validateScope(scope: Entry[], input: Record<string, unknown>, base: string, ctx: ValidationContext, outer?: Lookup): { value: Record<string, unknown>; errors: FieldError[] } {
  const coerced = new Map<string, Coerced>();
  const valueOf: Lookup = (key) => coerced.get(key)?.value;
  const visible = visibility(scope, valueOf, outer);
  const inScope: Lookup = (key) => (coerced.has(key) ? (visible(key) ? valueOf(key) : undefined) : outer?.(key));
  // Grids last: their rows' conditionals may look at this scope's fields.
  for (const { component } of [...scope].sort((a, b) => Number(isGrid(a.component)) - Number(isGrid(b.component)))) {
    coerced.set(component.key, coerceField(component, input[component.key], `${base}/${component.key}`, ctx, inScope));
  }
  const value: Record<string, unknown> = {};
  const errors: FieldError[] = [];
  for (const { component } of scope) {
    if (!visible(component.key)) continue;
    const result = coerced.get(component.key)!;
    errors.push(...result.errors);
    if (result.value !== undefined) value[component.key] = result.value;
  }
  return { value, errors };
}

function coerceField(c: Component, raw: unknown, pointer: string, ctx: ValidationContext, outer: Lookup): Coerced {
  const fail = (code: string, detail: string, at = pointer): Coerced => ({ errors: [{ pointer: at, code, detail }] });
  const ok = (value: unknown): Coerced => ({ value, errors: [] });
  if (c.type === 'checkbox') {
    if (!TRUE.has(raw as string) && !FALSE.has(raw as string) && raw !== undefined && raw !== null) return fail('type', 'a checkbox is true or false');
    const checked = TRUE.has(raw as string);
    return c.validate?.required && !checked ? fail('required', 'must be checked') : ok(checked);
  }
  if (isGrid(c)) return coerceGrid(c, raw, pointer, ctx, outer);
  if (isAbsent(raw) || (c.type === 'address' && isRecord(raw) && Object.values(raw).every(isAbsent))) {
    return c.validate?.required ? fail('required', 'is required') : ok(undefined);
  }
  if (choiceSourceOf(c)) return coerceChoice(c, raw, ctx, fail, ok);
  switch (c.type) {
    case 'number':
      return coerceNumber(c, raw, fail, ok);
    case 'day':
    case 'datetime':
      return coerceDate(c, raw, ctx, fail, ok);
    case 'select':
    case 'radio':
      return typeof raw === 'string' && c.values!.some((o) => o.value === raw) ? ok(raw) : fail('not-an-option', `not one of ${c.values!.map((o) => o.value).join(', ')}`);
    case 'selectboxes':
      return coerceBoxes(c, raw, fail, ok);
    case 'file':
      return coerceFiles(c, raw, ctx, fail, ok);
    case 'address':
      return coerceAddress(raw, pointer);
    default:
      return coerceText(c, raw, fail, ok);
  }
}

type Fail = (code: string, detail: string, at?: string) => Coerced;
type Ok = (value: unknown) => Coerced;

function coerceText(c: Component, raw: unknown, fail: Fail, ok: Ok): Coerced {
  if (typeof raw !== 'string' && typeof raw !== 'number') return fail('type', 'a text');
  const text = String(raw).trim();
  const length = [...text].length;
  const v = c.validate ?? {};
  if (v.minLength !== undefined && length < v.minLength) return fail('min-length', `at least ${v.minLength} characters`);
  if (v.maxLength !== undefined && length > v.maxLength) return fail('max-length', `at most ${v.maxLength} characters`);
  if (v.pattern && !new RegExp(`^(?:${v.pattern})$`, 'u').test(text)) return fail('pattern', `does not match ${v.pattern}`);
  switch (c.type) {
    case 'email':
      return isValidEmail(text) ? ok(text) : fail('email', 'not an e-mail address');
    case 'phoneNumber':
      return isValidItalianPhone(text) ? ok(normalizePhone(text)) : fail('phone', 'not a phone number');
    case 'codicefiscale': {
      // DM 23/12/1976 and DPR 605/1973: structure, check character, birthplace code.
      const cf = validateFiscalCode(text);
      return cf.ok ? ok(cf.value.fiscalCode) : fail('fiscal-code', cf.message);
    }
    case 'iban': {
      // ISO 13616: country length, mod-97 check digits, Italian CIN.
      const iban = validateIban(text);
      return iban.ok ? ok(iban.value.iban) : fail('iban', iban.message);
    }
    default:
      return ok(text);
  }
}

/**
 * A field fed by ANPR's list (a child of the family): one of the list the server got from ANPR, never
 * what the browser claims; without a list (ANPR did not answer) a well-formed fiscal code, to be checked by the office.
 */
function coerceChoice(c: Component, raw: unknown, ctx: ValidationContext, fail: Fail, ok: Ok): Coerced {
  if (typeof raw !== 'string') return fail('type', 'a fiscal code');
  const list = ctx.choices?.[c.key];
  if (list) return list.some((o) => o.value === raw) ? ok(raw) : fail('not-in-family', 'not one of the people ANPR lists');
  const cf = validateFiscalCode(raw.trim());
  return cf.ok ? ok(cf.value.fiscalCode) : fail('fiscal-code', cf.message);
}

function coerceNumber(c: Component, raw: unknown, fail: Fail, ok: Ok): Coerced {
  // Italian users write a decimal comma.
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^[+-]?\d+(?:[.,]\d+)?$/.test(raw.trim()) ? Number(raw.trim().replace(',', '.')) : NaN;
  if (!Number.isFinite(n)) return fail('type', 'a number');
  const { min, max } = c.validate ?? {};
  if (typeof min === 'number' && n < min) return fail('min', `at least ${min}`);
  if (typeof max === 'number' && n > max) return fail('max', `at most ${max}`);
  return ok(n);
}

function coerceDate(c: Component, raw: unknown, ctx: ValidationContext, fail: Fail, ok: Ok): Coerced {
  if (typeof raw !== 'string') return fail('date', 'a date');
  const text = raw.trim().replace(/^(\d{2})\/(\d{2})\/(\d{4})/, '$3-$2-$1'); // dd/mm/yyyy, as Italians write it
  const withTime = c.type === 'datetime' && c.enableTime;
  const m = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}):(\d{2}))?$/.exec(text);
  if (!m || !parseIsoDate(m[1]!) || (withTime ? !m[2] || Number(m[2]) > 23 || Number(m[3]) > 59 : m[2] !== undefined)) {
    return fail('date', withTime ? 'a date and time YYYY-MM-DDTHH:mm' : 'a real date YYYY-MM-DD');
  }
  const limit = (l: unknown) => (l === 'today' ? ctx.today : (l as string));
  const { min, max } = c.validate ?? {};
  if (min !== undefined && compareIsoDates(m[1]!, limit(min)) < 0) return fail('min', `not before ${limit(min)}`);
  if (max !== undefined && compareIsoDates(m[1]!, limit(max)) > 0) return fail('max', `not after ${limit(max)}`);
  return ok(text);
}

function coerceBoxes(c: Component, raw: unknown, fail: Fail, ok: Ok): Coerced {
  const chosen = isRecord(raw) ? Object.keys(raw).filter((k) => TRUE.has(raw[k] as string)) : Array.isArray(raw) ? raw : [raw];
  const options = c.values!.map((o) => o.value);
  if (!chosen.every((v) => typeof v === 'string' && options.includes(v))) return fail('not-an-option', `only ${options.join(', ')}`);
  if (c.validate?.required && chosen.length === 0) return fail('required', 'choose at least one');
  return ok(Object.fromEntries(options.map((o) => [o, chosen.includes(o)])));
}

function accepts(pattern: string | undefined, file: UploadedFileRef): boolean {
  if (!pattern) return true;
  return pattern.split(',').map((p) => p.trim().toLowerCase()).some((p) => (EXTENSION_TYPES[p] ?? p) === file.mime);
}

function coerceFiles(c: Component, raw: unknown, ctx: ValidationContext, fail: Fail, ok: Ok): Coerced {
  const ids = [...new Set((Array.isArray(raw) ? raw : [raw]).map((r) => (isRecord(r) ? r.id : r)))];
  if (!ids.every((id): id is string => typeof id === 'string')) return fail('type', 'file ids');
  if (!c.multiple && ids.length > 1) return fail('too-many-files', 'one file only');
  const files: UploadedFileRef[] = [];
  const maxSize = c.fileMaxSize ? parseFileSize(c.fileMaxSize) : undefined;
  for (const id of ids) {
    const file = ctx.files?.find((f) => f.id === id);
    if (!file) return fail('file-unknown', 'not a file you uploaded for this form');
    if (!accepts(c.filePattern, file)) return fail('file-type', `only ${c.filePattern}`);
    if (maxSize !== undefined && file.size > maxSize) return fail('file-size', `at most ${c.fileMaxSize}`);
    files.push(file);
  }
  return ok(files);
}

function coerceAddress(raw: unknown, pointer: string): Coerced {
  if (!isRecord(raw)) return { errors: [{ pointer, code: 'type', detail: 'an address' }] };
  const text = (k: keyof AddressValue) => (typeof raw[k] === 'string' ? (raw[k] as string).trim() : '');
  const address: AddressValue = { street: text('street'), houseNumber: text('houseNumber'), postcode: text('postcode'), comune: text('comune'), province: text('province').toUpperCase() };
  const abroad = text('country');
  if (abroad) address.country = abroad;
  const errors: FieldError[] = [];
  const need = (k: keyof AddressValue, ok: boolean, code: string, detail: string) => ok || errors.push({ pointer: `${pointer}/${k}`, code, detail });
  need('street', !!address.street, 'required', 'is required');
  need('comune', !!address.comune, 'required', 'is required');
  if (!abroad) {
    need('houseNumber', !!address.houseNumber, 'required', 'is required');
    need('postcode', /^\d{5}$/.test(address.postcode), address.postcode ? 'postcode' : 'required', 'a 5-digit CAP'); // CAP: Poste Italiane, 5 digits
    need('province', /^[A-Z]{2}$/.test(address.province), address.province ? 'province' : 'required', 'a 2-letter province code');
  }
  return errors.length ? { errors } : { value: address, errors: [] };
}

/** A repeating group's rows: a form post gives {"0": {...}, "1": {...}}, JSON an array; undefined when neither. */
export function rowsOf(raw: unknown): unknown[] | undefined {
  if (Array.isArray(raw)) return raw;
  if (isRecord(raw)) return Object.keys(raw).filter((k) => /^\d+$/.test(k)).sort((a, b) => Number(a) - Number(b)).map((k) => raw[k]);
  return isAbsent(raw) ? [] : undefined;
}

function coerceGrid(c: Component, raw: unknown, pointer: string, ctx: ValidationContext, outer: Lookup): Coerced {
  const rows = rowsOf(raw);
  if (!rows) return { errors: [{ pointer, code: 'type', detail: 'a list of rows' }] };
  const v = c.validate ?? {};
  const errors: FieldError[] = [];
  if (v.required && rows.length === 0) errors.push({ pointer, code: 'required', detail: 'at least one row' });
  if (v.minLength !== undefined && rows.length < v.minLength && rows.length > 0) errors.push({ pointer, code: 'min-rows', detail: `at least ${v.minLength} rows` });
  if (v.maxLength !== undefined && rows.length > v.maxLength) errors.push({ pointer, code: 'max-rows', detail: `at most ${v.maxLength} rows` });
  const scope = fieldEntries(c.components ?? []);
  const value = rows.map((row, i) => {
    if (!isRecord(row)) {
      errors.push({ pointer: `${pointer}/${i}`, code: 'type', detail: 'a row is an object' });
      return {};
    }
    const result = validateScope(scope, row, `${pointer}/${i}`, ctx, outer);
    errors.push(...result.errors);
    return result.value;
  });
  // A person from ANPR's list (a child to enrol) is in one row only.
  for (const { component } of scope.filter((e) => choiceSourceOf(e.component))) {
    const seen = new Set<unknown>();
    value.forEach((row, i) => {
      const chosen = row[component.key];
      if (chosen === undefined) return;
      if (seen.has(chosen)) errors.push({ pointer: `${pointer}/${i}/${component.key}`, code: 'duplicate-choice', detail: 'already chosen in another row' });
      seen.add(chosen);
    });
  }
  return { value, errors };
}

const UNSAFE_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * A urlencoded/multipart post as nested data: "children[0][name]" → {children: {"0": {name}}}.
 * Names starting with "_" (CSRF token, the wizard's buttons) are not data.
 */
export function parseFormPost(body: Record<string, unknown>): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body)) {
    if (name.startsWith('_')) continue;
    const path = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(name);
    if (!path) continue;
    const segments = [path[1]!, ...[...path[2]!.matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1]!)];
    if (segments.length > 4 || segments.some((s) => UNSAFE_SEGMENTS.has(s))) continue;
    let node = data;
    segments.forEach((segment, i) => {
      const last = i === segments.length - 1;
      if (segment === '' && last) return; // "boxes[]": a list, the value itself
      if (last) node[segment] = value;
      else if (segments[i + 1] === '' && i + 1 === segments.length - 1) node[segment] = Array.isArray(value) ? value : [value];
      else node = (isRecord(node[segment]) ? node[segment] : (node[segment] = {})) as Record<string, unknown>;
    });
  }
  return data;
}
