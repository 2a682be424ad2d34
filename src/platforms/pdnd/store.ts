// Everything PDND keeps, and the commands that change it. Each command takes the acting tenant and
// checks, in one place with the rules of rules.ts, that it may act: objects of other tenants are
// simply not found (404), so a body learns nothing about another body's agreements, purposes or clients.
import { createPublicKey } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, type JWK } from 'jose';
import { audit, type ActorType } from '../../core/audit.ts';
import { sql, transaction, type Executor } from '../../core/db.ts';
import { HttpProblem, conflict, invalid, notFound, problemType } from '../../core/problem.ts';
import * as rules from './rules.ts';
import type { AgreementState, ApprovalPolicy, DescriptorState, Party, PurposeVersionState } from './rules.ts';
import { SCHEMA } from './schema.ts';

// --- Types ------------------------------------------------------------------------------------------

export interface Tenant {
  id: string;
  name: string;
  ipaCode: string;
  kind: 'PA' | 'GSP' | 'PRIVATE';
}

export interface Descriptor {
  id: string;
  eserviceId: string;
  version: number;
  description: string | null;
  state: DescriptorState;
  audience: string[];
  voucherLifespan: number;
  dailyCallsPerConsumer: number;
  dailyCallsTotal: number;
  agreementApprovalPolicy: ApprovalPolicy;
  serverUrls: string[];
  hasInterface: boolean;
  publishedAt: Date | null;
}

export interface Eservice {
  id: string;
  producerId: string;
  producerName: string;
  name: string;
  description: string;
  technology: 'Rest' | 'Soap';
  mode: 'Receive' | 'Deliver';
  descriptors: Descriptor[];
}

export interface Agreement {
  id: string;
  eserviceId: string;
  eserviceName: string;
  descriptorId: string;
  descriptorVersion: number;
  producerId: string;
  producerName: string;
  consumerId: string;
  consumerName: string;
  state: AgreementState;
  suspendedByConsumer: boolean;
  suspendedByProducer: boolean;
  rejectionReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface PurposeVersion {
  id: string;
  state: PurposeVersionState;
  dailyCalls: number;
  rejectionReason: string | null;
  createdAt: Date;
}

export interface Purpose {
  id: string;
  eserviceId: string;
  eserviceName: string;
  producerId: string;
  consumerId: string;
  consumerName: string;
  title: string;
  description: string;
  isFreeOfCharge: boolean;
  suspendedByConsumer: boolean;
  suspendedByProducer: boolean;
  /** Oldest first. */
  versions: PurposeVersion[];
  /** The Active or Suspended version, if any: the one vouchers are issued on. */
  currentVersion: PurposeVersion | null;
  /** A version awaiting the producer's approval, if any. */
  waitingVersion: PurposeVersion | null;
  /** The state shown for the purpose: its current version's, else its latest version's. */
  state: PurposeVersionState;
}

export interface ClientKey {
  kid: string;
  name: string;
  alg: 'RS256';
  use: 'SIG';
  createdAt: Date;
}

export interface Client {
  id: string;
  consumerId: string;
  name: string;
  description: string;
  kind: 'Consumer' | 'Api';
  purposes: string[];
  keys: ClientKey[];
  createdAt: Date;
}

/** Who acts: a body, through one of its console accounts, one of its API keys, or the platform itself. */
export interface Actor {
  tenantId: string;
  type: Extract<ActorType, 'tenant_admin' | 'api_key' | 'system'>;
  id: string;
  requestId?: string;
}

const refused = (detail: string) => new HttpProblem(409, { type: problemType('pdnd:invalid-state'), title: 'Invalid state', detail });

async function record(tx: Executor, actor: Actor, action: string, targetType: string, targetId: string, details: Record<string, unknown> = {}) {
  await audit(tx, SCHEMA, { actorType: actor.type, actorId: actor.id, tenantId: actor.tenantId, action, targetType, targetId, details, requestId: actor.requestId });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: unknown): value is string => typeof value === 'string' && UUID.test(value);

// --- Row mapping --------------------------------------------------------------------------------------

interface DescriptorRow {
  id: string;
  eservice_id: string;
  version: number;
  description: string | null;
  state: DescriptorState;
  audience: string[];
  voucher_lifespan: number;
  daily_calls_per_consumer: number;
  daily_calls_total: number;
  agreement_approval_policy: ApprovalPolicy;
  server_urls: string[];
  has_interface: boolean;
  published_at: Date | null;
}

const descriptorOf = (r: DescriptorRow): Descriptor => ({
  id: r.id,
  eserviceId: r.eservice_id,
  version: r.version,
  description: r.description,
  state: r.state,
  audience: r.audience,
  voucherLifespan: r.voucher_lifespan,
  dailyCallsPerConsumer: r.daily_calls_per_consumer,
  dailyCallsTotal: r.daily_calls_total,
  agreementApprovalPolicy: r.agreement_approval_policy,
  serverUrls: r.server_urls,
  hasInterface: r.has_interface,
  publishedAt: r.published_at,
});

const DESCRIPTOR_COLUMNS = sql`d.id, d.eservice_id, d.version, d.description, d.state, d.audience, d.voucher_lifespan,
  d.daily_calls_per_consumer, d.daily_calls_total, d.agreement_approval_policy, d.server_urls,
  (d.interface is not null) as has_interface, d.published_at`;

interface AgreementRow {
  id: string;
  eservice_id: string;
  eservice_name: string;
  descriptor_id: string;
  descriptor_version: number;
  producer_id: string;
  producer_name: string;
  consumer_id: string;
  consumer_name: string;
  state: AgreementState;
  suspended_by_consumer: boolean;
  suspended_by_producer: boolean;
  rejection_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

const agreementOf = (r: AgreementRow): Agreement => ({
  id: r.id,
  eserviceId: r.eservice_id,
  eserviceName: r.eservice_name,
  descriptorId: r.descriptor_id,
  descriptorVersion: r.descriptor_version,
  producerId: r.producer_id,
  producerName: r.producer_name,
  consumerId: r.consumer_id,
  consumerName: r.consumer_name,
  state: r.state,
  suspendedByConsumer: r.suspended_by_consumer,
  suspendedByProducer: r.suspended_by_producer,
  rejectionReason: r.rejection_reason,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const AGREEMENT_SELECT = sql`select a.id, a.eservice_id, e.name as eservice_name, a.descriptor_id, d.version as descriptor_version,
  a.producer_id, p.name as producer_name, a.consumer_id, c.name as consumer_name, a.state,
  a.suspended_by_consumer, a.suspended_by_producer, a.rejection_reason, a.created_at, a.updated_at
  from pdnd.agreements a
  join pdnd.eservices e on e.id = a.eservice_id
  join pdnd.descriptors d on d.id = a.descriptor_id
  join pdnd.tenants p on p.id = a.producer_id
  join pdnd.tenants c on c.id = a.consumer_id`;

interface PurposeRow {
  id: string;
  eservice_id: string;
  eservice_name: string;
  producer_id: string;
  consumer_id: string;
  consumer_name: string;
  title: string;
  description: string;
  is_free_of_charge: boolean;
  suspended_by_consumer: boolean;
  suspended_by_producer: boolean;
  versions: { id: string; state: PurposeVersionState; daily_calls: number; rejection_reason: string | null; created_at: string }[];
}

function purposeOf(r: PurposeRow): Purpose {
  const versions = r.versions
    .map((v) => ({ id: v.id, state: v.state, dailyCalls: v.daily_calls, rejectionReason: v.rejection_reason, createdAt: new Date(v.created_at) }))
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  const currentVersion = versions.find((v) => v.state === 'Active' || v.state === 'Suspended') ?? null;
  const waitingVersion = versions.find((v) => v.state === 'WaitingForApproval') ?? null;
  return {
    id: r.id,
    eserviceId: r.eservice_id,
    eserviceName: r.eservice_name,
    producerId: r.producer_id,
    consumerId: r.consumer_id,
    consumerName: r.consumer_name,
    title: r.title,
    description: r.description,
    isFreeOfCharge: r.is_free_of_charge,
    suspendedByConsumer: r.suspended_by_consumer,
    suspendedByProducer: r.suspended_by_producer,
    versions,
    currentVersion,
    waitingVersion,
    state: (currentVersion ?? versions[versions.length - 1])?.state ?? 'Draft',
  };
}

const PURPOSE_SELECT = sql`select pu.id, pu.eservice_id, e.name as eservice_name, e.producer_id, pu.consumer_id, c.name as consumer_name,
  pu.title, pu.description, pu.is_free_of_charge, pu.suspended_by_consumer, pu.suspended_by_producer,
  coalesce((select json_agg(json_build_object('id', v.id, 'state', v.state, 'daily_calls', v.daily_calls,
      'rejection_reason', v.rejection_reason, 'created_at', v.created_at) order by v.created_at)
    from pdnd.purpose_versions v where v.purpose_id = pu.id), '[]'::json) as versions
  from pdnd.purposes pu
  join pdnd.eservices e on e.id = pu.eservice_id
  join pdnd.tenants c on c.id = pu.consumer_id`;

// --- Tenants and accounts ------------------------------------------------------------------------------

export async function createTenant(db: Executor, input: { name: string; ipaCode: string; kind?: Tenant['kind'] }): Promise<Tenant> {
  const { rows } = await sql<Tenant>`
    insert into pdnd.tenants (name, ipa_code, kind) values (${input.name}, ${input.ipaCode}, ${input.kind ?? 'PA'})
    on conflict (ipa_code) do update set name = excluded.name
    returning id, name, ipa_code as "ipaCode", kind`.execute(db);
  return rows[0]!;
}

export async function tenantById(db: Executor, id: string): Promise<Tenant | undefined> {
  if (!isUuid(id)) return undefined;
  const { rows } = await sql<Tenant>`select id, name, ipa_code as "ipaCode", kind from pdnd.tenants where id = ${id}`.execute(db);
  return rows[0];
}

export async function tenantByIpa(db: Executor, ipaCode: string): Promise<Tenant | undefined> {
  const { rows } = await sql<Tenant>`select id, name, ipa_code as "ipaCode", kind from pdnd.tenants where ipa_code = ${ipaCode}`.execute(db);
  return rows[0];
}

export async function listTenants(db: Executor): Promise<Tenant[]> {
  const { rows } = await sql<Tenant>`select id, name, ipa_code as "ipaCode", kind from pdnd.tenants order by name`.execute(db);
  return rows;
}

// --- Catalog ---------------------------------------------------------------------------------------------

async function descriptorsOf(db: Executor, eserviceIds: string[]): Promise<Map<string, Descriptor[]>> {
  const map = new Map<string, Descriptor[]>();
  if (!eserviceIds.length) return map;
  const { rows } = await sql<DescriptorRow>`select ${DESCRIPTOR_COLUMNS} from pdnd.descriptors d
    where d.eservice_id = any(${eserviceIds}::uuid[]) order by d.version`.execute(db);
  for (const row of rows) {
    const list = map.get(row.eservice_id) ?? [];
    list.push(descriptorOf(row));
    map.set(row.eservice_id, list);
  }
  return map;
}

interface EserviceRow {
  id: string;
  producer_id: string;
  producer_name: string;
  name: string;
  description: string;
  technology: 'Rest' | 'Soap';
  mode: 'Receive' | 'Deliver';
}

/**
 * The catalog as the viewer sees it: every e-service with a non-draft descriptor; the producer also
 * sees its drafts. Drafts of other producers are never shown.
 */
export async function listEservices(db: Executor, viewerId: string, filter: { producerId?: string; name?: string } = {}): Promise<Eservice[]> {
  const { rows } = await sql<EserviceRow>`
    select e.id, e.producer_id, t.name as producer_name, e.name, e.description, e.technology, e.mode
    from pdnd.eservices e join pdnd.tenants t on t.id = e.producer_id
    where ${filter.producerId ? sql`e.producer_id = ${filter.producerId}` : sql`true`}
      and ${filter.name ? sql`e.name ilike ${'%' + filter.name.replace(/[%_\\]/g, (c) => '\\' + c) + '%'}` : sql`true`}
    order by t.name, e.name`.execute(db);
  const descriptors = await descriptorsOf(db, rows.map((r) => r.id));
  return rows
    .map((r) => ({
      id: r.id,
      producerId: r.producer_id,
      producerName: r.producer_name,
      name: r.name,
      description: r.description,
      technology: r.technology,
      mode: r.mode,
      descriptors: (descriptors.get(r.id) ?? []).filter((d) => r.producer_id === viewerId || d.state !== 'Draft'),
    }))
    .filter((e) => e.producerId === viewerId || e.descriptors.length > 0);
}

export async function getEservice(db: Executor, viewerId: string, id: string): Promise<Eservice> {
  if (!isUuid(id)) throw notFound('No such e-service');
  const { rows } = await sql<EserviceRow>`
    select e.id, e.producer_id, t.name as producer_name, e.name, e.description, e.technology, e.mode
    from pdnd.eservices e join pdnd.tenants t on t.id = e.producer_id where e.id = ${id}`.execute(db);
  const r = rows[0];
  if (!r) throw notFound('No such e-service');
  const descriptors = ((await descriptorsOf(db, [r.id])).get(r.id) ?? []).filter((d) => r.producer_id === viewerId || d.state !== 'Draft');
  if (r.producer_id !== viewerId && descriptors.length === 0) throw notFound('No such e-service');
  return { id: r.id, producerId: r.producer_id, producerName: r.producer_name, name: r.name, description: r.description, technology: r.technology, mode: r.mode, descriptors };
}

/** The interface document (OpenAPI) of a descriptor the viewer may see. */
export async function getInterface(db: Executor, viewerId: string, eserviceId: string, descriptorId: string): Promise<unknown> {
  const eservice = await getEservice(db, viewerId, eserviceId);
  if (!isUuid(descriptorId) || !eservice.descriptors.some((d) => d.id === descriptorId)) throw notFound('No such descriptor');
  const { rows } = await sql<{ interface: unknown }>`select interface from pdnd.descriptors where id = ${descriptorId}`.execute(db);
  if (!rows[0]?.interface) throw notFound('This descriptor has no interface document');
  return rows[0].interface;
}

export interface EserviceInput {
  name: string;
  description: string;
  technology?: 'Rest' | 'Soap';
}

export async function createEservice(db: Executor, actor: Actor, input: EserviceInput): Promise<Eservice> {
  return transaction(db, async (tx) => {
    const { rows } = await sql<{ id: string }>`
      insert into pdnd.eservices (producer_id, name, description, technology)
      values (${actor.tenantId}, ${input.name.trim()}, ${input.description.trim()}, ${input.technology ?? 'Rest'})
      on conflict (producer_id, name) do nothing returning id`.execute(tx);
    if (!rows[0]) throw conflict(`An e-service named "${input.name}" already exists for this producer`);
    await record(tx, actor, 'eservice.create', 'eservice', rows[0].id, { name: input.name });
    return getEservice(tx, actor.tenantId, rows[0].id);
  });
}

export interface DescriptorInput {
  description?: string;
  audience: string[];
  voucherLifespan: number;
  dailyCallsPerConsumer: number;
  dailyCallsTotal: number;
  agreementApprovalPolicy: ApprovalPolicy;
  serverUrls?: string[];
  interface?: unknown;
}

async function ownEservice(db: Executor, actor: Actor, eserviceId: string): Promise<Eservice> {
  const eservice = await getEservice(db, actor.tenantId, eserviceId);
  if (eservice.producerId !== actor.tenantId) throw notFound('No such e-service among yours');
  return eservice;
}

export async function createDescriptor(db: Executor, actor: Actor, eserviceId: string, input: DescriptorInput): Promise<Descriptor> {
  if (input.dailyCallsTotal < input.dailyCallsPerConsumer) {
    throw invalid([{ pointer: '/body/dailyCallsTotal', code: 'minimum', detail: 'must be at least dailyCallsPerConsumer' }]);
  }
  return transaction(db, async (tx) => {
    const eservice = await ownEservice(tx, actor, eserviceId);
    if (eservice.descriptors.some((d) => d.state === 'Draft')) throw conflict('This e-service already has a draft descriptor');
    const version = Math.max(0, ...eservice.descriptors.map((d) => d.version)) + 1;
    const { rows } = await sql<{ id: string }>`
      insert into pdnd.descriptors (eservice_id, version, description, audience, voucher_lifespan, daily_calls_per_consumer,
        daily_calls_total, agreement_approval_policy, server_urls, interface)
      values (${eservice.id}, ${version}, ${input.description ?? null}, ${input.audience}, ${input.voucherLifespan},
        ${input.dailyCallsPerConsumer}, ${input.dailyCallsTotal}, ${input.agreementApprovalPolicy}, ${input.serverUrls ?? []},
        ${input.interface === undefined ? null : JSON.stringify(input.interface)}::jsonb)
      returning id`.execute(tx);
    await record(tx, actor, 'descriptor.create', 'descriptor', rows[0]!.id, { eserviceId, version });
    return (await ownEservice(tx, actor, eserviceId)).descriptors.find((d) => d.id === rows[0]!.id)!;
  });
}

export type DescriptorCommand = 'publish' | 'suspend' | 'activate';

/** Publish (previous Published → Deprecated), suspend or reactivate a descriptor of one's own e-service. */
export async function changeDescriptor(db: Executor, actor: Actor, eserviceId: string, descriptorId: string, command: DescriptorCommand): Promise<Descriptor> {
  return transaction(db, async (tx) => {
    const eservice = await ownEservice(tx, actor, eserviceId);
    const descriptor = eservice.descriptors.find((d) => d.id === descriptorId);
    if (!descriptor) throw notFound('No such descriptor');
    const latest = Math.max(...eservice.descriptors.filter((d) => d.state !== 'Draft').map((d) => d.version), 0);
    const next =
      command === 'publish'
        ? rules.publishDescriptor(descriptor.state)
        : command === 'suspend'
          ? rules.suspendDescriptor(descriptor.state)
          : rules.activateDescriptor(descriptor.state, descriptor.version >= latest);
    if (!next) throw refused(`Cannot ${command} a descriptor in state ${descriptor.state}`);
    if (command === 'publish') {
      await sql`update pdnd.descriptors set state = 'Deprecated', deprecated_at = now()
        where eservice_id = ${eservice.id} and state = 'Published'`.execute(tx);
    }
    await sql`update pdnd.descriptors set state = ${next},
        published_at = case when ${next} = 'Published' and published_at is null then now() else published_at end,
        suspended_at = case when ${next} = 'Suspended' then now() else null end
      where id = ${descriptor.id}`.execute(tx);
    await record(tx, actor, `descriptor.${command}`, 'descriptor', descriptor.id, { from: descriptor.state, to: next });
    return (await ownEservice(tx, actor, eserviceId)).descriptors.find((d) => d.id === descriptorId)!;
  });
}

// --- Agreements -------------------------------------------------------------------------------------------

export type Role = 'consumer' | 'producer';

export async function listAgreements(db: Executor, tenantId: string, filter: { role?: Role; states?: AgreementState[]; eserviceId?: string } = {}): Promise<Agreement[]> {
  const who =
    filter.role === 'consumer'
      ? sql`a.consumer_id = ${tenantId}`
      : filter.role === 'producer'
        ? sql`a.producer_id = ${tenantId}`
        : sql`(a.consumer_id = ${tenantId} or a.producer_id = ${tenantId})`;
  const { rows } = await sql<AgreementRow>`${AGREEMENT_SELECT}
    where ${who}
      and ${filter.states?.length ? sql`a.state = any(${filter.states}::text[])` : sql`true`}
      and ${filter.eserviceId ? sql`a.eservice_id = ${filter.eserviceId}` : sql`true`}
    order by a.created_at desc, a.id`.execute(db);
  return rows.map(agreementOf);
}

/** An agreement the tenant is a party to. */
export async function getAgreement(db: Executor, tenantId: string, id: string): Promise<Agreement> {
  if (!isUuid(id)) throw notFound('No such agreement');
  const { rows } = await sql<AgreementRow>`${AGREEMENT_SELECT} where a.id = ${id} and (a.consumer_id = ${tenantId} or a.producer_id = ${tenantId})`.execute(db);
  if (!rows[0]) throw notFound('No such agreement');
  return agreementOf(rows[0]);
}

/** The consumer asks to use an e-service: on its Published descriptor, activated per its approval policy. */
export async function requestAgreement(db: Executor, actor: Actor, input: { eserviceId: string; consumerNotes?: string }): Promise<Agreement> {
  return transaction(db, async (tx) => {
    const eservice = await getEservice(tx, actor.tenantId, input.eserviceId);
    const descriptor = eservice.descriptors.find((d) => rules.descriptorAcceptsAgreements(d.state));
    if (!descriptor) throw refused('This e-service has no published descriptor');
    if (eservice.producerId === actor.tenantId) throw refused('A producer does not request agreements on its own e-services');
    const state = rules.submitAgreement(descriptor.agreementApprovalPolicy);
    const { rows } = await sql<{ id: string }>`
      insert into pdnd.agreements (eservice_id, descriptor_id, producer_id, consumer_id, state, consumer_notes)
      values (${eservice.id}, ${descriptor.id}, ${eservice.producerId}, ${actor.tenantId}, ${state}, ${input.consumerNotes ?? null})
      on conflict do nothing returning id`.execute(tx);
    if (!rows[0]) throw new HttpProblem(409, { type: problemType('pdnd:agreement-already-exists'), title: 'Agreement already exists', detail: 'You already have an agreement on this e-service' });
    await record(tx, actor, 'agreement.submit', 'agreement', rows[0].id, { eserviceId: eservice.id, descriptorId: descriptor.id, state });
    return getAgreement(tx, actor.tenantId, rows[0].id);
  });
}

export type AgreementCommand = 'approve' | 'reject' | 'suspend' | 'activate' | 'archive';

/**
 * approve/reject: the producer, on a Pending agreement. suspend/activate: either party, each for
 * its own suspension. archive: the consumer.
 */
export async function changeAgreement(db: Executor, actor: Actor, id: string, command: AgreementCommand, reason?: string): Promise<Agreement> {
  return transaction(db, async (tx) => {
    await sql`select id from pdnd.agreements where id = ${isUuid(id) ? id : null} for update`.execute(tx);
    const agreement = await getAgreement(tx, actor.tenantId, id);
    const party: Party = agreement.producerId === actor.tenantId ? 'producer' : 'consumer';
    const onlyFor = (who: Party) => {
      if (party !== who) throw notFound(`No such agreement among those you are the ${who} of`);
    };
    let result: rules.Transition<AgreementState>;
    switch (command) {
      case 'approve':
        onlyFor('producer');
        result = rules.approveAgreement(agreement.state);
        break;
      case 'reject':
        onlyFor('producer');
        if (!reason?.trim()) throw invalid([{ pointer: '/body/reason', code: 'required', detail: 'a reason is required to reject' }]);
        result = rules.rejectAgreement(agreement.state);
        break;
      case 'suspend':
        result = rules.suspend(agreement, party);
        break;
      case 'activate':
        result = rules.reactivate(agreement, party);
        break;
      case 'archive':
        onlyFor('consumer');
        result = rules.archive(agreement);
        break;
    }
    if (!result.ok) throw refused(result.reason);
    await sql`update pdnd.agreements set state = ${result.state}, suspended_by_consumer = ${result.suspendedByConsumer},
        suspended_by_producer = ${result.suspendedByProducer}, updated_at = now(),
        rejection_reason = ${command === 'reject' ? reason!.trim() : agreement.rejectionReason}
      where id = ${agreement.id}`.execute(tx);
    await record(tx, actor, `agreement.${command}`, 'agreement', agreement.id, { from: agreement.state, to: result.state, by: party });
    return getAgreement(tx, actor.tenantId, id);
  });
}

// --- Purposes ---------------------------------------------------------------------------------------------

export async function listPurposes(db: Executor, tenantId: string, filter: { role?: Role; eserviceId?: string; waitingForApproval?: boolean } = {}): Promise<Purpose[]> {
  const who =
    filter.role === 'consumer'
      ? sql`pu.consumer_id = ${tenantId}`
      : filter.role === 'producer'
        ? sql`e.producer_id = ${tenantId}`
        : sql`(pu.consumer_id = ${tenantId} or e.producer_id = ${tenantId})`;
  const { rows } = await sql<PurposeRow>`${PURPOSE_SELECT}
    where ${who} and ${filter.eserviceId ? sql`pu.eservice_id = ${filter.eserviceId}` : sql`true`}
    order by pu.created_at desc, pu.id`.execute(db);
  const purposes = rows.map(purposeOf);
  return filter.waitingForApproval ? purposes.filter((p) => p.waitingVersion) : purposes;
}

/** A purpose the tenant is the consumer of, or the producer of its e-service. */
export async function getPurpose(db: Executor, tenantId: string, id: string): Promise<Purpose> {
  if (!isUuid(id)) throw notFound('No such purpose');
  const { rows } = await sql<PurposeRow>`${PURPOSE_SELECT} where pu.id = ${id} and (pu.consumer_id = ${tenantId} or e.producer_id = ${tenantId})`.execute(db);
  if (!rows[0]) throw notFound('No such purpose');
  return purposeOf(rows[0]);
}

/** The version state a new estimate gets: Active within the descriptor's thresholds, else WaitingForApproval. */
async function versionStateFor(tx: Executor, purpose: { id: string | null; eserviceId: string; consumerId: string }, dailyCalls: number): Promise<PurposeVersionState> {
  const agreements = await sql<{ state: AgreementState; daily_calls_per_consumer: number; daily_calls_total: number }>`
    select a.state, d.daily_calls_per_consumer, d.daily_calls_total from pdnd.agreements a
    join pdnd.descriptors d on d.id = a.descriptor_id
    where a.consumer_id = ${purpose.consumerId} and a.eservice_id = ${purpose.eserviceId} and a.state in ('Active', 'Suspended', 'Pending')`.execute(tx);
  const agreement = agreements.rows[0];
  if (!rules.agreementAllowsPurposes(agreement?.state)) {
    throw new HttpProblem(409, { type: problemType('pdnd:agreement-not-found'), title: 'No active agreement', detail: 'An Active agreement on the e-service is required for purposes' });
  }
  const { rows } = await sql<{ mine: number; everyone: number }>`
    select coalesce(sum(v.daily_calls) filter (where pu.consumer_id = ${purpose.consumerId}), 0)::int as mine,
           coalesce(sum(v.daily_calls), 0)::int as everyone
    from pdnd.purpose_versions v join pdnd.purposes pu on pu.id = v.purpose_id
    where pu.eservice_id = ${purpose.eserviceId} and v.state = 'Active'
      and ${purpose.id ? sql`pu.id <> ${purpose.id}` : sql`true`}`.execute(tx);
  return rules.activationState({
    dailyCalls,
    consumerActiveCalls: rows[0]!.mine,
    allActiveCalls: rows[0]!.everyone,
    dailyCallsPerConsumer: agreement!.daily_calls_per_consumer,
    dailyCallsTotal: agreement!.daily_calls_total,
  });
}

export interface PurposeInput {
  eserviceId: string;
  title: string;
  description: string;
  dailyCalls: number;
  isFreeOfCharge?: boolean;
}

/** The consumer declares a purpose with its first version (created and published in one step). */
export async function createPurpose(db: Executor, actor: Actor, input: PurposeInput): Promise<Purpose> {
  return transaction(db, async (tx) => {
    const eservice = await getEservice(tx, actor.tenantId, input.eserviceId);
    await sql`select pg_advisory_xact_lock(hashtext(${`pdnd.load.${eservice.id}`}))`.execute(tx);
    const state = await versionStateFor(tx, { id: null, eserviceId: eservice.id, consumerId: actor.tenantId }, input.dailyCalls);
    const { rows } = await sql<{ id: string }>`
      insert into pdnd.purposes (eservice_id, consumer_id, title, description, is_free_of_charge)
      values (${eservice.id}, ${actor.tenantId}, ${input.title.trim()}, ${input.description.trim()}, ${input.isFreeOfCharge ?? true})
      returning id`.execute(tx);
    const purposeId = rows[0]!.id;
    await sql`insert into pdnd.purpose_versions (purpose_id, state, daily_calls, first_activation_at)
      values (${purposeId}, ${state}, ${input.dailyCalls}, ${state === 'Active' ? sql`now()` : null})`.execute(tx);
    await record(tx, actor, 'purpose.create', 'purpose', purposeId, { eserviceId: eservice.id, dailyCalls: input.dailyCalls, state });
    return getPurpose(tx, actor.tenantId, purposeId);
  });
}

/**
 * A new estimate of daily calls: within thresholds it replaces the current version at once (the old
 * one is archived), otherwise it waits for the producer while the current one keeps working.
 */
export async function createPurposeVersion(db: Executor, actor: Actor, purposeId: string, dailyCalls: number): Promise<Purpose> {
  return transaction(db, async (tx) => {
    const purpose = await getPurpose(tx, actor.tenantId, purposeId);
    if (purpose.consumerId !== actor.tenantId) throw notFound('No such purpose among yours');
    if (purpose.state === 'Archived' || purpose.state === 'Rejected' && !purpose.currentVersion) throw refused(`Cannot change a purpose in state ${purpose.state}`);
    await sql`select pg_advisory_xact_lock(hashtext(${`pdnd.load.${purpose.eserviceId}`}))`.execute(tx);
    const state = await versionStateFor(tx, purpose, dailyCalls);
    if (purpose.waitingVersion) await sql`update pdnd.purpose_versions set state = 'Archived', updated_at = now() where id = ${purpose.waitingVersion.id}`.execute(tx);
    const nextState = state === 'Active' && purpose.currentVersion?.state === 'Suspended' ? 'Suspended' : state;
    if (nextState !== 'WaitingForApproval' && purpose.currentVersion) {
      await sql`update pdnd.purpose_versions set state = 'Archived', updated_at = now() where id = ${purpose.currentVersion.id}`.execute(tx);
    }
    const { rows } = await sql<{ id: string }>`insert into pdnd.purpose_versions (purpose_id, state, daily_calls, first_activation_at)
      values (${purpose.id}, ${nextState}, ${dailyCalls}, ${nextState === 'Active' ? sql`now()` : null}) returning id`.execute(tx);
    await record(tx, actor, 'purpose.version-create', 'purpose', purpose.id, { versionId: rows[0]!.id, dailyCalls, state: nextState });
    return getPurpose(tx, actor.tenantId, purposeId);
  });
}

export type PurposeCommand = 'approve' | 'reject' | 'suspend' | 'activate' | 'archive';

/**
 * approve/reject: the producer, on the version waiting for approval. suspend/activate: either
 * party, on the current version, each for its own suspension. archive: the consumer.
 */
export async function changePurpose(db: Executor, actor: Actor, purposeId: string, command: PurposeCommand, reason?: string): Promise<Purpose> {
  return transaction(db, async (tx) => {
    await sql`select id from pdnd.purposes where id = ${isUuid(purposeId) ? purposeId : null} for update`.execute(tx);
    const purpose = await getPurpose(tx, actor.tenantId, purposeId);
    const party: Party = purpose.consumerId === actor.tenantId ? 'consumer' : 'producer';
    const onlyFor = (who: Party) => {
      if (party !== who) throw notFound(`No such purpose among those you are the ${who} of`);
    };
    const version = async (id: string, state: PurposeVersionState, extra = sql``) =>
      sql`update pdnd.purpose_versions set state = ${state}, updated_at = now() ${extra} where id = ${id}`.execute(tx);
    let details: Record<string, unknown>;
    if (command === 'approve' || command === 'reject') {
      onlyFor('producer');
      const waiting = purpose.waitingVersion;
      if (!waiting) throw refused('No version of this purpose is waiting for approval');
      if (command === 'approve') {
        const next = rules.approvePurposeVersion(waiting.state)!;
        if (purpose.currentVersion) await version(purpose.currentVersion.id, 'Archived');
        const state = purpose.suspendedByConsumer || purpose.suspendedByProducer ? 'Suspended' : next;
        await version(waiting.id, state, sql`, first_activation_at = coalesce(first_activation_at, now())`);
        details = { versionId: waiting.id, to: state };
      } else {
        if (!reason?.trim()) throw invalid([{ pointer: '/body/reason', code: 'required', detail: 'a reason is required to reject' }]);
        await version(waiting.id, rules.rejectPurposeVersion(waiting.state)!, sql`, rejection_reason = ${reason.trim()}`);
        details = { versionId: waiting.id, to: 'Rejected' };
      }
    } else {
      if (command === 'archive') onlyFor('consumer');
      const current = purpose.currentVersion;
      if (!current) throw refused(`Cannot ${command} a purpose in state ${purpose.state}`);
      const subject = { state: current.state, suspendedByConsumer: purpose.suspendedByConsumer, suspendedByProducer: purpose.suspendedByProducer };
      const result = command === 'suspend' ? rules.suspend(subject, party) : command === 'activate' ? rules.reactivate(subject, party) : rules.archive(subject);
      if (!result.ok) throw refused(result.reason);
      await version(current.id, result.state);
      if (command === 'archive' && purpose.waitingVersion) await version(purpose.waitingVersion.id, 'Archived');
      await sql`update pdnd.purposes set suspended_by_consumer = ${result.suspendedByConsumer}, suspended_by_producer = ${result.suspendedByProducer}
        where id = ${purpose.id}`.execute(tx);
      details = { versionId: current.id, from: current.state, to: result.state, by: party };
    }
    await record(tx, actor, `purpose.${command}`, 'purpose', purpose.id, details);
    return getPurpose(tx, actor.tenantId, purposeId);
  });
}

// --- Clients and keys -------------------------------------------------------------------------------------

interface ClientRow {
  id: string;
  consumer_id: string;
  name: string;
  description: string;
  kind: 'Consumer' | 'Api';
  created_at: Date;
  purposes: string[];
  keys: { kid: string; name: string; created_at: string }[];
}

const CLIENT_SELECT = sql`select c.id, c.consumer_id, c.name, c.description, c.kind, c.created_at,
  coalesce((select array_agg(cp.purpose_id::text order by cp.created_at) from pdnd.client_purposes cp where cp.client_id = c.id), '{}') as purposes,
  coalesce((select json_agg(json_build_object('kid', k.kid, 'name', k.name, 'created_at', k.created_at) order by k.created_at)
    from pdnd.client_keys k where k.client_id = c.id), '[]'::json) as keys
  from pdnd.clients c`;

const clientOf = (r: ClientRow): Client => ({
  id: r.id,
  consumerId: r.consumer_id,
  name: r.name,
  description: r.description,
  kind: r.kind,
  purposes: r.purposes,
  keys: r.keys.map((k) => ({ kid: k.kid, name: k.name, alg: 'RS256', use: 'SIG', createdAt: new Date(k.created_at) })),
  createdAt: r.created_at,
});

export async function listClients(db: Executor, tenantId: string): Promise<Client[]> {
  const { rows } = await sql<ClientRow>`${CLIENT_SELECT} where c.consumer_id = ${tenantId} order by c.created_at, c.id`.execute(db);
  return rows.map(clientOf);
}

/** A client of the tenant's own. */
export async function getClient(db: Executor, tenantId: string, id: string): Promise<Client> {
  if (!isUuid(id)) throw notFound('No such client');
  const { rows } = await sql<ClientRow>`${CLIENT_SELECT} where c.id = ${id} and c.consumer_id = ${tenantId}`.execute(db);
  if (!rows[0]) throw notFound('No such client');
  return clientOf(rows[0]);
}

export async function createClient(db: Executor, actor: Actor, input: { name: string; description?: string }): Promise<Client> {
  return transaction(db, async (tx) => {
    const { rows } = await sql<{ id: string }>`insert into pdnd.clients (consumer_id, name, description)
      values (${actor.tenantId}, ${input.name.trim()}, ${input.description?.trim() ?? ''}) returning id`.execute(tx);
    await record(tx, actor, 'client.create', 'client', rows[0]!.id, { name: input.name });
    return getClient(tx, actor.tenantId, rows[0]!.id);
  });
}

export async function addClientPurpose(db: Executor, actor: Actor, clientId: string, purposeId: string): Promise<Client> {
  return transaction(db, async (tx) => {
    const client = await getClient(tx, actor.tenantId, clientId);
    const purpose = await getPurpose(tx, actor.tenantId, purposeId);
    if (purpose.consumerId !== actor.tenantId) throw notFound('No such purpose among yours');
    if (purpose.state === 'Archived') throw refused('An archived purpose cannot be added to a client');
    await sql`insert into pdnd.client_purposes (client_id, purpose_id) values (${client.id}, ${purpose.id}) on conflict do nothing`.execute(tx);
    await record(tx, actor, 'client.purpose-add', 'client', client.id, { purposeId });
    return getClient(tx, actor.tenantId, clientId);
  });
}

export async function removeClientPurpose(db: Executor, actor: Actor, clientId: string, purposeId: string): Promise<Client> {
  return transaction(db, async (tx) => {
    const client = await getClient(tx, actor.tenantId, clientId);
    if (!client.purposes.includes(purposeId)) throw notFound('This purpose is not on the client');
    await sql`delete from pdnd.client_purposes where client_id = ${client.id} and purpose_id = ${purposeId}`.execute(tx);
    await record(tx, actor, 'client.purpose-remove', 'client', client.id, { purposeId });
    return getClient(tx, actor.tenantId, clientId);
  });
}

export const MIN_RSA_BITS = 2048;

/**
 * A public key as uploaded: PEM text, or PEM encoded in base64 (how PDND's API takes it). Only RSA
 * of at least 2048 bits (reference §5.1, RS256 only). Returns the JWK with kid = RFC 7638 thumbprint.
 */
export async function parsePublicKey(input: string): Promise<{ jwk: JWK; kid: string; pem: string }> {
  let text = input.trim();
  if (!text.startsWith('-----BEGIN')) {
    const decoded = Buffer.from(text, 'base64').toString('utf8').trim();
    if (decoded.startsWith('-----BEGIN')) text = decoded;
  }
  const bad = (detail: string) => invalid([{ pointer: '/body/key', code: 'key', detail }], detail);
  if (/PRIVATE KEY/.test(text)) throw bad('This is a private key: upload only the public key (never share the private one)');
  if (!/^-----BEGIN (RSA )?PUBLIC KEY-----[\s\S]+-----END (RSA )?PUBLIC KEY-----$/.test(text)) throw bad('Not a PEM public key');
  let key;
  try {
    key = createPublicKey(text);
  } catch {
    throw bad('The PEM public key cannot be read');
  }
  if (key.asymmetricKeyType !== 'rsa') throw bad('Only RSA keys are accepted (RS256)');
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) throw bad(`RSA keys must have at least ${MIN_RSA_BITS} bits (this one has ${bits})`);
  const exported = await exportJWK(key);
  const jwk: JWK = { kty: exported.kty, n: exported.n, e: exported.e };
  const kid = await calculateJwkThumbprint(jwk, 'sha256');
  return { jwk: { ...jwk, kid, alg: 'RS256', use: 'sig' }, kid, pem: key.export({ type: 'spki', format: 'pem' }).toString() };
}

export async function addClientKey(db: Executor, actor: Actor, clientId: string, input: { key: string; name: string }): Promise<ClientKey> {
  const parsed = await parsePublicKey(input.key);
  return transaction(db, async (tx) => {
    const client = await getClient(tx, actor.tenantId, clientId);
    const { rows } = await sql<{ kid: string }>`insert into pdnd.client_keys (client_id, kid, name, public_jwk, pem)
      values (${client.id}, ${parsed.kid}, ${input.name.trim()}, ${JSON.stringify(parsed.jwk)}::jsonb, ${parsed.pem})
      on conflict do nothing returning kid`.execute(tx);
    if (!rows[0]) throw conflict('This key is already on the client');
    await record(tx, actor, 'client.key-add', 'client', client.id, { kid: parsed.kid });
    return (await getClient(tx, actor.tenantId, clientId)).keys.find((k) => k.kid === parsed.kid)!;
  });
}

export async function removeClientKey(db: Executor, actor: Actor, clientId: string, kid: string): Promise<void> {
  await transaction(db, async (tx) => {
    const client = await getClient(tx, actor.tenantId, clientId);
    const result = await sql`delete from pdnd.client_keys where client_id = ${client.id} and kid = ${kid}`.execute(tx);
    if (!Number(result.numAffectedRows ?? 0)) throw notFound('No such key on the client');
    await record(tx, actor, 'client.key-remove', 'client', client.id, { kid });
  });
}

/** The public JWK of a client's key (for the token endpoint). */
export async function clientKeyJwk(db: Executor, clientId: string, kid: string): Promise<JWK | undefined> {
  const { rows } = await sql<{ public_jwk: JWK }>`select public_jwk from pdnd.client_keys where client_id = ${clientId} and kid = ${kid}`.execute(db);
  return rows[0]?.public_jwk;
}

export async function clientExists(db: Executor, clientId: string): Promise<{ consumerId: string; kind: 'Consumer' | 'Api' } | undefined> {
  if (!isUuid(clientId)) return undefined;
  const { rows } = await sql<{ consumer_id: string; kind: 'Consumer' | 'Api' }>`select consumer_id, kind from pdnd.clients where id = ${clientId}`.execute(db);
  return rows[0] && { consumerId: rows[0].consumer_id, kind: rows[0].kind };
}
