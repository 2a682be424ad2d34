// Each ente's payment settings as a creditor institution of pagoPA: its fiscal code, the pagoPA address and
// GPD subscription key (sealed with the app secret, core/secrets.ts, never shown back), direct or through an
// intermediary, treasury and postal IBANs, CBILL code, the treasury statement key, and its budget chapters.
import { sql, type Executor } from '../../core/db.ts';
import { decryptSecret, encryptSecret } from '../../core/secrets.ts';
import type { AppContext } from '../../core/runtime.ts';
import { parseHttpUrl } from '../webhooks/endpoint.ts';
import { normalizeIban, validateIban } from '../../domain/iban.ts';
import { DEMO_CREDITOR_INSTITUTIONS, demoPagopaKey } from '../../clients/pagopa/demo.ts';
import { gpdBaseUrl, gpdClient, type GpdClient } from '../../clients/pagopa/index.ts';
import { demoTreasuryKey } from '../../clients/psp/treasury.ts';

export interface BudgetChapter {
  /** The chapter's code in the ente's budget, e.g. "1234/5". */
  code: string;
  description: string;
  /** pagoPA "Tassonomia dei servizi di incasso" code as GPD carries it, e.g. 9/0101108TS/. */
  taxonomy: string;
  iban: string;
  active: boolean;
}

export type Intermediary = { kind: 'direct' } | { kind: 'intermediary'; name: string; station: string };

export interface PaymentSettings {
  tenantId: string;
  creditorFiscalCode: string;
  pagopaUrl: string;
  hasGpdKey: boolean;
  intermediary: Intermediary;
  treasuryIban: string | null;
  postalIban: string | null;
  cbill: string | null;
  hasTreasuryKey: boolean;
  chapters: BudgetChapter[];
  updatedAt: Date;
  /** Sealed; only gpdClientFor and treasuryKeyOf open them. */
  readonly sealed: { gpdKey: string | null; treasuryKey: string | null };
}

export interface PaymentSettingsInput {
  creditorFiscalCode: string;
  pagopaUrl: string;
  /** Undefined keeps the saved key. */
  gpdKey?: string;
  intermediary: Intermediary;
  treasuryIban: string | null;
  postalIban: string | null;
  cbill: string | null;
  /** Undefined keeps the saved key. */
  treasuryKey?: string;
}

interface SettingsRow {
  tenant_id: string;
  creditor_fiscal_code: string;
  pagopa_url: string;
  gpd_key_sealed: string | null;
  intermediary_name: string | null;
  intermediary_station: string | null;
  treasury_iban: string | null;
  postal_iban: string | null;
  cbill: string | null;
  treasury_key_sealed: string | null;
  updated_at: Date;
}

const gpdKeyContext = (tenantId: string) => `comune.payment_settings.gpd_key:${tenantId}`;
const treasuryKeyContext = (tenantId: string) => `comune.payment_settings.treasury_key:${tenantId}`;

export const TAXONOMY = /^9\/\d{7}[A-Z]{2}\/$/;
export const CHAPTER_CODE = /^[A-Za-z0-9./_-]{1,32}$/;
export const CREDITOR_FISCAL_CODE = /^\d{11}$/;
export const CBILL = /^[A-Z0-9]{5}$/;

export async function listBudgetChapters(db: Executor, tenantId: string): Promise<BudgetChapter[]> {
  const rows = await sql<BudgetChapter>`
    select code, description, taxonomy, iban, active from comune.budget_chapters where tenant_id = ${tenantId} order by code`.execute(db);
  return rows.rows;
}

function fromRow(r: SettingsRow, chapters: BudgetChapter[]): PaymentSettings {
  return {
    tenantId: r.tenant_id,
    creditorFiscalCode: r.creditor_fiscal_code,
    pagopaUrl: r.pagopa_url,
    hasGpdKey: r.gpd_key_sealed !== null,
    intermediary: r.intermediary_name ? { kind: 'intermediary', name: r.intermediary_name, station: r.intermediary_station! } : { kind: 'direct' },
    treasuryIban: r.treasury_iban,
    postalIban: r.postal_iban,
    cbill: r.cbill,
    hasTreasuryKey: r.treasury_key_sealed !== null,
    chapters,
    updatedAt: r.updated_at,
    sealed: { gpdKey: r.gpd_key_sealed, treasuryKey: r.treasury_key_sealed },
  };
}

/** The ente's payment settings with its budget chapters, or undefined when it has none. */
export async function paymentSettingsOf(db: Executor, tenantId: string): Promise<PaymentSettings | undefined> {
  const r = (await sql<SettingsRow>`select * from comune.payment_settings where tenant_id = ${tenantId}`.execute(db)).rows[0];
  return r && fromRow(r, await listBudgetChapters(db, tenantId));
}

/** The ente whose creditor fiscal code this is (pagoPA's pushes name the creditor, not the tenant). */
export async function paymentSettingsByCreditor(db: Executor, creditorFiscalCode: string): Promise<PaymentSettings | undefined> {
  const r = (await sql<SettingsRow>`select * from comune.payment_settings where creditor_fiscal_code = ${creditorFiscalCode}`.execute(db)).rows[0];
  return r && fromRow(r, await listBudgetChapters(db, r.tenant_id));
}

export async function savePaymentSettings(tx: Executor, secret: string, tenantId: string, input: PaymentSettingsInput): Promise<void> {
  const gpd = input.gpdKey ? encryptSecret(secret, input.gpdKey, gpdKeyContext(tenantId)) : null;
  const treasury = input.treasuryKey ? encryptSecret(secret, input.treasuryKey, treasuryKeyContext(tenantId)) : null;
  const via = input.intermediary.kind === 'intermediary' ? input.intermediary : undefined;
  await sql`
    insert into comune.payment_settings (tenant_id, creditor_fiscal_code, pagopa_url, gpd_key_sealed, intermediary_name, intermediary_station,
      treasury_iban, postal_iban, cbill, treasury_key_sealed)
    values (${tenantId}, ${input.creditorFiscalCode}, ${input.pagopaUrl.replace(/\/+$/, '')}, ${gpd}, ${via?.name ?? null}, ${via?.station ?? null},
      ${input.treasuryIban}, ${input.postalIban}, ${input.cbill}, ${treasury})
    on conflict (tenant_id) do update set creditor_fiscal_code = excluded.creditor_fiscal_code, pagopa_url = excluded.pagopa_url,
      gpd_key_sealed = coalesce(excluded.gpd_key_sealed, payment_settings.gpd_key_sealed),
      intermediary_name = excluded.intermediary_name, intermediary_station = excluded.intermediary_station,
      treasury_iban = excluded.treasury_iban, postal_iban = excluded.postal_iban, cbill = excluded.cbill,
      treasury_key_sealed = coalesce(excluded.treasury_key_sealed, payment_settings.treasury_key_sealed), updated_at = now()`.execute(tx);
}

export async function saveBudgetChapter(tx: Executor, tenantId: string, chapter: BudgetChapter): Promise<void> {
  await sql`
    insert into comune.budget_chapters (tenant_id, code, description, taxonomy, iban, active)
    values (${tenantId}, ${chapter.code}, ${chapter.description}, ${chapter.taxonomy}, ${normalizeIban(chapter.iban)}, ${chapter.active})
    on conflict (tenant_id, code) do update set description = excluded.description, taxonomy = excluded.taxonomy, iban = excluded.iban, active = excluded.active`.execute(tx);
}

export class PaymentsNotConfiguredError extends Error {
  override name = 'PaymentsNotConfiguredError';
}

/** The ente's GPD client, its key unsealed; throws PaymentsNotConfiguredError when no key is saved. */
export function gpdClientFor(ctx: Pick<AppContext, 'secret'>, settings: PaymentSettings): GpdClient {
  if (!settings.sealed.gpdKey) throw new PaymentsNotConfiguredError(`no GPD subscription key for tenant ${settings.tenantId}`);
  return gpdClient({
    baseUrl: gpdBaseUrl(settings.pagopaUrl),
    subscriptionKey: decryptSecret(ctx.secret, settings.sealed.gpdKey, gpdKeyContext(settings.tenantId)),
    organizationFiscalCode: settings.creditorFiscalCode,
  });
}

/** The subscription key of pagoPA's other institution APIs (Checkout, printed notice, receipts): the same as GPD's. */
export function pagopaKeyOf(ctx: Pick<AppContext, 'secret'>, settings: PaymentSettings): string {
  if (!settings.sealed.gpdKey) throw new PaymentsNotConfiguredError(`no pagoPA subscription key for tenant ${settings.tenantId}`);
  return decryptSecret(ctx.secret, settings.sealed.gpdKey, gpdKeyContext(settings.tenantId));
}

/** The key of the treasury's account statement (reconciliation), or undefined when none is saved. */
export function treasuryKeyOf(ctx: Pick<AppContext, 'secret'>, settings: PaymentSettings): string | undefined {
  return settings.sealed.treasuryKey ? decryptSecret(ctx.secret, settings.sealed.treasuryKey, treasuryKeyContext(settings.tenantId)) : undefined;
}

/** Validation of the settings form's values; field → reason code. */
export function checkPaymentSettings(input: PaymentSettingsInput): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!CREDITOR_FISCAL_CODE.test(input.creditorFiscalCode)) errors.creditorFiscalCode = 'fiscalCode';
  if (!parseHttpUrl(input.pagopaUrl).ok) errors.pagopaUrl = 'url';
  if (input.intermediary.kind === 'intermediary') {
    if (!input.intermediary.name.trim()) errors.intermediaryName = 'required';
    if (!/^[A-Za-z0-9_-]{1,35}$/.test(input.intermediary.station)) errors.intermediaryStation = 'station';
  }
  for (const field of ['treasuryIban', 'postalIban'] as const) {
    const value = input[field];
    if (value && !validateIban(value).ok) errors[field] = 'iban';
  }
  if (input.cbill && !CBILL.test(input.cbill)) errors.cbill = 'cbill';
  return errors;
}

export function checkBudgetChapter(chapter: BudgetChapter): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!CHAPTER_CODE.test(chapter.code)) errors.code = 'chapterCode';
  if (!chapter.description.trim()) errors.description = 'required';
  if (!TAXONOMY.test(chapter.taxonomy)) errors.taxonomy = 'taxonomy';
  if (!validateIban(chapter.iban).ok) errors.iban = 'iban';
  return errors;
}

/** Demo budget chapters of every demo ente (codes are the ente's own; taxonomy from GPD's examples). */
export const DEMO_CHAPTERS = [
  { code: '3010/1', description: 'Mensa scolastica - quota pasto', taxonomy: '9/0101108TS/' },
  { code: '3010/2', description: 'Mensa scolastica - quota di iscrizione', taxonomy: '9/0101108TS/' },
  { code: '3050/1', description: 'Diritti di segreteria', taxonomy: '9/0101108TS/' },
] as const;

/**
 * Demo seed: the demo entes that pagoPA's seed onboards (same fiscal code) get their settings with the key
 * derived from SECRET and the demo chapters; an ente already configured keeps its own settings.
 */
export async function seedDemoPaymentSettings(ctx: AppContext, tenants: readonly { id: string; fiscalCode: string }[]): Promise<void> {
  const db = ctx.database.db;
  for (const tenant of tenants) {
    const demo = DEMO_CREDITOR_INSTITUTIONS.find((d) => d.fiscalCode === tenant.fiscalCode);
    if (!demo || (await paymentSettingsOf(db, tenant.id))) continue;
    await savePaymentSettings(db, ctx.secret, tenant.id, {
      creditorFiscalCode: demo.fiscalCode,
      pagopaUrl: ctx.config.urls.pagopa,
      gpdKey: demoPagopaKey(ctx.secret, demo.fiscalCode),
      intermediary: { kind: 'direct' },
      treasuryIban: demo.iban,
      postalIban: demo.postalIban,
      cbill: demo.cbillCode,
      treasuryKey: demoTreasuryKey(ctx.secret, demo.fiscalCode),
    });
    for (const chapter of DEMO_CHAPTERS) await saveBudgetChapter(db, tenant.id, { ...chapter, iban: demo.iban, active: true });
  }
}
