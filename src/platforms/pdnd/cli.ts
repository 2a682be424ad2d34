// Command line of PDND, for operators and for wiring the demo (same configuration as the apps):
//   npx sportello pdnd apikey create <ipa code> [label]      an API key of the body (shown once)
//   npx sportello pdnd clients <ipa code>                    the body's clients, their purposes and keys
//   npx sportello pdnd key add <ipa code> <client id> <public key PEM file> [name]
//   npx sportello pdnd account create <ipa code> <e-mail> <password> <name...>
import fs from 'node:fs';
import type { Executor } from '../../core/db.ts';
import { createApiKey } from '../../core/auth/api-keys.ts';
import { upsertAccount } from './accounts.ts';
import { API_KEY_OWNER } from './api.ts';
import { SCHEMA } from './schema.ts';
import * as store from './store.ts';

export const PDND_USAGE = `Usage:
  apikey create <ipa code> [label]                         an API key of the body for /api/v1 (shown once, stored hashed)
  clients <ipa code>                                       the body's clients with their purposes and keys
  key add <ipa code> <client id> <pem file> [name]         upload a public key (RSA >= 2048) to one of the body's clients
  account create <ipa code> <e-mail> <password> <name...>  a console account of the body`;

/** Runs one command; returns the lines to print. Throws on bad usage. */
export async function runPdndCommand(db: Executor, args: string[]): Promise<string[]> {
  const [command, sub, ...rest] = args;
  const tenantOf = async (ipa: string | undefined) => {
    const tenant = ipa ? await store.tenantByIpa(db, ipa) : undefined;
    if (!tenant) throw new Error(`No body with IPA code ${ipa ?? '(missing)'} on PDND`);
    return tenant;
  };
  const actor = (tenantId: string): store.Actor => ({ tenantId, type: 'system', id: 'cli' });
  if (command === 'apikey' && sub === 'create') {
    const tenant = await tenantOf(rest[0]);
    const { key } = await createApiKey(db, SCHEMA, { ownerType: API_KEY_OWNER, ownerId: tenant.id, label: rest[1] ?? 'cli' });
    return [`API key of ${tenant.name} (shown once): ${key}`];
  }
  if (command === 'clients') {
    const tenant = await tenantOf(sub);
    const purposes = await store.listPurposes(db, tenant.id, { role: 'consumer' });
    return (await store.listClients(db, tenant.id)).flatMap((c) => [
      `client ${c.id}  ${c.name}`,
      ...c.purposes.map((id) => {
        const p = purposes.find((x) => x.id === id);
        return `  purpose ${id}  ${p?.state ?? '?'}  ${p?.eserviceName ?? ''}  (${p?.currentVersion?.dailyCalls ?? 0} calls/day)`;
      }),
      ...c.keys.map((k) => `  key ${k.kid}  ${k.name}`),
    ]);
  }
  if (command === 'key' && sub === 'add') {
    const [ipa, clientId, file, ...name] = rest;
    if (!clientId || !file) throw new Error(PDND_USAGE);
    const tenant = await tenantOf(ipa);
    const key = await store.addClientKey(db, actor(tenant.id), clientId, { key: fs.readFileSync(file, 'utf8'), name: name.join(' ') || 'cli' });
    return [`Key ${key.kid} added to client ${clientId}`];
  }
  if (command === 'account' && sub === 'create') {
    const [ipa, email, password, ...name] = rest;
    if (!email || !password || !name.length) throw new Error(PDND_USAGE);
    const tenant = await tenantOf(ipa);
    await upsertAccount(db, { tenantId: tenant.id, email, password, name: name.join(' ') });
    return [`Console account ${email} of ${tenant.name}`];
  }
  throw new Error(PDND_USAGE);
}
