// Each ente's IO service as the comune sends with it: the service id, its API key (sealed with the app secret,
// core/secrets.ts, never shown back), the IO address, how many days before a due date the reminder goes, and
// whether sending is on; optionally a different IO service for one catalog service.
import { sql, type Executor } from '../../core/db.ts';
import { decryptSecret, encryptSecret } from '../../core/secrets.ts';
import type { AppContext } from '../../core/runtime.ts';
import { parseHttpUrl } from '../webhooks/endpoint.ts';
import { ioClient, type IoClient } from '../../clients/io/index.ts';

export const DEFAULT_REMINDER_DAYS = 3;
/** IO's service ids are ULIDs; a body's own ids may differ, so only the shape of an identifier is checked. */
export const IO_SERVICE_ID = /^[0-9A-Za-z]{1,64}$/;

export interface IoSettings {
  tenantId: string;
  /** The catalog service this override is for; null for the ente's default. */
  serviceId: string | null;
  ioServiceId: string;
  ioUrl: string;
  reminderDays: number;
  enabled: boolean;
  updatedAt: Date;
  /** Sealed; only ioClientFor opens it. */
  readonly sealedKey: string;
}

export interface IoSettingsInput {
  ioServiceId: string;
  ioUrl: string;
  /** Undefined keeps the saved key. */
  apiKey?: string;
  reminderDays: number;
  enabled: boolean;
}

interface Row {
  tenant_id: string;
  service_id: string | null;
  io_service_id: string;
  io_url: string;
  api_key_sealed: string;
  reminder_days: number;
  enabled: boolean;
  updated_at: Date;
}

const keyContext = (tenantId: string, serviceId: string | null) => `comune.io_settings.api_key:${tenantId}:${serviceId ?? 'default'}`;

const fromRow = (r: Row): IoSettings => ({
  tenantId: r.tenant_id,
  serviceId: r.service_id,
  ioServiceId: r.io_service_id,
  ioUrl: r.io_url,
  reminderDays: r.reminder_days,
  enabled: r.enabled,
  updatedAt: r.updated_at,
  sealedKey: r.api_key_sealed,
});

/** The ente's default and its per-service overrides, the default first. */
export async function ioSettingsList(db: Executor, tenantId: string): Promise<IoSettings[]> {
  const { rows } = await sql<Row>`select * from comune.io_settings where tenant_id = ${tenantId} order by service_id nulls first`.execute(db);
  return rows.map(fromRow);
}

/** The settings a message about `serviceId` is sent with: the service's override, else the ente's default. */
export async function ioSettingsFor(db: Executor, tenantId: string, serviceId: string | null = null): Promise<IoSettings | undefined> {
  const { rows } = await sql<Row>`
    select * from comune.io_settings where tenant_id = ${tenantId} and (service_id is null or service_id = ${serviceId})
    order by service_id nulls last limit 1`.execute(db);
  return rows[0] && fromRow(rows[0]);
}

/** The SQL condition "this ente (and service) sends through IO", for statements that write messages. */
export const ioEnabledSql = (tenantId: unknown, serviceId: unknown) => sql<boolean>`coalesce((
  select s.enabled from comune.io_settings s where s.tenant_id = ${tenantId} and (s.service_id is null or s.service_id = ${serviceId})
  order by s.service_id nulls last limit 1), false)`;

export async function saveIoSettings(tx: Executor, secret: string, tenantId: string, serviceId: string | null, input: IoSettingsInput): Promise<void> {
  const sealed = input.apiKey ? encryptSecret(secret, input.apiKey, keyContext(tenantId, serviceId)) : null;
  const url = input.ioUrl.replace(/\/+$/, '');
  const updated = await sql`
    update comune.io_settings set io_service_id = ${input.ioServiceId}, io_url = ${url}, api_key_sealed = coalesce(${sealed}, api_key_sealed),
      reminder_days = ${input.reminderDays}, enabled = ${input.enabled}, updated_at = now()
    where tenant_id = ${tenantId} and service_id is not distinct from ${serviceId}`.execute(tx);
  if (Number(updated.numAffectedRows ?? 0) > 0) return;
  if (!sealed) throw new Error('a new IO configuration needs its API key');
  await sql`
    insert into comune.io_settings (tenant_id, service_id, io_service_id, io_url, api_key_sealed, reminder_days, enabled)
    values (${tenantId}, ${serviceId}, ${input.ioServiceId}, ${url}, ${sealed}, ${input.reminderDays}, ${input.enabled})`.execute(tx);
}

export async function removeIoOverride(tx: Executor, tenantId: string, serviceId: string): Promise<void> {
  await sql`delete from comune.io_settings where tenant_id = ${tenantId} and service_id = ${serviceId}`.execute(tx);
}

/** The IO client of these settings, their key unsealed. */
export function ioClientFor(ctx: Pick<AppContext, 'secret'>, settings: IoSettings, timeoutMs?: number): IoClient {
  return ioClient({ baseUrl: settings.ioUrl, apiKey: decryptSecret(ctx.secret, settings.sealedKey, keyContext(settings.tenantId, settings.serviceId)), timeoutMs });
}

/** Validation of the settings form; field → reason code (messaging.error.*). */
export function checkIoSettings(input: IoSettingsInput): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!IO_SERVICE_ID.test(input.ioServiceId)) errors.ioServiceId = 'serviceId';
  if (!parseHttpUrl(input.ioUrl).ok) errors.ioUrl = 'url';
  if (!Number.isInteger(input.reminderDays) || input.reminderDays < 0 || input.reminderDays > 60) errors.reminderDays = 'reminderDays';
  if (input.apiKey !== undefined && (input.apiKey.length < 8 || input.apiKey.length > 200)) errors.apiKey = 'apiKey';
  return errors;
}
