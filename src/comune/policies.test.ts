import { describe, expect, it } from 'vitest';
import { may, type Action, type Actor } from './policies.ts';

const A = 'tenant-a';
const B = 'tenant-b';
const actors: Record<string, Actor> = {
  anonymous: { kind: 'anonymous' },
  citizenA: { kind: 'citizen', tenantId: A, fiscalCode: 'RSSMRA85T10A562S' },
  operatorA: { kind: 'staff', role: 'operator', tenantId: A, id: 'o1' },
  adminA: { kind: 'staff', role: 'tenant_admin', tenantId: A, id: 'a1' },
  operatorB: { kind: 'staff', role: 'operator', tenantId: B, id: 'o2' },
  platformAdmin: { kind: 'staff', role: 'platform_admin', tenantId: null, id: 'p1' },
};

// Each row: the action and the actors allowed to do it; everyone else must be refused.
const matrix: [Action, string[]][] = [
  [{ type: 'citizen.readOwnProfile', tenantId: A, fiscalCode: 'RSSMRA85T10A562S' }, ['citizenA']],
  [{ type: 'citizen.readOwnProfile', tenantId: A, fiscalCode: 'VRDLGI90A41G702X' }, []],
  [{ type: 'citizen.readOwnProfile', tenantId: B, fiscalCode: 'RSSMRA85T10A562S' }, []],
  [{ type: 'backoffice.enter', tenantId: A }, ['operatorA', 'adminA']],
  [{ type: 'backoffice.enter', tenantId: B }, ['operatorB']],
  [{ type: 'tenant.readCitizens', tenantId: A }, ['operatorA', 'adminA']],
  [{ type: 'tenant.manageOperators', tenantId: A }, ['adminA']],
  [{ type: 'tenant.manageOperators', tenantId: B }, []],
  [{ type: 'tenant.readAudit', tenantId: A }, ['adminA']],
  [{ type: 'tenant.manageSettings', tenantId: A }, ['adminA']],
  [{ type: 'tenant.manageSettings', tenantId: B }, []],
  [{ type: 'tenant.manageInteroperability', tenantId: A }, ['adminA']],
  [{ type: 'tenant.manageInteroperability', tenantId: B }, []],
  [{ type: 'tenant.manageServices', tenantId: A }, ['adminA']],
  [{ type: 'tenant.manageServices', tenantId: B }, []],
  [{ type: 'tenant.manageOffices', tenantId: A }, ['adminA']],
  [{ type: 'tenant.manageOffices', tenantId: B }, []],
  [{ type: 'tenant.manageProtocolRegister', tenantId: A }, ['adminA']],
  [{ type: 'tenant.manageProtocolRegister', tenantId: B }, []],
  [{ type: 'tenant.managePayments', tenantId: A }, ['adminA']],
  [{ type: 'tenant.managePayments', tenantId: B }, []],
  [{ type: 'tenant.manageMessaging', tenantId: A }, ['adminA']],
  [{ type: 'tenant.manageMessaging', tenantId: B }, []],
  [{ type: 'payment.readOwn', tenantId: A, fiscalCode: 'RSSMRA85T10A562S' }, ['citizenA']],
  [{ type: 'payment.readOwn', tenantId: A, fiscalCode: 'VRDLGI90A41G702X' }, []],
  [{ type: 'payment.readOwn', tenantId: B, fiscalCode: 'RSSMRA85T10A562S' }, []],
  [{ type: 'platform.manageTenants' }, ['platformAdmin']],
  ...(['application.read', 'application.act'] as const).flatMap((type): [Action, string[]][] => [
    [{ type, tenantId: A, officeId: 'office-1', staffOffices: ['office-1'] }, ['operatorA', 'adminA']],
    [{ type, tenantId: A, officeId: 'office-2', staffOffices: ['office-1'] }, ['adminA']],
    [{ type, tenantId: A, officeId: null, staffOffices: ['office-1'] }, ['adminA']],
    [{ type, tenantId: B, officeId: 'office-1', staffOffices: ['office-1'] }, ['operatorB']],
  ]),
];

describe('comune policies', () => {
  for (const [action, allowed] of matrix) {
    for (const [name, actor] of Object.entries(actors)) {
      const expected = allowed.includes(name);
      it(`${name} ${expected ? 'may' : 'may not'} ${action.type} ${JSON.stringify(action)}`, () => {
        expect(may(actor, action)).toBe(expected);
      });
    }
  }
});
