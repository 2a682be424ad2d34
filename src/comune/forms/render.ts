// A form as server-side HTML (Bootstrap Italia): one page per panel of a wizard with a step indicator,
// a summary before submitting, repeating groups and conditional fields that work without JavaScript.
import { attr, html, type SafeHtml } from '../../core/html.ts';
import { csrfField, errorSummary, selectField, textareaField, textField, type FieldErrors, type FieldInput } from '../../core/forms.ts';
import type { Locale } from '../../core/i18n.ts';
import { isGrid, localizeSchema, parseFileSize, walk, type Component, type FormSchema } from './schema.ts';
import { conditionMet, fieldEntries, formState, rowsOf, type FieldError, type FormState, type UploadedFileRef, type ValidationContext } from './validate.ts';
import { choiceSourceOf, type AddressValue, type PrefillChoice, type PrefillMark } from './prefill.ts';
import { formsT, type FormsT } from './messages.ts';

/** The small script that hides/shows conditional fields as the citizen answers (web/forms.js); pages add it to their head. */
export const FORMS_SCRIPT = '/assets/sportello/forms.js';

export interface RenderFormInput {
  schema: FormSchema;
  locale: Locale;
  /** Where the form posts; the buttons say what to do in `_action` (see applyFormAction). */
  action: string;
  csrfToken: string;
  /** The answers so far: as posted (strings) or as validated. */
  data: Record<string, unknown>;
  errors?: readonly FieldError[];
  marks?: Record<string, PrefillMark>;
  ctx: ValidationContext;
  /** A wizard's page; the number of pages means the summary. */
  page?: number;
}

/** A component with its texts in the citizen's language (localizeSchema). */
type Field = Component<string>;

interface Scope {
  t: FormsT;
  locale: Locale;
  errors: FieldErrors;
  marks: Record<string, PrefillMark>;
  state: FormState;
  files: readonly UploadedFileRef[];
  choices: ValidationContext['choices'];
  byKey: Map<string, Field>;
  data: Record<string, unknown>;
}

/** What displayValue needs to read a value back. */
export type DisplayScope = Pick<Scope, 't' | 'locale' | 'files' | 'choices'>;

const ADDRESS_PARTS = ['street', 'houseNumber', 'postcode', 'comune', 'province'] as const;
const INPUT_TYPES: Partial<Record<Component['type'], FieldInput['type']>> = { email: 'email', phoneNumber: 'tel', day: 'date' };
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** "/data/children/0/name" → "children[0][name]", the input's name. */
export function pointerToName(pointer: string): string {
  const [first, ...rest] = pointer.split('/').slice(2);
  return `${first}${rest.map((s) => `[${s}]`).join('')}`;
}

/** The wizard's pages the data shows: a page whose fields are all hidden is skipped. */
export function visiblePages(schema: FormSchema, state: FormState): number[] {
  if (schema.display !== 'wizard') return [0];
  return schema.components.flatMap((panel, i) => (fieldEntries(panel.components ?? []).some((e) => state.visible.has(e.component.key)) ? [i] : []));
}

function errorMessage(t: FormsT, byKey: Map<string, Field>, error: FieldError): string {
  const [key, ...rest] = error.pointer.split('/').slice(2);
  let c = byKey.get(key!);
  let label = c?.label ?? key!;
  if (c && isGrid(c) && rest.length >= 2) {
    c = byKey.get(rest[1]!);
    label = `${t('forms.row', { label: byKey.get(key!)!.label, n: Number(rest[0]) + 1 })} – ${c?.label ?? rest[1]}`;
  } else if (c?.type === 'address' && rest[0]) label = `${label} – ${t(`forms.address.${rest[0] as (typeof ADDRESS_PARTS)[number]}`)}`;
  const custom = c?.errors?.[error.code];
  if (custom) return t('forms.customError', { label, message: custom });
  const v = c?.validate ?? {};
  const code = `forms.error.${error.code}` as Parameters<FormsT>[0];
  const message = t(code, { label, min: String(v.min ?? ''), max: String(v.max ?? ''), minLength: v.minLength ?? '', maxLength: v.maxLength ?? '' });
  return message === code ? t('forms.error.type', { label }) : message;
}

function scopeOf(input: RenderFormInput, schema: FormSchema<string>): Scope {
  const t = formsT(input.locale);
  const byKey = new Map([...walk(schema.components)].map((e) => [e.component.key, e.component]));
  const errors: FieldErrors = {};
  for (const e of input.errors ?? []) errors[pointerToName(e.pointer)] ??= errorMessage(t, byKey, e);
  const state = formState(schema, input.data, input.ctx);
  return { t, locale: input.locale, errors, marks: input.marks ?? {}, state, files: input.ctx.files ?? [], choices: input.ctx.choices, byKey, data: input.data };
}

/** The form in the citizen's language: each text in `locale`, Italian where the schema has no translation. */
export function renderForm(input: RenderFormInput): SafeHtml {
  const schema = localizeSchema(input.schema, input.locale);
  const s = scopeOf(input, schema);
  const pages = visiblePages(schema, s.state);
  const wizard = schema.display === 'wizard';
  const current = wizard ? Math.min(Math.max(input.page ?? pages[0]!, 0), schema.components.length) : 0;
  const summary = wizard && current === schema.components.length;
  const components = wizard ? (summary ? [] : schema.components[current]!.components ?? []) : schema.components;
  const multipart = [...walk(components)].some((e) => e.component.type === 'file');
  const body = summary ? renderSummary(schema, input.data, s, pages) : html`${wizard ? html`<h2 class="h4 mb-4">${schema.components[current]!.label}</h2>` : ''}
    ${components.map((c) => renderInScope(c, c.key, input.data[c.key], s, new Set(fieldEntries(components).map((e) => e.component.key))))}`;
  const next = summary || !wizard ? 'submit' : 'next';
  return html`${wizard ? steppers(schema, pages, current, s.t) : ''}
${errorSummary(s.errors, s.t('forms.errorHeading'))}
<form method="post" action="${input.action}" class="sportello-form" novalidate${attr('enctype', multipart ? 'multipart/form-data' : undefined)}>
  ${csrfField(input.csrfToken)}
  <input type="hidden" name="_page" value="${current}">
  <button type="submit" name="_action" value="${next}" class="visually-hidden" tabindex="-1" aria-hidden="true">${s.t(next === 'submit' ? 'forms.submit' : 'forms.next')}</button>
  ${body}
  <div class="d-flex flex-row-reverse justify-content-between mt-5">
    <button type="submit" name="_action" value="${next}" class="btn btn-primary">${s.t(next === 'submit' ? 'forms.submit' : 'forms.next')}</button>
    ${wizard && current !== pages[0] ? html`<button type="submit" name="_action" value="back" class="btn btn-outline-primary" formnovalidate>${s.t('forms.back')}</button>` : ''}
  </div>
</form>`;
}

function steppers(schema: FormSchema<string>, pages: number[], current: number, t: FormsT): SafeHtml {
  const steps = [...pages.map((i) => ({ index: i, label: schema.components[i]!.label })), { index: schema.components.length, label: t('forms.summary') }];
  const position = steps.findIndex((step) => step.index === current);
  return html`<nav class="steppers mb-4" aria-label="${t('forms.steps')}">
  <div class="steppers-header">
    <ol class="list-unstyled d-flex flex-wrap gap-3 mb-0">
      ${steps.map((step, n) =>
        n < position
          ? html`<li class="confirmed">${step.label}<span class="visually-hidden"> (${t('forms.confirmed')})</span></li>`
          : html`<li${attr('class', n === position ? 'active' : undefined)}${attr('aria-current', n === position ? 'step' : undefined)}>${step.label}</li>`,
      )}
    </ol>
    <span class="steppers-index">${t('forms.stepIndex', { n: position + 1, total: steps.length })}</span>
  </div>
</nav>`;
}

/**
 * A component with its conditional. A condition on a field of the same page (or row) is rendered with
 * a hint and left to the script or the next post; one on an earlier page is decided here.
 */
function renderInScope(c: Field, name: string, value: unknown, s: Scope, sameScope: Set<string>, rowBase?: string): SafeHtml {
  const cond = c.conditional;
  const local = cond && sameScope.has(cond.when);
  if (cond && !local) {
    const shown = rowBase === undefined ? s.state.visible.has(c.key) : conditionMet(cond, s.state.valueOf(cond.when));
    if (!shown) return html``;
  }
  const field = renderComponent(c, name, value, s);
  if (!cond || !local) return field;
  const control = s.byKey.get(cond.when)!;
  const controlName = rowBase === undefined ? cond.when : `${rowBase}[${cond.when}]`;
  const shownValue = control.values?.find((o) => o.value === cond.eq)?.label ?? (cond.eq === 'true' ? s.t('forms.yes') : cond.eq === 'false' ? s.t('forms.no') : cond.eq);
  return html`<div class="forms-conditional" data-when="${controlName}" data-eq="${cond.eq}" data-show="${String(cond.show)}">
  <p class="form-text forms-conditional-hint">${s.t(cond.show ? 'forms.onlyIf' : 'forms.onlyIfNot', { field: control.label, value: shownValue })}</p>
  ${field}
</div>`;
}

function helpOf(c: Field, mark: PrefillMark | undefined, s: Scope, extra?: string): string | undefined {
  return [c.description, extra, mark && s.t(`forms.prefilled.${mark.origin}`)].filter(Boolean).join(' — ') || undefined;
}

/** A select/radio fed by ANPR's list: the list as its options, marked as ANPR's (or saying it is empty). */
function withChoices(c: Field, list: readonly PrefillChoice[], s: Scope): Field {
  const values = list.map((o) => ({ value: o.value, label: choiceLabel(o, s) }));
  return { ...c, values, description: [c.description, s.t(list.length ? 'forms.choice.fromAnpr' : 'forms.choice.none')].filter(Boolean).join(' — ') };
}

const choiceLabel = (o: PrefillChoice, s: Pick<Scope, 't'>) => s.t('forms.choice.person', { name: o.name, date: italianDate(o.birthDate), value: o.value });

function renderComponent(field: Field, name: string, value: unknown, s: Scope): SafeHtml {
  const fed = choiceSourceOf(field) ? { list: s.choices?.[field.key] } : undefined;
  // ANPR did not answer: the fiscal code is typed, and the citizen is told why.
  if (fed && !fed.list) {
    const help = helpOf(field, undefined, s, s.t('forms.choice.fallback'));
    return textField({ name, label: field.label, error: s.errors[name], required: field.validate?.required, value: text(value), autocomplete: 'off', help });
  }
  const c = fed?.list ? withChoices(field, fed.list, s) : field;
  // Marks are on top-level fields: a prefilled field is never inside a repeating group.
  const mark = name === c.key ? s.marks[c.key] : undefined;
  const base = { name, label: c.label, error: s.errors[name], required: c.validate?.required, help: helpOf(c, mark, s) };
  if (mark?.readOnly) return textField({ ...base, value: displayValue(c, value, s), readonly: true, required: false });
  switch (c.type) {
    case 'textarea':
      return textareaField({ ...base, value: text(value) });
    case 'select':
      return selectField({ ...base, value: text(value), options: [{ value: '', label: s.t('forms.choose') }, ...c.values!] });
    case 'radio':
    case 'selectboxes':
      return choiceGroup(c, name, value, s, base.help);
    case 'checkbox':
      return checkbox(c, name, value, s, base.help);
    case 'address':
      return addressGroup(c, name, value, s, base.help);
    case 'file':
      return fileField(c, name, value, s);
    case 'editgrid':
    case 'datagrid':
      return gridField(c, name, value, s);
    case 'panel':
      // A panel in a one-page form: a titled section; its fields are top-level data.
      return html`<section class="mb-4"><h3 class="h5">${c.label}</h3>${(c.components ?? []).map((child) => renderComponent(child, child.key, s.data[child.key], s))}</section>`;
    default:
      return textField({
        ...base,
        value: text(value),
        type: c.type === 'datetime' ? (c.enableTime ? 'datetime-local' : 'date') : (INPUT_TYPES[c.type] ?? 'text'),
        inputmode: c.type === 'number' ? 'decimal' : undefined,
        autocomplete: c.type === 'email' ? 'email' : c.type === 'phoneNumber' ? 'tel' : c.type === 'codicefiscale' || c.type === 'iban' ? 'off' : undefined,
      });
  }
}

/** The fieldset shared by radio, checkbox and address groups: legend, help, error, described by both. */
function groupFrame(name: string, label: string, required: boolean | undefined, help: string | undefined, error: string | undefined, body: (describedBy: string | undefined) => SafeHtml): SafeHtml {
  const id = `field-${name}`;
  const describedBy = [help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return html`<fieldset class="mb-4"${attr('aria-describedby', describedBy)}>
  <legend class="h6">${label}${required ? html` <span aria-hidden="true">*</span>` : ''}</legend>
  ${help ? html`<p id="${id}-help" class="form-text">${help}</p>` : ''}
  ${error ? html`<div id="${id}-error" class="invalid-feedback d-block">${error}</div>` : ''}
  ${body(describedBy)}
</fieldset>`;
}

function choiceGroup(c: Field, name: string, value: unknown, s: Scope, help: string | undefined): SafeHtml {
  const multiple = c.type === 'selectboxes';
  const chosen = (v: string) => (multiple ? (Array.isArray(value) ? value.includes(v) : isRecord(value) && (value[v] === true || value[v] === 'true')) : value === v);
  return groupFrame(name, c.label, c.validate?.required, help, s.errors[name], () =>
    html`${c.values!.map(
      (o, i) => html`<div class="form-check">
    <input class="form-check-input" type="${multiple ? 'checkbox' : 'radio'}" id="${i === 0 ? `field-${name}` : `field-${name}-${i}`}" name="${multiple ? `${name}[]` : name}" value="${o.value}"${attr('checked', chosen(o.value))}${attr('aria-invalid', s.errors[name] ? 'true' : undefined)}>
    <label class="form-check-label" for="${i === 0 ? `field-${name}` : `field-${name}-${i}`}">${o.label}</label>
  </div>`,
    )}`,
  );
}

function checkbox(c: Field, name: string, value: unknown, s: Scope, help: string | undefined): SafeHtml {
  const id = `field-${name}`;
  const error = s.errors[name];
  const describedBy = [help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return html`<div class="form-check mb-4">
  <input class="form-check-input" type="checkbox" id="${id}" name="${name}" value="true"${attr('checked', value === true || value === 'true' || value === 'on')}${attr('aria-invalid', error ? 'true' : undefined)}${attr('aria-describedby', describedBy)}>
  <label class="form-check-label" for="${id}">${c.label}${c.validate?.required ? html` <span aria-hidden="true">*</span>` : ''}</label>
  ${help ? html`<small id="${id}-help" class="form-text d-block">${help}</small>` : ''}
  ${error ? html`<div id="${id}-error" class="invalid-feedback d-block">${error}</div>` : ''}
</div>`;
}

function addressGroup(c: Field, name: string, value: unknown, s: Scope, help: string | undefined): SafeHtml {
  const parts = isRecord(value) ? value : {};
  return groupFrame(name, c.label, c.validate?.required, help, s.errors[name], () =>
    html`<div class="row">${ADDRESS_PARTS.map(
      (part) => html`<div class="${part === 'street' || part === 'comune' ? 'col-md-8' : 'col-md-4'}">${textField({
        name: `${name}[${part}]`,
        label: s.t(`forms.address.${part}`),
        value: text(parts[part]),
        error: s.errors[`${name}[${part}]`],
        autocomplete: { street: 'address-line1', houseNumber: undefined, postcode: 'postal-code', comune: 'address-level2', province: 'address-level1' }[part],
        inputmode: part === 'postcode' ? 'numeric' : undefined,
      })}</div>`,
    )}</div>`,
  );
}

function fileField(c: Field, name: string, value: unknown, s: Scope): SafeHtml {
  const ids = (Array.isArray(value) ? value : value ? [value] : []).map((v) => (isRecord(v) ? v.id : v));
  const attached = s.files.filter((f) => ids.includes(f.id));
  const types = c.filePattern ?? 'PDF, PNG, JPEG';
  const size = c.fileMaxSize ?? '10MB';
  const help = helpOf(c, undefined, s, s.t('forms.file.accepted', { types, size }));
  const id = `field-${name}`;
  const error = s.errors[name];
  return html`<div class="form-group mb-4">
  <label for="${id}" class="active">${c.label}${c.validate?.required ? html` <span aria-hidden="true">*</span>` : ''}</label>
  <input type="file" id="${id}" name="_upload[${name}]" class="form-control-file d-block"${attr('multiple', c.multiple)}${attr('accept', c.filePattern)}${attr('data-max-bytes', parseFileSize(size))}${attr(
    'aria-invalid',
    error ? 'true' : undefined,
  )} aria-describedby="${id}-help${error ? ` ${id}-error` : ''}">
  <small id="${id}-help" class="form-text">${help}</small>
  ${error ? html`<div id="${id}-error" class="invalid-feedback d-block">${error}</div>` : ''}
  ${attached.length
    ? html`<ul class="list-unstyled mt-2" aria-label="${s.t('forms.file.attached', { label: c.label })}">${attached.map(
        (f) => html`<li class="d-flex align-items-center gap-2">
      <input type="hidden" name="${name}[]" value="${f.id}">${f.name} (${formatBytes(f.size, s.locale)})
      <button type="submit" name="_action" value="remove-file:${name}:${f.id}" class="btn btn-link btn-sm" formnovalidate>${s.t('forms.file.remove', { name: f.name })}</button>
    </li>`,
      )}</ul>`
    : ''}
</div>`;
}

function gridField(c: Field, name: string, value: unknown, s: Scope): SafeHtml {
  const rows = (rowsOf(value) ?? []).map((r) => (isRecord(r) ? r : {}));
  const full = c.validate?.maxLength !== undefined && rows.length >= c.validate.maxLength;
  const children = c.components ?? [];
  const siblings = new Set(fieldEntries(children).map((e) => e.component.key));
  return groupFrame(name, c.label, c.validate?.required, c.description, s.errors[name], () =>
    html`${rows.length ? '' : html`<p>${s.t('forms.noRows')}</p>`}
  ${rows.map((row, i) => {
    const rowName = `${name}[${i}]`;
    const rowLabel = s.t('forms.row', { label: c.label, n: i + 1 });
    return html`<fieldset class="border rounded p-3 mb-3">
    <legend class="h6 px-2 w-auto">${rowLabel}</legend>
    ${children.map((child) => renderInScope(child, `${rowName}[${child.key}]`, row[child.key], s, siblings, rowName))}
    <button type="submit" name="_action" value="remove:${name}:${i}" class="btn btn-outline-danger btn-sm" formnovalidate>${s.t('forms.removeRow', { row: rowLabel })}</button>
  </fieldset>`;
  })}
  ${full ? '' : html`<button type="submit" name="_action" value="add:${name}" class="btn btn-outline-primary btn-sm" formnovalidate>${s.t('forms.addRow', { label: c.label })}</button>`}`,
  );
}

function formatBytes(bytes: number, locale: Locale): string {
  const nf = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  return bytes >= 1024 * 1024 ? `${nf.format(bytes / 1024 / 1024)} MB` : `${nf.format(Math.max(1, bytes / 1024))} KB`;
}

const italianDate = (iso: string) => iso.replace(/^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}:\d{2}))?$/, (_, y, m, d, time) => `${d}/${m}/${y}${time ? ` ${time}` : ''}`);

/** A value as the citizen reads it back: option labels, dates dd/mm/yyyy, one-line addresses, file names. */
export function displayValue(c: Field, value: unknown, s: DisplayScope): string {
  if (c.type === 'checkbox') return s.t(value === true || value === 'true' || value === 'on' ? 'forms.yes' : 'forms.no');
  if (value === undefined || value === null || value === '') return '';
  switch (c.type) {
    case 'select':
    case 'radio': {
      const fed = s.choices?.[c.key]?.find((o) => o.value === value);
      return fed ? choiceLabel(fed, s) : (c.values?.find((o) => o.value === value)?.label ?? text(value));
    }
    case 'selectboxes': {
      const chosen = Array.isArray(value) ? value : isRecord(value) ? Object.keys(value).filter((k) => value[k] === true || value[k] === 'true') : [];
      return (c.values ?? []).filter((o) => chosen.includes(o.value)).map((o) => o.label).join(', ');
    }
    case 'day':
    case 'datetime':
      return italianDate(text(value));
    case 'number':
      return typeof value === 'number' ? new Intl.NumberFormat(s.locale).format(value) : text(value);
    case 'address': {
      const a = (isRecord(value) ? value : {}) as Partial<AddressValue>;
      return [[a.street, a.houseNumber].filter(Boolean).join(' '), [a.postcode, a.comune, a.province ? `(${a.province})` : ''].filter(Boolean).join(' '), a.country].filter(Boolean).join(', ');
    }
    case 'file': {
      const ids = (Array.isArray(value) ? value : [value]).map((v) => (isRecord(v) ? v.id : v));
      return s.files.filter((f) => ids.includes(f.id)).map((f) => f.name).join(', ');
    }
    default:
      return text(value);
  }
}

function answers(components: readonly Field[], data: Record<string, unknown>, s: Scope, visible: (c: Field) => boolean): SafeHtml {
  const shown = fieldEntries(components).filter((e) => visible(e.component));
  return html`<dl class="row">${shown.map(({ component: c }) =>
    isGrid(c)
      ? html`<dt class="col-sm-4">${c.label}</dt><dd class="col-sm-8">${(rowsOf(data[c.key]) ?? []).map(
          (row, i) => html`<p class="fw-semibold mb-1">${s.t('forms.row', { label: c.label, n: i + 1 })}</p>${answers(c.components ?? [], isRecord(row) ? row : {}, s, (child) => !child.conditional || conditionMet(child.conditional, (isRecord(row) ? row : {})[child.conditional.when] ?? s.state.valueOf(child.conditional.when)))}`,
        )}</dd>`
      : html`<dt class="col-sm-4">${c.label}</dt><dd class="col-sm-8">${displayValue(c, data[c.key], s) || s.t('forms.empty')}</dd>`,
  )}</dl>`;
}

function renderSummary(schema: FormSchema<string>, data: Record<string, unknown>, s: Scope, pages: number[]): SafeHtml {
  return html`<h2 class="h4 mb-3">${s.t('forms.summary')}</h2>
<p>${s.t('forms.summaryIntro')}</p>
${pages.map((i) => {
  const panel = schema.components[i]!;
  return html`<section class="mb-4" aria-labelledby="summary-${panel.key}">
  <div class="d-flex justify-content-between align-items-baseline">
    <h3 class="h5" id="summary-${panel.key}">${panel.label}</h3>
    <button type="submit" name="_action" value="goto:${i}" class="btn btn-link" formnovalidate>${s.t('forms.edit', { page: panel.label })}</button>
  </div>
  ${answers(panel.components ?? [], data, s, (c) => s.state.visible.has(c.key))}
</section>`;
})}`;
}

export type FormAction =
  | { kind: 'next' | 'back' | 'submit' }
  | { kind: 'goto'; page: number }
  | { kind: 'add'; grid: string }
  | { kind: 'remove'; grid: string; row: number }
  | { kind: 'remove-file'; field: string; id: string };

/** The `_action` a button posted; undefined when it is none of ours. */
export function parseFormAction(value: unknown): FormAction | undefined {
  if (value === 'next' || value === 'back' || value === 'submit') return { kind: value };
  if (typeof value !== 'string') return undefined;
  const [kind, a, b] = value.split(':');
  if (kind === 'goto' && /^\d+$/.test(a ?? '')) return { kind, page: Number(a) };
  if (kind === 'add' && a) return { kind, grid: a };
  if (kind === 'remove' && a && /^\d+$/.test(b ?? '')) return { kind, grid: a, row: Number(b) };
  if (kind === 'remove-file' && a && b) return { kind, field: a, id: b };
  return undefined;
}

/**
 * A row added to or removed from a repeating group, or a file detached: the data to show again.
 * Grids and file fields are top-level (checkSchema refuses nested grids).
 */
export function applyRowAction(schema: FormSchema, data: Record<string, unknown>, action: FormAction): Record<string, unknown> {
  const byKey = new Map([...walk(schema.components)].map((e) => [e.component.key, e.component]));
  if (action.kind === 'add' || action.kind === 'remove') {
    const grid = byKey.get(action.grid);
    if (!grid || !isGrid(grid)) return data;
    const rows = rowsOf(data[action.grid]) ?? [];
    return { ...data, [action.grid]: action.kind === 'add' ? [...rows, {}] : rows.filter((_, i) => i !== action.row) };
  }
  if (action.kind === 'remove-file' && byKey.get(action.field)?.type === 'file') {
    const ids = (Array.isArray(data[action.field]) ? (data[action.field] as unknown[]) : [data[action.field]]).map((v) => (isRecord(v) ? v.id : v));
    return { ...data, [action.field]: ids.filter((id) => id !== undefined && id !== action.id) };
  }
  return data;
}

/** The page after (or before) `page` that the data shows; the summary follows the last page. */
export function adjacentPage(schema: FormSchema, data: Record<string, unknown>, ctx: ValidationContext, page: number, direction: 1 | -1): number {
  const pages = [...visiblePages(schema, formState(schema, data, ctx)), schema.components.length];
  return (direction === 1 ? pages.find((p) => p > page) : pages.findLast((p) => p < page)) ?? pages[0]!;
}
