// The pagoPA consoles: assets, the session (only on these page routes: the APIs never pay for it), the home
// page, the institutions' back-office (/backoffice) and the citizen's payments page (/pagamenti).
import type { Executor } from '../../../core/db.ts';
import { html } from '../../../core/html.ts';
import type { App } from '../../../core/http.ts';
import { registerPageScope } from '../../../core/ui.ts';
import { SCHEMA } from '../schema.ts';
import { backofficePages } from './backoffice.ts';
import { CITIZEN_LOGIN, citizenPages } from './citizen.ts';
import { BACKOFFICE, citizenOf, sendPage, staffOf } from './layout.ts';
import { consoleT } from './messages.ts';

export { consoleErrorPage } from './layout.ts';

export interface ConsoleDeps {
  db: Executor;
  secret: string;
  /** The pagoPA app's public URL (cookies are Secure on https; the relying party's entity id). */
  publicUrl: string;
  identityUrl: string;
  loginRateLimit: number;
}

export async function registerConsoles(app: App, deps: ConsoleDeps): Promise<void> {
  await registerPageScope(app, { db: deps.db, schema: SCHEMA, secret: deps.secret, cookieName: 'pagopa_sid', secure: deps.publicUrl.startsWith('https:') }, async (pages) => {
    pages.get('/', { config: { html: true }, schema: { hide: true } }, async (request, reply) => {
      const tr = consoleT(request.locale);
      const card = (title: string, text: string, href: string, link: string) => html`<div class="col-md-6 mb-4"><div class="card card-bg h-100"><div class="card-body">
  <h2 class="card-title h4">${title}</h2><p class="card-text">${text}</p>
  <a class="btn btn-primary" href="${href}">${link}</a></div></div></div>`;
      const main = html`<h1>${tr('homeTitle')}</h1><p class="lead">${tr('homeIntro')}</p>
<div class="row mt-4">
  ${card(tr('citizenCardTitle'), tr('citizenCardText'), citizenOf(request) ? '/pagamenti' : CITIZEN_LOGIN, tr('citizenCardLink'))}
  ${card(tr('backofficeCardTitle'), tr('backofficeCardText'), staffOf(request) ? BACKOFFICE : `${BACKOFFICE}/accedi`, tr('backofficeCardLink'))}
</div>`;
      return sendPage(reply, request, { title: tr('homeTitle'), main });
    });
    await backofficePages({ db: deps.db, secret: deps.secret, loginRateLimit: deps.loginRateLimit })(pages);
    await citizenPages({ db: deps.db, secret: deps.secret, publicUrl: deps.publicUrl, identityUrl: deps.identityUrl })(pages);
  });
}
