// The inbox, the archive and a message (reference io.md §6 "Messages"): sender, subject, date, unread dot, due date
// and payment badges; opening a message marks it read; archive and un-archive by a form (POST, then redirect). The
// body is IO's Markdown subset with its CTAs; what other parts add under it (payment box, reminder) comes through
// `messageExtras`.
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { checkFormCsrf, redirectTo } from '../../../../core/auth/sessions.ts';
import { html, type SafeHtml } from '../../../../core/html.ts';
import type { App } from '../../../../core/http.ts';
import { formatEuroCents } from '../../../../core/i18n.ts';
import { pageCsrf } from '../../../../core/ui.ts';
import { parseCta } from '../../content/cta.ts';
import { renderMarkdown } from '../../content/markdown.ts';
import { changeMessageStatus, getMessage, listMessages, type InboxMessage } from '../inbox.ts';
import { appDate, appDateTime, appPage, setFlash } from '../layout.ts';
import { appT, type AppT } from '../messages.ts';
import { appCitizen, requireAppCitizen, type AppDeps } from '../session.ts';

export const INBOX = '/app/messaggi';
export const ARCHIVE = `${INBOX}/archivio`;
export const messagePath = (id: string) => `${INBOX}/${id}`;

/** What another part of the app shows under a message's body (the payment box, the calendar reminder). */
export type MessageExtras = (request: FastifyRequest, message: InboxMessage) => Promise<SafeHtml | ''> | SafeHtml | '';

const Ulid = Type.String({ pattern: '^[0-9A-Z]{26}$' });

function badges(tr: AppT, locale: string, m: InboxMessage): SafeHtml {
  const due = m.content.due_date ? new Date(m.content.due_date) : undefined;
  return html`${due ? html`<span class="badge bg-warning text-dark me-1">${tr('dueOn', { date: appDate(locale, due) })}</span>` : ''}${
    m.content.payment_data ? html`<span class="badge bg-primary">${tr('paymentBadge')} ${formatEuroCents(m.content.payment_data.amount, locale)}</span>` : ''
  }`;
}

function messageList(tr: AppT, locale: string, items: readonly InboxMessage[], empty: string): SafeHtml {
  if (!items.length) return html`<p>${empty}</p>`;
  return html`<ul class="list-group list-group-flush io-message-list">${items.map(
    (m) => html`<li class="list-group-item"><a class="d-block text-decoration-none" href="${messagePath(m.id)}">
  <div class="d-flex justify-content-between align-items-center small text-muted">
    <span>${m.organizationName} · ${m.serviceName}</span>
    <span>${m.isRead ? '' : html`<span class="io-unread me-1" aria-hidden="true"></span><span class="visually-hidden">${tr('unread')}, </span>`}<time datetime="${m.createdAt.toISOString()}">${appDate(locale, m.createdAt)}</time></span>
  </div>
  <div class="${m.isRead ? '' : 'fw-bold'}">${m.content.subject}</div>
  <div>${badges(tr, locale, m)}</div>
</a></li>`,
  )}</ul>`;
}

export function registerMessagePages(pages: App, deps: AppDeps, messageExtras: MessageExtras = () => ''): void {
  const listing = async (request: FastifyRequest, reply: FastifyReply, archived: boolean, before: string | undefined) => {
    const tr = appT(request.locale);
    const page = await listMessages(deps.db, appCitizen(request)!.fiscalCode, { archived, maximumId: before });
    const here = archived ? ARCHIVE : INBOX;
    const title = archived ? tr('archiveTitle') : tr('inboxTitle');
    const body = html`<div class="d-flex justify-content-between align-items-baseline"><h1 class="h3">${title}</h1>
<a href="${archived ? INBOX : ARCHIVE}">${archived ? tr('toInbox') : tr('toArchive')}</a></div>
${messageList(tr, request.locale, page.items, archived ? tr('archiveEmpty') : tr('inboxEmpty'))}
${page.next ? html`<p class="mt-3"><a class="btn btn-outline-primary" href="${here}?prima=${page.next}">${tr('olderMessages')}</a></p>` : ''}`;
    return appPage(request, reply, { title, body, active: 'messages' });
  };
  const listingSchema = { hide: true, querystring: Type.Object({ prima: Type.Optional(Ulid) }) };
  pages.get(INBOX, { config: { html: true }, schema: listingSchema, preHandler: requireAppCitizen }, (request, reply) => listing(request, reply, false, request.query.prima));
  pages.get(ARCHIVE, { config: { html: true }, schema: listingSchema, preHandler: requireAppCitizen }, (request, reply) => listing(request, reply, true, request.query.prima));

  pages.get(`${INBOX}/:id`, { config: { html: true }, schema: { hide: true, params: Type.Object({ id: Ulid }) }, preHandler: requireAppCitizen }, async (request, reply) => {
    const tr = appT(request.locale);
    const fiscalCode = appCitizen(request)!.fiscalCode;
    const m = await getMessage(deps.db, fiscalCode, request.params.id);
    if (!m.isRead) await changeMessageStatus(deps.db, fiscalCode, m.id, { changeType: 'reading' });
    const { body: markdown, ctas } = parseCta(m.content.markdown, request.locale);
    const body = html`<p><a href="${m.isArchived ? ARCHIVE : INBOX}">${m.isArchived ? tr('archiveTitle') : tr('toInbox')}</a></p>
<article aria-labelledby="subject">
  <p class="small text-muted mb-1">${tr('messageFrom')}: <strong>${m.organizationName}</strong> · ${m.serviceName}</p>
  <h1 id="subject" class="h3">${m.content.subject}</h1>
  <p class="small text-muted">${tr('receivedOn', { date: appDateTime(request.locale, m.createdAt) })} ${badges(tr, request.locale, m)}</p>
  <div class="io-message-body">${renderMarkdown(markdown)}</div>
  ${ctas.length ? html`<div class="d-grid gap-2 my-3">${ctas.map((c, i) => html`<a class="btn ${i === 0 ? 'btn-primary' : 'btn-outline-primary'}" href="${c.href}">${c.text}</a>`)}</div>` : ''}
  ${await messageExtras(request, m)}
</article>
<form method="post" action="${messagePath(m.id)}/archivio" class="mt-4">${pageCsrf(request)}
  <input type="hidden" name="archiviato" value="${m.isArchived ? 'no' : 'si'}">
  <button type="submit" class="btn btn-outline-secondary">${m.isArchived ? tr('unarchive') : tr('archive')}</button>
</form>`;
    return appPage(request, reply, { title: m.content.subject, body, active: 'messages' });
  });

  pages.post(
    `${INBOX}/:id/archivio`,
    { config: { html: true }, schema: { hide: true, params: Type.Object({ id: Ulid }), body: Type.Object({ archiviato: Type.Union([Type.Literal('si'), Type.Literal('no')]) }, { additionalProperties: true }) }, preHandler: requireAppCitizen },
    async (request, reply) => {
      checkFormCsrf(request, deps.secret);
      const archived = request.body.archiviato === 'si';
      await changeMessageStatus(deps.db, appCitizen(request)!.fiscalCode, request.params.id, { changeType: 'archiving', isArchived: archived });
      const tr = appT(request.locale);
      setFlash(request, 'success', archived ? tr('archivedDone') : tr('unarchivedDone'));
      return redirectTo(reply, archived ? INBOX : messagePath(request.params.id));
    },
  );
}
