// What every signed-in page of the back-office shares: who may see which body and service (their own body's;
// every body for an operator; anything else answers 404, as if it did not exist), the navigation, the frame.
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Executor } from '../../../core/db.ts';
import { alert, type FieldErrors } from '../../../core/forms.ts';
import { html, type SafeHtml } from '../../../core/html.ts';
import { HttpProblem, notFound } from '../../../core/problem.ts';
import type { NavLink } from '../../../core/ui.ts';
import { getOrganization, getService, type Organization, type Service } from '../services/store.ts';
import { OPERATOR_TENANT } from './accounts.ts';
import { BACKOFFICE, sendPage, staffOf, type StaffSession } from './layout.ts';
import { backofficeMessages, backofficeT, type BackofficeKey, type BackofficeT } from './messages.ts';

/** The area's routes are pages, not API: out of the OpenAPI document. */
export const hidden = { hide: true };
export const IdParams = Type.Object({ id: Type.String({ maxLength: 40 }) });
/** An optional form or query field of at most `max` characters. */
export const text = (max: number) => Type.Optional(Type.String({ maxLength: max }));

export const organizationPath = (cf: string) => `${BACKOFFICE}/enti/${cf}`;
export const servicePath = (id: string) => `${BACKOFFICE}/servizi/${id}`;

export const isOperator = (staff: StaffSession) => staff.tenant === OPERATOR_TENANT;

/** Whether this staff member may see this body: their own, or any for the platform's operators. */
export const maySee = (staff: StaffSession, fiscalCode: string): boolean => isOperator(staff) || staff.tenant === fiscalCode;

/** The body of the URL, if the signed-in staff member may see it; anything else is not found. */
export async function organizationFor(db: Executor, request: FastifyRequest, cf: string): Promise<Organization> {
  const organization = maySee(staffOf(request)!, cf) ? await getOrganization(db, cf) : undefined;
  if (!organization) throw notFound();
  return organization;
}

/** The service of the URL, if it belongs to a body the staff member may see; anything else is not found. */
export async function serviceFor(db: Executor, request: FastifyRequest, id: string): Promise<Service> {
  const service = /^[0-9A-Z]{26}$/.test(id) ? await getService(db, id) : undefined;
  if (!service || !maySee(staffOf(request)!, service.organizationFiscalCode)) throw notFound();
  return service;
}

function navOf(tr: BackofficeT, staff: StaffSession, service?: Service): NavLink[] {
  const links: NavLink[] = isOperator(staff) ? [{ label: tr('navOrganizations'), href: BACKOFFICE }] : [{ label: tr('navServices'), href: organizationPath(staff.tenant) }];
  if (service) {
    const base = servicePath(service.serviceId);
    links.push(
      { label: tr('navService'), href: base },
      { label: tr('navKeys'), href: `${base}/chiavi` },
      { label: tr('navRecipients'), href: `${base}/destinatari` },
      { label: tr('navTestMessage'), href: `${base}/messaggio-di-prova` },
      { label: tr('navLookup'), href: `${base}/messaggi` },
      { label: tr('navUsage'), href: `${base}/utilizzo` },
    );
  }
  return links;
}

export interface AreaPage {
  title: string;
  main: SafeHtml;
  organization?: Organization;
  service?: Service;
}

/** A page of the area with its breadcrumb (bodies › body › service › page) and navigation. */
export function send(request: FastifyRequest, reply: FastifyReply, page: AreaPage, status = 200): FastifyReply {
  const tr = backofficeT(request.locale);
  const staff = staffOf(request)!;
  const body = page.service ? { cf: page.service.organizationFiscalCode, name: page.service.organizationName } : page.organization && { cf: page.organization.fiscalCode, name: page.organization.name };
  const breadcrumb = [
    ...(isOperator(staff) ? [{ label: tr('navOrganizations'), href: BACKOFFICE }] : []),
    ...(body && page.title !== body.name ? [{ label: body.name, href: organizationPath(body.cf) }] : []),
    ...(page.service && page.title !== page.service.serviceName ? [{ label: page.service.serviceName, href: servicePath(page.service.serviceId) }] : []),
    { label: page.title },
  ];
  return sendPage(reply, request, { title: page.title, main: page.main, breadcrumb, nav: navOf(tr, staff, page.service) }, status);
}

/** The form field a problem's pointer names (`/service_metadata/email` → email, `/authorized_cidrs/2` → authorized_cidrs). */
export function fieldOf(pointer: string): string {
  return pointer.split('/').filter((s) => s && !/^\d+$/.test(s)).pop() ?? '';
}

/**
 * A refusal of the store or of the submission as errors per form field (the first per field), in the page's words
 * where the rule's code has some (`err_<code>`), else its detail; without fields, one general error.
 */
export function problemErrors(tr: BackofficeT, problem: HttpProblem): FieldErrors {
  const errors: FieldErrors = {};
  for (const e of problem.errors ?? []) {
    const field = fieldOf(e.pointer) || '_form';
    const key = field === 'email' && e.code === 'required' ? 'contactRequired' : `err_${e.code}`;
    errors[field] ??= key in backofficeMessages.it ? tr(key as BackofficeKey) : e.detail;
  }
  if (!problem.errors?.length) errors._form = problem.detail ?? problem.title;
  return errors;
}

/** A general message above a form (one not tied to a field). */
export const formAlert = (errors: FieldErrors) => (errors._form ? alert('danger', errors._form) : html``);
