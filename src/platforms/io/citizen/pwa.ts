// The app as a Progressive Web App: the web manifest (installable, opens on the inbox), the service worker at
// /app/sw.js (its scope is /app/, where it is served from) and the offline page it falls back to.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { html } from '../../../core/html.ts';
import type { App } from '../../../core/http.ts';
import { WEB_DIR } from '../../../core/web.ts';
import { APP_ASSETS, appPage } from './layout.ts';
import { appMessages, appT } from './messages.ts';

const SERVICE_WORKER = readFileSync(path.join(WEB_DIR, 'io', 'sw.js'), 'utf8');

/** The web app manifest (W3C Web Application Manifest), in Italian as the app's default. */
export function webManifest() {
  const it = appMessages.it;
  return {
    name: `${it.brand} — ${it.tagline}`,
    short_name: it.brand,
    lang: 'it',
    start_url: '/app/messaggi',
    scope: '/app/',
    display: 'standalone',
    background_color: '#ffffff',
    theme_color: '#0066cc',
    icons: [{ src: `${APP_ASSETS}/icon.svg`, sizes: 'any', type: 'image/svg+xml', purpose: 'any maskable' }],
  };
}

export function registerPwa(pages: App): void {
  pages.get('/app/manifest.webmanifest', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('application/manifest+json; charset=utf-8').header('cache-control', 'public, max-age=3600').send(JSON.stringify(webManifest())),
  );
  // Revalidated at every load so a new version takes over promptly.
  pages.get('/app/sw.js', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').header('service-worker-allowed', '/app/').send(SERVICE_WORKER),
  );
  pages.get('/app/offline', { config: { html: true }, schema: { hide: true } }, async (request, reply) => {
    const tr = appT(request.locale);
    return appPage(request, reply, { title: tr('offlineTitle'), body: html`<h1 class="h3">${tr('offlineTitle')}</h1><p>${tr('offlineText')}</p><p><a class="btn btn-primary" href="/app/messaggi">${tr('backHome')}</a></p>`, anonymous: true });
  });
}
