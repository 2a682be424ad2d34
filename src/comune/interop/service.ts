// The comune's door to ANPR through PDND, per ente: connect, check, and a ready ANPR client whose
// vouchers are cached per ente (one token request per purpose until the voucher nears expiry).
import type { Executor } from '../../core/db.ts';
import { audit } from '../../core/audit.ts';
import { HttpProblem, problemType } from '../../core/problem.ts';
import { createVoucherSource, VoucherRequestError } from '../../clients/pdnd/index.ts';
import { AnprClientError, createAnprClient, type AnprClient } from '../../clients/anpr/index.ts';
import type { CommandActor } from '../commands.ts';
import { connectErrorOf, connectTenantToPdnd } from './connect.ts';
import { PdndConnectionRepository, type PdndConnection } from './store.ts';

/** The ente has no working PDND connection: its administrator connects it in the back-office. */
export class PdndNotConnectedError extends HttpProblem {
  constructor(tenantName: string) {
    super(503, {
      type: problemType('comune-pdnd-not-connected'),
      title: 'Not connected to PDND',
      detail: `${tenantName} is not connected to PDND: its administrator connects it in the back-office, under "Interoperabilità PDND".`,
    });
  }
}

export type VerifyOutcome = { kind: 'found'; idAnpr: string } | { kind: 'not-found' } | { kind: 'error'; code: string; message: string };

export interface ComuneInteropOptions {
  db: Executor;
  /** The app secret, which seals the API key and the private key. */
  secret: string;
  pdndUrl: string;
  anprUrl: string;
  fetch?: typeof fetch;
}

export interface ComuneInterop {
  connections: PdndConnectionRepository;
  connect(tenant: { id: string; name: string }, input: { apiKey?: string }, actor: CommandActor): Promise<PdndConnection>;
  /** A ready ANPR client for the ente, or PdndNotConnectedError. */
  anprClientFor(tenant: { id: string; name: string }): Promise<AnprClient>;
  /** "Verifica collegamento": C030 for a fiscal code, with the stored configuration; records the outcome. */
  verify(tenant: { id: string; name: string }, fiscalCode: string, actor: CommandActor): Promise<VerifyOutcome>;
}

function verifyFailure(err: unknown): VerifyOutcome {
  if (err instanceof PdndNotConnectedError) return { kind: 'error', code: 'not-connected', message: err.detail! };
  if (err instanceof AnprClientError) return { kind: 'error', code: `anpr-${err.status}`, message: err.message };
  if (!(err instanceof VoucherRequestError || err instanceof TypeError)) throw err;
  const failure = connectErrorOf(err);
  return { kind: 'error', code: failure.code, message: failure.message };
}

export function createComuneInterop(options: ComuneInteropOptions): ComuneInterop {
  const connections = new PdndConnectionRepository(options.db, options.secret);
  const clients = new Map<string, { version: string; client: AnprClient }>();

  /** The client of the stored configuration, reused (with its vouchers) until the connection changes. */
  async function clientOf(tenant: { id: string; name: string }, connection: PdndConnection | undefined): Promise<AnprClient> {
    const { clientId, kid, purposes } = connection ?? {};
    if (!connection || !clientId || !kid || !Object.keys(purposes ?? {}).length) throw new PdndNotConnectedError(tenant.name);
    const version = `${clientId}|${kid}|${connection.connectedAt?.toISOString()}|${JSON.stringify(purposes)}`;
    const cached = clients.get(tenant.id);
    if (cached?.version === version) return cached.client;
    const privateKey = await connections.privateJwk(tenant.id);
    if (!privateKey) throw new PdndNotConnectedError(tenant.name);
    const vouchers = createVoucherSource({ pdndUrl: options.pdndUrl, clientId, kid, privateKey, fetch: options.fetch });
    const client = createAnprClient({ anprUrl: options.anprUrl, vouchers, purposes: purposes!, fetch: options.fetch });
    clients.set(tenant.id, { version, client });
    return client;
  }

  return {
    connections,
    connect: (tenant, input, actor) => connectTenantToPdnd({ db: options.db, connections, pdndUrl: options.pdndUrl, fetch: options.fetch }, tenant, input, actor),

    async anprClientFor(tenant) {
      const connection = await connections.get(tenant.id);
      if (connection?.status !== 'connected') throw new PdndNotConnectedError(tenant.name);
      return clientOf(tenant, connection);
    },

    async verify(tenant, fiscalCode, actor) {
      let outcome: VerifyOutcome;
      try {
        const idAnpr = await (await clientOf(tenant, await connections.get(tenant.id))).idAnpr(fiscalCode, { motivo: 'verifica del collegamento PDND' });
        outcome = idAnpr ? { kind: 'found', idAnpr } : { kind: 'not-found' };
      } catch (err) {
        outcome = verifyFailure(err);
      }
      // Nothing configured to check is not a broken connection: the status stays as it is.
      if (outcome.kind !== 'error') await connections.record(tenant.id, { status: 'connected' });
      else if (outcome.code !== 'not-connected') await connections.record(tenant.id, { status: 'error', code: outcome.code, message: outcome.message });
      await audit(options.db, 'comune', {
        actorType: actor.type,
        actorId: actor.id,
        tenantId: tenant.id,
        action: 'tenant.pdnd.verify',
        targetType: 'tenant',
        targetId: tenant.id,
        // Who looked whom up in ANPR, as for every consultation of personal data.
        details: { fiscalCode, outcome: outcome.kind, ...(outcome.kind === 'error' ? { code: outcome.code } : {}) },
        requestId: actor.requestId,
      });
      return outcome;
    },
  };
}
