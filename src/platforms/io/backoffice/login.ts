// Staff sign-in to the back-office: the core staff login of a body's staff or the platform operators (e-mail and
// password, then the TOTP code; sign-out ends the session) under /backoffice, kept in the session with their body.
import { registerTenantStaffLogin, staffLoginPath } from '../../../core/auth/staff-login.ts';
import type { Executor } from '../../../core/db.ts';
import type { App } from '../../../core/http.ts';
import { SCHEMA } from '../schema.ts';
import { getOrganization } from '../services/store.ts';
import { backofficeAccounts, OPERATOR_TENANT } from './accounts.ts';
import { BACKOFFICE, csrf, sendPage } from './layout.ts';
import { backofficeT } from './messages.ts';

export const LOGIN = staffLoginPath(BACKOFFICE);

export interface BackofficeDeps {
  db: Executor;
  secret: string;
  /** The IO app's public URL (the curl examples, Secure cookies on https). */
  publicUrl: string;
  loginRateLimit: number;
}

export function registerBackofficeLogin(pages: App, deps: BackofficeDeps): void {
  registerTenantStaffLogin(pages, {
    ...deps,
    base: BACKOFFICE,
    schema: SCHEMA,
    accounts: backofficeAccounts(deps.db, deps.secret),
    pendingKey: 'ioStaffPending',
    sessionKey: 'ioStaff',
    operatorTenant: OPERATOR_TENANT,
    organizationName: async (fiscalCode) => (await getOrganization(deps.db, fiscalCode))?.name,
    t: backofficeT,
    csrf,
    sendPage,
  });
}
