// The applications store's document and draft writes on both databases: a citizen adds a document only to
// their own draft or to an answer to a request for integration; staff may add one (the outcome letter);
// only the applicant deletes a draft, never a submitted application.
import { beforeAll, expect, it } from 'vitest';
import { memoryDocumentStore } from '../../src/comune/protocol/files.ts';
import { ApplicationStore, type ApplicationActor } from '../../src/comune/applications/store.ts';
import { STATUS } from '../../src/comune/applications/states.ts';
import { withTestDatabases } from '../support/database.ts';
import { createTestTenant, migrateComune } from './protocol-harness.ts';

const SERVICE = { id: '6f1c2a34-1111-4a5b-9c0d-000000000002', name: 'Accesso agli atti', classification: 'I.6' };
const DOC = { sha256: 'a'.repeat(64), name: 'delega.pdf', size: 1234, mime: 'application/pdf' };
const files = memoryDocumentStore();

await withTestDatabases('applications documents', ({ database }) => {
  let store: ApplicationStore;
  let anna: ApplicationActor & { kind: 'citizen' };
  let mario: ApplicationActor & { kind: 'citizen' };
  let operator: ApplicationActor;

  const draft = (citizen = anna) => store.createDraft(citizen, citizen.tenantId, { service: SERVICE, citizen: { fiscalCode: citizen.fiscalCode, name: 'Anna Bianchi' }, data: {} });

  beforeAll(async () => {
    await migrateComune(database().db);
    const tenantId = await createTestTenant(database().db, 'Comune di Bugliano');
    store = new ApplicationStore(database().db, files);
    anna = { kind: 'citizen', tenantId, fiscalCode: 'BNCNNA85M41G702X' };
    mario = { kind: 'citizen', tenantId, fiscalCode: 'RSSMRA80A01G702Q' };
    operator = { kind: 'operator', tenantId, id: 'op-1' };
  });

  it("adds a citizen's document to their draft and to an integration answer, not to another's or a submitted one", async () => {
    const a = await draft();
    await store.addAttachment(anna, a.id, DOC);
    await store.addAttachment(anna, a.id, DOC); // the same document twice is kept once
    expect(await store.attachments(database().db, a.id)).toEqual([DOC]);
    await expect(store.addAttachment(mario, a.id, { ...DOC, sha256: 'b'.repeat(64) })).rejects.toMatchObject({ status: 404 });

    await store.submit(anna, a.id, { idempotencyKey: `k-${a.id}` });
    const later = { ...DOC, sha256: 'c'.repeat(64), name: 'altro.pdf' };
    await expect(store.addAttachment(anna, a.id, later)).rejects.toMatchObject({ status: 409 });
    await store.transition({ kind: 'system', id: 'protocol-job' }, a.id, STATUS.registered, null);
    await store.transition(operator, a.id, STATUS.pending, null);
    await store.transition(operator, a.id, STATUS.requestIntegration, 'Manca la delega firmata.');
    await store.addAttachment(anna, a.id, later);
    await store.addAttachment(operator, a.id, { ...DOC, sha256: 'd'.repeat(64), name: 'esito.pdf' });
    expect((await store.attachments(database().db, a.id)).map((d) => d.name).sort()).toEqual(['altro.pdf', 'delega.pdf', 'esito.pdf']);
  });

  it('deletes only the applicant’s own draft, with its documents and timeline', async () => {
    const a = await draft();
    await store.addAttachment(anna, a.id, DOC);
    expect(await store.deleteDraft(mario, a.id)).toBe(false);
    await expect(store.deleteDraft(operator, a.id)).rejects.toMatchObject({ status: 403 });
    expect(await store.deleteDraft(anna, a.id)).toBe(true);
    await expect(store.get(anna, a.id)).rejects.toMatchObject({ status: 404 });
    expect(await store.attachments(database().db, a.id)).toEqual([]);
    expect(await store.deleteDraft(anna, a.id)).toBe(false);

    const submitted = await draft();
    await store.submit(anna, submitted.id, { idempotencyKey: `k-${submitted.id}` });
    expect(await store.deleteDraft(anna, submitted.id)).toBe(false);
    expect((await store.get(anna, submitted.id)).status).toBe(STATUS.submitted);
  });
});
