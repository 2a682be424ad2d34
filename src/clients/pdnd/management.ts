// The management API of PDND (/api/v1) as a consumer body uses it with its API key: its clients, its
// purposes, the catalogue. Shapes after interop-be-monorepo's API (src/platforms/pdnd/api.ts serves them).
import type { Problem } from '../../core/problem.ts';
import { readProblem } from '../problem.ts';
import { pdndEndpoints } from './endpoints.ts';

export type PurposeState = 'Draft' | 'WaitingForApproval' | 'Active' | 'Suspended' | 'Archived' | 'Rejected';
export type DescriptorState = 'Draft' | 'Published' | 'Deprecated' | 'Suspended' | 'Archived' | 'WaitingForApproval';

export interface PdndClientKey {
  kid: string;
  name: string;
  alg: 'RS256';
  use: 'SIG';
  createdAt: string;
}

/** A consumer client: its id is the client_id of token requests. */
export interface PdndConsumerClient {
  id: string;
  consumerId: string;
  name: string;
  description: string;
  kind: 'Consumer' | 'Api';
  /** Ids of the purposes the client may ask vouchers for. */
  purposes: string[];
  keys: PdndClientKey[];
  createdAt: string;
}

export interface PdndPurposeVersion {
  id: string;
  state: PurposeState;
  dailyCalls: number;
  createdAt: string;
}

export interface PdndPurpose {
  id: string;
  eserviceId: string;
  eserviceName: string;
  consumerId: string;
  consumerName: string;
  title: string;
  description: string;
  isFreeOfCharge: boolean;
  suspendedByConsumer: boolean;
  suspendedByProducer: boolean;
  state: PurposeState;
  currentVersion?: PdndPurposeVersion;
  versions: PdndPurposeVersion[];
}

export interface PdndDescriptor {
  id: string;
  version: string;
  state: DescriptorState;
  audience: string[];
  voucherLifespan: number;
  dailyCallsPerConsumer: number;
  dailyCallsTotal: number;
  serverUrls: string[];
}

export interface PdndEserviceInfo {
  id: string;
  producerId: string;
  producerName: string;
  name: string;
  description: string;
  technology: 'Rest' | 'Soap';
  descriptors: PdndDescriptor[];
}

/** PDND refused a management call (401: unknown or revoked API key); `problem` is its problem+json. */
export class PdndApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(`PDND answered ${status}${problem.detail ? `: ${problem.detail}` : ` ${problem.title}`}`);
    this.name = 'PdndApiError';
  }
}

export interface PdndApiOptions {
  pdndUrl: string;
  /** The body's API key (Authorization: Bearer). */
  apiKey: string;
  fetch?: typeof fetch;
}

async function getResults<T>(options: PdndApiOptions, pathname: string, query: Record<string, string | undefined> = {}): Promise<T[]> {
  const params = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined));
  const url = `${pdndEndpoints(options.pdndUrl).apiUrl}${pathname}${params.size ? `?${params}` : ''}`;
  const response = await (options.fetch ?? fetch)(url, { headers: { authorization: `Bearer ${options.apiKey}`, accept: 'application/json' } });
  if (!response.ok) throw new PdndApiError(response.status, await readProblem(response));
  return ((await response.json()) as { results: T[] }).results;
}

/** The body's clients, with their purposes and keys (GET /clients). */
export function listClients(options: PdndApiOptions): Promise<PdndConsumerClient[]> {
  return getResults(options, '/clients');
}

/** Purposes the body declared as consumer, optionally on one e-service (GET /purposes). */
export function listPurposes(options: PdndApiOptions, filter: { eserviceId?: string } = {}): Promise<PdndPurpose[]> {
  return getResults(options, '/purposes', { role: 'consumer', eserviceId: filter.eserviceId });
}

/** The catalogue, optionally by (part of) a name or by producer (GET /eservices). */
export function listEservices(options: PdndApiOptions, filter: { name?: string; producerId?: string } = {}): Promise<PdndEserviceInfo[]> {
  return getResults(options, '/eservices', filter);
}
