// Each ente's PDND connection in the comune schema. The API key and the private key are sealed with
// the app secret (core/secrets.ts), each bound to its tenant and column; the private key never leaves.
import type { JWK } from 'jose';
import { sql, type Executor } from '../../core/db.ts';
import { decryptSecret, encryptSecret } from '../../core/secrets.ts';
import type { AnprEserviceCode } from '../../clients/anpr/index.ts';

export const CONNECTION_STATUSES = ['not-configured', 'connected', 'error'] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

export interface PdndConnection {
  tenantId: string;
  status: ConnectionStatus;
  hasApiKey: boolean;
  clientId: string | null;
  kid: string | null;
  publicKeyPem: string | null;
  /** The purpose per ANPR e-service, as discovered on PDND. */
  purposes: Partial<Record<AnprEserviceCode, string>>;
  lastErrorCode: string | null;
  lastError: string | null;
  checkedAt: Date | null;
  connectedAt: Date | null;
  updatedAt: Date;
}

interface Row {
  tenant_id: string;
  status: ConnectionStatus;
  api_key_sealed: string | null;
  client_id: string | null;
  kid: string | null;
  private_jwk_sealed: string | null;
  public_key_pem: string | null;
  purposes: Partial<Record<AnprEserviceCode, string>>;
  last_error_code: string | null;
  last_error: string | null;
  checked_at: Date | null;
  connected_at: Date | null;
  updated_at: Date;
}

const fromRow = (r: Row): PdndConnection => ({
  tenantId: r.tenant_id,
  status: r.status,
  hasApiKey: r.api_key_sealed !== null,
  clientId: r.client_id,
  kid: r.kid,
  publicKeyPem: r.public_key_pem,
  purposes: r.purposes,
  lastErrorCode: r.last_error_code,
  lastError: r.last_error,
  checkedAt: r.checked_at,
  connectedAt: r.connected_at,
  updatedAt: r.updated_at,
});

const context = (column: 'api_key' | 'private_jwk', tenantId: string) => `comune.pdnd_connections.${column}:${tenantId}`;

/** What a connect or a check found out. */
export type Outcome =
  | { status: 'connected'; clientId?: string; purposes?: Partial<Record<AnprEserviceCode, string>> }
  | { status: 'error'; code: string; message: string };

export class PdndConnectionRepository {
  constructor(
    private readonly db: Executor,
    private readonly secret: string,
  ) {}

  async get(tenantId: string): Promise<PdndConnection | undefined> {
    return (await this.row(tenantId)).map(fromRow)[0];
  }

  private async row(tenantId: string): Promise<Row[]> {
    return (await sql<Row>`select * from comune.pdnd_connections where tenant_id = ${tenantId}`.execute(this.db)).rows;
  }

  async apiKey(tenantId: string): Promise<string | undefined> {
    const sealed = (await this.row(tenantId))[0]?.api_key_sealed;
    return sealed ? decryptSecret(this.secret, sealed, context('api_key', tenantId)) : undefined;
  }

  async privateJwk(tenantId: string): Promise<JWK | undefined> {
    const sealed = (await this.row(tenantId))[0]?.private_jwk_sealed;
    return sealed ? (JSON.parse(decryptSecret(this.secret, sealed, context('private_jwk', tenantId))) as JWK) : undefined;
  }

  /** Stores the body's management API key (creating the row); `onlyIfAbsent` leaves an existing row alone. */
  async saveApiKey(tenantId: string, apiKey: string, options: { onlyIfAbsent?: boolean } = {}): Promise<void> {
    const sealed = encryptSecret(this.secret, apiKey, context('api_key', tenantId));
    await sql`insert into comune.pdnd_connections (tenant_id, api_key_sealed) values (${tenantId}, ${sealed})
      on conflict (tenant_id) do ${options.onlyIfAbsent ? sql`nothing` : sql`update set api_key_sealed = excluded.api_key_sealed, updated_at = now()`}`.execute(this.db);
  }

  /** Keeps the first key pair stored for the tenant (concurrent connects agree on one); returns the stored public half. */
  async keepKeyPair(tenantId: string, pair: { kid: string; privateJwk: JWK; publicKeyPem: string }): Promise<{ kid: string; publicKeyPem: string }> {
    const sealed = encryptSecret(this.secret, JSON.stringify(pair.privateJwk), context('private_jwk', tenantId));
    await sql`update comune.pdnd_connections set private_jwk_sealed = ${sealed}, kid = ${pair.kid}, public_key_pem = ${pair.publicKeyPem}, updated_at = now()
      where tenant_id = ${tenantId} and private_jwk_sealed is null`.execute(this.db);
    const row = (await this.row(tenantId))[0]!;
    return { kid: row.kid!, publicKeyPem: row.public_key_pem! };
  }

  /** Records a connect or a check: connected (with what was discovered, when connecting) or the error. */
  async record(tenantId: string, outcome: Outcome, tx: Executor = this.db): Promise<void> {
    if (outcome.status === 'connected') {
      await sql`update comune.pdnd_connections set status = 'connected', last_error_code = null, last_error = null, checked_at = now(), updated_at = now(),
          client_id = coalesce(${outcome.clientId ?? null}, client_id),
          purposes = coalesce(${outcome.purposes ? JSON.stringify(outcome.purposes) : null}::jsonb, purposes),
          connected_at = ${outcome.clientId ? sql`now()` : sql`connected_at`}
        where tenant_id = ${tenantId}`.execute(tx);
    } else {
      await sql`update comune.pdnd_connections set status = 'error', last_error_code = ${outcome.code}, last_error = ${outcome.message.slice(0, 1000)},
          checked_at = now(), updated_at = now()
        where tenant_id = ${tenantId}`.execute(tx);
    }
  }

  /** Tenants with an API key whose connection is not (yet) working: what start-up tries to connect. */
  async pending(): Promise<{ tenantId: string; updatedAt: Date }[]> {
    const { rows } = await sql<{ tenant_id: string; updated_at: Date }>`select tenant_id, updated_at from comune.pdnd_connections
      where api_key_sealed is not null and status <> 'connected' order by tenant_id`.execute(this.db);
    return rows.map((r) => ({ tenantId: r.tenant_id, updatedAt: r.updated_at }));
  }
}
