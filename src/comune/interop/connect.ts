// Connecting an ente to PDND as a consumer, as its administrator does with the real platform: with
// only the body's management API key, find its client whose purposes cover the ANPR e-services,
// generate the ente's own key pair (the private key never leaves the comune), upload the public key,
// learn the purpose of each e-service, and prove it all works by asking for a voucher.
import { transaction, type Executor } from '../../core/db.ts';
import { audit } from '../../core/audit.ts';
import { SecretDecryptionError } from '../../core/secrets.ts';
import {
  ANPR_ESERVICES,
  generateClientKeyPair,
  listClients,
  listEservices,
  listPurposes,
  PdndApiError,
  registerClientKey,
  requestVoucher,
  VoucherRequestError,
  type PdndConsumerClient,
  type PdndEserviceInfo,
  type PdndPurpose,
} from '../../clients/pdnd/index.ts';
import type { AnprEserviceCode } from '../../clients/anpr/index.ts';
import type { CommandActor } from '../commands.ts';
import type { PdndConnection, PdndConnectionRepository } from './store.ts';

export const CONNECT_ERROR_CODES = ['no-api-key', 'unauthorized', 'unreachable', 'no-anpr-eservices', 'no-client', 'key-refused', 'voucher-refused', 'pdnd-error'] as const;
export type ConnectErrorCode = (typeof CONNECT_ERROR_CODES)[number];

/** Failures that trying again with the same API key cannot mend. */
export const PERMANENT_CONNECT_ERRORS: readonly ConnectErrorCode[] = ['no-api-key', 'unauthorized', 'no-anpr-eservices', 'no-client'];

export class PdndConnectError extends Error {
  constructor(
    readonly code: ConnectErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PdndConnectError';
  }
}

export interface ConnectionPlan {
  clientId: string;
  purposes: Partial<Record<AnprEserviceCode, string>>;
}

/**
 * Which client to use and the purpose of each ANPR e-service: the e-services are found by their
 * catalogue name, only Active purposes count, and the client is the one associated with most of them.
 */
export function planConnection(eservices: readonly PdndEserviceInfo[], purposes: readonly PdndPurpose[], clients: readonly PdndConsumerClient[]): ConnectionPlan | { error: 'no-anpr-eservices' | 'no-client' } {
  const candidates = ANPR_ESERVICES.flatMap((e) => {
    const eservice = eservices.find((x) => x.name === e.name);
    return eservice ? [{ code: e.code, purposeIds: purposes.filter((p) => p.eserviceId === eservice.id && p.state === 'Active').map((p) => p.id) }] : [];
  });
  if (!candidates.length) return { error: 'no-anpr-eservices' };
  let best: ConnectionPlan | undefined;
  for (const client of clients) {
    const covered = candidates.flatMap(({ code, purposeIds }) => {
      const purposeId = purposeIds.find((id) => client.purposes.includes(id));
      return purposeId ? [[code, purposeId] as const] : [];
    });
    if (covered.length > Object.keys(best?.purposes ?? {}).length) best = { clientId: client.id, purposes: Object.fromEntries(covered) };
  }
  return best ?? { error: 'no-client' };
}

/** The failure as a connect error, with a code the page can explain. */
export function connectErrorOf(err: unknown): PdndConnectError {
  if (err instanceof PdndConnectError) return err;
  if (err instanceof PdndApiError) return new PdndConnectError(err.status === 401 ? 'unauthorized' : 'pdnd-error', err.message);
  if (err instanceof VoucherRequestError) return new PdndConnectError('voucher-refused', err.message);
  if (err instanceof SecretDecryptionError) return new PdndConnectError('no-api-key', 'The stored API key cannot be read (the app secret changed): enter it again');
  // fetch rejects with a TypeError when the other side cannot be reached.
  if (err instanceof TypeError) return new PdndConnectError('unreachable', `PDND cannot be reached: ${(err.cause as Error | undefined)?.message ?? err.message}`);
  return new PdndConnectError('pdnd-error', (err as Error).message);
}

export interface ConnectDeps {
  db: Executor;
  connections: PdndConnectionRepository;
  pdndUrl: string;
  fetch?: typeof fetch;
}

/** The name the public key gets on PDND (3-60 characters). */
const keyName = (tenantName: string) => `Sportello — ${tenantName}`.slice(0, 60);

/**
 * Connects the tenant with the given API key (stored, sealed) or the one already stored; records the
 * outcome (status, client, purposes, or the error) and audits it. Throws PdndConnectError on failure.
 */
export async function connectTenantToPdnd(deps: ConnectDeps, tenant: { id: string; name: string }, input: { apiKey?: string }, actor: CommandActor): Promise<PdndConnection> {
  const { connections, pdndUrl } = deps;
  const finish = (details: Record<string, unknown>, outcome: Parameters<PdndConnectionRepository['record']>[1]) =>
    transaction(deps.db, async (tx) => {
      await connections.record(tenant.id, outcome, tx);
      await audit(tx, 'comune', { actorType: actor.type, actorId: actor.id, tenantId: tenant.id, action: 'tenant.pdnd.connect', targetType: 'tenant', targetId: tenant.id, details, requestId: actor.requestId });
    });
  try {
    if (input.apiKey !== undefined) await connections.saveApiKey(tenant.id, input.apiKey);
    const apiKey = await connections.apiKey(tenant.id);
    if (!apiKey) throw new PdndConnectError('no-api-key', 'No PDND API key is stored for this ente');
    const api = { pdndUrl, apiKey, fetch: deps.fetch };
    const [eservices, purposes, clients] = await Promise.all([listEservices(api), listPurposes(api), listClients(api)]);
    const plan = planConnection(eservices, purposes, clients);
    if ('error' in plan) {
      throw new PdndConnectError(plan.error, plan.error === 'no-client' ? 'No client of this body is associated with an Active purpose on an ANPR e-service' : 'The PDND catalogue has no ANPR e-service');
    }
    const generated = (await connections.privateJwk(tenant.id)) ? undefined : await generateClientKeyPair();
    const { kid, publicKeyPem } = generated ? await connections.keepKeyPair(tenant.id, generated) : (await connections.get(tenant.id))!;
    await registerClientKey({ pdndUrl, apiKey, clientId: plan.clientId, publicKeyPem: publicKeyPem!, name: keyName(tenant.name), fetch: deps.fetch }).catch((err: Error) => {
      throw err instanceof TypeError ? err : new PdndConnectError('key-refused', err.message);
    });
    // A voucher for one purpose proves client, key and purpose chain together.
    const purposeId = plan.purposes.C030 ?? Object.values(plan.purposes)[0]!;
    await requestVoucher({ pdndUrl, clientId: plan.clientId, kid: kid!, privateKey: (await connections.privateJwk(tenant.id))!, purposeId, fetch: deps.fetch });
    await finish({ outcome: 'connected', clientId: plan.clientId, kid, eservices: Object.keys(plan.purposes) }, { status: 'connected', ...plan });
    return (await connections.get(tenant.id))!;
  } catch (err) {
    const failure = connectErrorOf(err);
    await finish({ outcome: 'error', code: failure.code }, { status: 'error', code: failure.code, message: failure.message });
    throw failure;
  }
}
