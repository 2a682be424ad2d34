// The catalog's repositories and commands on both databases: validation at the boundary, tenant
// isolation (another ente's ids find nothing), search and filters, office members, audit of each write.
import { beforeAll, expect, it } from 'vitest';
import { sql } from '../../src/core/db.ts';
import { migrateSchema } from '../../src/core/migrations.ts';
import { HttpProblem } from '../../src/core/problem.ts';
import { comuneMigrations } from '../../src/comune/migrations.ts';
import { createStaffUser, createTenant, type CommandActor } from '../../src/comune/commands.ts';
import { DEMO_TENANTS } from '../../src/comune/seed.ts';
import { createCategory, createOffice, createService, setOfficeMembers, updateService } from '../../src/comune/catalog/commands.ts';
import { ServiceRepository } from '../../src/comune/catalog/services.ts';
import { OfficeRepository } from '../../src/comune/catalog/offices.ts';
import { PUBLIC_STATUSES } from '../../src/comune/catalog/model.ts';
import { withTestDatabases } from '../support/database.ts';
import { serviceInput } from './catalog-fixtures.ts';

const ACTOR: CommandActor = { type: 'tenant_admin', id: 'test-admin' };
async function refusal(promise: Promise<unknown>): Promise<HttpProblem> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(HttpProblem);
  return err as HttpProblem;
}

await withTestDatabases('catalog repositories', ({ database }) => {
  let a = '';
  let b = '';
  beforeAll(async () => {
    const db = database().db;
    await migrateSchema(db, 'comune', comuneMigrations);
    a = (await createTenant(db, DEMO_TENANTS[0]!, ACTOR)).id;
    b = (await createTenant(db, DEMO_TENANTS[1]!, ACTOR)).id;
  });

  it('refuses invalid input with 400 and a pointer per field, writing nothing', async () => {
    const db = database().db;
    const problem = await refusal(createService(db, a, serviceInput('Bad Slug', ''), ACTOR));
    expect(problem.status).toBe(400);
    expect(problem.errors?.map((e) => e.pointer)).toEqual(['/body/slug', '/body/content/it/name']);
    expect(await new ServiceRepository(db).list(a)).toEqual([]);
  });

  it("keeps each ente's services apart: another tenant's id or slug finds nothing, and cannot be updated", async () => {
    const db = database().db;
    const services = new ServiceRepository(db);
    const mine = await createService(db, a, serviceInput('accesso-atti', 'Accesso agli atti'), ACTOR);
    // The same address in another ente is another service.
    const theirs = await createService(db, b, serviceInput('accesso-atti', 'Accesso agli atti (B)'), ACTOR);
    expect(await services.byId(b, mine.id)).toBeUndefined();
    expect((await services.bySlug(b, 'accesso-atti'))?.id).toBe(theirs.id);
    expect((await refusal(updateService(db, b, mine.id, serviceInput('accesso-atti', 'Preso'), ACTOR))).status).toBe(404);
    expect((await services.byId(a, mine.id))?.content.it.name).toBe('Accesso agli atti');
    expect((await refusal(createService(db, a, serviceInput('accesso-atti', 'Doppio'), ACTOR))).status).toBe(409);
  });

  it("refuses a category or office of another ente", async () => {
    const db = database().db;
    const office = await createOffice(db, b, { name: 'Ufficio di B', email: null, phone: null, address: null, openingHours: null }, ACTOR);
    const category = await createCategory(db, b, { slug: 'scuola', names: { it: 'Scuola' }, descriptions: {}, position: 0 }, ACTOR);
    const problem = await refusal(createService(db, a, serviceInput('mensa', 'Mensa', { officeId: office.id, categoryId: category.id }), ACTOR));
    expect(problem.errors?.map((e) => e.pointer)).toEqual(['/body/categoryId', '/body/officeId']);
  });

  it('searches by words, filters by category, topic and status, and orders by name in the language', async () => {
    const db = database().db;
    const category = await createCategory(db, a, { slug: 'mobilita', names: { it: 'Mobilità e trasporti' }, descriptions: {}, position: 1 }, ACTOR);
    const ztl = serviceInput('permesso-ztl', 'Permesso ZTL', { categoryId: category.id, topics: ['Mobilità sostenibile'] });
    ztl.content.en = { name: 'Limited traffic zone permit' };
    await createService(db, a, ztl, ACTOR);
    await createService(db, a, serviceInput('contrassegno', 'Contrassegno disabili', { categoryId: category.id, status: 'suspended', topics: ['Mobilità sostenibile', 'Assistenza agli invalidi'] }), ACTOR);
    await createService(db, a, serviceInput('bozza', 'Bozza ZTL', { status: 'draft' }), ACTOR);
    const services = new ServiceRepository(db);
    const slugs = async (filters: Parameters<ServiceRepository['list']>[1]) => (await services.list(a, filters)).map((s) => s.slug);
    expect(await slugs({ categoryId: category.id })).toEqual(['contrassegno', 'permesso-ztl']);
    expect(await slugs({ text: 'ztl' })).toEqual(['bozza', 'permesso-ztl']);
    expect(await slugs({ text: 'ztl', statuses: PUBLIC_STATUSES })).toEqual(['permesso-ztl']);
    expect(await slugs({ text: 'traffic', locale: 'en' })).toEqual(['permesso-ztl']);
    expect(await slugs({ text: '%' })).toEqual([]);
    expect(await slugs({ topic: 'Assistenza agli invalidi' })).toEqual(['contrassegno']);
    expect(await slugs({ statuses: ['active'], categoryId: category.id })).toEqual(['permesso-ztl']);
    expect(await slugs({ categoryId: category.id, locale: 'en' })).toEqual(['contrassegno', 'permesso-ztl']);
  });

  it("sets an office's members among the ente's staff only, and audits every write", async () => {
    const db = database().db;
    const offices = new OfficeRepository(db);
    const office = await createOffice(db, a, { name: 'Ufficio Scuola', email: 'scuola@comune.example.it', phone: '050 123456', address: null, openingHours: null }, ACTOR);
    const operator = await createStaffUser(db, { tenantId: a, role: 'operator', email: 'op@a.example.it', givenName: 'O', familyName: 'P', password: 'password-lunga-123' }, ACTOR);
    const stranger = await createStaffUser(db, { tenantId: b, role: 'operator', email: 'op@b.example.it', givenName: 'S', familyName: 'T', password: 'password-lunga-123' }, ACTOR);
    expect((await refusal(setOfficeMembers(db, a, office.id, [operator.id, stranger.id], ACTOR))).status).toBe(400);
    expect(await offices.memberIds(office.id)).toEqual([]);
    await setOfficeMembers(db, a, office.id, [operator.id, operator.id], ACTOR);
    expect(await offices.memberIds(office.id)).toEqual([operator.id]);
    expect((await offices.officesOf(a, operator.id)).map((o) => o.name)).toEqual(['Ufficio Scuola']);
    expect((await refusal(setOfficeMembers(db, b, office.id, [], ACTOR))).status).toBe(404);
    const { rows } = await sql<{ action: string }>`select action from comune.audit_log where tenant_id = ${a} and action like 'office.%' order by id`.execute(db);
    expect(rows.map((r) => r.action)).toEqual(['office.create', 'office.members.update']);
  });
});
