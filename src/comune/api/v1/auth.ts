// API keys of an ente (Authorization: Bearer <key>): owned by the tenant, each with the scopes it may use.
import type { FastifyRequest } from 'fastify';
import { verifyApiKey, type ApiKeyRecord } from '../../../core/auth/api-keys.ts';
import type { Executor } from '../../../core/db.ts';
import { forbidden, HttpProblem, notFound, problemType } from '../../../core/problem.ts';
import { requireTenant } from '../../context.ts';

export const TENANT_API_KEY_OWNER = 'tenant';
export const API_SCOPES = ['services:read', 'applications:read', 'applications:write', 'webhooks:read', 'webhooks:write'] as const;
export type ApiScope = (typeof API_SCOPES)[number];
export const isApiScope = (value: string): value is ApiScope => (API_SCOPES as readonly string[]).includes(value);

const unauthorizedBearer = () =>
  new HttpProblem(401, { type: problemType('unauthorized'), detail: 'A valid API key of this ente is required (Authorization: Bearer <key>).', headers: { 'www-authenticate': 'Bearer realm="sportello"' } });

/** The key of the request if it is this ente's and has the scope: 401 without a valid key, 404 for another ente's, 403 without the scope. */
export async function requireApiKey(request: FastifyRequest, db: Executor, scope: ApiScope): Promise<ApiKeyRecord> {
  const tenant = requireTenant(request);
  const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
  const key = match ? await verifyApiKey(db, 'comune', match[1]!) : undefined;
  if (!key) throw unauthorizedBearer();
  // Another ente's key finds nothing here, as if the ente did not exist for it.
  if (key.ownerType !== TENANT_API_KEY_OWNER || key.ownerId !== tenant.id) throw notFound('No ente at this address for this API key.');
  if (!key.scopes.includes(scope)) throw forbidden(`This API key lacks the scope ${scope}.`);
  return key;
}

export const bearerSecurity = [{ bearerAuth: [] }];
