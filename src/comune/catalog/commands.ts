// Writes to the catalog, shared by the admin pages, the seed and (later) the API: validated at the
// boundary (400 naming each field), scoped to one tenant (404 for another's), audited in the same transaction.
import { transaction, type Executor } from '../../core/db.ts';
import { audit } from '../../core/audit.ts';
import { conflict, invalid, notFound, type InvalidField } from '../../core/problem.ts';
import type { CommandActor } from '../commands.ts';
import { StaffRepository } from '../staff/staff.ts';
import { validateCategoryInput, validateOfficeInput, validateServiceInput, type Category, type CategoryInput, type Office, type OfficeInput, type Service, type ServiceInput } from './model.ts';
import { ServiceRepository } from './services.ts';
import { CategoryRepository } from './categories.ts';
import { OfficeRepository } from './offices.ts';
import { FormRepository } from '../forms/forms.ts';

/** Runs a write whose input produced these errors: 400 if any, else the body in a transaction. */
async function validated<T>(db: Executor, errors: InvalidField[], body: (tx: Executor) => Promise<T>): Promise<T> {
  if (errors.length) throw invalid(errors.map((e) => ({ ...e, pointer: `/body${e.pointer}` })));
  return transaction(db, body);
}

function record(tx: Executor, actor: CommandActor, tenantId: string, action: string, target: { type: string; id: string }, details: Record<string, unknown>) {
  return audit(tx, 'comune', { actorType: actor.type, actorId: actor.id, tenantId, action, targetType: target.type, targetId: target.id, details, requestId: actor.requestId });
}

/** The category, office and form a service points to must be the same tenant's. */
async function checkReferences(tx: Executor, tenantId: string, input: ServiceInput): Promise<void> {
  const errors: InvalidField[] = [];
  if (input.categoryId && !(await new CategoryRepository(tx).byId(tenantId, input.categoryId))) errors.push({ pointer: '/body/categoryId', code: 'unknown', detail: 'no such category' });
  if (input.officeId && !(await new OfficeRepository(tx).byId(tenantId, input.officeId))) errors.push({ pointer: '/body/officeId', code: 'unknown', detail: 'no such office' });
  if (input.formId && !(await new FormRepository(tx).latest(tenantId, input.formId))) errors.push({ pointer: '/body/formId', code: 'unknown', detail: 'no such form' });
  if (errors.length) throw invalid(errors);
}

export async function createService(db: Executor, tenantId: string, input: ServiceInput, actor: CommandActor): Promise<Service> {
  return validated(db, validateServiceInput(input), async (tx) => {
    await checkReferences(tx, tenantId, input);
    const service = await new ServiceRepository(tx).create(tenantId, input);
    if (!service) throw conflict(`A service with address "${input.slug}" already exists.`);
    await record(tx, actor, tenantId, 'service.create', { type: 'service', id: service.id }, { slug: service.slug, status: service.status });
    return service;
  });
}

export async function updateService(db: Executor, tenantId: string, id: string, input: ServiceInput, actor: CommandActor): Promise<Service> {
  return validated(db, validateServiceInput(input), async (tx) => {
    const services = new ServiceRepository(tx);
    const before = await services.byId(tenantId, id);
    if (!before) throw notFound('No such service.');
    await checkReferences(tx, tenantId, input);
    if (await services.slugTaken(tenantId, input.slug, id)) throw conflict(`A service with address "${input.slug}" already exists.`);
    const service = (await services.update(tenantId, id, input))!;
    const changed = (Object.keys(input) as (keyof ServiceInput)[]).filter((key) => JSON.stringify(input[key]) !== JSON.stringify(before[key]));
    await record(tx, actor, tenantId, 'service.update', { type: 'service', id }, { changed, status: service.status });
    return service;
  });
}

export async function createCategory(db: Executor, tenantId: string, input: CategoryInput, actor: CommandActor): Promise<Category> {
  return validated(db, validateCategoryInput(input), async (tx) => {
    const category = await new CategoryRepository(tx).create(tenantId, input);
    if (!category) throw conflict(`A category with address "${input.slug}" already exists.`);
    await record(tx, actor, tenantId, 'service-category.create', { type: 'service_category', id: category.id }, { slug: category.slug });
    return category;
  });
}

export async function updateCategory(db: Executor, tenantId: string, id: string, input: CategoryInput, actor: CommandActor): Promise<Category> {
  return validated(db, validateCategoryInput(input), async (tx) => {
    const categories = new CategoryRepository(tx);
    if (!(await categories.byId(tenantId, id))) throw notFound('No such category.');
    if (await categories.slugTaken(tenantId, input.slug, id)) throw conflict(`A category with address "${input.slug}" already exists.`);
    const category = (await categories.update(tenantId, id, input))!;
    await record(tx, actor, tenantId, 'service-category.update', { type: 'service_category', id }, { slug: category.slug });
    return category;
  });
}

export async function createOffice(db: Executor, tenantId: string, input: OfficeInput, actor: CommandActor): Promise<Office> {
  return validated(db, validateOfficeInput(input), async (tx) => {
    const office = await new OfficeRepository(tx).create(tenantId, input);
    await record(tx, actor, tenantId, 'office.create', { type: 'office', id: office.id }, { name: office.name });
    return office;
  });
}

export async function updateOffice(db: Executor, tenantId: string, id: string, input: OfficeInput, actor: CommandActor): Promise<Office> {
  return validated(db, validateOfficeInput(input), async (tx) => {
    const office = await new OfficeRepository(tx).update(tenantId, id, input);
    if (!office) throw notFound('No such office.');
    await record(tx, actor, tenantId, 'office.update', { type: 'office', id }, { name: office.name });
    return office;
  });
}

/** Sets who works in the office; each must be an operator or admin of the same tenant. */
export async function setOfficeMembers(db: Executor, tenantId: string, officeId: string, staffUserIds: readonly string[], actor: CommandActor): Promise<void> {
  const members = [...new Set(staffUserIds)];
  await transaction(db, async (tx) => {
    const offices = new OfficeRepository(tx);
    if (!(await offices.byId(tenantId, officeId))) throw notFound('No such office.');
    const staff = new Set((await new StaffRepository(tx).listByTenant(tenantId)).map((s) => s.id));
    const strangers = members.filter((id) => !staff.has(id));
    if (strangers.length) throw invalid([{ pointer: '/body/members', code: 'unknown', detail: 'not staff of this ente' }]);
    await offices.setMembers(officeId, members);
    await record(tx, actor, tenantId, 'office.members.update', { type: 'office', id: officeId }, { members });
  });
}
