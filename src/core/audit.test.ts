import { expect, it } from 'vitest';
import { sql, transaction } from './db.ts';
import { migrateSchema } from './migrations.ts';
import { ACTOR_TYPES, AUDIT_ACTION, audit, auditMigrations, listAudit, type AuditEntry } from './audit.ts';
import { withTestDatabases } from '../../test/support/database.ts';

const SCHEMA = 'audit_test';
const entry = (overrides: Partial<AuditEntry> = {}): AuditEntry => ({
  actorType: 'tenant_admin',
  actorId: 'user-1',
  tenantId: 'tenant-a',
  action: 'tenant.update',
  targetType: 'tenant',
  targetId: 'tenant-a',
  ...overrides,
});

await withTestDatabases('audit log', ({ database }) => {
  const db = () => database().db;
  const refusal = /append-only/;

  it('migrates', async () => {
    await migrateSchema(db(), SCHEMA, auditMigrations);
  });

  it('records an entry with the business transaction, and nothing when it rolls back', async () => {
    const id = await transaction(db(), (tx) =>
      audit(tx, SCHEMA, entry({ action: 'tenant.create', details: { name: 'Comune di Prova', languages: ['it', 'de'] }, requestId: 'req-1' })),
    );
    await expect(
      transaction(db(), async (tx) => {
        await audit(tx, SCHEMA, entry({ action: 'tenant.delete' }));
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    const [record] = await listAudit(db(), SCHEMA);
    expect(record).toMatchObject({
      id,
      actorType: 'tenant_admin',
      actorId: 'user-1',
      tenantId: 'tenant-a',
      action: 'tenant.create',
      targetType: 'tenant',
      targetId: 'tenant-a',
      details: { name: 'Comune di Prova', languages: ['it', 'de'] },
      requestId: 'req-1',
    });
    expect(record!.at).toBeInstanceOf(Date);
    expect((await listAudit(db(), SCHEMA, { limit: 100 })).some((r) => r.action === 'tenant.delete')).toBe(false);
  });

  it('refuses UPDATE, DELETE and TRUNCATE', async () => {
    const id = await audit(db(), SCHEMA, entry());
    await expect(sql`update audit_test.audit_log set actor_id = 'someone-else' where id = ${id}`.execute(db())).rejects.toThrow(refusal);
    await expect(sql`delete from audit_test.audit_log where id = ${id}`.execute(db())).rejects.toThrow(refusal);
    await expect(sql`truncate audit_test.audit_log`.execute(db())).rejects.toThrow(refusal);
    expect((await listAudit(db(), SCHEMA)).find((r) => r.id === id)).toMatchObject({ actorId: 'user-1' });
  });

  it('accepts exactly the declared actor types and well-formed actions', async () => {
    for (const actorType of ACTOR_TYPES) await audit(db(), SCHEMA, entry({ actorType, tenantId: null }));
    await expect(audit(db(), SCHEMA, entry({ actorType: 'robot' as never }))).rejects.toThrow(/check constraint/);
    for (const action of ['tenant.create', 'practice.status-change', 'api_key.revoke', 'a.b.c']) {
      expect(AUDIT_ACTION.test(action)).toBe(true);
      await audit(db(), SCHEMA, entry({ action }));
    }
    for (const action of ['create', 'Tenant.create', 'tenant.', 'tenant..create', 'tenant create']) {
      expect(AUDIT_ACTION.test(action)).toBe(false);
      await expect(audit(db(), SCHEMA, entry({ action }))).rejects.toThrow(/check constraint/);
    }
  });

  it('lists newest first, filtered by tenant or target, page by page', async () => {
    const b1 = await audit(db(), SCHEMA, entry({ tenantId: 'tenant-b', targetType: 'practice', targetId: 'p-1', action: 'practice.submit', actorType: 'citizen' }));
    const b2 = await audit(db(), SCHEMA, entry({ tenantId: 'tenant-b', targetType: 'practice', targetId: 'p-1', action: 'practice.accept', actorType: 'operator' }));
    const b3 = await audit(db(), SCHEMA, entry({ tenantId: 'tenant-b', targetType: 'practice', targetId: 'p-2', action: 'practice.submit', actorType: 'citizen' }));
    const platform = await audit(db(), SCHEMA, entry({ tenantId: null, actorType: 'platform_admin', action: 'tenant.suspend', targetId: 'tenant-b' }));

    const ids = async (options: Parameters<typeof listAudit>[2]) => (await listAudit(db(), SCHEMA, options)).map((r) => r.id);
    expect(await ids({ tenantId: 'tenant-b' })).toEqual([b3, b2, b1]);
    expect(await ids({ targetType: 'practice', targetId: 'p-1' })).toEqual([b2, b1]);
    expect(await ids({ tenantId: 'tenant-b', limit: 2 })).toEqual([b3, b2]);
    expect(await ids({ tenantId: 'tenant-b', before: b2 })).toEqual([b1]);
    expect((await ids({ tenantId: null }))[0]).toBe(platform);
    expect((await listAudit(db(), SCHEMA, { tenantId: null })).every((r) => r.tenantId === null)).toBe(true);
    expect(await ids({ limit: 1 })).toEqual([platform]);
  });

  it('filters by action, actor and Italian calendar day', async () => {
    const c1 = await audit(db(), SCHEMA, entry({ tenantId: 'tenant-c', actorId: 'anna', action: 'office.update' }));
    const c2 = await audit(db(), SCHEMA, entry({ tenantId: 'tenant-c', actorId: 'bruno', action: 'office.update' }));
    const c3 = await audit(db(), SCHEMA, entry({ tenantId: 'tenant-c', actorId: 'anna', action: 'staff.create' }));
    // 23:30 UTC on 31 December is already 1 January in Italy (CET, UTC+1).
    await sql`insert into audit_test.audit_log (at, actor_type, actor_id, tenant_id, action) values ('2025-12-31T23:30:00Z', 'operator', 'carla', 'tenant-c', 'staff.login')`.execute(db());
    const ids = async (options: Parameters<typeof listAudit>[2]) => (await listAudit(db(), SCHEMA, { tenantId: 'tenant-c', ...options })).map((r) => r.actorId + ':' + r.action);
    expect(await ids({ action: 'office.update' })).toEqual(['bruno:office.update', 'anna:office.update']);
    expect(await ids({ actorId: 'anna' })).toEqual(['anna:staff.create', 'anna:office.update']);
    expect(await ids({ actorId: 'anna', action: 'staff.create' })).toEqual(['anna:staff.create']);
    expect(await ids({ fromDay: '2026-01-01', toDay: '2026-01-01' })).toEqual(['carla:staff.login']);
    expect(await ids({ toDay: '2025-12-31' })).toEqual([]);
    expect((await listAudit(db(), SCHEMA, { tenantId: 'tenant-c', fromDay: '2026-01-02' })).map((r) => r.id)).toEqual([c3, c2, c1]);
  });
});
