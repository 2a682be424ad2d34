// The catcher's pages: the inbox and one message, with Bootstrap Italia. The HTML body of a mail
// is never inlined here: it is served by its own route into a sandboxed iframe.
import { attr, html, type SafeHtml } from '../../core/html.ts';
import { LOCALE_NAMES, LOCALES, translator, type Locale, type Translate } from '../../core/i18n.ts';
import { documentShell } from '../../core/web.ts';
import { messages, type MessageKey } from './messages.ts';
import type { MessageSummary, StoredMessage } from './store.ts';

type T = Translate<MessageKey>;

export interface PageContext {
  locale: Locale;
  /** The page's path and query, to switch language in place. */
  url: string;
}

/** The same URL with ?lang= set to the given locale. */
export function languageUrl(url: string, locale: Locale): string {
  const target = new URL(url, 'http://localhost');
  target.searchParams.set('lang', locale);
  return `${target.pathname}${target.search}`;
}

export function formatDateTime(date: Date, locale: Locale): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'medium', timeZone: 'Europe/Rome' }).format(date);
}

export function formatSize(bytes: number, locale: Locale): string {
  if (bytes < 1024) return new Intl.NumberFormat(locale, { style: 'unit', unit: 'byte' }).format(bytes);
  return new Intl.NumberFormat(locale, { style: 'unit', unit: 'kilobyte', maximumFractionDigits: 1 }).format(bytes / 1024);
}

function layout(ctx: PageContext, title: string, main: SafeHtml): string {
  const tr = translator(messages, ctx.locale);
  return documentShell({
    locale: ctx.locale,
    title: `${title} — ${tr('tagline')}`,
    body: html`<div class="skiplinks"><a href="#main">${tr('skipToContent')}</a></div>
<header class="it-header-wrapper">
  <div class="it-header-slim-wrapper"><div class="container"><div class="it-header-slim-wrapper-content">
    <span class="navbar-brand">${tr('tagline')}</span>
    <div class="it-header-slim-right-zone"><nav aria-label="${tr('languageNav')}"><ul class="list-inline mb-0">${LOCALES.map(
      (locale) =>
        html`<li class="list-inline-item"><a class="text-white" href="${languageUrl(ctx.url, locale)}" lang="${locale}" hreflang="${locale}"${attr('aria-current', locale === ctx.locale ? 'true' : null)}>${LOCALE_NAMES[locale]}</a></li>`,
    )}</ul></nav></div>
  </div></div></div>
  <div class="it-header-center-wrapper"><div class="container"><div class="it-header-center-content-wrapper">
    <div class="it-brand-wrapper"><a href="/"><div class="it-brand-text"><div class="it-brand-title">${tr('title')}</div></div></a></div>
  </div></div></div>
</header>
<main id="main" class="container my-5">
${main}
</main>`,
  });
}

const subjectText = (tr: T, subject: string) => subject || tr('noSubject');

export interface InboxView extends PageContext {
  messages: MessageSummary[];
  to: string | undefined;
  /** Where the SMTP side listens, or undefined when it is off. */
  smtpAddress: string | undefined;
}

export function inboxPage(view: InboxView): string {
  const tr = translator(messages, view.locale);
  const rows = view.messages.map(
    (m) => html`<tr>
  <td class="text-nowrap">${formatDateTime(m.receivedAt, view.locale)}</td>
  <td>${m.envelope.from ?? '<>'}</td>
  <td>${m.envelope.to.join(', ')}</td>
  <td><a href="/messages/${m.id}">${subjectText(tr, m.subject)}</a></td>
</tr>`,
  );
  return layout(
    view,
    tr('title'),
    html`<h1>${tr('title')}</h1>
<p class="lead">${tr('intro')}</p>
${view.smtpAddress ? html`<p>${tr('listening', { address: view.smtpAddress })}</p>` : html`<div class="alert alert-warning" role="alert">${tr('disabled')}</div>`}
<form method="get" action="/" class="row g-3 align-items-end my-4" role="search">
  <div class="col-12 col-md-6 form-group mb-0">
    <label for="to" class="active">${tr('filterLabel')}</label>
    <input class="form-control" type="email" id="to" name="to" aria-describedby="to-hint"${attr('value', view.to)}>
    <small id="to-hint" class="form-text">${tr('filterHint')}</small>
  </div>
  <div class="col-auto"><button type="submit" class="btn btn-primary">${tr('filter')}</button></div>
  ${view.to ? html`<div class="col-auto"><a class="btn btn-outline-primary" href="/">${tr('clearFilter')}</a></div>` : ''}
</form>
${
  view.messages.length
    ? html`<p>${tr('count', { count: view.messages.length })}</p>
<div class="table-responsive"><table class="table table-hover">
  <thead><tr><th scope="col">${tr('received')}</th><th scope="col">${tr('from')}</th><th scope="col">${tr('to')}</th><th scope="col">${tr('subject')}</th></tr></thead>
  <tbody>${rows}</tbody>
</table></div>`
    : html`<p class="alert alert-info">${view.to ? tr('emptyFiltered', { to: view.to }) : tr('empty')}</p>`
}`,
  );
}

export function messagePage(ctx: PageContext, message: StoredMessage): string {
  const tr = translator(messages, ctx.locale);
  const facts: [MessageKey, string][] = [
    ['received', formatDateTime(message.receivedAt, ctx.locale)],
    ['from', message.envelope.from ?? '<>'],
    ['to', message.envelope.to.join(', ')],
    ['sentAt', message.sentAt ? formatDateTime(message.sentAt, ctx.locale) : '—'],
    ['messageId', message.messageId ?? '—'],
    ['size', formatSize(message.rawSize, ctx.locale)],
  ];
  return layout(
    ctx,
    subjectText(tr, message.subject),
    html`<p><a href="/">← ${tr('back')}</a></p>
<h1 class="h2">${subjectText(tr, message.subject)}</h1>
<dl class="row">${facts.map(([key, value]) => html`<dt class="col-sm-3">${tr(key)}</dt><dd class="col-sm-9 text-break">${value}</dd>`)}</dl>
<details class="mb-4"><summary class="h5">${tr('headers')}</summary>
  <div class="table-responsive"><table class="table table-sm"><tbody>${message.headers.map(
    (h) => html`<tr><th scope="row" class="text-nowrap">${h.name}</th><td class="text-break">${h.value}</td></tr>`,
  )}</tbody></table></div>
</details>
<h2 class="h4">${tr('textBody')}</h2>
${message.text ? html`<pre class="border rounded p-3 text-wrap">${message.text}</pre>` : html`<p>${tr('noText')}</p>`}
${
  message.html
    ? html`<h2 class="h4 mt-4">${tr('htmlBody')}</h2>
<p class="form-text">${tr('htmlSandboxed')}</p>
<iframe sandbox="" referrerpolicy="no-referrer" src="/messages/${message.id}/html" title="${tr('htmlFrameTitle')}" class="w-100 border rounded" height="600"></iframe>`
    : ''
}`,
  );
}

export function errorPage(ctx: PageContext, error: { status: number; title: string; detail?: string; requestId: string }): string {
  const tr = translator(messages, ctx.locale);
  return layout(
    ctx,
    tr('errorTitle', { status: error.status }),
    html`<h1>${tr('errorTitle', { status: error.status })}</h1>
<p class="lead">${error.detail ?? error.title}</p>
<p><small>${tr('requestId', { id: error.requestId })}</small></p>
<p><a href="/">${tr('back')}</a></p>`,
  );
}
