// Accessible form pieces in Bootstrap Italia: labelled fields, errors tied to their field, an error summary.
import { attr, html, type SafeHtml } from './html.ts';
import { CSRF_FIELD } from './auth/csrf.ts';
import { HttpProblem } from './problem.ts';

export type FieldErrors = Record<string, string>;

export interface FieldInput {
  name: string;
  label: string;
  value?: string | null;
  type?: 'text' | 'email' | 'tel' | 'password' | 'url' | 'date' | 'datetime-local' | 'number';
  error?: string;
  help?: string;
  required?: boolean;
  autocomplete?: string;
  inputmode?: string;
  /** Shown but not editable (e.g. a value from an authoritative source). */
  readonly?: boolean;
}

export function textField(input: FieldInput): SafeHtml {
  const id = `field-${input.name}`;
  const describedBy = [input.help ? `${id}-help` : '', input.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="form-group">
  <label for="${id}" class="active">${input.label}${input.required ? html` <span aria-hidden="true">*</span>` : ''}</label>
  <input id="${id}" name="${input.name}" type="${input.type ?? 'text'}" class="form-control${input.error ? ' is-invalid' : ''}"
    value="${input.value ?? ''}"${attr('required', input.required)}${attr('readonly', input.readonly)}${attr('autocomplete', input.autocomplete)}${attr('inputmode', input.inputmode)}${attr(
      'aria-invalid',
      input.error ? 'true' : undefined,
    )}${attr('aria-describedby', describedBy || undefined)}>
  ${input.help ? html`<small id="${id}-help" class="form-text">${input.help}</small>` : ''}
  ${input.error ? html`<div id="${id}-error" class="invalid-feedback d-block">${input.error}</div>` : ''}
</div>`;
}

/** A multi-line text field, labelled and described like textField. */
export function textareaField(input: Omit<FieldInput, 'type' | 'inputmode'> & { rows?: number }): SafeHtml {
  const id = `field-${input.name}`;
  const describedBy = [input.help ? `${id}-help` : '', input.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="form-group">
  <label for="${id}" class="active">${input.label}${input.required ? html` <span aria-hidden="true">*</span>` : ''}</label>
  <textarea id="${id}" name="${input.name}" rows="${input.rows ?? 4}" class="form-control${input.error ? ' is-invalid' : ''}"${attr('required', input.required)}${attr('readonly', input.readonly)}${attr(
    'aria-invalid',
    input.error ? 'true' : undefined,
  )}${attr('aria-describedby', describedBy || undefined)}>${input.value ?? ''}</textarea>
  ${input.help ? html`<small id="${id}-help" class="form-text">${input.help}</small>` : ''}
  ${input.error ? html`<div id="${id}-error" class="invalid-feedback d-block">${input.error}</div>` : ''}
</div>`;
}

export interface SelectInput {
  name: string;
  label: string;
  options: readonly { value: string; label: string }[];
  value?: string | null;
  error?: string;
  help?: string;
  required?: boolean;
}

/** A labelled select (Bootstrap Italia select-wrapper); the option equal to `value` is selected. */
export function selectField(input: SelectInput): SafeHtml {
  const id = `field-${input.name}`;
  const describedBy = [input.help ? `${id}-help` : '', input.error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="select-wrapper mb-4">
  <label for="${id}">${input.label}${input.required ? html` <span aria-hidden="true">*</span>` : ''}</label>
  <select id="${id}" name="${input.name}"${attr('required', input.required)}${attr('aria-invalid', input.error ? 'true' : undefined)}${attr('aria-describedby', describedBy || undefined)}>
    ${input.options.map((o) => html`<option value="${o.value}"${attr('selected', o.value === input.value)}>${o.label}</option>`)}
  </select>
  ${input.help ? html`<small id="${id}-help" class="form-text">${input.help}</small>` : ''}
  ${input.error ? html`<div id="${id}-error" class="invalid-feedback d-block">${input.error}</div>` : ''}
</div>`;
}

export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${token}">`;
}

/** The list of errors at the top of a form, each linking to its field (WCAG 3.3.1). */
export function errorSummary(errors: FieldErrors, heading: string): SafeHtml {
  const entries = Object.entries(errors);
  if (!entries.length) return html``;
  return html`<div class="alert alert-danger" role="alert" id="error-summary">
  <p class="mb-1">${heading}</p>
  <ul class="mb-0">${entries.map(([name, message]) => html`<li><a href="#field-${name}">${message}</a></li>`)}</ul>
</div>`;
}

export function alert(kind: 'success' | 'danger' | 'info' | 'warning', message: string): SafeHtml {
  return html`<div class="alert alert-${kind}" role="${kind === 'danger' ? 'alert' : 'status'}">${message}</div>`;
}

export type FormOutcome<T> = { ok: true; value: T } | { ok: false; status: number; errors: FieldErrors };

/**
 * Runs the command behind a form. Its refusals (400 invalid fields, 409 conflict) come back as field
 * errors to show the form again with; anything else is a real error and propagates.
 */
export async function runFormCommand<T>(command: () => Promise<T>, explain: (problem: HttpProblem) => FieldErrors): Promise<FormOutcome<T>> {
  try {
    return { ok: true, value: await command() };
  } catch (err) {
    if (!(err instanceof HttpProblem) || (err.status !== 400 && err.status !== 409)) throw err;
    return { ok: false, status: err.status, errors: explain(err) };
  }
}

/** The field name of each invalid field of a problem ("/body/email" → "email"), with a message. */
export function problemFieldErrors(problem: HttpProblem, message: (field: string, detail: string) => string): FieldErrors {
  return Object.fromEntries((problem.errors ?? []).map((e) => {
    const field = e.pointer.split('/').pop()!;
    return [field, message(field, e.detail)];
  }));
}
