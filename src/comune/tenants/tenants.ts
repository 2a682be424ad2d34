// Tenants: one per ente (comune), addressed as /<slug>/ on the comune app.
import { Type } from '@sinclair/typebox';
import { sql, type Executor } from '../../core/db.ts';
import type { InvalidField } from '../../core/problem.ts';
import { LOCALES, negotiateLocale, type Locale } from '../../core/i18n.ts';
import { validatePartitaIva } from '../../domain/partita-iva.ts';
import { municipalityByIstat } from '../../domain/municipalities.ts';
import { isValidEmail, isValidItalianPhone } from '../../domain/contacts.ts';
import { isReadableOnWhiteText } from '../website/theme.ts';

/** The ente's contact and footer fields as they arrive at the boundary (admin API and settings form alike). */
export const TenantContactFields = {
    email: Type.Optional(Type.String({ maxLength: 254 })),
    pec: Type.Optional(Type.String({ maxLength: 254 })),
    phone: Type.Optional(Type.String({ maxLength: 30 })),
    website: Type.Optional(Type.String({ maxLength: 300 })),
    street: Type.Optional(Type.String({ maxLength: 200 })),
    postcode: Type.Optional(Type.String({ maxLength: 5 })),
    accessibilityUrl: Type.Optional(Type.String({ maxLength: 300 })),
    parentEntity: Type.Optional(Type.String({ maxLength: 200 })),
};

export interface Tenant {
  id: string;
  slug: string;
  name: string;
  ipaCode: string;
  fiscalCode: string;
  istatCode: string;
  primaryColor: string;
  logoSvg: string | null;
  languages: Locale[];
  email: string | null;
  pec: string | null;
  phone: string | null;
  website: string | null;
  street: string | null;
  postcode: string | null;
  accessibilityUrl: string | null;
  parentEntity: string | null;
  active: boolean;
}

/** What creates a tenant: the identifying fields, and any of the others. */
export type TenantInput = Pick<Tenant, 'slug' | 'name' | 'ipaCode' | 'fiscalCode' | 'istatCode'> &
  Partial<Omit<Tenant, 'id' | 'active' | 'slug' | 'name' | 'ipaCode' | 'fiscalCode' | 'istatCode'>>;

/** What an ente's administrator edits in the back-office. */
export type TenantSettings = Pick<
  Tenant,
  'name' | 'primaryColor' | 'languages' | 'email' | 'pec' | 'phone' | 'website' | 'street' | 'postcode' | 'accessibilityUrl' | 'parentEntity'
>;

/**
 * The language an ente's pages speak: the one asked for (link, cookie or browser) if the ente offers it,
 * else the browser's best among those offered, else Italian (always offered).
 */
export function siteLocale(languages: readonly Locale[], requested: Locale, acceptLanguage?: string): Locale {
  return languages.includes(requested) ? requested : negotiateLocale(acceptLanguage, languages);
}

export const MAX_LOGO_BYTES = 100 * 1024;

/** An uploaded logo must be a plain SVG: no scripts, event handlers, external references or entities. */
export function logoProblem(svg: string): string | undefined {
  if (Buffer.byteLength(svg) > MAX_LOGO_BYTES) return 'too-large';
  if (!/^\s*(<\?xml[^>]*>\s*)?<svg[\s>]/i.test(svg)) return 'not-svg';
  if (/<script|<foreignObject|<!ENTITY|<!DOCTYPE|\son[a-z]+\s*=|javascript:|(?:href|src)\s*=\s*["']\s*(?:https?:|\/\/|data:text)/i.test(svg)) return 'unsafe';
  return undefined;
}

/** Field rules for a tenant; each problem names its field (JSON pointer) and a reason code. */
export function validateTenantInput(input: TenantInput): InvalidField[] {
  const errors: InvalidField[] = [];
  const fail = (field: string, code: string, detail: string) => errors.push({ pointer: `/${field}`, code, detail });
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(input.slug) || input.slug.length > 60) {
    fail('slug', 'format', 'lowercase letters, digits and single hyphens, at most 60 characters');
  }
  if (['admin', 'api', 'assets', 'auth', 'docs', 'health', 'openapi.json', '.well-known'].includes(input.slug)) {
    fail('slug', 'reserved', 'this path is reserved by the platform');
  }
  if (input.name.trim().length < 3) fail('name', 'length', 'at least 3 characters');
  // IPA codes are short alphanumeric identifiers assigned by the Indice dei domicili digitali della PA.
  if (!/^[a-z0-9_]{2,20}$/i.test(input.ipaCode)) fail('ipaCode', 'format', 'an IPA code: 2-20 letters, digits or underscores');
  // An ente's codice fiscale is numeric, 11 digits, with the partita IVA check digit (DPR 605/1973).
  if (!validatePartitaIva(input.fiscalCode).ok) fail('fiscalCode', 'checksum', "not a valid ente's codice fiscale (11 digits with check digit)");
  if (!municipalityByIstat(input.istatCode)) fail('istatCode', 'unknown', 'not an ISTAT municipality code');
  if (input.primaryColor !== undefined && !(/^#[0-9a-f]{6}$/i.test(input.primaryColor) && isReadableOnWhiteText(input.primaryColor))) {
    fail('primaryColor', 'contrast', 'a colour like #0066cc on which white text reaches WCAG AA contrast (4.5:1)');
  }
  if (input.languages && (!input.languages.includes('it') || input.languages.some((l) => !LOCALES.includes(l)))) {
    fail('languages', 'format', 'Italian plus any of en, de');
  }
  if (input.email && !isValidEmail(input.email)) fail('email', 'format', 'not an e-mail address');
  if (input.pec && !isValidEmail(input.pec)) fail('pec', 'format', 'not a PEC address');
  if (input.phone && !isValidItalianPhone(input.phone)) fail('phone', 'format', 'not a phone number');
  if (input.postcode && !/^\d{5}$/.test(input.postcode)) fail('postcode', 'format', 'a 5-digit CAP');
  for (const field of ['website', 'accessibilityUrl'] as const) {
    const value = input[field];
    if (value && !/^https?:\/\/\S+$/.test(value)) fail(field, 'format', 'an http(s) URL');
  }
  if (input.logoSvg && !/^<svg[\s>]/.test(input.logoSvg.trim())) fail('logoSvg', 'format', 'an SVG document');
  return errors;
}

const columns = sql`id, slug, name, ipa_code, fiscal_code, istat_code, primary_color, logo_svg, languages, email, pec, phone,
  website, street, postcode, accessibility_url, parent_entity, active`;

interface TenantRow {
  id: string;
  slug: string;
  name: string;
  ipa_code: string;
  fiscal_code: string;
  istat_code: string;
  primary_color: string;
  logo_svg: string | null;
  languages: Locale[];
  email: string | null;
  pec: string | null;
  phone: string | null;
  website: string | null;
  street: string | null;
  postcode: string | null;
  accessibility_url: string | null;
  parent_entity: string | null;
  active: boolean;
}

function fromRow(row: TenantRow): Tenant {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    ipaCode: row.ipa_code,
    fiscalCode: row.fiscal_code,
    istatCode: row.istat_code,
    primaryColor: row.primary_color,
    logoSvg: row.logo_svg,
    languages: row.languages,
    email: row.email,
    pec: row.pec,
    phone: row.phone,
    website: row.website,
    street: row.street,
    postcode: row.postcode,
    accessibilityUrl: row.accessibility_url,
    parentEntity: row.parent_entity,
    active: row.active,
  };
}

export class TenantRepository {
  constructor(private readonly db: Executor) {}

  async bySlug(slug: string): Promise<Tenant | undefined> {
    const { rows } = await sql<TenantRow>`select ${columns} from comune.tenants where slug = ${slug} and active`.execute(this.db);
    return rows[0] && fromRow(rows[0]);
  }

  async byId(id: string): Promise<Tenant | undefined> {
    const { rows } = await sql<TenantRow>`select ${columns} from comune.tenants where id = ${id}`.execute(this.db);
    return rows[0] && fromRow(rows[0]);
  }

  async list(): Promise<Tenant[]> {
    const { rows } = await sql<TenantRow>`select ${columns} from comune.tenants order by name`.execute(this.db);
    return rows.map(fromRow);
  }

  /** Changes the settings an ente manages itself; its identity (slug, IPA, fiscal and ISTAT codes) stays. */
  async updateSettings(id: string, settings: TenantSettings, tx: Executor = this.db): Promise<Tenant | undefined> {
    const { rows } = await sql<TenantRow>`
      update comune.tenants set
        name = ${settings.name}, primary_color = ${settings.primaryColor}, languages = ${settings.languages},
        email = ${settings.email}, pec = ${settings.pec}, phone = ${settings.phone}, website = ${settings.website},
        street = ${settings.street}, postcode = ${settings.postcode}, accessibility_url = ${settings.accessibilityUrl},
        parent_entity = ${settings.parentEntity}
      where id = ${id}
      returning ${columns}`.execute(tx);
    return rows[0] && fromRow(rows[0]);
  }

  async updateLogo(id: string, logoSvg: string | null, tx: Executor = this.db): Promise<void> {
    await sql`update comune.tenants set logo_svg = ${logoSvg} where id = ${id}`.execute(tx);
  }

  /** Inserts; the caller validated the input. Returns undefined when slug or IPA code is taken. */
  async create(input: TenantInput, tx: Executor = this.db): Promise<Tenant | undefined> {
    const { rows } = await sql<TenantRow>`
      insert into comune.tenants (slug, name, ipa_code, fiscal_code, istat_code, primary_color, logo_svg, languages,
        email, pec, phone, website, street, postcode, accessibility_url, parent_entity)
      values (${input.slug}, ${input.name.trim()}, ${input.ipaCode}, ${input.fiscalCode}, ${input.istatCode},
        ${input.primaryColor ?? '#0066cc'}, ${input.logoSvg ?? null}, ${input.languages ?? ['it']},
        ${input.email ?? null}, ${input.pec ?? null}, ${input.phone ?? null}, ${input.website ?? null},
        ${input.street ?? null}, ${input.postcode ?? null}, ${input.accessibilityUrl ?? null}, ${input.parentEntity ?? null})
      on conflict do nothing
      returning ${columns}`.execute(tx);
    return rows[0] && fromRow(rows[0]);
  }
}
