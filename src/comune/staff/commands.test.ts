import { expect, it } from 'vitest';
import { accessProblems } from './commands.ts';
import type { StaffUser } from './staff.ts';

const anna: StaffUser = { id: 'anna', tenantId: 't', role: 'tenant_admin', email: 'a@x.it', givenName: 'Anna', familyName: 'Verdi', hasTotp: false, active: true };
const codes = (...args: Parameters<typeof accessProblems>) => accessProblems(...args).map((e) => `${e.pointer}:${e.code}`);

it("refuses a change of one's own role or login permission, unknown roles and other entes' offices", () => {
  expect(codes(anna, 'bruno', { role: 'operator', active: false, officeIds: ['o1'] }, ['o1', 'o2'])).toEqual([]);
  expect(codes(anna, 'anna', { role: 'tenant_admin', active: true, officeIds: ['o2'] }, ['o1', 'o2'])).toEqual([]);
  expect(codes(anna, 'anna', { role: 'operator', active: false, officeIds: [] }, [])).toEqual(['/body/role:self', '/body/active:self']);
  expect(codes(anna, 'bruno', { role: 'platform_admin' as never, active: true, officeIds: ['elsewhere'] }, ['o1'])).toEqual(['/body/role:enum', '/body/offices:unknown']);
});
