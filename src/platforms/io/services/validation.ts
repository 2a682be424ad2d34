// What makes a service's settings acceptable, and what makes a service "valid" for production, after
// io-functions-commons (Service, CommonServiceMetadata) and the IO technical guide (reference io.md §1.1, §2.1).
import type { InvalidField } from '../../../core/problem.ts';
import { FISCAL_CODE_PATTERN, MAX_PAYMENT_AMOUNT } from '../../../clients/io/wire.ts';

export const SERVICE_SCOPES = ['LOCAL', 'NATIONAL'] as const;
export type ServiceScope = (typeof SERVICE_SCOPES)[number];
export const SERVICE_CATEGORIES = ['STANDARD', 'SPECIAL'] as const;
export type ServiceCategory = (typeof SERVICE_CATEGORIES)[number];

/** service_metadata, in its wire names (every string at least one character). */
export interface ServiceMetadata {
  scope: ServiceScope;
  description?: string;
  privacy_url?: string;
  tos_url?: string;
  web_url?: string;
  email?: string;
  pec?: string;
  phone?: string;
  support_url?: string;
  address?: string;
  cta?: string;
  category?: ServiceCategory;
}

/** The support contacts: a service needs at least one (CommonServiceMetadata). */
export const CONTACT_FIELDS = ['email', 'pec', 'phone', 'support_url'] as const;

// Reference io.md §1.1: authorized_cidrs items.
export const CIDR_PATTERN = /^([0-9]{1,3}[.]){3}[0-9]{1,3}(\/([0-9]|[1-2][0-9]|3[0-2]))?$/;
const FISCAL_CODE = new RegExp(FISCAL_CODE_PATTERN);
const URL_FIELDS = ['privacy_url', 'tos_url', 'web_url', 'support_url'] as const;

/** The settings a body or an operator may give a service (every field optional: a patch). */
export interface ServiceSettings {
  serviceName?: string;
  departmentName?: string;
  isVisible?: boolean;
  requireSecureChannels?: boolean;
  maxAllowedPaymentAmount?: number;
  authorizedRecipients?: string[];
  authorizedCidrs?: string[];
  rateLimitPerSecond?: number;
  metadata?: ServiceMetadata;
}

const isHttpUrl = (value: string) => {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
};

/** The fields that break a rule, pointed at by their wire names (`/service_metadata/email`); empty when acceptable. */
export function serviceSettingsProblems(settings: ServiceSettings, pointer = ''): InvalidField[] {
  const problems: InvalidField[] = [];
  const add = (path: string, detail: string, code: string) => problems.push({ pointer: `${pointer}/${path}`, detail, code });
  if (settings.serviceName !== undefined && !settings.serviceName.trim()) add('service_name', 'the service needs a name', 'required');
  if (settings.departmentName !== undefined && !settings.departmentName.trim()) add('department_name', 'the department needs a name', 'required');
  settings.authorizedCidrs?.forEach((cidr, i) => {
    if (!CIDR_PATTERN.test(cidr) || cidr.split('/')[0]!.split('.').some((octet) => Number(octet) > 255)) add(`authorized_cidrs/${i}`, `${cidr} is not an IPv4 address or CIDR block`, 'format');
  });
  settings.authorizedRecipients?.forEach((fc, i) => {
    if (!FISCAL_CODE.test(fc)) add(`authorized_recipients/${i}`, `${fc} is not a fiscal code (16 characters, upper case)`, 'format');
  });
  const amount = settings.maxAllowedPaymentAmount;
  if (amount !== undefined && !(Number.isInteger(amount) && amount >= 0 && amount <= MAX_PAYMENT_AMOUNT)) add('max_allowed_payment_amount', `euro cents between 0 and ${MAX_PAYMENT_AMOUNT}`, 'range');
  if (settings.rateLimitPerSecond !== undefined && !(Number.isInteger(settings.rateLimitPerSecond) && settings.rateLimitPerSecond > 0)) add('rate_limit_per_second', 'a positive whole number', 'range');
  const metadata = settings.metadata;
  if (metadata) {
    if (!SERVICE_SCOPES.includes(metadata.scope)) add('service_metadata/scope', `one of ${SERVICE_SCOPES.join(', ')}`, 'enum');
    if (!CONTACT_FIELDS.some((field) => metadata[field]?.trim())) add('service_metadata/email', 'at least one support contact: email, pec, phone or support_url', 'required');
    for (const field of URL_FIELDS) if (metadata[field] !== undefined && !isHttpUrl(metadata[field]!)) add(`service_metadata/${field}`, 'an http(s) URL', 'format');
    for (const [field, value] of Object.entries(metadata)) if (typeof value === 'string' && !value.trim()) add(`service_metadata/${field}`, 'empty: leave it out instead', 'minLength');
    if (settings.isVisible && !metadata.description?.trim()) add('service_metadata/description', 'a visible service needs a description', 'required');
  }
  return problems;
}

/** The "valid service" (production-quality) rule of reference §2.1: CIDRs set, description, privacy notice, a contact. */
export function isValidService(service: { authorizedCidrs: readonly string[]; metadata: ServiceMetadata }): boolean {
  const m = service.metadata;
  return service.authorizedCidrs.length > 0 && !!m.description && !!m.privacy_url && CONTACT_FIELDS.some((field) => !!m[field]);
}
