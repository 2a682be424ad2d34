// What every page of the citizen area shares: its dependencies, the signed-in citizen, their record in ANPR
// (or the page that says there is none), form refusals, and the small pieces of its pages.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Executor } from '../../../core/db.ts';
import { alert, errorSummary, type FieldErrors } from '../../../core/forms.ts';
import { html, type SafeHtml } from '../../../core/html.ts';
import { todayUtc, type IsoDate } from '../../../domain/dates.ts';
import type { PersonState } from '../model.ts';
import { idByFiscalCode, readFamilyAsOf, readPersonAsOf, type FamilyMemberState } from '../store.ts';
import { CITIZEN, sendPage } from '../web/layout.ts';
import type { CitizenSession } from '../../../clients/identity/citizen-routes.ts';
import { citizenOf } from '../web/session.ts';
import { AnprError } from '../service.ts';
import { citizenT, type CitizenKey, type CitizenT } from './messages.ts';

export interface CitizenDeps {
  db: Executor;
  secret: string;
  /** The ANPR app's public URL: the relying party's entity id, the certificates' verification links. */
  publicUrl: string;
  /** The identity platform (SPID at /oidc/spid, CIE at /oidc/cie). */
  identityUrl: string;
  /** The day of the registry (tests fix it); default today, UTC. */
  today?: () => IsoDate;
}

export const todayOf = (deps: CitizenDeps): IsoDate => deps.today?.() ?? todayUtc();

/** The signed-in citizen: the routes of the area run only with one (index.ts). */
export const signedIn = (request: FastifyRequest): CitizenSession => citizenOf(request)!;

/** The citizen's scheda today and their famiglia anagrafica, head first; no `person` without a record. */
export interface MyRecord {
  citizen: CitizenSession;
  today: IsoDate;
  person?: PersonState;
  family: FamilyMemberState[];
}

export async function myRecord(deps: CitizenDeps, request: FastifyRequest): Promise<MyRecord> {
  const citizen = signedIn(request);
  const today = todayOf(deps);
  const id = await idByFiscalCode(deps.db, citizen.fiscalCode);
  const person = id ? await readPersonAsOf(deps.db, id, today) : undefined;
  const family = person?.family && person.status !== 'deceased' ? await readFamilyAsOf(deps.db, person.family.familyId, today) : [];
  return { citizen, today, person, family };
}

/** A citizen without a scheda anagrafica (SPID is for anyone with a fiscal code) gets a clear page. */
export function sendNoRecord(request: FastifyRequest, reply: FastifyReply, title: string): FastifyReply {
  const tr = citizenT(request.locale);
  const main = html`<h1>${title}</h1>${alert('info', tr('noRecordText', { fiscalCode: signedIn(request).fiscalCode }))}`;
  return sendPage(reply, request, { title, main, breadcrumb: [{ label: tr('areaTitle'), href: CITIZEN }, { label: title }] });
}

/** The frame of an area page: breadcrumb under "Area riservata". */
export function sendAreaPage(request: FastifyRequest, reply: FastifyReply, title: string, main: SafeHtml, status = 200): FastifyReply {
  const tr = citizenT(request.locale);
  return sendPage(reply, request, { title, main, breadcrumb: [{ label: tr('areaTitle'), href: CITIZEN }, { label: title }] }, status);
}

/** A form shown again: what was typed, what was wrong with each field, and what concerns none. */
export interface FormState {
  values: Record<string, string | undefined>;
  errors: FieldErrors;
  message?: string;
  /** The status of the page that shows it again (400 malformed, 403 not allowed, 422 refused by a rule). */
  status?: number;
}

export const emptyForm = (): FormState => ({ values: {}, errors: {} });

/** The errors at the top of a form: the summary linking each field, and the message about none. */
export function formProblems(tr: CitizenT, state: FormState): SafeHtml {
  return html`${errorSummary(state.errors, tr('formErrors'))}${state.message ? alert('danger', state.message) : ''}`;
}

/** A checkbox with its label. */
export function checkbox(input: { name: string; value: string; id: string; label: string; checked?: boolean; describedBy?: string }): SafeHtml {
  return html`<div class="form-check"><input class="form-check-input" type="checkbox" name="${input.name}" value="${input.value}" id="${input.id}"${
    input.checked ? html` checked` : ''
  }${input.describedBy ? html` aria-describedby="${input.describedBy}"` : ''}><label class="form-check-label" for="${input.id}">${input.label}</label></div>`;
}

/** A definition row of a scheda. */
export const dataRow = (label: string, value: SafeHtml | string) =>
  html`<div class="row border-bottom py-2"><dt class="col-sm-4">${label}</dt><dd class="col-sm-8 mb-0">${value}</dd></div>`;

/** A multi-valued form field as an array (one checkbox ticked comes as a string). */
export const many = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** How a registry rule refused a form: the field it concerns (if shown on one) and the message. */
export type RuleMessages = Record<string, { key: CitizenKey; field?: string }>;

/**
 * A refusal of service.ts as the form shown again: each violation next to its field or above the form, in
 * the page's language (`other` for rules without a message of their own). Anything else propagates.
 */
export function refusedForm(err: unknown, tr: CitizenT, values: FormState['values'], rules: RuleMessages, other: CitizenKey): FormState {
  if (!(err instanceof AnprError)) throw err;
  const errors: FieldErrors = {};
  const messages: string[] = [];
  const violations = err.violations.length ? err.violations : [{ rule: err.code, message: err.message }];
  for (const v of violations) {
    const known = rules[v.rule];
    const text = known ? tr(known.key) : tr(other, { detail: v.message });
    if (known?.field && !errors[known.field]) errors[known.field] = text;
    else if (!messages.includes(text)) messages.push(text);
  }
  return { values, errors, message: messages.join(' ') || undefined, status: err.code === 'forbidden' ? 403 : 422 };
}
