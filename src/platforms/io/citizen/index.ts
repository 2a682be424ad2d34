// The IO citizen app at /app: its session (only on these routes: the Services API never pays for it), the login,
// the onboarding, the pages, the backend JSON API (/app/api/v1) and the PWA files. Other parts of the app (the
// payments pages) register their routes through `areas`, inside the same session.
import type { App } from '../../../core/http.ts';
import { isLocale } from '../../../core/i18n.ts';
import { registerPageScope } from '../../../core/ui.ts';
import { SCHEMA } from '../schema.ts';
import { registerAppApi } from './api.ts';
import { registerEmailValidation } from './email-validation.ts';
import { registerMessagePages, type MessageExtras } from './pages/messages.ts';
import { registerOnboarding } from './pages/onboarding.ts';
import { registerProfilePages } from './pages/profile.ts';
import { registerServicePages } from './pages/services.ts';
import { registerPwa } from './pwa.ts';
import { registerAppLogin, type AppDeps } from './session.ts';

export type AppArea = (pages: App, deps: AppDeps) => Promise<void> | void;

export interface CitizenAppParts {
  /** More routes of the app (e.g. /app/pagamenti), registered with the app's session and CSRF. */
  areas?: readonly AppArea[];
  /** What a message page shows under the body (the payment box, the reminder link). */
  messageExtras?: MessageExtras;
}

export async function registerCitizenApp(app: App, deps: AppDeps, parts: CitizenAppParts = {}): Promise<void> {
  await registerPageScope(app, { db: deps.db, schema: SCHEMA, secret: deps.secret, cookieName: 'io_sid', secure: deps.publicUrl.startsWith('https:') }, async (pages) => {
    // The language chosen on a page stays for the next ones (the installed app has no address bar to keep ?lang=).
    pages.addHook('onRequest', async (request, reply) => {
      const chosen = (request.query as Record<string, unknown> | undefined)?.lang;
      if (isLocale(chosen) && chosen !== request.cookies.lang) reply.setCookie('lang', chosen, { path: '/', sameSite: 'lax', maxAge: 365 * 86400 });
    });
    await registerAppLogin(pages, deps);
    registerOnboarding(pages, deps);
    registerMessagePages(pages, deps, parts.messageExtras);
    registerServicePages(pages, deps);
    registerProfilePages(pages, deps);
    registerEmailValidation(pages, deps);
    registerPwa(pages);
    await registerAppApi(pages, deps);
    for (const area of parts.areas ?? []) await area(pages, deps);
  });
}
