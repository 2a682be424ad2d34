// Public bodies (organizations) and their IO services: settings, test mode, payment cap, and the two keys of each
// service (core api-keys owned by 'io_service', the key also sealed in io.service_keys so it can be shown again).
import { sql, transaction, type Executor } from '../../../core/db.ts';
import { createApiKey, derivedApiKey, revokeApiKey, verifyApiKey } from '../../../core/auth/api-keys.ts';
import { decryptSecret, encryptSecret } from '../../../core/secrets.ts';
import { conflict, invalid, notFound } from '../../../core/problem.ts';
import { ulid } from '../../../core/ulid.ts';
import type { IoKeyType } from '../../../clients/io/demo.ts';
import type { ServiceKeys } from '../../../clients/io/wire.ts';
import { SCHEMA } from '../schema.ts';
import { serviceSettingsProblems, type ServiceMetadata, type ServiceSettings } from './validation.ts';

/** Owner types of the io schema's api keys: a service's keys (owner id the service id), a body's manage key (its fiscal code). */
export const SERVICE_KEY_OWNER = 'io_service';
export const ORGANIZATION_KEY_OWNER = 'io_organization';
export const KEY_TYPES = ['primary', 'secondary'] as const satisfies readonly IoKeyType[];

export interface Organization {
  fiscalCode: string;
  name: string;
  departmentName: string;
  createdAt: Date;
}

export interface Service {
  serviceId: string;
  organizationFiscalCode: string;
  organizationName: string;
  departmentName: string;
  serviceName: string;
  /** Incremented at every update. */
  version: number;
  isVisible: boolean;
  /** Messages and profile reads only for authorizedRecipients. */
  isTestMode: boolean;
  isDisabled: boolean;
  requireSecureChannels: boolean;
  /** Euro cents; 0 = no payment notices. */
  maxAllowedPaymentAmount: number;
  /** May send ADVANCED messages (IO's ApiMessageWriteAdvanced group); set by the operator only. */
  allowAdvanced: boolean;
  authorizedRecipients: string[];
  authorizedCidrs: string[];
  rateLimitPerSecond: number;
  metadata: ServiceMetadata;
  createdAt: Date;
  updatedAt: Date;
}

export interface ServiceInput extends ServiceSettings {
  organizationFiscalCode: string;
  serviceName: string;
  departmentName: string;
  /** Default a new ULID (the demo seed gives its own). */
  serviceId?: string;
  /** Default true: a new service writes only to its authorized recipients until enabled. */
  isTestMode?: boolean;
  isDisabled?: boolean;
  allowAdvanced?: boolean;
  /** Default random keys (the demo seed gives keys derived from the secret). */
  keys?: Record<IoKeyType, string>;
}

export interface ServicePatch extends ServiceSettings {
  isTestMode?: boolean;
  isDisabled?: boolean;
  allowAdvanced?: boolean;
}

const services = sql.table(`${SCHEMA}.services`);
const organizations = sql.table(`${SCHEMA}.organizations`);
const serviceKeysTable = sql.table(`${SCHEMA}.service_keys`);

// --- Organizations -----------------------------------------------------------------------------------------

interface OrganizationRow {
  fiscal_code: string;
  name: string;
  department_name: string;
  created_at: Date;
}
const toOrganization = (r: OrganizationRow): Organization => ({ fiscalCode: r.fiscal_code, name: r.name, departmentName: r.department_name, createdAt: r.created_at });

/** A body onboarded to IO; 409 when its fiscal code already is. */
export async function createOrganization(db: Executor, input: { fiscalCode: string; name: string; departmentName?: string }): Promise<Organization> {
  const problems = [
    ...(/^[0-9]{11}$/.test(input.fiscalCode) ? [] : [{ pointer: '/fiscal_code', detail: 'an organization’s fiscal code has 11 digits', code: 'pattern' }]),
    ...(input.name.trim() ? [] : [{ pointer: '/name', detail: 'the body needs a name', code: 'required' }]),
  ];
  if (problems.length) throw invalid(problems);
  const { rows } = await sql<OrganizationRow>`
    insert into ${organizations} (fiscal_code, name, department_name) values (${input.fiscalCode}, ${input.name.trim()}, ${input.departmentName?.trim() ?? ''})
    on conflict (fiscal_code) do nothing returning fiscal_code, name, department_name, created_at`.execute(db);
  if (!rows[0]) throw conflict(`The body ${input.fiscalCode} is already on IO`);
  return toOrganization(rows[0]);
}

export async function getOrganization(db: Executor, fiscalCode: string): Promise<Organization | undefined> {
  const { rows } = await sql<OrganizationRow>`select fiscal_code, name, department_name, created_at from ${organizations} where fiscal_code = ${fiscalCode}`.execute(db);
  return rows[0] && toOrganization(rows[0]);
}

export async function listOrganizations(db: Executor): Promise<Organization[]> {
  const { rows } = await sql<OrganizationRow>`select fiscal_code, name, department_name, created_at from ${organizations} order by name, fiscal_code`.execute(db);
  return rows.map(toOrganization);
}

/** The body's manage key (for /api/v1/manage/services), made on first use: derived from the secret, so it never needs storing. */
export async function organizationManageKey(db: Executor, secret: string, fiscalCode: string): Promise<string> {
  if (!(await getOrganization(db, fiscalCode))) throw notFound(`No body ${fiscalCode} on IO`);
  const { key } = await createApiKey(db, SCHEMA, { ownerType: ORGANIZATION_KEY_OWNER, ownerId: fiscalCode, label: 'manage key', key: derivedApiKey(secret, 'io-manage', fiscalCode) });
  return key;
}

// --- Services ----------------------------------------------------------------------------------------------

interface ServiceRow {
  service_id: string;
  organization_fiscal_code: string;
  organization_name: string;
  department_name: string;
  service_name: string;
  version: number;
  is_visible: boolean;
  is_test_mode: boolean;
  is_disabled: boolean;
  require_secure_channels: boolean;
  max_allowed_payment_amount: number;
  allow_advanced: boolean;
  authorized_recipients: string[];
  authorized_cidrs: string[];
  rate_limit_per_second: number;
  service_metadata: ServiceMetadata;
  created_at: Date;
  updated_at: Date;
}

const toService = (r: ServiceRow): Service => ({
  serviceId: r.service_id,
  organizationFiscalCode: r.organization_fiscal_code,
  organizationName: r.organization_name,
  departmentName: r.department_name,
  serviceName: r.service_name,
  version: r.version,
  isVisible: r.is_visible,
  isTestMode: r.is_test_mode,
  isDisabled: r.is_disabled,
  requireSecureChannels: r.require_secure_channels,
  maxAllowedPaymentAmount: r.max_allowed_payment_amount,
  allowAdvanced: r.allow_advanced,
  authorizedRecipients: r.authorized_recipients,
  authorizedCidrs: r.authorized_cidrs,
  rateLimitPerSecond: r.rate_limit_per_second,
  metadata: r.service_metadata,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const selectServices = sql`select s.service_id, s.organization_fiscal_code, o.name as organization_name, s.department_name, s.service_name, s.version,
  s.is_visible, s.is_test_mode, s.is_disabled, s.require_secure_channels, s.max_allowed_payment_amount, s.allow_advanced, s.authorized_recipients, s.authorized_cidrs,
  s.rate_limit_per_second, s.service_metadata, s.created_at, s.updated_at
  from ${services} s join ${organizations} o on o.fiscal_code = s.organization_fiscal_code`;

export async function getService(db: Executor, serviceId: string): Promise<Service | undefined> {
  const { rows } = await sql<ServiceRow>`${selectServices} where s.service_id = ${serviceId}`.execute(db);
  return rows[0] && toService(rows[0]);
}

export async function listServices(db: Executor, filter: { organizationFiscalCode?: string } = {}): Promise<Service[]> {
  const where = filter.organizationFiscalCode === undefined ? sql`` : sql`where s.organization_fiscal_code = ${filter.organizationFiscalCode}`;
  const { rows } = await sql<ServiceRow>`${selectServices} ${where} order by o.name, s.service_name, s.service_id`.execute(db);
  return rows.map(toService);
}

const keyContext = (serviceId: string, keyType: IoKeyType) => `io.service_keys:${serviceId}:${keyType}`;

async function issueKey(db: Executor, secret: string, serviceId: string, keyType: IoKeyType, given?: string): Promise<void> {
  const { key, record } = await createApiKey(db, SCHEMA, { ownerType: SERVICE_KEY_OWNER, ownerId: serviceId, label: `${keyType} key`, key: given });
  await sql`insert into ${serviceKeysTable} (service_id, key_type, api_key_id, sealed_key) values (${serviceId}, ${keyType}, ${record.id}, ${encryptSecret(secret, key, keyContext(serviceId, keyType))})
    on conflict (service_id, key_type) do update set api_key_id = excluded.api_key_id, sealed_key = excluded.sealed_key, created_at = now()`.execute(db);
}

/** A new service of a body on IO, with its primary and secondary keys; 400 naming the field, 404 for an unknown body. */
export async function createService(db: Executor, secret: string, input: ServiceInput): Promise<Service> {
  const problems = serviceSettingsProblems(input, '/body');
  if (problems.length) throw invalid(problems);
  const serviceId = input.serviceId ?? ulid();
  return transaction(db, async (tx) => {
    if (!(await getOrganization(tx, input.organizationFiscalCode))) throw notFound(`No body ${input.organizationFiscalCode} on IO`);
    const { rows } = await sql<{ service_id: string }>`insert into ${services} (service_id, organization_fiscal_code, service_name, department_name, is_visible, is_test_mode, is_disabled,
        require_secure_channels, max_allowed_payment_amount, allow_advanced, authorized_recipients, authorized_cidrs, rate_limit_per_second, service_metadata)
      values (${serviceId}, ${input.organizationFiscalCode}, ${input.serviceName.trim()}, ${input.departmentName.trim()}, ${input.isVisible ?? false}, ${input.isTestMode ?? true},
        ${input.isDisabled ?? false}, ${input.requireSecureChannels ?? false}, ${input.maxAllowedPaymentAmount ?? 0}, ${input.allowAdvanced ?? false}, ${input.authorizedRecipients ?? []},
        ${input.authorizedCidrs ?? []}, ${input.rateLimitPerSecond ?? 5000}, ${JSON.stringify(input.metadata ?? { scope: 'LOCAL' })}::jsonb)
      on conflict (service_id) do nothing returning service_id`.execute(tx);
    if (!rows[0]) throw conflict(`The service ${serviceId} already exists`);
    for (const keyType of KEY_TYPES) await issueKey(tx, secret, serviceId, keyType, input.keys?.[keyType]);
    return (await getService(tx, serviceId))!;
  });
}

/** Changes the given settings and increments the version; 400 naming the field, 404 unknown. */
export async function updateService(db: Executor, serviceId: string, patch: ServicePatch): Promise<Service> {
  const current = await getService(db, serviceId);
  if (!current) throw notFound(`No service ${serviceId}`);
  const problems = serviceSettingsProblems({ ...patch, isVisible: patch.isVisible ?? current.isVisible, metadata: patch.metadata ?? (patch.isVisible ? current.metadata : undefined) }, '/body');
  if (problems.length) throw invalid(problems);
  const next = { ...current, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) } as Service;
  await sql`update ${services} set service_name = ${next.serviceName.trim()}, department_name = ${next.departmentName.trim()}, is_visible = ${next.isVisible},
      is_test_mode = ${next.isTestMode}, is_disabled = ${next.isDisabled}, require_secure_channels = ${next.requireSecureChannels},
      max_allowed_payment_amount = ${next.maxAllowedPaymentAmount}, allow_advanced = ${next.allowAdvanced}, authorized_recipients = ${next.authorizedRecipients}, authorized_cidrs = ${next.authorizedCidrs},
      rate_limit_per_second = ${next.rateLimitPerSecond}, service_metadata = ${JSON.stringify(next.metadata)}::jsonb, version = version + 1, updated_at = now()
    where service_id = ${serviceId}`.execute(db);
  forgetService(serviceId);
  return (await getService(db, serviceId))!;
}

// --- Keys --------------------------------------------------------------------------------------------------

/** The service's two keys in clear (GET /manage/services/{id}/keys); 404 unknown service. */
export async function serviceKeys(db: Executor, secret: string, serviceId: string): Promise<ServiceKeys> {
  const { rows } = await sql<{ key_type: IoKeyType; sealed_key: string }>`select key_type, sealed_key from ${serviceKeysTable} where service_id = ${serviceId}`.execute(db);
  const key = (keyType: IoKeyType) => {
    const row = rows.find((r) => r.key_type === keyType);
    if (!row) throw notFound(`No ${keyType} key for the service ${serviceId}`);
    return decryptSecret(secret, row.sealed_key, keyContext(serviceId, keyType));
  };
  return { primary_key: key('primary'), secondary_key: key('secondary') };
}

/** A new key of that type; the old one stops working at once in this process (a few seconds in others). */
export async function regenerateServiceKey(db: Executor, secret: string, serviceId: string, keyType: IoKeyType): Promise<ServiceKeys> {
  await transaction(db, async (tx) => {
    const { rows } = await sql<{ api_key_id: string }>`select api_key_id from ${serviceKeysTable} where service_id = ${serviceId} and key_type = ${keyType} for update`.execute(tx);
    if (!rows[0]) throw notFound(`No service ${serviceId}`);
    await revokeApiKey(tx, SCHEMA, rows[0].api_key_id);
    await issueKey(tx, secret, serviceId, keyType);
  });
  forgetService(serviceId);
  return serviceKeys(db, secret, serviceId);
}

// Every submission carries a key: verifying it (a query and a hash) and loading the service (a join) each time
// would double the submit path's queries. A verified key is trusted for a few seconds; changes here forget it.
const KEY_CACHE_MS = 5_000;
const keyCache = new Map<string, { service: Service; until: number }>();

function forgetService(serviceId: string): void {
  for (const [key, entry] of keyCache) if (entry.service.serviceId === serviceId) keyCache.delete(key);
}

/** The service an active key belongs to (primary or secondary), or undefined. */
export async function serviceOfKey(db: Executor, key: string): Promise<Service | undefined> {
  const now = Date.now();
  const cached = keyCache.get(key);
  if (cached && cached.until > now) return cached.service;
  keyCache.delete(key);
  const record = await verifyApiKey(db, SCHEMA, key);
  const service = record?.ownerType === SERVICE_KEY_OWNER ? await getService(db, record.ownerId) : undefined;
  if (service) {
    if (keyCache.size > 10_000) keyCache.clear();
    keyCache.set(key, { service, until: now + KEY_CACHE_MS });
  }
  return service;
}

/** The body whose manage key this is, or undefined. */
export async function organizationOfManageKey(db: Executor, key: string): Promise<Organization | undefined> {
  const record = await verifyApiKey(db, SCHEMA, key);
  return record?.ownerType === ORGANIZATION_KEY_OWNER ? getOrganization(db, record.ownerId) : undefined;
}
