// The developer back-office of public bodies under /backoffice: its own session cookie and CSRF, the staff
// sign-in (login.ts), and behind it the bodies and services (pages.ts) and each service's tools (tools.ts).
import type { FastifyInstance } from 'fastify';
import { checkFormCsrf } from '../../../core/auth/sessions.ts';
import { requireTenantStaff } from '../../../core/auth/staff-login.ts';
import type { App } from '../../../core/http.ts';
import { registerPageScope } from '../../../core/ui.ts';
import { SCHEMA } from '../schema.ts';
import { backofficeAccounts } from './accounts.ts';
import { BACKOFFICE } from './layout.ts';
import { registerBackofficeLogin, type BackofficeDeps } from './login.ts';
import { registerServicePages } from './pages.ts';
import { registerServiceTools } from './tools.ts';

export type { BackofficeDeps } from './login.ts';
export { BACKOFFICE, backofficeErrorPage } from './layout.ts';
export { backofficeMigrations } from './migrations.ts';
export { backofficeDemoAccounts, seedBackofficeAccounts } from './accounts.ts';

export async function registerBackoffice(app: App, deps: BackofficeDeps): Promise<void> {
  await registerPageScope(app, { db: deps.db, schema: SCHEMA, secret: deps.secret, cookieName: 'io_backoffice_sid', secure: deps.publicUrl.startsWith('https:') }, async (pages) => {
    registerBackofficeLogin(pages, deps);
    await pages.register(async (inner: FastifyInstance) => {
      const area = inner as App;
      area.addHook('onRequest', requireTenantStaff({ base: BACKOFFICE, accounts: backofficeAccounts(deps.db, deps.secret), sessionKey: 'ioStaff' }));
      // Every form of the area changes something: each post carries the session's CSRF token.
      area.addHook('preHandler', async (request) => {
        if (request.method === 'POST') checkFormCsrf(request, deps.secret);
      });
      registerServicePages(area, deps.db, deps.secret);
      registerServiceTools(area, deps.db, deps.secret, deps.publicUrl);
    });
  });
}
