// Staff sign-in to the back-office: the core staff login (e-mail and password, then the TOTP code, which every
// account has; sign-out ends the session) under /backoffice, the staff kept in the session with their institution.
import type { FastifyRequest } from 'fastify';
import { audit } from '../../../core/audit.ts';
import type { LocalAccount } from '../../../core/auth/local-accounts.ts';
import { registerStaffLogin, staffLoginPath } from '../../../core/auth/staff-login.ts';
import type { Executor } from '../../../core/db.ts';
import type { App } from '../../../core/http.ts';
import { institutionByFiscalCode } from '../institutions.ts';
import { SCHEMA } from '../schema.ts';
import { backofficeAccounts, OPERATOR_TENANT } from './accounts.ts';
import { BACKOFFICE, csrf, sendPage, type StaffSession } from './layout.ts';
import { consoleT } from './messages.ts';

export const LOGIN = staffLoginPath(BACKOFFICE);

export interface BackofficeDeps {
  db: Executor;
  secret: string;
  loginRateLimit: number;
}

/** What the session keeps of a staff member: their institution's name, or none for an operator. */
export async function staffSession(db: Executor, account: LocalAccount, operatorLabel: string): Promise<StaffSession | undefined> {
  if (account.tenantId === OPERATOR_TENANT) return { accountId: account.id, name: account.name, tenant: OPERATOR_TENANT, tenantName: operatorLabel };
  const institution = await institutionByFiscalCode(db, account.tenantId);
  return institution && { accountId: account.id, name: account.name, tenant: institution.fiscalCode, tenantName: institution.companyName };
}

export function registerBackofficeLogin(pages: App, deps: BackofficeDeps): void {
  async function signedIn(request: FastifyRequest, account: LocalAccount): Promise<boolean> {
    const staff = await staffSession(deps.db, account, consoleT(request.locale)('platformOperator'));
    if (!staff) return false;
    request.session.rotate();
    request.session.unset('pagopaStaffPending');
    // One person per session: a staff sign-in ends any citizen's on this browser.
    request.session.unset('pagopaCitizen');
    request.session.set('pagopaStaff', staff);
    await audit(deps.db, SCHEMA, { actorType: 'operator', actorId: `staff:${account.id}`, action: 'backoffice.login', targetType: 'account', targetId: account.id, details: { tenant: staff.tenant }, requestId: request.id });
    return true;
  }

  registerStaffLogin(pages, {
    base: BACKOFFICE,
    accounts: backofficeAccounts(deps.db, deps.secret),
    secret: deps.secret,
    loginRateLimit: deps.loginRateLimit,
    pendingKey: 'pagopaStaffPending',
    heading: (locale) => ({ title: consoleT(locale)('loginTitle'), intro: consoleT(locale)('loginIntro') }),
    csrf,
    sendPage,
    signedIn,
  });
}
