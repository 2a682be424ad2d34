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
