// Officers' sign-in: the core staff login (e-mail and password, then the TOTP code; sign-out ends the session)
// under /ufficio, the officer kept in the session with their comune.
import type { FastifyRequest } from 'fastify';
import { audit } from '../../../core/audit.ts';
import type { LocalAccount } from '../../../core/auth/local-accounts.ts';
import { registerStaffLogin, staffLoginPath } from '../../../core/auth/staff-login.ts';
import type { App } from '../../../core/http.ts';
import { municipalityByIstat } from '../../../domain/municipalities.ts';
import { SCHEMA } from '../schema.ts';
import { csrf, OFFICE, sendPage } from '../web/layout.ts';
import type { OfficerSession } from '../web/session.ts';
import { officerAccounts } from './accounts.ts';
import type { OfficeDeps } from './common.ts';
import { officeT } from './messages.ts';

export const LOGIN = staffLoginPath(OFFICE);

export function registerOfficeLogin(pages: App, deps: OfficeDeps): void {
  async function signedIn(request: FastifyRequest, account: LocalAccount): Promise<boolean> {
    const comune = municipalityByIstat(account.tenantId);
    const officer: OfficerSession = { accountId: account.id, name: account.name, istatCode: account.tenantId, comuneName: comune?.name ?? account.tenantId };
    request.session.rotate();
    request.session.unset('anprOfficerPending');
    // One person per session: an officer's sign-in ends any citizen's on this browser.
    request.session.unset('anprCitizen');
    request.session.set('anprOfficer', officer);
    await audit(deps.db, SCHEMA, { actorType: 'operator', actorId: `officer:${account.id}`, tenantId: account.tenantId, action: 'officer.login', targetType: 'officer', targetId: account.id, details: { secondFactor: true }, requestId: request.id });
    return true;
  }

  registerStaffLogin(pages, {
    base: OFFICE,
    accounts: officerAccounts(deps.db, deps.secret),
    secret: deps.secret,
    loginRateLimit: deps.loginRateLimit,
    pendingKey: 'anprOfficerPending',
    heading: (locale) => ({ title: officeT(locale)('loginTitle'), intro: officeT(locale)('loginIntro') }),
    csrf,
    sendPage,
    signedIn,
  });
}
