// What a tenant admin changes on an account of the ente: its role, whether it may log in, and the
// offices it works in (which decide the services whose applications it handles). One transaction, audited.
import { transaction, type Executor } from '../../core/db.ts';
import { audit } from '../../core/audit.ts';
import { invalid, notFound, type InvalidField } from '../../core/problem.ts';
import type { CommandActor } from '../commands.ts';
import { OfficeRepository } from '../catalog/offices.ts';
import { StaffRepository, type StaffUser } from './staff.ts';

export const TENANT_ROLES = ['operator', 'tenant_admin'] as const;
export type TenantRole = (typeof TENANT_ROLES)[number];

export interface StaffAccessInput {
  role: TenantRole;
  active: boolean;
  officeIds: readonly string[];
}

/**
 * Field rules for a change of access. An admin may not demote or disable their own account: the ente
 * would risk being left without anyone able to manage it.
 */
export function accessProblems(target: StaffUser, actorId: string, input: StaffAccessInput, tenantOffices: readonly string[]): InvalidField[] {
  const errors: InvalidField[] = [];
  if (!TENANT_ROLES.includes(input.role)) errors.push({ pointer: '/body/role', code: 'enum', detail: TENANT_ROLES.join(', ') });
  if (target.id === actorId && input.role !== target.role) errors.push({ pointer: '/body/role', code: 'self', detail: 'you cannot change your own role' });
  if (target.id === actorId && !input.active) errors.push({ pointer: '/body/active', code: 'self', detail: 'you cannot disable your own account' });
  if (input.officeIds.some((id) => !tenantOffices.includes(id))) errors.push({ pointer: '/body/offices', code: 'unknown', detail: 'not an office of this ente' });
  return errors;
}

/** Applies role, login permission and offices; ends the account's sessions when its role or permission changed. */
export async function updateStaffAccess(db: Executor, tenantId: string, staffId: string, input: StaffAccessInput, actor: CommandActor): Promise<StaffUser> {
  return transaction(db, async (tx) => {
    const staff = new StaffRepository(tx);
    const offices = new OfficeRepository(tx);
    const target = await staff.inTenant(tenantId, staffId);
    if (!target || target.role === 'platform_admin') throw notFound('No such account in this ente.');
    const all = await offices.list(tenantId);
    const errors = accessProblems(target, actor.id, input, all.map((o) => o.id));
    if (errors.length) throw invalid(errors);
    const wanted = new Set(input.officeIds);
    const added: string[] = [];
    const removed: string[] = [];
    for (const office of all) {
      const members = await offices.memberIds(office.id);
      const has = members.includes(staffId);
      if (has === wanted.has(office.id)) continue;
      (has ? removed : added).push(office.id);
      await offices.setMembers(office.id, has ? members.filter((m) => m !== staffId) : [...members, staffId]);
    }
    const accessChanged = target.role !== input.role || target.active !== input.active;
    if (accessChanged) {
      await staff.updateAccess(staffId, input.role, input.active, tx);
      await staff.endSessions(staffId, tx);
    }
    await audit(tx, 'comune', {
      actorType: actor.type,
      actorId: actor.id,
      tenantId,
      action: 'staff.update',
      targetType: 'staff_user',
      targetId: staffId,
      details: { role: input.role, active: input.active, officesAdded: added, officesRemoved: removed },
      requestId: actor.requestId,
    });
    return { ...target, role: input.role, active: input.active };
  });
}
