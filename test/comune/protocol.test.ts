// The built-in protocol register on both databases: gapless numbers under concurrency, yearly restart, append-only, annulment, links.
import { describe, expect, it, beforeAll } from 'vitest';
import { sql, transaction } from '../../src/core/db.ts';
import { memoryDocumentStore } from '../../src/comune/protocol/files.ts';
import { builtinProtocolAdapter, plainRun } from '../../src/comune/protocol/adapter.ts';
import { annulEntry, getEntry, listEntries, registerEntry, type RegisterInput } from '../../src/comune/protocol/register.ts';
import { sha256Hex } from '../../src/comune/protocol/segnatura.ts';
import { segnaturaProblems } from '../../src/comune/protocol/segnatura-check.ts';
import { withTestDatabases } from '../support/database.ts';
import { createTestTenant, migrateComune } from './protocol-harness.ts';

const store = memoryDocumentStore();
const input = (subject: string): RegisterInput => ({
  direction: 'incoming',
  subject,
  correspondent: { name: 'Mario Rossi', fiscalCode: 'RSSMRA80A01G702Q' },
  classification: 'VI.3',
  documents: [
    { name: 'domanda.pdf', mime: 'application/pdf', data: Buffer.from(`%PDF ${subject}`) },
    { name: 'allegato.pdf', mime: 'application/pdf', data: Buffer.from('%PDF allegato') },
  ],
});

await withTestDatabases('protocol register', ({ name, database }) => {
  let tenantId: string;
  beforeAll(async () => {
    await migrateComune(database().db);
    tenantId = await createTestTenant(database().db);
  });

  it('gives 200 parallel registrations the numbers 1..200, no gap, no duplicate', { timeout: 60_000 }, async () => {
    const { db } = database();
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => transaction(db, (tx) => registerEntry(tx, tenantId, input(`Domanda ${i}`), { store }))),
    );
    const numbers = results.map((r) => r.number).sort((a, b) => a - b);
    expect(numbers).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const entries = await listEntries(db, tenantId, results[0]!.year, { limit: 500 });
    expect(entries.map((e) => e.number)).toEqual(numbers);
    // The register's time follows its numbers.
    for (let i = 1; i < entries.length; i++) expect(entries[i]!.registeredAt.getTime()).toBeGreaterThanOrEqual(entries[i - 1]!.registeredAt.getTime());
    console.info(`[${name}] 200 concurrent registrations numbered 1..200`);
  });

  it('gives a rolled-back number to the next registration (no gap)', async () => {
    const { db } = database();
    const other = await createTestTenant(db);
    await expect(
      transaction(db, async (tx) => {
        await registerEntry(tx, other, input('annullata dal rollback'), { store });
        throw new Error('the business change failed');
      }),
    ).rejects.toThrow('the business change failed');
    const next = await transaction(db, (tx) => registerEntry(tx, other, input('la prima vera'), { store }));
    expect(next.number).toBe(1);
  });

  it('restarts at 1 on 1 January, Italian time (DPR 445/2000 art. 57)', async () => {
    const { db } = database();
    const other = await createTestTenant(db);
    const at = (iso: string) => ({ store, now: () => new Date(iso) });
    const a = await registerEntry(db, other, input('fine anno'), at('2030-12-31T22:59:59Z')); // 23:59:59 in Rome
    const b = await registerEntry(db, other, input('ancora fine anno'), at('2030-12-31T22:59:59.500Z'));
    const c = await registerEntry(db, other, input('capodanno'), at('2030-12-31T23:00:00Z')); // midnight in Rome
    expect([a.year, a.number, b.year, b.number, c.year, c.number]).toEqual([2030, 1, 2030, 2, 2031, 1]);
  });

  it('stores the art. 53 fields, the documents\' SHA-256 and the segnatura', async () => {
    const { db } = database();
    const reg = await registerEntry(db, tenantId, input('Iscrizione mensa'), { store, now: () => new Date('2031-03-04T09:00:00Z') });
    const entry = (await getEntry(db, tenantId, reg.id))!;
    expect(entry).toMatchObject({ number: 1, year: 2031, subject: 'Iscrizione mensa', direction: 'incoming', classification: 'VI.3' });
    expect(entry.correspondent.name).toBe('Mario Rossi');
    const sha = sha256Hex(Buffer.from('%PDF Iscrizione mensa'));
    expect(entry.documents.map((d) => d.sha256)).toEqual([sha, sha256Hex(Buffer.from('%PDF allegato'))]);
    expect((await store.get(sha))!.toString()).toBe('%PDF Iscrizione mensa');
    expect(entry.segnaturaXml).toContain('<NumeroRegistrazione>0000001</NumeroRegistrazione>');
    expect(entry.segnaturaXml).toContain('<DataRegistrazione>2031-03-04</DataRegistrazione>');
    expect(entry.segnaturaXml).toContain(`<Impronta prot:algoritmo="SHA-256">${Buffer.from(sha, 'hex').toString('base64')}</Impronta>`);
    expect(entry.segnaturaXml).toContain('<Oggetto>Iscrizione mensa</Oggetto>');
    // The structure of AgID's segnatura_protocollo.xsd v3.0.0 (unsigned: the seal comes after).
    expect(segnaturaProblems(entry.segnaturaXml)).toEqual([]);
  });

  it('refuses to change or delete a registration (append-only)', async () => {
    const { db } = database();
    const [first] = await listEntries(db, tenantId, new Date().getFullYear(), { limit: 1 });
    await expect(sql`update comune.protocol_entries set subject = 'altro' where id = ${first!.id}`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from comune.protocol_documents where entry_id = ${first!.id}`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`truncate comune.protocol_entries cascade`.execute(db)).rejects.toThrow(/append-only/);
  });

  it('annuls by adding an annulment, once, keeping the entry readable (art. 54)', async () => {
    const { db } = database();
    const reg = await registerEntry(db, tenantId, input('da annullare'), { store });
    const actor = { type: 'operator' as const, id: 'op-1' };
    await transaction(db, (tx) => annulEntry(tx, tenantId, reg.id, { reason: 'registrato due volte', authorisedBy: 'Provv. n. 12/2031', actor }));
    const entry = (await getEntry(db, tenantId, reg.id))!;
    expect(entry.subject).toBe('da annullare');
    expect(entry.annulment).toMatchObject({ reason: 'registrato due volte', authorisedBy: 'Provv. n. 12/2031' });
    await expect(annulEntry(db, tenantId, reg.id, { reason: 'ancora', authorisedBy: 'x', actor })).rejects.toMatchObject({ status: 409 });
  });

  it('never gives an annulled number again; reason and authorisation are required (DPCM 3/12/2013 art. 8)', async () => {
    const { db } = database();
    const other = await createTestTenant(db);
    const adapter = builtinProtocolAdapter(store);
    const actor = { type: 'operator' as const, id: 'op-2' };
    const first = await adapter.register(other, input('registrata per errore'), plainRun(db, 'a-1'), async (_tx, r) => r);
    await expect(adapter.annul(other, first.id, { reason: '  ', authorisedBy: 'Provv. 1', actor }, plainRun(db, 'x'))).rejects.toMatchObject({ status: 400 });
    await expect(adapter.annul(other, first.id, { reason: 'errore', authorisedBy: '', actor }, plainRun(db, 'x'))).rejects.toMatchObject({ status: 400 });
    await expect(adapter.annul(await createTestTenant(db), first.id, { reason: 'errore', authorisedBy: 'Provv. 1', actor }, plainRun(db, 'x'))).rejects.toMatchObject({ status: 404 });
    await adapter.annul(other, first.id, { reason: ' oggetto errato ', authorisedBy: 'Provv. n. 3/2031 del RGD', actor }, plainRun(db, 'annul-1'));
    const second = await adapter.register(other, input('la registrazione giusta'), plainRun(db, 'a-2'), async (_tx, r) => r);
    expect(second.number).toBe(first.number + 1);
    const entries = await listEntries(db, other, first.year);
    expect(entries.map((e) => [e.number, e.subject, e.annulment?.reason ?? null])).toEqual([
      [first.number, 'registrata per errore', 'oggetto errato'],
      [second.number, 'la registrazione giusta', null],
    ]);
    expect(entries[0]!.annulment).toMatchObject({ authorisedBy: 'Provv. n. 3/2031 del RGD' });
    const { rows } = await sql<{ details: { number: number; authorisedBy: string } }>`
      select details from comune.audit_log where action = 'protocol.annul' and target_id = ${first.id}`.execute(db);
    expect(rows[0]!.details).toMatchObject({ number: first.number, authorisedBy: 'Provv. n. 3/2031 del RGD' });
    // The annulment itself is append-only too.
    await expect(sql`delete from comune.protocol_annulments where entry_id = ${first.id}`.execute(db)).rejects.toThrow(/append-only/);
  });

  it('keeps the registration a document follows up', async () => {
    const { db } = database();
    const first = await registerEntry(db, tenantId, input('domanda'), { store });
    const linkedTo = { id: first.id, number: first.number, year: first.year };
    const follow = await registerEntry(db, tenantId, { ...input('integrazione'), linkedTo }, { store });
    expect((await getEntry(db, tenantId, follow.id))!.linkedTo).toEqual(linkedTo);
    expect((await getEntry(db, tenantId, first.id))!.linkedTo).toBeNull();
  });
});

describe('protocol register input', () => {
  it('refuses a registration without a document', async () => {
    await expect(registerEntry({} as never, 't', { ...input('x'), documents: [] }, { store })).rejects.toThrow(/primary document/);
  });
});
