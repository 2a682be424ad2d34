// The desk's store on both databases: operators see and act only on their offices' applications (list
// filtered, detail 404, another ente 404), the flow up to the outcome letter registered as outgoing,
// illegal transitions refused (409), overdue with a fixed clock, dashboard counts.
import { beforeAll, expect, it } from 'vitest';
import { memoryDocumentStore } from '../../src/comune/protocol/files.ts';
import { getEntry } from '../../src/comune/protocol/register.ts';
import { ApplicationStore } from '../../src/comune/applications/store.ts';
import { STATUS } from '../../src/comune/applications/states.ts';
import { DeskStore } from '../../src/comune/desk/store.ts';
import { WebhookRepository } from '../../src/comune/webhooks/store.ts';
import { sql } from '../../src/core/db.ts';
import { withTestDatabases } from '../support/database.ts';
import { readPdf } from '../support/pdf.ts';
import { createTestTenant, migrateComune } from './protocol-harness.ts';
import { seedDesk, serviceRef, submitApplication } from './desk-fixtures.ts';

const files = memoryDocumentStore();
const CITIZEN = { fiscalCode: 'BNCNNA85M41G702X', name: 'Anna Bianchi' };
const OTHER = { fiscalCode: 'RSSMRA80A01G702Q', name: 'Mario Rossi' };

await withTestDatabases('desk store', ({ database }) => {
  let tenantId: string;
  let ente: Awaited<ReturnType<typeof seedDesk>>;
  let desk: DeskStore;
  let other: Awaited<ReturnType<typeof seedDesk>>;

  beforeAll(async () => {
    const db = database().db;
    await migrateComune(db);
    tenantId = await createTestTenant(db, 'Comune di Bugliano');
    ente = await seedDesk(db, tenantId);
    other = await seedDesk(db, await createTestTenant(db, 'Comune di Altrove'));
    desk = new DeskStore(db, files);
  });

  const submit = (service = ente.serviceA, citizen = CITIZEN, now?: () => Date) => submitApplication(database().db, files, tenantId, serviceRef(service), citizen, { now });

  it("shows an operator only their office's applications; another office's or ente's is not found", async () => {
    const a = await submit();
    const b = await submit(ente.serviceB);
    const listed = (await desk.list(ente.users.anna, {})).map((r) => r.id);
    expect(listed).toContain(a.id);
    expect(listed).not.toContain(b.id);
    expect((await desk.list(ente.users.bruno, {})).map((r) => r.id)).toContain(b.id);
    expect((await desk.list(ente.users.admin, {})).map((r) => r.id)).toEqual(expect.arrayContaining([a.id, b.id]));
    await expect(desk.detail(ente.users.anna, b.id)).rejects.toMatchObject({ status: 404 });
    await expect(desk.takeInCharge(ente.users.anna, b.id)).rejects.toMatchObject({ status: 404 });
    await expect(desk.note(ente.users.anna, b.id, 'curioso')).rejects.toMatchObject({ status: 404 });
    for (const user of Object.values(other.users)) {
      await expect(desk.detail(user, a.id)).rejects.toMatchObject({ status: 404 });
      expect((await desk.list(user, {})).map((r) => r.id)).not.toContain(a.id);
    }
    expect((await desk.detail(ente.users.anna, a.id)).row.deadline).toMatchObject({ suspended: false, overdue: false });
  });

  it('takes in charge, asks for integration, and after the answer accepts with a letter registered as outgoing', async () => {
    const db = database().db;
    const app = await submit();
    const anna = ente.users.anna;
    await expect(desk.decide(anna, app.id, { outcome: 'accepted', motivation: 'ok' })).rejects.toMatchObject({ status: 409 });
    expect((await desk.takeInCharge(anna, app.id)).status).toBe(STATUS.pending);
    expect((await desk.detail(anna, app.id)).row.assignee).toEqual({ id: anna.id, name: 'Anna Scuola' });
    await expect(desk.takeInCharge(anna, app.id)).rejects.toMatchObject({ status: 409 });
    await desk.assign(anna, app.id, ente.people.carla.id);
    await expect(desk.assign(anna, app.id, ente.people.bruno.id)).rejects.toMatchObject({ status: 400 });
    const carla = ente.users.carla;
    await desk.requestIntegration(carla, app.id, 'Manca il certificato medico.');
    expect((await desk.detail(carla, app.id)).row.deadline?.suspended).toBe(true);
    await desk.note(carla, app.id, 'Telefonato alla famiglia.');
    const { webhook } = await new WebhookRepository(db, 'test-secret-of-the-app-0123456789').create(tenantId, { title: 'Messaggi', endpoint: 'https://gestionale.example/hook', trigger: 'message_created' }, { type: 'tenant_admin', id: 'admin' });
    await desk.message(carla, app.id, 'Può caricarlo anche in foto.');
    // The message is announced to the webhooks listening for messages, in its transaction.
    const { rows: events } = await sql<{ kind: string; status: number }>`select kind, status from comune.webhook_events where webhook_id = ${webhook.id}`.execute(db);
    expect(events).toEqual([{ kind: 'message', status: STATUS.requestIntegration }]);
    const citizen = { kind: 'citizen', tenantId, fiscalCode: CITIZEN.fiscalCode } as const;
    await new ApplicationStore(db, files).transition(citizen, app.id, STATUS.submittedAfterIntegration, 'Certificato allegato.');
    expect((await desk.takeInCharge(carla, app.id)).status).toBe(STATUS.pendingAfterIntegration);
    const letter = await desk.decide(carla, app.id, { outcome: 'accepted', motivation: 'Requisiti verificati, posto disponibile.' });
    expect(letter.outcome).toBe(STATUS.complete);
    expect(letter.protocol!.number).toBeGreaterThan(0);
    const pdf = await readPdf((await files.get(letter.sha256))!);
    expect(pdf.flat).toContain('Comune di Bugliano');
    expect(pdf.flat).toContain('Gentile Anna Bianchi');
    expect(pdf.flat).toContain('Accoglimento della domanda: Iscrizione alla mensa');
    expect(pdf.flat).toContain('la domanda è stata ACCOLTA');
    expect(pdf.flat).toContain('Requisiti verificati, posto disponibile.');
    expect(pdf.flat).toContain('Carla Scuola');
    expect((await desk.attachments(app.id)).map((a) => a.sha256)).toContain(letter.sha256);
    const timeline = await new ApplicationStore(db, files).timeline(citizen, app.id);
    expect(timeline.map((e) => e.message)).toEqual(expect.arrayContaining(['Manca il certificato medico.', 'Può caricarlo anche in foto.', 'Requisiti verificati, posto disponibile.']));
    expect(timeline.map((e) => e.message)).not.toContain('Telefonato alla famiglia.');
    expect((await desk.notes(app.id)).map((n) => n.body)).toEqual(['Telefonato alla famiglia.']);
    const { rows } = await (await import('../../src/core/db.ts')).sql<{ protocol_id: string }>`select protocol_id from comune.desk_letters where application_id = ${app.id}`.execute(db);
    const entry = await getEntry(db, tenantId, rows[0]!.protocol_id);
    expect(entry).toMatchObject({ direction: 'outgoing', number: letter.protocol!.number, correspondent: { name: 'Anna Bianchi' } });
    expect(entry!.documents[0]!.sha256).toBe(letter.sha256);
    await expect(desk.decide(carla, app.id, { outcome: 'rejected', motivation: 'no' })).rejects.toMatchObject({ status: 409 });
  });

  it('filters by overdue with a fixed clock, by text and protocol number, and counts for the dashboard', async () => {
    const db = database().db;
    const tenant = await createTestTenant(db, 'Comune di Orologio');
    const local = await seedDesk(db, tenant);
    const at = (iso: string) => () => new Date(iso);
    const old = await submitApplication(db, files, tenant, serviceRef(local.serviceA), CITIZEN, { now: at('2026-01-10T10:00:00Z') });
    const recent = await submitApplication(db, files, tenant, serviceRef(local.serviceA), OTHER, { now: at('2026-02-20T10:00:00Z') });
    const clock = new DeskStore(db, files, at('2026-03-01T10:00:00Z'));
    expect((await clock.list(local.users.anna, { overdue: true })).map((r) => r.id)).toEqual([old.id]);
    expect((await clock.list(local.users.anna, {})).find((r) => r.id === recent.id)?.deadline).toMatchObject({ due: '2026-03-22', daysLeft: 21, overdue: false });
    expect((await clock.list(local.users.anna, { text: 'rossi' })).map((r) => r.id)).toEqual([recent.id]);
    expect((await clock.list(local.users.anna, { text: 'BNCNNA85' })).map((r) => r.id)).toEqual([old.id]);
    expect((await clock.list(local.users.anna, { text: old.id })).map((r) => r.id)).toEqual([old.id]);
    expect((await clock.list(local.users.anna, { from: '2026-02-01', to: '2026-02-28' })).map((r) => r.id)).toEqual([recent.id]);
    expect(await clock.list(local.users.anna, { text: '100%_' })).toEqual([]);
    await clock.takeInCharge(local.users.anna, old.id);
    await clock.decide(local.users.anna, old.id, { outcome: 'rejected', motivation: 'Fuori termine.' });
    expect((await clock.list(local.users.anna, { status: STATUS.cancelled })).map((r) => r.id)).toEqual([old.id]);
    expect((await clock.list(local.users.anna, { assigneeId: local.people.anna.id })).map((r) => r.id)).toEqual([old.id]);
    const dashboard = await clock.dashboard(local.users.admin);
    expect(dashboard.total).toBe(2);
    expect(dashboard.byStatus).toEqual([{ status: STATUS.submitted, count: 1 }, { status: STATUS.cancelled, count: 1 }]);
    expect(dashboard.overdue).toBe(0);
    expect(dashboard.open).toEqual([{ serviceName: 'Iscrizione alla mensa', open: 1, overdue: 0 }]);
    expect((await new DeskStore(db, files, at('2026-03-25T10:00:00Z')).dashboard(local.users.anna)).open).toEqual([{ serviceName: 'Iscrizione alla mensa', open: 1, overdue: 1 }]);
    expect(dashboard.closing).toEqual([{ serviceName: 'Iscrizione alla mensa', closed: 1, averageDays: 50 }]);
    expect((await clock.dashboard(local.users.bruno)).total).toBe(0);
  });
});
