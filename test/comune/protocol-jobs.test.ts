// What the protocol registers after the application, on both databases: the citizen's answer to a request
// for integration (own PDF, linked to the application's entry, 4300 → 4400, retried while the external
// system is down) and the outcome letter through the ente's adapter (issued while the system is down,
// numbered when it is back).
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sql } from '../../src/core/db.ts';
import { createJobWorker } from '../../src/core/jobs.ts';
import { memoryDocumentStore } from '../../src/comune/protocol/files.ts';
import { getEntry } from '../../src/comune/protocol/register.ts';
import { saveProtocolSettings } from '../../src/comune/protocol/settings.ts';
import { ApplicationStore, type ApplicationActor } from '../../src/comune/applications/store.ts';
import { REGISTER_APPLICATION_JOB, REGISTER_INTEGRATION_JOB, registerApplicationHandler, registerIntegrationHandler } from '../../src/comune/applications/register-job.ts';
import { STATUS } from '../../src/comune/applications/states.ts';
import { REGISTER_LETTER_JOB, registerLetterHandler } from '../../src/comune/desk/letter.ts';
import { DeskStore } from '../../src/comune/desk/store.ts';
import { withTestDatabases } from '../support/database.ts';
import { readPdf } from '../support/pdf.ts';
import { startProtocolSimulator, type ProtocolSimulator } from '../support/protocol-simulator.ts';
import { createTestTenant, migrateComune } from './protocol-harness.ts';
import { seedDesk, serviceRef, submitApplication } from './desk-fixtures.ts';

const SECRET = 'test-secret-of-the-app-0123456789';
const CITIZEN = { fiscalCode: 'BNCNNA85M41G702X', name: 'Anna Bianchi' };
const logger = pino({ level: 'silent' });
const files = memoryDocumentStore();
const system = { kind: 'system', id: 'test' } as const;

let simulator: ProtocolSimulator;
beforeAll(async () => {
  simulator = await startProtocolSimulator();
});
afterAll(() => simulator.close());

await withTestDatabases('protocol jobs', ({ database }) => {
  const deps = { secret: SECRET, store: files };
  beforeAll(() => migrateComune(database().db));
  const worker = () =>
    createJobWorker({
      db: database().db,
      schema: 'comune',
      handlers: {
        [REGISTER_APPLICATION_JOB]: registerApplicationHandler(database().db, deps),
        [REGISTER_INTEGRATION_JOB]: registerIntegrationHandler(database().db, deps),
        [REGISTER_LETTER_JOB]: registerLetterHandler(database().db, deps),
      },
      logger,
      retryDelay: () => 20,
    });
  const settle = async (w: ReturnType<typeof worker>) => {
    await new Promise((r) => setTimeout(r, 40));
    await w.drain();
  };

  /** An ente (built-in register unless `external`), its desk, and a registered application taken in charge with a request for integration. */
  async function applicationAwaitingIntegration(external = false) {
    const db = database().db;
    const tenantId = await createTestTenant(db, 'Comune di Bugliano');
    if (external) await saveProtocolSettings(db, SECRET, tenantId, { aooCode: 'AOO_B', adapter: 'http', baseUrl: simulator.baseUrl, token: simulator.token });
    const ente = await seedDesk(db, tenantId);
    const app = await submitApplication(db, files, tenantId, serviceRef(ente.serviceA), CITIZEN);
    await worker().drain();
    const store = new ApplicationStore(db, files);
    const desk = new DeskStore(db, files);
    expect((await store.get(system, app.id)).status).toBe(STATUS.registered);
    await desk.takeInCharge(ente.users.anna, app.id);
    await desk.requestIntegration(ente.users.anna, app.id, 'Manca il certificato medico.');
    const citizen: ApplicationActor = { kind: 'citizen', tenantId, fiscalCode: CITIZEN.fiscalCode };
    return { tenantId, ente, app: await store.get(system, app.id), store, desk, citizen };
  }

  it("registers the answer to a request for integration with its own PDF, linked to the application's entry (4300 → 4400)", async () => {
    const db = database().db;
    const { tenantId, app, store, desk, ente, citizen } = await applicationAwaitingIntegration();
    const certificate = { ...(await files.put(Buffer.from('%PDF certificato medico'))), name: 'certificato.pdf', mime: 'application/pdf' };
    // Only the applicant answers, and only while an integration is requested.
    await expect(store.answerIntegration({ kind: 'operator', tenantId, id: ente.users.anna.id }, app.id, { message: 'Ecco il certificato.', attachments: [] })).rejects.toMatchObject({ status: 403 });
    await expect(store.answerIntegration({ ...citizen, fiscalCode: 'RSSMRA80A01G702Q' } as ApplicationActor, app.id, { message: 'x', attachments: [] })).rejects.toMatchObject({ status: 404 });
    const answer = await store.answerIntegration(citizen, app.id, { message: 'Ecco il certificato richiesto.', attachments: [certificate] });
    await expect(store.answerIntegration(citizen, app.id, { message: 'di nuovo', attachments: [] })).rejects.toMatchObject({ status: 409 });
    expect((await store.get(citizen, app.id)).status).toBe(STATUS.submittedAfterIntegration);

    const pdf = await readPdf((await files.get(answer.pdf.sha256))!);
    expect(pdf.flat).toContain('Integrazione della domanda: Iscrizione alla mensa');
    expect(pdf.flat).toContain('Ecco il certificato richiesto.');
    expect(pdf.flat).toContain(`certificato.pdf — impronta SHA-256: ${certificate.sha256}`);
    expect(pdf.flat).toContain(`protocollo n. ${app.protocol!.number}/${app.protocol!.year}`);
    // The answer's PDF is among the application's documents, for the citizen and the desk.
    expect((await store.attachments(db, app.id)).map((a) => a.sha256)).toEqual(expect.arrayContaining([certificate.sha256, answer.pdf.sha256]));

    await worker().drain();
    const registered = await store.get(citizen, app.id);
    expect(registered.status).toBe(STATUS.registeredAfterIntegration);
    const saved = (await store.integrationAnswer(db, answer.id))!;
    expect(saved.protocol!.number).toBe(app.protocol!.number + 1);
    const entry = (await getEntry(db, tenantId, saved.protocol!.id))!;
    expect(entry).toMatchObject({ direction: 'incoming', classification: 'VII.4', correspondent: { name: 'Anna Bianchi', fiscalCode: CITIZEN.fiscalCode } });
    expect(entry.subject).toContain('integrazione della domanda di Anna Bianchi');
    expect(entry.documents.map((d) => d.sha256)).toEqual([answer.pdf.sha256, certificate.sha256]);
    expect(entry.linkedTo).toEqual({ id: app.protocol!.id, number: app.protocol!.number, year: app.protocol!.year });
    // The citizen's timeline and the desk's show the answer's number.
    const timeline = await store.timeline(citizen, app.id);
    expect(timeline.at(-1)).toMatchObject({ to: STATUS.registeredAfterIntegration, actorType: 'system', message: `Integrazione protocollata: n. ${saved.protocol!.number}/${saved.protocol!.year}` });
    expect((await desk.timeline(ente.users.anna, app.id)).at(-1)!.message).toContain(`n. ${saved.protocol!.number}/`);
    // A repeated job finds it registered and changes nothing.
    await sql`update comune.jobs set state = 'pending', run_at = now() where kind = ${REGISTER_INTEGRATION_JOB} and idempotency_key = ${answer.id}`.execute(db);
    await worker().drain();
    expect((await store.timeline(citizen, app.id)).length).toBe(timeline.length);
  });

  it('keeps the answer at 4300 while the external system is down and registers it, linked, when it is back', async () => {
    const db = database().db;
    const { app, store, citizen } = await applicationAwaitingIntegration(true);
    expect(app.protocol!.id).toBe(simulator.registrations.at(-1)!.id);
    const answer = await store.answerIntegration(citizen, app.id, { message: 'Ecco il certificato richiesto.', attachments: [] });
    const before = simulator.registrations.length;
    simulator.down = true;
    const refused = simulator.refused;
    const w = worker();
    try {
      await w.drain();
      await settle(w);
      expect(simulator.refused).toBeGreaterThan(refused);
      expect((await store.get(citizen, app.id)).status).toBe(STATUS.submittedAfterIntegration);
    } finally {
      simulator.down = false;
    }
    await settle(w);
    expect((await store.get(citizen, app.id)).status).toBe(STATUS.registeredAfterIntegration);
    expect(simulator.registrations).toHaveLength(before + 1);
    const registration = simulator.registrations.at(-1)!;
    expect(registration).toMatchObject({ direction: 'incoming', linkedTo: { id: app.protocol!.id, number: app.protocol!.number, year: app.protocol!.year } });
    expect(registration.documents[0]!.sha256).toBe(answer.pdf.sha256);
    expect((await store.integrationAnswer(db, answer.id))!.protocol).toMatchObject({ id: registration.id, number: registration.number });
  });

  it('records a late number on the timeline without moving an application already taken in charge again', async () => {
    const { app, store, desk, ente, citizen } = await applicationAwaitingIntegration();
    await store.answerIntegration(citizen, app.id, { message: 'Ecco il certificato richiesto.', attachments: [] });
    await desk.takeInCharge(ente.users.anna, app.id);
    await worker().drain();
    const after = await store.get(citizen, app.id);
    expect(after.status).toBe(STATUS.pendingAfterIntegration);
    const last = (await store.timeline(citizen, app.id)).at(-1)!;
    expect(last).toMatchObject({ from: STATUS.pendingAfterIntegration, to: STATUS.pendingAfterIntegration, actorType: 'system' });
    expect(last.message).toMatch(/^Integrazione protocollata: n\. \d+\/\d{4}$/);
  });

  it('issues the outcome letter while the external system is down, and numbers it as outgoing when it is back', async () => {
    const db = database().db;
    const { app, desk, ente, store, citizen } = await applicationAwaitingIntegration(true);
    await store.answerIntegration(citizen, app.id, { message: 'Ecco il certificato richiesto.', attachments: [] });
    await worker().drain();
    await desk.takeInCharge(ente.users.anna, app.id);
    simulator.down = true;
    const w = worker();
    try {
      const letter = await desk.decide(ente.users.anna, app.id, { outcome: 'accepted', motivation: 'Requisiti verificati.' });
      // Issued: decided, the letter attached and downloadable, only the number waits.
      expect(letter.protocol).toBeNull();
      expect((await store.get(citizen, app.id)).status).toBe(STATUS.complete);
      expect((await desk.letter(app.id))!.protocol).toBeNull();
      expect((await store.attachments(db, app.id)).map((a) => a.sha256)).toContain(letter.sha256);
      await w.drain();
      await settle(w);
      expect((await desk.letter(app.id))!.protocol).toBeNull();
    } finally {
      simulator.down = false;
    }
    const before = simulator.registrations.length;
    await settle(w);
    const numbered = (await desk.letter(app.id))!;
    const registration = simulator.registrations.at(-1)!;
    expect(simulator.registrations).toHaveLength(before + 1);
    expect(numbered.protocol).toEqual({ number: registration.number, year: registration.year });
    expect(registration).toMatchObject({ direction: 'outgoing' });
    expect(registration.linkedTo).toEqual({ id: app.protocol!.id, number: app.protocol!.number, year: app.protocol!.year });
    expect(registration.subject).toContain('esito della domanda di Anna Bianchi');
    expect(registration.documents).toEqual([{ name: numbered.fileName, sha256: numbered.sha256 }]);
  });

  it('numbers the letter of an ente with the built-in register in the decision itself, linked to the application', async () => {
    const db = database().db;
    const { tenantId, app, desk, ente, store, citizen } = await applicationAwaitingIntegration();
    await store.answerIntegration(citizen, app.id, { message: 'Ecco il certificato richiesto.', attachments: [] });
    await desk.takeInCharge(ente.users.anna, app.id);
    const letter = await desk.decide(ente.users.anna, app.id, { outcome: 'rejected', motivation: 'Posti esauriti.' });
    expect(letter.protocol).not.toBeNull();
    const { rows } = await sql<{ protocol_id: string }>`select protocol_id from comune.desk_letters where application_id = ${app.id}`.execute(db);
    const entry = (await getEntry(db, tenantId, rows[0]!.protocol_id))!;
    expect(entry).toMatchObject({ direction: 'outgoing', number: letter.protocol!.number, linkedTo: { id: app.protocol!.id } });
    // No job for it: nothing left to do after the decision.
    const jobs = await sql`select 1 from comune.jobs where kind = ${REGISTER_LETTER_JOB} and idempotency_key = ${app.id}`.execute(db);
    expect(jobs.rows).toHaveLength(0);
  });
});
