// Staff sign-in to the back-office: the core staff login (e-mail and password, then the TOTP code, which every
// account has; sign-out ends the session) under /backoffice, the staff kept in the session with their institution.
import { registerTenantStaffLogin, staffLoginPath } from '../../../core/auth/staff-login.ts';
import type { Executor } from '../../../core/db.ts';
import type { App } from '../../../core/http.ts';
import { institutionByFiscalCode } from '../institutions.ts';
import { SCHEMA } from '../schema.ts';
import { backofficeAccounts, OPERATOR_TENANT } from './accounts.ts';
import { BACKOFFICE, csrf, sendPage } from './layout.ts';
import { consoleT } from './messages.ts';

export const LOGIN = staffLoginPath(BACKOFFICE);

export interface BackofficeDeps {
  db: Executor;
  secret: string;
  loginRateLimit: number;
}

export function registerBackofficeLogin(pages: App, deps: BackofficeDeps): void {
  registerTenantStaffLogin(pages, {
    ...deps,
    base: BACKOFFICE,
    schema: SCHEMA,
    accounts: backofficeAccounts(deps.db, deps.secret),
    pendingKey: 'pagopaStaffPending',
    sessionKey: 'pagopaStaff',
    // One person per session: a staff sign-in ends any citizen's on this browser.
    endsSessions: ['pagopaCitizen'],
    operatorTenant: OPERATOR_TENANT,
    organizationName: async (fiscalCode) => (await institutionByFiscalCode(deps.db, fiscalCode))?.companyName,
    t: consoleT,
    csrf,
    sendPage,
  });
}
