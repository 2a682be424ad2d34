// The ANPR web pages: assets, the session (only on page routes: the e-services never pay for it), the
// home page; the areas (citizen, registry office) register their routes through `registerAnprPages`.
import type { FastifyInstance } from 'fastify';
import { html } from '../../../core/html.ts';
import type { App } from '../../../core/http.ts';
import { registerSessions } from '../../../core/auth/sessions.ts';
import type { Executor } from '../../../core/db.ts';
import { registerPageCsrf } from '../../../core/ui.ts';
import { registerAssets } from '../../../core/web.ts';
import { SCHEMA } from '../schema.ts';
import { CITIZEN, OFFICE, sendPage } from './layout.ts';
import { webT } from './messages.ts';
import { citizenOf, officerOf } from './session.ts';

export interface AnprWebDeps {
  db: Executor;
  secret: string;
  /** The ANPR app's public URL (cookies are Secure on https). */
  publicUrl: string;
}

export type PageRoutes = (pages: App) => void | Promise<void>;

/** Registers the page areas inside one encapsulated plugin that has the session and the CSRF token. */
export async function registerAnprPages(app: App, deps: AnprWebDeps, areas: readonly PageRoutes[]): Promise<void> {
  await registerAssets(app);
  await app.register(async (instance: FastifyInstance) => {
    const pages = instance as App;
    registerSessions(pages, { db: deps.db, schema: SCHEMA, secret: deps.secret, cookieName: 'anpr_sid', secure: deps.publicUrl.startsWith('https:') });
    registerPageCsrf(pages, deps.secret);
    pages.get('/', { config: { html: true }, schema: { hide: true } }, async (request, reply) => {
      const tr = webT(request.locale);
      const card = (title: string, text: string, href: string, link: string) => html`<div class="col-md-4 mb-4"><div class="card card-bg h-100"><div class="card-body">
  <h2 class="card-title h4">${title}</h2><p class="card-text">${text}</p>
  <a class="btn btn-primary" href="${href}">${link}</a></div></div></div>`;
      const main = html`<h1>${tr('homeTitle')}</h1><p class="lead">${tr('homeIntro')}</p>
<div class="row mt-4">
  ${card(tr('citizenAreaTitle'), tr('citizenAreaText'), citizenOf(request) ? CITIZEN : `${CITIZEN}/accedi`, tr('citizenAreaLink'))}
  ${card(tr('officeTitle'), tr('officeText'), officerOf(request) ? OFFICE : `${OFFICE}/accedi`, tr('officeLink'))}
  ${card(tr('verifyTitle'), tr('verifyText'), '/verifica', tr('verifyLink'))}
</div>`;
      return sendPage(reply, request, { title: tr('homeTitle'), main });
    });
    for (const register of areas) await register(pages);
  });
}
