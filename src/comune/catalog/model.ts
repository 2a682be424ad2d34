// The service catalog's rules, pure: what a service, a category and an office are (CPSV-AP_IT),
// how their input is validated, which language a text is shown in, and when a service can be used.
import { dateInItaly } from '../../domain/dates.ts';
import { LOCALES, type Locale } from '../../core/i18n.ts';
import type { InvalidField } from '../../core/problem.ts';
import { isValidEmail, isValidItalianPhone } from '../../domain/contacts.ts';
import { officialTopic } from './topics.ts';

export const SERVICE_STATUSES = ['draft', 'active', 'suspended', 'hidden'] as const;
export type ServiceStatus = (typeof SERVICE_STATUSES)[number];

export const ACCESS_LEVELS = ['anonymous', 'spid-l1', 'spid-l2', 'spid-l3'] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

/** OpenCity's access_level codes, used by the REST API (OpenCity src/Dto/Service.php). */
export const ACCESS_LEVEL_CODES: Record<AccessLevel, number> = { anonymous: 0, 'spid-l1': 2000, 'spid-l2': 3000, 'spid-l3': 4000 };

/** Channels through which a service is delivered (CPSV-AP_IT hasChannel, channel-type vocabulary). */
export const CHANNELS = ['online', 'office', 'phone', 'email', 'pec', 'post'] as const;
export type Channel = (typeof CHANNELS)[number];

/** The textual sections of a service card, in the order of the Design Comuni model (CPSV-AP_IT). */
export const CONTENT_FIELDS = ['name', 'description', 'who', 'howTo', 'needed', 'obtained', 'times', 'costs', 'conditions', 'contacts', 'moreInfo'] as const;
export type ContentField = (typeof CONTENT_FIELDS)[number];
export type ServiceContent = Record<ContentField, string>;
/** Italian is required; English and German are optional and fall back to Italian field by field. */
export type LocalizedContent = { it: ServiceContent } & Partial<Record<Exclude<Locale, 'it'>, Partial<ServiceContent>>>;

/** A text per language: Italian required, others optional. */
export type LocalizedText = { it: string } & Partial<Record<Exclude<Locale, 'it'>, string>>;

export interface Service {
  id: string;
  tenantId: string;
  slug: string;
  categoryId: string | null;
  status: ServiceStatus;
  /** First and last day (YYYY-MM-DD, Europe/Rome) on which applications are accepted; null = open-ended. */
  activeFrom: string | null;
  activeTo: string | null;
  accessLevel: AccessLevel;
  officeId: string | null;
  /** Days the ente has by law to conclude the procedure. */
  deadlineDays: number;
  protocolRequired: boolean;
  formId: string | null;
  content: LocalizedContent;
  topics: string[];
  lifeEvents: string[];
  channels: Channel[];
  updatedAt: Date;
}

export type ServiceInput = Omit<Service, 'id' | 'tenantId' | 'updatedAt'>;

export interface Category {
  id: string;
  tenantId: string;
  slug: string;
  names: LocalizedText;
  descriptions: Partial<LocalizedText>;
  position: number;
}
export type CategoryInput = Omit<Category, 'id' | 'tenantId'>;

export interface Office {
  id: string;
  tenantId: string;
  name: string;
  email: string | null;
  phone: string | null;
  address: string | null;
  openingHours: string | null;
}
export type OfficeInput = Omit<Office, 'id' | 'tenantId'>;

const SLUG = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// "categoria" is the path segment of the category pages under /servizi/.
const RESERVED_SERVICE_SLUGS = ['categoria'];
const MAX_TEXT = 5000;

type Fail = (pointer: string, code: string, detail: string) => void;

function collector(): { errors: InvalidField[]; fail: Fail } {
  const errors: InvalidField[] = [];
  return { errors, fail: (pointer, code, detail) => errors.push({ pointer, code, detail }) };
}

function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

function checkSlug(slug: string, fail: Fail, reserved: string[] = []): void {
  if (!SLUG.test(slug) || slug.length > 80) fail('/slug', 'format', 'lowercase letters, digits and single hyphens, at most 80 characters');
  else if (reserved.includes(slug)) fail('/slug', 'reserved', 'this address is reserved');
}

function checkLocalizedText(text: Partial<Record<Locale, string>>, pointer: string, fail: Fail, options: { required: boolean; min: number; max: number }): void {
  for (const locale of LOCALES) {
    const value = text[locale]?.trim() ?? '';
    if (!value) {
      if (locale === 'it' && options.required) fail(`${pointer}/it`, 'required', 'required in Italian');
      continue;
    }
    if (value.length < options.min || value.length > options.max) fail(`${pointer}/${locale}`, 'length', `${options.min} to ${options.max} characters`);
  }
}

/** Field rules for a service; each problem names its field as a JSON pointer ("/content/it/name"). */
export function validateServiceInput(input: ServiceInput): InvalidField[] {
  const { errors, fail } = collector();
  checkSlug(input.slug, fail, RESERVED_SERVICE_SLUGS);
  if (!SERVICE_STATUSES.includes(input.status)) fail('/status', 'enum', SERVICE_STATUSES.join(', '));
  if (!ACCESS_LEVELS.includes(input.accessLevel)) fail('/accessLevel', 'enum', ACCESS_LEVELS.join(', '));
  for (const field of ['activeFrom', 'activeTo'] as const) {
    const value = input[field];
    if (value !== null && !isIsoDate(value)) fail(`/${field}`, 'format', 'a date (YYYY-MM-DD)');
  }
  if (input.activeFrom && input.activeTo && isIsoDate(input.activeFrom) && isIsoDate(input.activeTo) && input.activeFrom > input.activeTo) {
    fail('/activeTo', 'order', 'not before the first day');
  }
  // L. 241/1990 art. 2 c. 4: terms beyond 180 days only by law; a year is the outer bound accepted here.
  if (!Number.isInteger(input.deadlineDays) || input.deadlineDays < 1 || input.deadlineDays > 365) fail('/deadlineDays', 'range', 'a whole number of days from 1 to 365');
  for (const field of ['categoryId', 'officeId', 'formId'] as const) {
    const value = input[field];
    if (value !== null && !UUID.test(value)) fail(`/${field}`, 'format', 'an identifier (uuid)');
  }
  for (const locale of LOCALES) {
    const content: Partial<ServiceContent> | undefined = input.content[locale];
    if (!content) continue;
    for (const field of CONTENT_FIELDS) {
      const value = content[field]?.trim() ?? '';
      const required = locale === 'it' && (field === 'name' || field === 'description');
      if (!value) {
        if (required) fail(`/content/it/${field}`, 'required', 'required in Italian');
        continue;
      }
      const max = field === 'name' ? 200 : MAX_TEXT;
      if (value.length < 3 || value.length > max) fail(`/content/${locale}/${field}`, 'length', `3 to ${max} characters`);
    }
  }
  if (input.topics.length > 10) fail('/topics', 'format', 'at most 10 topics');
  const unknown = input.topics.filter((topic) => !officialTopic(topic));
  if (unknown.length) fail('/topics', 'vocabulary', `not in the Designers Italia list of topics: ${unknown.join(', ')}`);
  if (input.lifeEvents.length > 10 || input.lifeEvents.some((event) => event.length < 3 || event.length > 100)) {
    fail('/lifeEvents', 'format', 'at most 10 life events of 3 to 100 characters each');
  }
  if (input.channels.some((channel) => !CHANNELS.includes(channel))) fail('/channels', 'enum', CHANNELS.join(', '));
  return errors;
}

export function validateCategoryInput(input: CategoryInput): InvalidField[] {
  const { errors, fail } = collector();
  checkSlug(input.slug, fail);
  checkLocalizedText(input.names, '/names', fail, { required: true, min: 3, max: 100 });
  checkLocalizedText(input.descriptions, '/descriptions', fail, { required: false, min: 3, max: 1000 });
  if (!Number.isInteger(input.position) || input.position < 0 || input.position > 1000) fail('/position', 'range', 'a whole number from 0 to 1000');
  return errors;
}

export function validateOfficeInput(input: OfficeInput): InvalidField[] {
  const { errors, fail } = collector();
  const name = input.name.trim();
  if (name.length < 3 || name.length > 200) fail('/name', 'length', '3 to 200 characters');
  if (input.email && !isValidEmail(input.email)) fail('/email', 'format', 'not an e-mail address');
  if (input.phone && !isValidItalianPhone(input.phone)) fail('/phone', 'format', 'not a phone number');
  if (input.address && input.address.length > 300) fail('/address', 'length', 'at most 300 characters');
  if (input.openingHours && input.openingHours.length > 1000) fail('/openingHours', 'length', 'at most 1000 characters');
  return errors;
}

/** The service's texts in a language, each missing field taken from Italian. */
export function localizedContent(content: LocalizedContent, locale: Locale): ServiceContent {
  const own = locale === 'it' ? undefined : content[locale];
  return Object.fromEntries(CONTENT_FIELDS.map((field) => [field, own?.[field]?.trim() || content.it[field]])) as ServiceContent;
}

export function localizedText(text: Partial<LocalizedText>, locale: Locale): string {
  return text[locale]?.trim() || text.it || '';
}


export type Availability = 'open' | 'notYet' | 'closed' | 'suspended';

/** Where a published service stands today (Europe/Rome): open, before or after its dates, or suspended. */
export function availability(service: Pick<Service, 'status' | 'activeFrom' | 'activeTo'>, now: Date): Availability {
  if (service.status !== 'active') return 'suspended';
  const today = dateInItaly(now);
  if (service.activeFrom && today < service.activeFrom) return 'notYet';
  if (service.activeTo && today > service.activeTo) return 'closed';
  return 'open';
}

/** Whether a citizen can start an application now: active, and today inside its dates. */
export function acceptsApplications(service: Pick<Service, 'status' | 'activeFrom' | 'activeTo'>, now: Date): boolean {
  return availability(service, now) === 'open';
}

/** Services with a public page, listed in the catalog; drafts and hidden (withdrawn) ones are not public. */
export const PUBLIC_STATUSES: readonly ServiceStatus[] = ['active', 'suspended'];
