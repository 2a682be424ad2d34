// The application store on both databases: drafts, idempotent submission with its PDF and protocol job,
// the state machine's rules enforced in the operation (409/403/404), registration through the adapters.
import pino from 'pino';
import { beforeAll, expect, it } from 'vitest';
import { sql } from '../../src/core/db.ts';
import { createJobWorker, getJob, listJobs } from '../../src/core/jobs.ts';
import { memoryDocumentStore } from '../../src/comune/protocol/files.ts';
import { getEntry } from '../../src/comune/protocol/register.ts';
import { saveProtocolSettings } from '../../src/comune/protocol/settings.ts';
import { ApplicationStore, type ApplicationActor } from '../../src/comune/applications/store.ts';
import { REGISTER_APPLICATION_JOB, registerApplicationHandler } from '../../src/comune/applications/register-job.ts';
import { STATUS } from '../../src/comune/applications/states.ts';
import { withTestDatabases } from '../support/database.ts';
import { readPdf } from '../support/pdf.ts';
import { startProtocolSimulator } from '../support/protocol-simulator.ts';
import { createTestTenant, migrateComune } from './protocol-harness.ts';

const SECRET = 'test-secret-of-the-app-0123456789';
const SERVICE = { id: '6f1c2a34-1111-4a5b-9c0d-000000000001', name: 'Iscrizione al servizio mensa', classification: 'VII.4' };
const logger = pino({ level: 'silent' });
const files = memoryDocumentStore();

await withTestDatabases('applications', ({ database }) => {
  let tenantId: string;
  let store: ApplicationStore;
  let anna: ApplicationActor & { kind: 'citizen' };
  let operator: ApplicationActor;
  const worker = (retryDelay = () => 0) =>
    createJobWorker({ db: database().db, schema: 'comune', handlers: { [REGISTER_APPLICATION_JOB]: registerApplicationHandler(database().db, { secret: SECRET, store: files }) }, logger, retryDelay });

  const draft = (citizen = anna, data: Record<string, unknown> = { Scuola: 'Primaria G. Pascoli', Classe: '3B' }) =>
    store.createDraft(citizen, tenantId, { service: SERVICE, citizen: { fiscalCode: citizen.fiscalCode, name: 'Anna Bianchi' }, data });

  beforeAll(async () => {
    await migrateComune(database().db);
    tenantId = await createTestTenant(database().db, 'Comune di Bugliano');
    store = new ApplicationStore(database().db, files);
    anna = { kind: 'citizen', tenantId, fiscalCode: 'BNCNNA85M41G702X' };
    operator = { kind: 'operator', tenantId, id: 'op-1' };
  });

  it('submits once for two concurrent requests with the same key; a later double submit returns it too', async () => {
    const a = await draft();
    const key = `key-${a.id}`;
    const results = await Promise.all([store.submit(anna, a.id, { idempotencyKey: key }), store.submit(anna, a.id, { idempotencyKey: key })]);
    expect(results.map((r) => r.created).sort()).toEqual([false, true]);
    expect(results[0]!.application.id).toBe(a.id);
    expect(results[1]!.application.status).toBe(STATUS.submitted);
    // A second draft submitted again with the same key (a double click that made two drafts) gives back the first.
    const b = await draft();
    const again = await store.submit(anna, b.id, { idempotencyKey: key });
    expect(again).toMatchObject({ created: false, application: { id: a.id } });
    expect((await store.get(anna, b.id)).status).toBe(STATUS.draft);
    const jobs = (await listJobs(database().db, 'comune', { kind: REGISTER_APPLICATION_JOB, limit: 100 })).filter((j) => (j.payload as { applicationId: string }).applicationId === a.id);
    expect(jobs).toHaveLength(1);
    expect((await store.timeline(anna, a.id)).map((e) => e.to)).toEqual([STATUS.draft, STATUS.submitted]);
  });

  it('makes the application PDF at submission: service, applicant, answers, attachments with SHA-256, time', async () => {
    const a = await draft();
    const attachment = await files.put(Buffer.from('%PDF certificato medico'));
    await store.saveDraft(anna, a.id, { Scuola: 'Primaria G. Pascoli', Dieta: 'senza glutine' }, [{ ...attachment, name: 'certificato.pdf', mime: 'application/pdf' }]);
    const { application } = await store.submit(anna, a.id, { idempotencyKey: `pdf-${a.id}`, summary: [{ label: 'Scuola', value: 'Primaria G. Pascoli' }, { label: 'Dieta speciale', value: 'senza glutine' }] });
    const pdf = await readPdf((await files.get(application.pdfSha256!))!);
    expect(pdf.flat).toContain('Comune di Bugliano');
    expect(pdf.flat).toContain('Domanda: Iscrizione al servizio mensa');
    expect(pdf.flat).toContain('Anna Bianchi, codice fiscale BNCNNA85M41G702X');
    expect(pdf.flat).toContain('Dieta speciale: senza glutine');
    expect(pdf.flat).toContain(`certificato.pdf — impronta SHA-256: ${attachment.sha256}`);
    expect(pdf.flat).toMatch(/Presentata il \d{1,2} \w+ \d{4}/);
    expect(pdf.structure[0]).not.toBeNull();
  });

  it('enforces the state machine in the operation: illegal → 409, wrong actor → 403, someone else\'s → 404', async () => {
    const a = await draft();
    await expect(store.transition(operator, a.id, STATUS.complete, 'accettata')).rejects.toMatchObject({ status: 409 });
    await expect(store.transition(operator, a.id, STATUS.submitted)).rejects.toMatchObject({ status: 403 });
    const mario: ApplicationActor = { kind: 'citizen', tenantId, fiscalCode: 'RSSMRA80A01G702Q' };
    await expect(store.transition(mario, a.id, STATUS.withdrawn)).rejects.toMatchObject({ status: 404 });
    await expect(store.submit(mario, a.id, { idempotencyKey: 'mario' })).rejects.toMatchObject({ status: 404 });
    await expect(store.saveDraft(mario, a.id, {})).rejects.toMatchObject({ status: 404 });
    const elsewhere: ApplicationActor = { kind: 'operator', tenantId: await createTestTenant(database().db), id: 'op-x' };
    await expect(store.get(elsewhere, a.id)).rejects.toMatchObject({ status: 404 });
    expect((await store.get(anna, a.id)).status).toBe(STATUS.draft);
  });

  it('registers a submitted application in the built-in register (2000 → 3000) and the timeline shows each step', async () => {
    const a = await draft();
    const { application } = await store.submit(anna, a.id, { idempotencyKey: `reg-${a.id}` });
    await worker().drain();
    const registered = await store.get(anna, a.id);
    expect(registered.status).toBe(STATUS.registered);
    const entry = (await getEntry(database().db, tenantId, registered.protocol!.id))!;
    expect(entry).toMatchObject({ number: registered.protocol!.number, direction: 'incoming', classification: 'VII.4' });
    expect(entry.documents[0]!.sha256).toBe(application.pdfSha256);
    await store.transition(operator, a.id, STATUS.pending, 'presa in carico');
    await store.transition(operator, a.id, STATUS.requestIntegration, 'manca il certificato');
    await store.transition(anna, a.id, STATUS.submittedAfterIntegration, 'ecco il certificato');
    const timeline = await store.timeline(anna, a.id);
    expect(timeline.map((e) => [e.to, e.actorType])).toEqual([
      [STATUS.draft, 'citizen'], [STATUS.submitted, 'citizen'], [STATUS.registered, 'system'],
      [STATUS.pending, 'operator'], [STATUS.requestIntegration, 'operator'], [STATUS.submittedAfterIntegration, 'citizen'],
    ]);
    expect(timeline[2]!.message).toBe(`Protocollo n. ${registered.protocol!.number}/${registered.protocol!.year}`);
  });

  it('keeps retrying while the external protocol system is down and registers when it is back', async () => {
    const simulator = await startProtocolSimulator();
    try {
      const other = await createTestTenant(database().db);
      await saveProtocolSettings(database().db, SECRET, other, { aooCode: 'AOO_X', adapter: 'http', baseUrl: simulator.baseUrl, token: simulator.token });
      const citizen = { ...anna, tenantId: other };
      const a = await store.createDraft(citizen, other, { service: SERVICE, citizen: { fiscalCode: citizen.fiscalCode, name: 'Anna Bianchi' }, data: { Scuola: 'Media' } });
      await store.submit(citizen, a.id, { idempotencyKey: 'down-1' });
      simulator.down = true;
      const w = worker(() => 30);
      await w.drain();
      await w.drain();
      expect(simulator.refused).toBeGreaterThanOrEqual(1);
      expect((await store.get(citizen, a.id)).status).toBe(STATUS.submitted);
      simulator.down = false;
      await new Promise((r) => setTimeout(r, 60));
      await w.drain();
      const registered = await store.get(citizen, a.id);
      expect(registered.status).toBe(STATUS.registered);
      expect(simulator.registrations).toHaveLength(1);
      expect(registered.protocol).toMatchObject({ id: simulator.registrations[0]!.id, number: 1 });
      const { rows } = await sql<{ id: number }>`select id from comune.jobs where kind = ${REGISTER_APPLICATION_JOB} and idempotency_key = ${a.id}`.execute(database().db);
      const job = (await getJob(database().db, 'comune', rows[0]!.id))!;
      expect(job.state).toBe('done');
      expect(job.attempts).toBeGreaterThanOrEqual(2);
    } finally {
      await simulator.close();
    }
  });
});
