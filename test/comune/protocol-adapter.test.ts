// The protocol adapters: per-tenant configuration with a sealed token, the HTTP adapter against the simulator.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql } from '../../src/core/db.ts';
import { PermanentJobError } from '../../src/core/jobs.ts';
import { memoryDocumentStore } from '../../src/comune/protocol/files.ts';
import { plainRun, ProtocolUnavailableError } from '../../src/comune/protocol/adapter.ts';
import { getProtocolSettings, protocolAdapterFor, saveProtocolSettings } from '../../src/comune/protocol/settings.ts';
import type { RegisterInput } from '../../src/comune/protocol/register.ts';
import { sha256Hex } from '../../src/comune/protocol/segnatura.ts';
import { withTestDatabases } from '../support/database.ts';
import { startProtocolSimulator, type ProtocolSimulator } from '../support/protocol-simulator.ts';
import { createTestTenant, migrateComune } from './protocol-harness.ts';

const SECRET = 'test-secret-of-the-app-0123456789';
const store = memoryDocumentStore();
const input: RegisterInput = {
  direction: 'incoming',
  subject: 'Richiesta contrassegno disabili',
  correspondent: { name: 'Anna Bianchi', fiscalCode: 'BNCNNA85M41G702X' },
  classification: 'IX.4',
  documents: [{ name: 'domanda.pdf', mime: 'application/pdf', data: Buffer.from('%PDF domanda') }],
};

let simulator: ProtocolSimulator;
beforeAll(async () => {
  simulator = await startProtocolSimulator();
});
afterAll(() => simulator.close());

await withTestDatabases('protocol adapters', ({ database }) => {
  let tenantId: string;
  beforeAll(async () => {
    await migrateComune(database().db);
    tenantId = await createTestTenant(database().db);
  });

  it('uses the built-in register when nothing is configured', async () => {
    const { db } = database();
    const adapter = await protocolAdapterFor(db, tenantId, { secret: SECRET, store });
    expect(adapter.kind).toBe('builtin');
    const receipt = await adapter.register(tenantId, input, plainRun(db, 'k-builtin'), async (_tx, r) => r);
    expect(receipt).toMatchObject({ number: 1, system: 'builtin' });
  });

  it('keeps the external system token sealed, and registers there with it', async () => {
    const { db } = database();
    await saveProtocolSettings(db, SECRET, tenantId, { aooCode: 'AOO_1', adapter: 'http', baseUrl: simulator.baseUrl, token: simulator.token });
    expect(await getProtocolSettings(db, tenantId)).toMatchObject({ adapter: 'http', hasToken: true, aooCode: 'AOO_1' });
    const { rows } = await sql<{ sealed: string }>`select http_token_sealed as sealed from comune.protocol_settings where tenant_id = ${tenantId}`.execute(db);
    expect(rows[0]!.sealed).not.toContain(simulator.token);

    const adapter = await protocolAdapterFor(db, tenantId, { secret: SECRET, store });
    const before = simulator.registrations.length;
    const receipt = await adapter.register(tenantId, input, plainRun(db, `k-${tenantId}`), async (_tx, r) => r);
    expect(receipt.system).toBe('http');
    expect(simulator.registrations.at(-1)).toMatchObject({ id: receipt.id, number: receipt.number, subject: input.subject });
    expect(simulator.registrations.at(-1)!.documents[0]!.sha256).toBe(sha256Hex(Buffer.from('%PDF domanda')));
    // A repeated attempt (same idempotency key) gets the same number, not a new registration.
    const again = await adapter.register(tenantId, input, plainRun(db, `k-${tenantId}`), async (_tx, r) => r);
    expect(again.number).toBe(receipt.number);
    expect(simulator.registrations.length).toBe(before + 1);
  });

  it('annuls a registration in the external system: kept there with reason and authorisation, once', async () => {
    const { db } = database();
    await saveProtocolSettings(db, SECRET, tenantId, { aooCode: 'AOO_1', adapter: 'http', baseUrl: simulator.baseUrl, token: simulator.token });
    const adapter = await protocolAdapterFor(db, tenantId, { secret: SECRET, store });
    const receipt = await adapter.register(tenantId, { ...input, linkedTo: { id: 'x-1', number: 7, year: 2031 } }, plainRun(db, `annul-${tenantId}`), async (_tx, r) => r);
    expect(simulator.registrations.at(-1)!.linkedTo).toEqual({ id: 'x-1', number: 7, year: 2031 });
    const actor = { type: 'operator' as const, id: 'op-1' };
    await expect(adapter.annul(tenantId, receipt.id, { reason: '', authorisedBy: 'Provv. 4/2031', actor }, plainRun(db, 'an-0'))).rejects.toMatchObject({ status: 400 });
    simulator.down = true;
    try {
      await expect(adapter.annul(tenantId, receipt.id, { reason: 'doppia', authorisedBy: 'Provv. 4/2031', actor }, plainRun(db, 'an-1'))).rejects.toBeInstanceOf(ProtocolUnavailableError);
    } finally {
      simulator.down = false;
    }
    await adapter.annul(tenantId, receipt.id, { reason: 'doppia', authorisedBy: 'Provv. 4/2031', actor }, plainRun(db, 'an-1'));
    const annulled = simulator.registrations.find((r) => r.id === receipt.id)!;
    expect(annulled).toMatchObject({ number: receipt.number, annulment: { reason: 'doppia', authorisedBy: 'Provv. 4/2031' } });
    await expect(adapter.annul(tenantId, receipt.id, { reason: 'ancora', authorisedBy: 'Provv. 5/2031', actor }, plainRun(db, 'an-2'))).rejects.toMatchObject({ status: 409 });
    await expect(adapter.annul(tenantId, 'no-such-id', { reason: 'x', authorisedBy: 'y', actor }, plainRun(db, 'an-3'))).rejects.toMatchObject({ status: 404 });
    // The next registration takes a new number: the annulled one stays where it is.
    const next = await adapter.register(tenantId, input, plainRun(db, `after-annul-${tenantId}`), async (_tx, r) => r);
    expect(next.number).toBe(simulator.registrations.length);
    expect(next.number).toBeGreaterThan(receipt.number);
    const { rows } = await sql<{ details: { system: string } }>`select details from comune.audit_log where action = 'protocol.annul' and target_id = ${receipt.id}`.execute(db);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.details).toMatchObject({ system: 'http', reason: 'doppia' });
  });

  it('says "try later" when the system is down, and refuses for good on a wrong token', async () => {
    const { db } = database();
    const adapter = await protocolAdapterFor(db, tenantId, { secret: SECRET, store });
    simulator.down = true;
    try {
      await expect(adapter.register(tenantId, input, plainRun(db, 'k-down'), async () => undefined)).rejects.toBeInstanceOf(ProtocolUnavailableError);
    } finally {
      simulator.down = false;
    }
    await saveProtocolSettings(db, SECRET, tenantId, { aooCode: 'AOO_1', adapter: 'http', baseUrl: simulator.baseUrl, token: 'wrong' });
    const wrong = await protocolAdapterFor(db, tenantId, { secret: SECRET, store });
    await expect(wrong.register(tenantId, input, plainRun(db, 'k-wrong'), async () => undefined)).rejects.toBeInstanceOf(PermanentJobError);
    // The sealed token is bound to its tenant: another secret cannot open it.
    await expect(protocolAdapterFor(db, tenantId, { secret: 'another-secret-0123456789abcdef', store })).rejects.toThrow(/authenticate/);
  });
});
