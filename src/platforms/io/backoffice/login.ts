// Staff sign-in to the back-office: the core staff login (e-mail and password, then the TOTP code; sign-out ends
// the session) under /backoffice, the staff member kept in the session with their body.
import type { FastifyRequest } from 'fastify';
import { audit } from '../../../core/audit.ts';
import type { LocalAccount } from '../../../core/auth/local-accounts.ts';
import { registerStaffLogin, staffLoginPath } from '../../../core/auth/staff-login.ts';
import type { Executor } from '../../../core/db.ts';
import type { App } from '../../../core/http.ts';
import { SCHEMA } from '../schema.ts';
import { getOrganization } from '../services/store.ts';
import { backofficeAccounts, OPERATOR_TENANT } from './accounts.ts';
import { BACKOFFICE, csrf, sendPage, type StaffSession } from './layout.ts';
import { backofficeT } from './messages.ts';

export const LOGIN = staffLoginPath(BACKOFFICE);

export interface BackofficeDeps {
  db: Executor;
  secret: string;
  /** The IO app's public URL (the curl examples, Secure cookies on https). */
  publicUrl: string;
  loginRateLimit: number;
}

/** What the session keeps of a staff member: their body's name, or none for an operator. */
async function staffSession(db: Executor, account: LocalAccount, operatorLabel: string): Promise<StaffSession | undefined> {
  if (account.tenantId === OPERATOR_TENANT) return { accountId: account.id, name: account.name, tenant: OPERATOR_TENANT, tenantName: operatorLabel };
  const organization = await getOrganization(db, account.tenantId);
  return organization && { accountId: account.id, name: account.name, tenant: organization.fiscalCode, tenantName: organization.name };
}

export function registerBackofficeLogin(pages: App, deps: BackofficeDeps): void {
  async function signedIn(request: FastifyRequest, account: LocalAccount): Promise<boolean> {
    const staff = await staffSession(deps.db, account, backofficeT(request.locale)('platformOperator'));
    if (!staff) return false;
    request.session.rotate();
    request.session.unset('ioStaffPending');
    request.session.set('ioStaff', staff);
    await audit(deps.db, SCHEMA, { actorType: 'operator', actorId: `staff:${account.id}`, action: 'backoffice.login', targetType: 'account', targetId: account.id, details: { tenant: staff.tenant }, requestId: request.id });
    return true;
  }

  registerStaffLogin(pages, {
    base: BACKOFFICE,
    accounts: backofficeAccounts(deps.db, deps.secret),
    secret: deps.secret,
    loginRateLimit: deps.loginRateLimit,
    pendingKey: 'ioStaffPending',
    heading: (locale) => ({ title: backofficeT(locale)('loginTitle'), intro: backofficeT(locale)('loginIntro') }),
    csrf,
    sendPage,
    signedIn,
  });
}
