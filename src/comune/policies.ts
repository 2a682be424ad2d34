// Who may do what in the comune platform: one place, tested as a matrix of actors × actions.

export type Actor =
  | { kind: 'anonymous' }
  | { kind: 'citizen'; tenantId: string; fiscalCode: string }
  | { kind: 'staff'; role: 'operator' | 'tenant_admin'; tenantId: string; id: string }
  | { kind: 'staff'; role: 'platform_admin'; tenantId: null; id: string };

export type Action =
  | { type: 'citizen.readOwnProfile'; tenantId: string; fiscalCode: string }
  /** A payment asked of `fiscalCode` by the ente: its page, notice and receipts. */
  | { type: 'payment.readOwn'; tenantId: string; fiscalCode: string }
  | { type: 'backoffice.enter'; tenantId: string }
  | { type: 'tenant.readCitizens'; tenantId: string }
  | { type: 'tenant.manageOperators'; tenantId: string }
  | { type: 'tenant.readAudit'; tenantId: string }
  | { type: 'tenant.manageSettings'; tenantId: string }
  | { type: 'tenant.manageInteroperability'; tenantId: string }
  | { type: 'tenant.manageServices'; tenantId: string }
  | { type: 'tenant.manageOffices'; tenantId: string }
  /** The ente's pagoPA settings, budget chapters and the payment of each service. */
  | { type: 'tenant.managePayments'; tenantId: string }
  /** The ente's IO service for messages to citizens, and the messages IO rejected or that could not be sent. */
  | { type: 'tenant.manageMessaging'; tenantId: string }
  /** Browse the built-in protocol register, read its documents, annul entries, produce the daily register. */
  | { type: 'tenant.manageProtocolRegister'; tenantId: string }
  | { type: 'platform.manageTenants' }
  /** An application of a service whose office is `officeId` (null: no office in charge); `staffOffices` are the actor's offices. */
  | { type: 'application.read' | 'application.act'; tenantId: string; officeId: string | null; staffOffices: readonly string[] };

export function may(actor: Actor, action: Action): boolean {
  switch (action.type) {
    case 'citizen.readOwnProfile':
    case 'payment.readOwn':
      return actor.kind === 'citizen' && actor.tenantId === action.tenantId && actor.fiscalCode === action.fiscalCode;
    case 'backoffice.enter':
    case 'tenant.readCitizens':
      return actor.kind === 'staff' && actor.role !== 'platform_admin' && actor.tenantId === action.tenantId;
    case 'tenant.manageOperators':
    case 'tenant.readAudit':
    case 'tenant.manageSettings':
    case 'tenant.manageInteroperability':
    case 'tenant.manageServices':
    case 'tenant.manageOffices':
    case 'tenant.managePayments':
    case 'tenant.manageMessaging':
    case 'tenant.manageProtocolRegister':
      return actor.kind === 'staff' && actor.role === 'tenant_admin' && actor.tenantId === action.tenantId;
    case 'application.read':
    case 'application.act':
      // Operators handle only the services of their offices; the tenant admin the whole ente.
      if (actor.kind !== 'staff' || actor.role === 'platform_admin' || actor.tenantId !== action.tenantId) return false;
      return actor.role === 'tenant_admin' || (action.officeId !== null && action.staffOffices.includes(action.officeId));
    case 'platform.manageTenants':
      return actor.kind === 'staff' && actor.role === 'platform_admin';
  }
}
