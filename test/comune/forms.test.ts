// Forms on a real database (PGlite and PostgreSQL): versioned forms, the demo seed, the file store's
// limits (nothing written for a refused upload), magic-number sniffing and content addressing.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateSchema } from '../../src/core/migrations.ts';
import { comuneMigrations } from '../../src/comune/migrations.ts';
import { createTenant, type CommandActor } from '../../src/comune/commands.ts';
import { DEMO_TENANTS } from '../../src/comune/seed.ts';
import { FormRepository } from '../../src/comune/forms/forms.ts';
import { DEMO_FORMS, seedDemoForms } from '../../src/comune/forms/demo.ts';
import { LocalFileStore, sanitizeFileName, sniffType } from '../../src/comune/forms/files.ts';
import { HttpProblem } from '../../src/core/problem.ts';
import { withTestDatabases } from '../support/database.ts';

const actor: CommandActor = { type: 'system', id: 'test' };
const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2000, 0x20)]);
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
const schema = { components: [{ type: 'textfield', key: 'a', label: 'A' }] };

/** A body of `total` bytes in 64 KB chunks, counting how many were pulled. */
function bigBody(total: number, head: Buffer): { body: Readable; pulled: () => number } {
  let sent = 0;
  const body = new Readable({
    read() {
      if (sent >= total) return this.push(null);
      const chunk = sent === 0 ? Buffer.concat([head, Buffer.alloc(65536 - head.length)]) : Buffer.alloc(65536);
      sent += chunk.length;
      this.push(chunk);
    },
  });
  return { body, pulled: () => sent };
}

const filesIn = (dir: string): string[] => (fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name) : []);

describe('file helpers', () => {
  it('sniffs PDF, PNG and JPEG by their first bytes, not by name', () => {
    expect(sniffType(PDF)).toBe('application/pdf');
    expect(sniffType(PNG)).toBe('image/png');
    expect(sniffType(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(sniffType(Buffer.from('<html><script>'))).toBeUndefined();
  });
  it('sanitizes names: no path, no control characters, bounded length', () => {
    expect(sanitizeFileName('../../etc/passwd')).toBe('passwd');
    expect(sanitizeFileName('C:\\Users\\me\\certificato medico.pdf')).toBe('certificato medico.pdf');
    expect(sanitizeFileName('a\u0000b\u202e<c>.pdf')).toBe('abc.pdf');
    expect(sanitizeFileName('...')).toBe('file');
    const long = sanitizeFileName(`${'x'.repeat(300)}.pdf`);
    expect(long).toHaveLength(120);
    expect(long.endsWith('.pdf')).toBe(true);
  });
});

await withTestDatabases('forms', ({ database }) => {
  let tenantId: string;
  let otherTenantId: string;
  let dataDir: string;
  let store: LocalFileStore;
  beforeAll(async () => {
    const db = database().db;
    await migrateSchema(db, 'comune', comuneMigrations);
    tenantId = (await createTenant(db, DEMO_TENANTS[0]!, actor)).id;
    otherTenantId = (await createTenant(db, DEMO_TENANTS[1]!, actor)).id;
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sportello-forms-'));
    store = new LocalFileStore(db, dataDir);
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('saves versions of a form; each version stays readable; other entes cannot see or extend it', async () => {
    const forms = new FormRepository(database().db);
    const v1 = await forms.save(tenantId, { name: 'Prova', schema }, actor);
    const v2 = await forms.save(tenantId, { id: v1.id, name: 'Prova', schema: { components: [...schema.components, { type: 'number', key: 'n', label: 'N' }] } }, actor);
    expect([v1.version, v2.version, v2.id]).toEqual([1, 2, v1.id]);
    expect((await forms.latest(tenantId, v1.id))!.version).toBe(2);
    expect((await forms.version(tenantId, v1.id, 1))!.schema.components).toHaveLength(1);
    expect(await forms.latest(otherTenantId, v1.id)).toBeUndefined();
    await expect(forms.save(otherTenantId, { id: v1.id, name: 'Prova', schema }, actor)).rejects.toMatchObject({ status: 404 });
  });

  it('refuses a schema that fails the structural check, naming the problems', async () => {
    const forms = new FormRepository(database().db);
    const err = await forms.save(tenantId, { name: 'Rotto', schema: { components: [{ type: 'signature', key: 'a', label: 'A' }] } }, actor).catch((e: HttpProblem) => e);
    expect(err).toMatchObject({ status: 400, errors: [{ pointer: '/body/schema/components/0/type', code: 'unknown-type' }] });
  });

  it('seeds the six demo forms once, idempotently', async () => {
    const db = database().db;
    const first = await seedDemoForms(db, tenantId, actor);
    const again = await seedDemoForms(db, tenantId, actor);
    expect(first).toHaveLength(DEMO_FORMS.length);
    expect(again.map((f) => `${f.id}@${f.version}`)).toEqual(first.map((f) => `${f.id}@${f.version}`));
    expect((await new FormRepository(db).list(tenantId)).map((f) => f.name)).toContain('Permesso di accesso alla zona a traffico limitato (ZTL)');
  });

  it('stores a PDF content-addressed by SHA-256, once for identical bytes, with its sanitized name', async () => {
    const a = await store.put({ tenantId, owner: 'BNCMRC78C14G702E', formId: null, filename: '../certificato.pdf', body: Readable.from([PDF]) });
    const b = await store.put({ tenantId, owner: 'BNCMRC78C14G702E', formId: null, filename: 'copia.pdf', body: Readable.from([PDF.subarray(0, 4), PDF.subarray(4)]) });
    const sha = createHash('sha256').update(PDF).digest('hex');
    expect(a).toMatchObject({ sha256: sha, size: PDF.length, mime: 'application/pdf', name: 'certificato.pdf' });
    expect(b.sha256).toBe(sha);
    expect(b.id).not.toBe(a.id);
    expect(store.pathOf(sha).startsWith(path.join(dataDir, 'uploads'))).toBe(true);
    expect(filesIn(path.join(dataDir, 'uploads'))).toEqual([sha]);
    expect(Buffer.concat(await store.open(a).toArray())).toEqual(PDF);
    expect((await store.listFor(tenantId, 'BNCMRC78C14G702E', null)).map((f) => f.id)).toEqual([a.id, b.id]);
    expect(await store.get(tenantId, 'RMNGLI92L63H501O', a.id)).toBeUndefined();
    expect(await store.get(otherTenantId, 'BNCMRC78C14G702E', a.id)).toBeUndefined();
  });

  it('refuses a 60 MB upload while it streams: stops reading early and writes nothing', async () => {
    const before = filesIn(dataDir);
    const { body, pulled } = bigBody(60 * 1024 * 1024, PDF.subarray(0, 16));
    const err = await store.put({ tenantId, owner: 'BNCMRC78C14G702E', formId: null, filename: 'big.pdf', body, limits: { maxBytes: 5 * 1024 * 1024 } }).catch((e: HttpProblem) => e);
    expect(err).toMatchObject({ status: 413 });
    expect(pulled()).toBeLessThan(6 * 1024 * 1024);
    expect(filesIn(dataDir)).toEqual(before);
  });

  it('refuses a type by its content whatever the name says, and an empty file', async () => {
    const html = Readable.from([Buffer.from('<html><body>not a pdf</body></html>')]);
    await expect(store.put({ tenantId, owner: 'X', formId: null, filename: 'fake.pdf', body: html })).rejects.toMatchObject({ status: 415 });
    await expect(store.put({ tenantId, owner: 'X', formId: null, filename: 'foto.png', body: Readable.from([PNG]), limits: { types: ['application/pdf'] } })).rejects.toMatchObject({ status: 415 });
    await expect(store.put({ tenantId, owner: 'X', formId: null, filename: 'tiny.pdf', body: Readable.from([Buffer.from('%PD')]) })).rejects.toMatchObject({ status: 415 });
    await expect(store.put({ tenantId, owner: 'X', formId: null, filename: 'empty.pdf', body: Readable.from([]) })).rejects.toMatchObject({ status: 400 });
    expect(await store.listFor(tenantId, 'X', null)).toEqual([]);
  });
});
