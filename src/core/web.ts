// Static assets and the HTML document shell shared by every app that has pages.
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { App } from './http.ts';
import { html, type SafeHtml } from './html.ts';
import type { Locale } from './i18n.ts';

const require = createRequire(import.meta.url);
export const BOOTSTRAP_ITALIA_DIST = path.join(path.dirname(require.resolve('bootstrap-italia/package.json')), 'dist');
export const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web');

/** Bootstrap Italia from its npm package (never copied) and our own files from web/. */
export async function registerAssets(app: App): Promise<void> {
  await app.register(fastifyStatic, { root: BOOTSTRAP_ITALIA_DIST, prefix: '/assets/bootstrap-italia/', decorateReply: false, maxAge: '1d' });
  await app.register(fastifyStatic, { root: WEB_DIR, prefix: '/assets/sportello/', decorateReply: false, maxAge: '1h' });
}

export interface DocumentInput {
  locale: Locale;
  title: string;
  body: SafeHtml;
  /** Extra stylesheet/script tags for this page. */
  head?: SafeHtml;
  description?: string;
}

export function spriteIcon(name: string, classes = 'icon'): SafeHtml {
  return html`<svg class="${classes}" aria-hidden="true" focusable="false"><use href="/assets/bootstrap-italia/svg/sprites.svg#${name}"></use></svg>`;
}

/** The full HTML document: Bootstrap Italia CSS and JS, language, title, description. */
export function documentShell(input: DocumentInput): string {
  return `<!doctype html>\n${html`<html lang="${input.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${input.title}</title>
${input.description ? html`<meta name="description" content="${input.description}">` : ''}
<link rel="icon" href="/assets/sportello/stemma.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/bootstrap-italia/css/bootstrap-italia.min.css">
<link rel="stylesheet" href="/assets/sportello/sportello.css">
<script src="/assets/sportello/public-path.js"></script>
${input.head ?? ''}
</head>
<body>
${input.body}
<script src="/assets/bootstrap-italia/js/bootstrap-italia.bundle.min.js"></script>
</body>
</html>`}`;
}
