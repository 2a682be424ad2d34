// The registry office (ufficio anagrafe) under /ufficio: sign-in, then — only for a signed-in officer whose
// account is still active, and with the CSRF token on every form — search, schede, births, declarations of
// residence and rectifications of the officer's comune. Every write is one service.ts call.
import type { FastifyInstance } from 'fastify';
import { checkFormCsrf, redirectTo } from '../../../core/auth/sessions.ts';
import type { App } from '../../../core/http.ts';
import type { PageRoutes } from '../web/index.ts';
import { officerOf } from '../web/session.ts';
import { officerAccounts } from './accounts.ts';
import { registerBirthPage } from './birth.ts';
import type { OfficeDeps } from './common.ts';
import { registerDeclarations } from './declarations.ts';
import { LOGIN, registerOfficeLogin } from './login.ts';
import { registerRecord } from './record.ts';
import { registerRectifications } from './rectifications.ts';
import { registerSearch } from './search.ts';

export type { OfficeDeps } from './common.ts';

export function officePages(deps: OfficeDeps): PageRoutes {
  return async (pages) => {
    registerOfficeLogin(pages, deps);
    const accounts = officerAccounts(deps.db, deps.secret);
    await pages.register(async (instance: FastifyInstance) => {
      const office = instance as App;
      office.addHook('preHandler', async (request, reply) => {
        const officer = officerOf(request);
        const account = officer && (await accounts.byId(officer.accountId));
        if (!officer || !account || account.tenantId !== officer.istatCode) {
          // A deactivated account (or one moved to another comune) loses its open sessions too.
          if (officer) request.session.unset('anprOfficer');
          return redirectTo(reply, LOGIN);
        }
        if (request.method === 'POST') checkFormCsrf(request, deps.secret);
      });
      registerSearch(office, deps);
      registerRecord(office, deps);
      registerBirthPage(office, deps);
      registerDeclarations(office, deps);
      registerRectifications(office, deps);
    });
  };
}
