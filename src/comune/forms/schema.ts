// The form schemas an ente's administrator uploads: a typed subset of Form.io's JSON (formio.js
// component types and property names), plus two Italian field types, and its structural check.
import { LOCALES, type Locale } from '../../core/i18n.ts';
import { formsMessages } from './messages.ts';
import { PREFILL_SOURCES, prefillFits } from './prefill.ts';

/** Form.io types kept, plus our own `codicefiscale` and `iban` (a custom `type`, as Form.io custom components do). */
export const FIELD_TYPES = [
  'textfield',
  'textarea',
  'number',
  'email',
  'phoneNumber',
  'datetime',
  'day',
  'checkbox',
  'select',
  'radio',
  'selectboxes',
  'file',
  'address',
  'codicefiscale',
  'iban',
] as const;
export const GRID_TYPES = ['editgrid', 'datagrid'] as const;
export const COMPONENT_TYPES = [...FIELD_TYPES, ...GRID_TYPES, 'panel'] as const;

export type FieldType = (typeof FIELD_TYPES)[number];
export type GridType = (typeof GRID_TYPES)[number];
export type ComponentType = (typeof COMPONENT_TYPES)[number];

export interface Validate {
  required?: boolean;
  /** number: the value; day/datetime: an ISO date or 'today'. */
  min?: number | string;
  max?: number | string;
  /** Characters of text; rows of an editgrid/datagrid. */
  minLength?: number;
  maxLength?: number;
  /** A regular expression the whole text must match. */
  pattern?: string;
}

/** Form.io's simple conditional: when field `when` equals `eq`, the component is shown (show) or hidden (!show). */
export interface Conditional {
  show: boolean;
  when: string;
  eq: string;
}

/** A text per language, Italian required: `{"it": "Nome", "en": "First name", "de": "Vorname"}`. */
export type LocalizedText = { it: string } & Partial<Record<Exclude<Locale, 'it'>, string>>;
/** A text the citizen reads: a plain string is Italian (every schema stored before translations). */
export type Text = string | LocalizedText;

/** The codes of the field errors (validate.ts), each with its message in messages.ts. */
export const ERROR_CODES = Object.keys(formsMessages.it).flatMap((k) => (k.startsWith('forms.error.') ? [k.slice('forms.error.'.length)] : []));

export interface Option<T extends Text = Text> {
  value: string;
  label: T;
}

/** T is Text as stored; string once localizeSchema picked the citizen's language. */
export interface Component<T extends Text = Text> {
  type: ComponentType;
  key: string;
  label: T;
  /** Help text under the field. */
  description?: T;
  validate?: Validate;
  /** Form.io's custom error messages, by error code (ERROR_CODES): they replace the standard message. */
  errors?: Partial<Record<string, T>>;
  conditional?: Conditional;
  /** select (Form.io keeps them in data.values), radio, selectboxes. */
  values?: Option<T>[];
  /** panel (a wizard page), editgrid/datagrid (a repeating group's row). */
  components?: Component<T>[];
  /** file: 'sportello' is the only storage (src/comune/forms/files.ts). */
  storage?: 'sportello';
  /** file: accepted types, Form.io style: "application/pdf,image/png" or extensions ".pdf,.png". */
  filePattern?: string;
  /** file: "5MB", "500KB". */
  fileMaxSize?: string;
  /** file: more than one file. */
  multiple?: boolean;
  /** datetime: a time of day too (value "YYYY-MM-DDTHH:mm"); otherwise a date. */
  enableTime?: boolean;
  /** Form.io's free properties; ours: `prefill` (its vocabulary: PREFILL_SOURCES in prefill.ts). */
  properties?: { prefill?: string };
}

export interface FormSchema<T extends Text = Text> {
  /** 'wizard': every top-level component is a panel, one page each. */
  display: 'form' | 'wizard';
  /** The form's name in the back office (Italian). */
  title?: string;
  components: Component<T>[];
}

/** A text in the locale, Italian when it has no translation there. */
export function textIn(text: Text, locale: Locale): string {
  return typeof text === 'string' ? text : text[locale]?.trim() || text.it;
}

function localizeComponent(c: Component, locale: Locale): Component<string> {
  const { label, description, errors, values, components, ...rest } = c;
  return {
    ...rest,
    label: textIn(label, locale),
    ...(description !== undefined ? { description: textIn(description, locale) } : {}),
    ...(errors ? { errors: Object.fromEntries(Object.entries(errors).flatMap(([code, t]) => (t === undefined ? [] : [[code, textIn(t, locale)]]))) } : {}),
    ...(values ? { values: values.map((o) => ({ value: o.value, label: textIn(o.label, locale) })) } : {}),
    ...(components ? { components: components.map((child) => localizeComponent(child, locale)) } : {}),
  };
}

/** The schema with every text in the citizen's language (Italian fallback): what the renderer shows. */
export function localizeSchema(schema: FormSchema, locale: Locale): FormSchema<string> {
  return { ...schema, components: schema.components.map((c) => localizeComponent(c, locale)) };
}

export interface SchemaError {
  pointer: string;
  code: string;
  detail: string;
}

export type SchemaCheck = { ok: true; schema: FormSchema } | { ok: false; errors: SchemaError[] };

const KEY = /^[a-zA-Z][a-zA-Z0-9_]{0,63}$/;
const MAX_PATTERN = 200;
const CHOICE_TYPES: readonly ComponentType[] = ['select', 'radio', 'selectboxes'];
const TEXT_TYPES: readonly ComponentType[] = ['textfield', 'textarea', 'email', 'phoneNumber', 'codicefiscale', 'iban'];
const DATE_TYPES: readonly ComponentType[] = ['day', 'datetime'];
const KNOWN_PROPS = new Set([
  'type', 'key', 'label', 'description', 'validate', 'conditional', 'values', 'components', 'storage', 'filePattern',
  'fileMaxSize', 'multiple', 'enableTime', 'properties', 'input', 'tableView', 'placeholder', 'title', 'errors',
]);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const isGrid = (c: Component): boolean => (GRID_TYPES as readonly string[]).includes(c.type);
export const isDateLimit = (v: unknown): v is string => v === 'today' || (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v));

/** "5MB" → 5242880; undefined when unreadable. */
export function parseFileSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[m[2]!.toUpperCase() as 'B' | 'KB' | 'MB' | 'GB'];
  return Math.floor(Number(m[1]) * unit);
}

/** Every component, depth first, with its JSON pointer and the grid it repeats in (if any). */
export function* walk<T extends Text>(components: readonly Component<T>[], base = '/components', grid?: Component<T>): Generator<{ component: Component<T>; pointer: string; grid?: Component<T> }> {
  for (const [i, component] of components.entries()) {
    const pointer = `${base}/${i}`;
    yield { component, pointer, grid };
    if (component.components) yield* walk(component.components, `${pointer}/components`, isGrid(component) ? component : grid);
  }
}

/** The components that hold a value (no panels), at top level or in a grid row, panels flattened. */
export function dataComponents<T extends Text>(components: readonly Component<T>[]): Component<T>[] {
  return components.flatMap((c) => (c.type === 'panel' ? dataComponents(c.components ?? []) : [c]));
}

/** Structural check of an uploaded schema: known types, unique keys, sound conditionals and rules. */
export function checkSchema(input: unknown): SchemaCheck {
  const errors: SchemaError[] = [];
  const fail = (pointer: string, code: string, detail: string) => errors.push({ pointer, code, detail });
  if (!isRecord(input)) return { ok: false, errors: [{ pointer: '', code: 'type', detail: 'a schema is a JSON object' }] };
  const display = input.display ?? 'form';
  if (display !== 'form' && display !== 'wizard') fail('/display', 'enum', "display is 'form' or 'wizard'");
  if (!Array.isArray(input.components) || input.components.length === 0) {
    fail('/components', 'required', 'a schema has a non-empty components array');
    return { ok: false, errors };
  }
  checkComponents(input.components, '/components', { inGrid: false, inPanel: false }, fail);
  if (display === 'wizard') {
    input.components.forEach((c, i) => {
      if (isRecord(c) && c.type !== 'panel') fail(`/components/${i}/type`, 'wizard-page', 'every top-level component of a wizard is a panel (a page)');
    });
  }
  if (errors.length) return { ok: false, errors };
  const schema: FormSchema = { display: display as FormSchema['display'], title: typeof input.title === 'string' ? input.title : undefined, components: input.components as Component[] };
  checkKeysAndConditionals(schema, fail);
  return errors.length ? { ok: false, errors } : { ok: true, schema };
}

type Fail = (pointer: string, code: string, detail: string) => void;

function checkComponents(list: unknown[], base: string, where: { inGrid: boolean; inPanel: boolean }, fail: Fail): void {
  list.forEach((raw, i) => {
    const at = `${base}/${i}`;
    if (!isRecord(raw)) return fail(at, 'type', 'a component is a JSON object');
    const type = raw.type as ComponentType;
    if (!COMPONENT_TYPES.includes(type)) return fail(`${at}/type`, 'unknown-type', `unknown component type ${JSON.stringify(raw.type)}; known: ${COMPONENT_TYPES.join(', ')}`);
    for (const prop of Object.keys(raw)) if (!KNOWN_PROPS.has(prop)) fail(`${at}/${prop}`, 'unknown-property', `${type} has no property ${prop}`);
    if (typeof raw.key !== 'string' || !KEY.test(raw.key)) fail(`${at}/key`, 'format', 'a key is a letter then letters, digits or _ (at most 64)');
    checkText(raw.label, `${at}/label`, true, fail);
    if (raw.description !== undefined) checkText(raw.description, `${at}/description`, false, fail);
    checkErrorTexts(raw.errors, at, fail);
    checkValidate(raw, type, at, fail);
    checkChoices(raw, type, at, fail);
    checkFile(raw, type, at, fail);
    if (raw.properties !== undefined) {
      const prefill = isRecord(raw.properties) ? raw.properties.prefill : undefined;
      if (!isRecord(raw.properties)) fail(`${at}/properties`, 'type', 'properties is an object');
      else if (prefill !== undefined && !(typeof prefill === 'string' && prefill in PREFILL_SOURCES)) {
        fail(`${at}/properties/prefill`, 'unknown-prefill', `unknown prefill source; known: ${Object.keys(PREFILL_SOURCES).join(', ')}`);
      } else if (typeof prefill === 'string' && !prefillFits(prefill, type)) {
        fail(`${at}/properties/prefill`, 'prefill-type', `${prefill} does not fit a ${type}`);
      } else if (typeof prefill === 'string' && PREFILL_SOURCES[prefill]!.fits === 'choice' && raw.values !== undefined) {
        fail(`${at}/values`, 'unexpected', `the values of ${prefill} come from the source, not the schema`);
      }
    }
    const children = raw.components;
    if (type === 'panel' || GRID_TYPES.includes(type as GridType)) {
      if (!Array.isArray(children) || children.length === 0) return fail(`${at}/components`, 'required', `a ${type} has a non-empty components array`);
      if (type === 'panel' && (where.inGrid || where.inPanel)) fail(`${at}/type`, 'nesting', 'panels are pages: not inside a panel or a repeating group');
      if (type !== 'panel' && where.inGrid) fail(`${at}/type`, 'nesting', 'repeating groups do not nest');
      checkComponents(children, `${at}/components`, { inGrid: where.inGrid || type !== 'panel', inPanel: where.inPanel || type === 'panel' }, fail);
    } else if (children !== undefined) fail(`${at}/components`, 'unexpected', `a ${type} has no components`);
  });
}

function checkValidate(raw: Record<string, unknown>, type: ComponentType, at: string, fail: Fail): void {
  const v = raw.validate;
  if (v === undefined) return;
  if (!isRecord(v)) return fail(`${at}/validate`, 'type', 'validate is an object');
  const num = (name: string) => v[name] === undefined || (typeof v[name] === 'number' && Number.isFinite(v[name]));
  for (const name of ['minLength', 'maxLength']) {
    if (v[name] === undefined) continue;
    if (!Number.isInteger(v[name]) || (v[name] as number) < 0) fail(`${at}/validate/${name}`, 'type', `${name} is a whole number`);
    else if (!TEXT_TYPES.includes(type) && !GRID_TYPES.includes(type as GridType)) fail(`${at}/validate/${name}`, 'unexpected', `${name} applies to text fields and repeating groups`);
  }
  for (const name of ['min', 'max']) {
    if (v[name] === undefined) continue;
    if (type === 'number' ? !num(name) : !(DATE_TYPES.includes(type) && isDateLimit(v[name]))) {
      fail(`${at}/validate/${name}`, 'type', `${name} is a number for number fields, an ISO date or 'today' for dates, nothing else`);
    }
  }
  const ordered = (lo: string, hi: string) => v[lo] === undefined || v[hi] === undefined || v[lo]! <= v[hi]! || (v[lo] === 'today' || v[hi] === 'today');
  if (!ordered('min', 'max')) fail(`${at}/validate/min`, 'range', 'min is greater than max');
  if (!ordered('minLength', 'maxLength')) fail(`${at}/validate/minLength`, 'range', 'minLength is greater than maxLength');
  if (v.required !== undefined && typeof v.required !== 'boolean') fail(`${at}/validate/required`, 'type', 'required is true or false');
  if (v.pattern !== undefined) {
    if (typeof v.pattern !== 'string' || v.pattern.length > MAX_PATTERN || !TEXT_TYPES.includes(type)) {
      return fail(`${at}/validate/pattern`, 'type', `pattern is a regular expression of at most ${MAX_PATTERN} characters, on text fields`);
    }
    try {
      new RegExp(v.pattern, 'u');
    } catch {
      fail(`${at}/validate/pattern`, 'regex', 'pattern is not a valid regular expression');
    }
  }
}

function checkChoices(raw: Record<string, unknown>, type: ComponentType, at: string, fail: Fail): void {
  if (!CHOICE_TYPES.includes(type)) {
    if (raw.values !== undefined) fail(`${at}/values`, 'unexpected', `a ${type} has no values`);
    return;
  }
  const values = raw.values;
  const prefill = isRecord(raw.properties) ? raw.properties.prefill : undefined;
  if (values === undefined && typeof prefill === 'string' && PREFILL_SOURCES[prefill]?.fits === 'choice') return; // the source lists them
  if (!Array.isArray(values) || values.length === 0) return fail(`${at}/values`, 'required', `a ${type} lists its values`);
  const seen = new Set<string>();
  values.forEach((o, j) => {
    if (!isRecord(o) || typeof o.value !== 'string' || !o.value) return fail(`${at}/values/${j}`, 'type', 'each value is {value, label}, value a string');
    checkText(o.label, `${at}/values/${j}/label`, false, fail);
    if (seen.has(o.value)) fail(`${at}/values/${j}/value`, 'duplicate', `value ${o.value} is listed twice`);
    seen.add(o.value);
  });
}

/** A Text: a string, or {it, en?, de?} with the Italian present (the fallback); `required`: not blank. */
function checkText(value: unknown, at: string, required: boolean, fail: Fail): void {
  if (typeof value === 'string') {
    if (required && !value.trim()) fail(at, 'required', 'a text is required here');
    return;
  }
  if (!isRecord(value)) return fail(at, required ? 'required' : 'type', `a text: a string (Italian) or {${LOCALES.join(', ')}}`);
  for (const [lang, text] of Object.entries(value)) {
    if (!(LOCALES as readonly string[]).includes(lang)) fail(`${at}/${lang}`, 'unknown-language', `languages are ${LOCALES.join(', ')}`);
    else if (typeof text !== 'string') fail(`${at}/${lang}`, 'type', 'a translation is a string');
  }
  if (typeof value.it !== 'string' || (required && !value.it.trim())) fail(`${at}/it`, 'required', 'the Italian text is required: it is shown when a translation is missing');
}

function checkErrorTexts(errors: unknown, at: string, fail: Fail): void {
  if (errors === undefined) return;
  if (!isRecord(errors)) return fail(`${at}/errors`, 'type', 'errors maps an error code to its message');
  for (const [code, text] of Object.entries(errors)) {
    if (!ERROR_CODES.includes(code)) fail(`${at}/errors/${code}`, 'unknown-error', `unknown error code; known: ${ERROR_CODES.join(', ')}`);
    else checkText(text, `${at}/errors/${code}`, true, fail);
  }
}

function checkFile(raw: Record<string, unknown>, type: ComponentType, at: string, fail: Fail): void {
  const fileProps = ['storage', 'filePattern', 'fileMaxSize', 'multiple'] as const;
  if (type !== 'file') {
    for (const p of fileProps) if (raw[p] !== undefined) fail(`${at}/${p}`, 'unexpected', `${p} belongs to file components`);
    return;
  }
  if (raw.storage !== undefined && raw.storage !== 'sportello') fail(`${at}/storage`, 'enum', "storage is 'sportello'");
  if (raw.fileMaxSize !== undefined && (typeof raw.fileMaxSize !== 'string' || parseFileSize(raw.fileMaxSize) === undefined)) {
    fail(`${at}/fileMaxSize`, 'format', 'a size like "5MB" or "500KB"');
  }
  if (raw.filePattern !== undefined && (typeof raw.filePattern !== 'string' || !raw.filePattern.trim())) fail(`${at}/filePattern`, 'format', 'a list like "application/pdf,.png"');
}

/** Keys are unique in the whole form; a conditional names another field it can see, and no loop. */
function checkKeysAndConditionals(schema: FormSchema, fail: Fail): void {
  const byKey = new Map<string, { component: Component; pointer: string; grid?: Component }>();
  for (const entry of walk(schema.components)) {
    if (byKey.has(entry.component.key)) fail(`${entry.pointer}/key`, 'duplicate-key', `key ${entry.component.key} is also used at ${byKey.get(entry.component.key)!.pointer}`);
    else byKey.set(entry.component.key, entry);
  }
  for (const { component, pointer, grid } of walk(schema.components)) {
    const cond = component.conditional;
    if (cond === undefined) continue;
    const at = `${pointer}/conditional`;
    if (!isRecord(cond) || typeof cond.show !== 'boolean' || typeof cond.when !== 'string' || typeof cond.eq !== 'string') {
      fail(at, 'type', 'a conditional is {show: boolean, when: key, eq: string}');
      continue;
    }
    const target = byKey.get(cond.when);
    if (!target) fail(`${at}/when`, 'unknown-key', `no field has key ${cond.when}`);
    else if (cond.when === component.key) fail(`${at}/when`, 'self', 'a field cannot depend on itself');
    else if (target.component.type === 'panel' || isGrid(target.component) || ['file', 'address'].includes(target.component.type)) {
      fail(`${at}/when`, 'not-comparable', `${cond.when} is a ${target.component.type}: its value cannot equal a string`);
    } else if (target.grid && target.grid !== grid) fail(`${at}/when`, 'out-of-scope', `${cond.when} is inside a repeating group this field is not in`);
    else if (target.component.values && !target.component.values.some((o) => o.value === cond.eq)) fail(`${at}/eq`, 'not-an-option', `${cond.eq} is not a value of ${cond.when}`);
    else if (target.component.type === 'checkbox' && !['true', 'false'].includes(cond.eq)) fail(`${at}/eq`, 'not-an-option', "a checkbox equals 'true' or 'false'");
  }
  for (const { component, pointer } of walk(schema.components)) {
    if (component.conditional?.when === component.key) continue;
    const seen = new Set<string>([component.key]);
    for (let c = component.conditional; c && byKey.has(c.when); c = byKey.get(c.when)!.component.conditional) {
      if (seen.has(c.when)) {
        fail(`${pointer}/conditional/when`, 'cycle', `conditionals loop: ${[...seen, c.when].join(' → ')}`);
        break;
      }
      seen.add(c.when);
    }
  }
}
