// Multi-step business operations of the comune platform, shared by pages, API, CLI and seed.
import { transaction, type Executor } from '../core/db.ts';
import { audit, type ActorType } from '../core/audit.ts';
import { conflict, invalid } from '../core/problem.ts';
import { TenantRepository, logoProblem, validateTenantInput, type Tenant, type TenantInput, type TenantSettings } from './tenants/tenants.ts';
import { StaffRepository, validateStaffInput, type StaffInput, type StaffUser } from './staff/staff.ts';

export interface CommandActor {
  type: ActorType;
  /** The acting account, API key or component (e.g. "cli", "seed"). */
  id: string;
  requestId?: string;
}

/** Validates and creates an ente; 400 naming the fields, 409 when slug or IPA code are taken. */
export async function createTenant(db: Executor, input: TenantInput, actor: CommandActor): Promise<Tenant> {
  const errors = validateTenantInput(input);
  if (errors.length) throw invalid(errors.map((e) => ({ ...e, pointer: `/body${e.pointer}` })));
  return transaction(db, async (tx) => {
    const tenant = await new TenantRepository(tx).create(input, tx);
    if (!tenant) throw conflict(`A tenant with slug "${input.slug}" or IPA code "${input.ipaCode}" already exists.`);
    await audit(tx, 'comune', { actorType: actor.type, actorId: actor.id, tenantId: tenant.id, action: 'tenant.create', targetType: 'tenant', targetId: tenant.id, details: { slug: tenant.slug, name: tenant.name }, requestId: actor.requestId });
    return tenant;
  });
}

/** Validates and creates a staff account; 400 naming the fields, 409 when the e-mail is taken. */
export async function createStaffUser(db: Executor, input: StaffInput, actor: CommandActor): Promise<StaffUser> {
  const errors = validateStaffInput(input);
  if (errors.length) throw invalid(errors.map((e) => ({ ...e, pointer: `/body${e.pointer}` })));
  return transaction(db, async (tx) => {
    const user = await new StaffRepository(tx).create(input, actor.id, tx);
    if (!user) throw conflict(`An account with e-mail ${input.email} already exists.`);
    await audit(tx, 'comune', { actorType: actor.type, actorId: actor.id, tenantId: user.tenantId, action: 'staff.create', targetType: 'staff_user', targetId: user.id, details: { role: user.role, email: user.email }, requestId: actor.requestId });
    return user;
  });
}

/** Validates the settings (same rules as at creation) and saves them; 400 naming the fields. */
export async function updateTenantSettings(db: Executor, tenant: Tenant, settings: TenantSettings, actor: CommandActor): Promise<Tenant> {
  const errors = validateTenantInput({ ...tenant, ...settings });
  if (errors.length) throw invalid(errors.map((e) => ({ ...e, pointer: `/body${e.pointer}` })));
  return transaction(db, async (tx) => {
    const updated = (await new TenantRepository(tx).updateSettings(tenant.id, settings, tx))!;
    const changed = (Object.keys(settings) as (keyof TenantSettings)[]).filter((key) => JSON.stringify(settings[key]) !== JSON.stringify(tenant[key]));
    await audit(tx, 'comune', { actorType: actor.type, actorId: actor.id, tenantId: tenant.id, action: 'tenant.settings.update', targetType: 'tenant', targetId: tenant.id, details: { changed }, requestId: actor.requestId });
    return updated;
  });
}

/** Replaces the ente's logo with a checked SVG (or restores the default with null). */
export async function updateTenantLogo(db: Executor, tenant: Tenant, svg: string | null, actor: CommandActor): Promise<void> {
  const problem = svg === null ? undefined : logoProblem(svg);
  if (problem) throw invalid([{ pointer: '/body/logo', code: problem, detail: 'an SVG file of at most 100 KB, without scripts or external references' }]);
  await transaction(db, async (tx) => {
    await new TenantRepository(tx).updateLogo(tenant.id, svg, tx);
    await audit(tx, 'comune', { actorType: actor.type, actorId: actor.id, tenantId: tenant.id, action: 'tenant.logo.update', targetType: 'tenant', targetId: tenant.id, details: { bytes: svg ? Buffer.byteLength(svg) : 0 }, requestId: actor.requestId });
  });
}
