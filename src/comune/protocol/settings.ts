// Each ente's protocol configuration: its AOO and register codes and which adapter registers its
// documents; the external system's token sealed with the app secret (core/secrets.ts), bound to the tenant.
import { sql, type Executor } from '../../core/db.ts';
import { decryptSecret, encryptSecret } from '../../core/secrets.ts';
import { builtinProtocolAdapter, httpProtocolAdapter, type ProtocolAdapter } from './adapter.ts';
import type { DocumentStore } from './files.ts';

export type ProtocolSettingsInput =
  | { aooCode: string; registerCode?: string; adapter: 'builtin' }
  | { aooCode: string; registerCode?: string; adapter: 'http'; baseUrl: string; token: string };

export interface ProtocolSettings {
  tenantId: string;
  aooCode: string;
  registerCode: string;
  adapter: 'builtin' | 'http';
  baseUrl: string | null;
  hasToken: boolean;
  updatedAt: Date;
}

interface Row {
  tenant_id: string;
  aoo_code: string;
  register_code: string;
  adapter: 'builtin' | 'http';
  http_base_url: string | null;
  http_token_sealed: string | null;
  updated_at: Date;
}

const tokenContext = (tenantId: string) => `comune.protocol_settings.http_token:${tenantId}`;

async function row(db: Executor, tenantId: string): Promise<Row | undefined> {
  return (await sql<Row>`select * from comune.protocol_settings where tenant_id = ${tenantId}`.execute(db)).rows[0];
}

export async function getProtocolSettings(db: Executor, tenantId: string): Promise<ProtocolSettings | undefined> {
  const r = await row(db, tenantId);
  return (
    r && {
      tenantId: r.tenant_id,
      aooCode: r.aoo_code,
      registerCode: r.register_code,
      adapter: r.adapter,
      baseUrl: r.http_base_url,
      hasToken: r.http_token_sealed !== null,
      updatedAt: r.updated_at,
    }
  );
}

export async function saveProtocolSettings(tx: Executor, secret: string, tenantId: string, input: ProtocolSettingsInput): Promise<void> {
  const http = input.adapter === 'http' ? input : undefined;
  if (http && !/^https?:\/\//.test(http.baseUrl)) throw new Error('the protocol system URL must be http(s)');
  const sealed = http ? encryptSecret(secret, http.token, tokenContext(tenantId)) : null;
  await sql`
    insert into comune.protocol_settings (tenant_id, aoo_code, register_code, adapter, http_base_url, http_token_sealed)
    values (${tenantId}, ${input.aooCode}, ${input.registerCode ?? 'PROT_GEN'}, ${input.adapter}, ${http?.baseUrl ?? null}, ${sealed})
    on conflict (tenant_id) do update set aoo_code = excluded.aoo_code, register_code = excluded.register_code, adapter = excluded.adapter,
      http_base_url = excluded.http_base_url, http_token_sealed = excluded.http_token_sealed, updated_at = now()`.execute(tx);
}

export interface AdapterDeps {
  secret: string;
  store: DocumentStore;
  fetch?: typeof fetch;
}

/** The external system's address and unsealed token, when the ente uses one. */
export async function savedHttpConnection(db: Executor, secret: string, tenantId: string): Promise<{ baseUrl: string; token: string } | undefined> {
  const r = await row(db, tenantId);
  return r?.adapter === 'http' ? { baseUrl: r.http_base_url!, token: decryptSecret(secret, r.http_token_sealed!, tokenContext(tenantId)) } : undefined;
}

/** The ente's adapter: the built-in register unless an external system is configured. */
export async function protocolAdapterFor(db: Executor, tenantId: string, deps: AdapterDeps): Promise<ProtocolAdapter> {
  const http = await savedHttpConnection(db, deps.secret, tenantId);
  return http ? httpProtocolAdapter({ ...http, fetch: deps.fetch }) : builtinProtocolAdapter(deps.store);
}
