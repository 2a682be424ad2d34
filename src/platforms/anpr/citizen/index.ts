// The citizen area of ANPR (/cittadino): sign-in with SPID or CIE (login.ts), then the visura of the citizen
// and their family, certificates and self-declarations, the online declaration of change of residence,
// rectification requests, contacts, and who consulted their data. Every page needs a level-2 login.
import type { FastifyInstance } from 'fastify';
import type { App } from '../../../core/http.ts';
import type { PageRoutes } from '../web/index.ts';
import { registerAccessLog } from './access-log.ts';
import { registerCertificates } from './certificates.ts';
import { registerContacts } from './contacts.ts';
import type { CitizenDeps } from './context.ts';
import { anprRelyingParty, registerCitizenLogin, requireLogin } from './login.ts';
import { registerRectification } from './rectification.ts';
import { registerResidence } from './residence.ts';
import { registerVisura } from './visura.ts';

export type { CitizenDeps } from './context.ts';

/** The citizen area's routes, for registerAnprPages (they share its session and CSRF token). */
export function citizenArea(deps: CitizenDeps): PageRoutes {
  return async (pages) => {
    registerCitizenLogin(pages, deps, await anprRelyingParty(deps));
    await pages.register(async (instance: FastifyInstance) => {
      const area = instance as App;
      area.addHook('onRequest', async (request, reply) => requireLogin(request, reply));
      registerVisura(area, deps);
      registerCertificates(area, deps);
      registerResidence(area, deps);
      registerRectification(area, deps);
      registerContacts(area, deps);
      registerAccessLog(area, deps);
    });
  };
}
