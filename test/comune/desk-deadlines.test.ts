// The desk's stored due dates on both databases: kept current whatever writes the status (the desk, the
// citizen, a change of the service's days), refreshed after a backfill; the list's overdue and due-within
// filters, the order by due date, pages and the keyset batches of the export agree with each other.
import { beforeAll, expect, it } from 'vitest';
import { memoryDocumentStore } from '../../src/comune/protocol/files.ts';
import { ApplicationStore } from '../../src/comune/applications/store.ts';
import { STATUS } from '../../src/comune/applications/states.ts';
import { ServiceRepository } from '../../src/comune/catalog/services.ts';
import { DeskStore } from '../../src/comune/desk/store.ts';
import { sql, transaction } from '../../src/core/db.ts';
import { refreshDeadlines } from '../../src/comune/desk/store.ts';
import { withTestDatabases } from '../support/database.ts';
import { createTestTenant, migrateComune } from './protocol-harness.ts';
import { seedDesk, serviceRef, submitApplication } from './desk-fixtures.ts';
import { serviceInput } from './catalog-fixtures.ts';

const files = memoryDocumentStore();
const CITIZEN = { fiscalCode: 'BNCNNA85M41G702X', name: 'Anna Bianchi' };
const at = (iso: string) => () => new Date(iso);

await withTestDatabases('desk deadlines', ({ name, database }) => {
  beforeAll(async () => {
    await migrateComune(database().db);
  });

  const stored = async (id: string) => {
    const { rows } = await sql<{ due_on: string | null; resumes_on: string | null; stale: boolean }>`
      select to_char(due_on, 'YYYY-MM-DD') as due_on, to_char(resumes_on, 'YYYY-MM-DD') as resumes_on, computed_version is distinct from version as stale
      from comune.desk_deadlines where application_id = ${id}`.execute(database().db);
    return rows[0];
  };

  it('keeps the stored due date current through the desk, the citizen and a change of the service’s days', async () => {
    const db = database().db;
    const tenant = await createTestTenant(db, 'Comune di Scadenze');
    const local = await seedDesk(db, tenant);
    const app = await submitApplication(db, files, tenant, serviceRef(local.serviceA), CITIZEN, { now: at('2026-01-10T10:00:00Z') });
    // Marked stale in the submission's transaction, computed on the desk's next read.
    expect(await stored(app.id)).toMatchObject({ stale: true });
    const desk = new DeskStore(db, files, at('2026-01-20T10:00:00Z'));
    expect((await desk.detail(local.users.anna, app.id)).row.deadline).toEqual({ due: '2026-02-09', daysLeft: 20, suspended: false, overdue: false });
    expect(await stored(app.id)).toEqual({ due_on: '2026-02-09', resumes_on: null, stale: false });

    await desk.takeInCharge(local.users.anna, app.id);
    await desk.requestIntegration(local.users.anna, app.id, 'Manca la firma.');
    expect(await stored(app.id)).toMatchObject({ stale: true });
    expect((await desk.detail(local.users.anna, app.id)).row.deadline).toMatchObject({ suspended: true, overdue: false });
    expect(await stored(app.id)).toEqual({ due_on: '2026-03-11', resumes_on: '2026-02-19', stale: false });

    // The citizen answers five days later, through the applications' store: no desk code runs.
    const citizen = { kind: 'citizen', tenantId: tenant, fiscalCode: CITIZEN.fiscalCode } as const;
    await new ApplicationStore(db, files, at('2026-01-25T10:00:00Z')).transition(citizen, app.id, STATUS.submittedAfterIntegration, 'Firmato.');
    const later = new DeskStore(db, files, at('2026-02-12T10:00:00Z'));
    expect((await later.detail(local.users.anna, app.id)).row.deadline).toEqual({ due: '2026-02-14', daysLeft: 2, suspended: false, overdue: false });

    // The catalog shortens the service's days: its applications' due dates follow.
    await new ServiceRepository(db).update(tenant, local.serviceA.id, serviceInput(local.serviceA.slug, 'Iscrizione alla mensa', { officeId: local.officeA.id, deadlineDays: 20 }));
    expect(await stored(app.id)).toMatchObject({ stale: true });
    expect((await later.detail(local.users.anna, app.id)).row.deadline).toMatchObject({ due: '2026-02-04', overdue: true });
    expect((await later.list(local.users.anna, { overdue: true })).map((r) => r.id)).toEqual([app.id]);

    // Once decided there is no deadline: never overdue again.
    await later.takeInCharge(local.users.anna, app.id);
    await later.decide(local.users.anna, app.id, { outcome: 'accepted', motivation: 'Completa.' });
    expect(await later.list(local.users.anna, { overdue: true })).toEqual([]);
    expect(await stored(app.id)).toEqual({ due_on: null, resumes_on: null, stale: false });
    // Without a due date it sorts last, and the export's keyset passes over it.
    const open = await submitApplication(db, files, tenant, serviceRef(local.serviceA), CITIZEN, { now: at('2026-02-01T10:00:00Z') });
    const byDue = (await later.list(local.users.anna, {}, { sort: 'due' })).map((r) => r.id);
    expect(byDue).toEqual([open.id, app.id]);
    const streamed = [];
    for await (const row of await later.all(local.users.anna, {}, 'due', 1)) streamed.push(row.id);
    expect(streamed).toEqual(byDue);
  });

  it('recomputes rows left stale by the backfill, and a draft deleted by its citizen takes its row along', async () => {
    const db = database().db;
    const tenant = await createTestTenant(db, 'Comune di Arretrati');
    const local = await seedDesk(db, tenant);
    const apps = [];
    for (const day of ['2026-01-05', '2026-01-06', '2026-01-07']) apps.push(await submitApplication(db, files, tenant, serviceRef(local.serviceA), CITIZEN, { now: at(`${day}T09:00:00Z`) }));
    // As desk.002 leaves the applications that existed before it: rows with nothing computed.
    await sql`update comune.desk_deadlines set computed_version = null, due_on = null where application_id = any(${apps.map((a) => a.id)}::uuid[])`.execute(db);
    const desk = new DeskStore(db, files, at('2026-02-06T10:00:00Z'));
    expect((await desk.list(local.users.anna, { overdue: true })).map((r) => r.id).sort()).toEqual([apps[0]!.id, apps[1]!.id].sort());
    for (const a of apps) expect(await stored(a.id)).toMatchObject({ stale: false });

    const applications = new ApplicationStore(db, files);
    const citizen = { kind: 'citizen', tenantId: tenant, fiscalCode: CITIZEN.fiscalCode } as const;
    const draft = await applications.createDraft(citizen, tenant, { service: serviceRef(local.serviceA), citizen: CITIZEN });
    expect(await stored(draft.id)).toBeDefined();
    expect(await applications.deleteDraft(citizen, draft.id, db)).toBe(true);
    expect(await stored(draft.id)).toBeUndefined();
  });

  it('filters overdue and due within N days, orders by due date, pages, and exports the same rows in keyset batches', async () => {
    const db = database().db;
    const tenant = await createTestTenant(db, 'Comune di Pagine');
    const local = await seedDesk(db, tenant);
    // Due on 2026-02-09 (two of them, a tie), 02-14, 02-19, 02-24 and 03-01; today is 02-12.
    const days = ['2026-01-10', '2026-01-10', '2026-01-15', '2026-01-20', '2026-01-25', '2026-01-30'];
    const apps = [];
    for (const day of days) apps.push(await submitApplication(db, files, tenant, serviceRef(local.serviceA), CITIZEN, { now: at(`${day}T11:00:00Z`) }));
    const other = await submitApplication(db, files, tenant, serviceRef(local.serviceB), CITIZEN, { now: at('2026-01-01T11:00:00Z') });
    const desk = new DeskStore(db, files, at('2026-02-12T10:00:00Z'));
    const anna = local.users.anna;
    const ids = (rows: { id: string }[]) => rows.map((r) => r.id);

    expect(ids(await desk.list(anna, { overdue: true })).sort()).toEqual([apps[0]!.id, apps[1]!.id].sort());
    expect(await desk.count(anna, { overdue: true })).toBe(2);
    expect(ids(await desk.list(local.users.bruno, { overdue: true }))).toEqual([other.id]);
    // From today (02-12) to 02-19 inclusive.
    expect(ids(await desk.list(anna, { dueWithin: 7 })).sort()).toEqual([apps[2]!.id, apps[3]!.id].sort());
    expect(await desk.list(anna, { dueWithin: 0 })).toEqual([]);

    const byDue = await desk.list(anna, {}, { sort: 'due' });
    expect(byDue.map((r) => r.deadline!.due)).toEqual(['2026-02-09', '2026-02-09', '2026-02-14', '2026-02-19', '2026-02-24', '2026-03-01']);
    // Pages of 4 cover the same order without a gap or a repeat.
    const pages = [...(await desk.list(anna, {}, { sort: 'due', limit: 4 })), ...(await desk.list(anna, {}, { sort: 'due', offset: 4, limit: 4 }))];
    expect(ids(pages)).toEqual(ids(byDue));
    expect(await desk.count(anna, {})).toBe(6);

    // The export reads batches of 2 by keyset: the same rows in the same order, ties on the due date included.
    for (const sort of ['due', 'submitted'] as const) {
      const streamed = [];
      for await (const row of await desk.all(anna, {}, sort, 2)) streamed.push(row.id);
      expect(streamed).toEqual(ids(await desk.list(anna, {}, { sort })));
    }
    const bySubmission = await desk.list(anna, {});
    expect(bySubmission[0]!.id).toBe(apps[5]!.id);
    const overdueStreamed = [];
    for await (const row of await desk.all(anna, { overdue: true }, 'due', 1)) overdueStreamed.push(row.id);
    expect(overdueStreamed.sort()).toEqual([apps[0]!.id, apps[1]!.id].sort());

    // Asked for more after its term ran out: not overdue while the clock stands still (30 days at most), then again.
    await desk.takeInCharge(anna, apps[0]!.id);
    await desk.requestIntegration(anna, apps[0]!.id, 'Manca un documento.');
    expect(ids(await desk.list(anna, { overdue: true }))).toEqual([apps[1]!.id]);
    expect(ids(await new DeskStore(db, files, at('2026-03-13T10:00:00Z')).list(anna, { overdue: true, status: STATUS.requestIntegration }))).toEqual([]);
    expect(ids(await new DeskStore(db, files, at('2026-03-14T10:00:00Z')).list(anna, { overdue: true, status: STATUS.requestIntegration }))).toEqual([apps[0]!.id]);

    const options = await desk.filterOptions(anna);
    expect(options.services).toEqual([{ id: local.serviceA.id, name: 'Iscrizione alla mensa' }]);
    expect(options.offices).toEqual([{ id: local.officeA.id, name: 'Ufficio Scuola' }]);
    expect(options.assignees.map((a) => a.name)).toEqual(['Anna Scuola', 'Carla Scuola']);
    expect((await desk.filterOptions(local.users.admin)).offices.map((o) => o.name)).toEqual(['Ufficio Scuola', 'Ufficio Tributi']);
  });

  // Two connections are needed: PGlite has one, so this runs on PostgreSQL.
  it.runIf(name === 'postgres')('skips, without waiting, a row locked by a transaction still changing its application', async () => {
    const db = database().db;
    const tenant = await createTestTenant(db, 'Comune di Attese');
    const local = await seedDesk(db, tenant);
    const app = await submitApplication(db, files, tenant, serviceRef(local.serviceA), CITIZEN, { now: at('2026-01-10T10:00:00Z') });
    const quiet = await submitApplication(db, files, tenant, serviceRef(local.serviceA), CITIZEN, { now: at('2026-01-11T10:00:00Z') });
    const citizen = { kind: 'citizen', tenantId: tenant, fiscalCode: CITIZEN.fiscalCode } as const;
    await transaction(db, async (tx) => {
      await new ApplicationStore(db, files).transition(citizen, app.id, STATUS.withdrawn, 'Rinuncio.', tx);
      await refreshDeadlines(db, tenant);
      expect(await stored(quiet.id)).toMatchObject({ due_on: '2026-02-10', stale: false });
    });
    // Committed: the withdrawn application has no deadline any more.
    await refreshDeadlines(db, tenant);
    expect(await stored(app.id)).toEqual({ due_on: null, resumes_on: null, stale: false });
  });
});
