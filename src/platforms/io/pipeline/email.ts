// EmailNotification (reference io.md §4.2): the message forwarded by e-mail to the citizen's validated address, only
// the first 134 characters of its body with the links removed, and a button to read it whole in the app.
import { sql, type Executor } from '../../../core/db.ts';
import { html } from '../../../core/html.ts';
import type { Locale } from '../../../core/i18n.ts';
import type { MailMessage, Mailer } from '../../../core/mail.ts';
import { SCHEMA } from '../schema.ts';
import type { StageOptions } from './lease.ts';
import { citizenLocale, pipelineT } from './messages.ts';
import { deliverDueNotifications, PermanentDeliveryError, settleEach, type LeasedNotification } from './notifications.ts';

/** The e-mail carries only this many characters of the body (reference io.md §4.2). */
export const EMAIL_PREVIEW_LENGTH = 134;

/** E-mails handed to the mailer at once per worker; it sends them over its pooled SMTP sessions (core/mail.ts). */
const EMAIL_CONCURRENCY = 16;

/** The body as plain text without links (a link in an e-mail is the phishing pattern IO avoids) nor Markdown markers. */
export function plainPreview(markdown: string, length = EMAIL_PREVIEW_LENGTH): string {
  const text = markdown
    .replace(/!\[[^\]]*\]\([^)]*\)/g, '') // images
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1') // [text](url) keeps its text
    .replace(/\[([^\]]*)\]\[[^\]]*\]/g, '$1') // [text][ref]
    .replace(/^\s*\[[^\]]+\]:\s*\S+.*$/gm, '') // [ref]: url
    .replace(/<[^>]*>/g, '') // autolinks and inline HTML
    .replace(/\b(?:https?|ftp):\/\/\S+/gi, '')
    .replace(/\bwww\.\S+/gi, '')
    .replace(/^ {0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)/gm, '') // headings, quotes, list markers
    .replace(/^ {0,3}(?:[-*_]\s*){3,}$/gm, '') // rules
    .replace(/(\*\*|__|\*|_|~~|`+)(?=\S)([^]*?\S)\1/g, '$2') // emphasis, strike, code
    .replace(/\s+/g, ' ')
    .trim();
  const chars = [...text];
  return chars.length > length ? `${chars.slice(0, length).join('').trimEnd()}…` : text;
}

/** One message, one Message-ID: a resend after a crash is recognised by the receiving side. */
export const emailMessageId = (messageId: string, ioUrl: string) => `<${messageId}.message@${new URL(ioUrl).hostname}>`;

export const messageAppUrl = (ioUrl: string, messageId: string) => `${ioUrl}/app/messaggi/${encodeURIComponent(messageId)}`;

export interface ForwardedMessage {
  messageId: string;
  subject: string;
  markdown: string;
  serviceName: string;
}

/** The e-mail of a message, in the citizen's language. */
export function forwardedEmail(message: ForwardedMessage, locale: Locale, ioUrl: string): Omit<MailMessage, 'to'> {
  const t = pipelineT(locale);
  const preview = plainPreview(message.markdown);
  const url = messageAppUrl(ioUrl, message.messageId);
  const intro = t('emailIntro', { service: message.serviceName });
  const text = [intro, '', message.subject, '', preview, '', `${t('emailOpen')}: ${url}`, '', t('emailMore'), '', '--', t('emailFooter')].join('\n');
  const body = html`<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><title>${message.subject}</title></head>
<body style="font-family: 'Titillium Web', Geneva, Tahoma, sans-serif; color: #17324d; line-height: 1.5">
<p>${intro}</p>
<h1 style="font-size: 1.25rem">${message.subject}</h1>
<p>${preview}</p>
<p><a href="${url}" style="display: inline-block; padding: 12px 24px; background: #0066cc; color: #ffffff; text-decoration: none; border-radius: 4px; font-weight: 600">${t('emailOpen')}</a></p>
<p>${t('emailMore')}</p>
<hr><p style="font-size: 0.875rem; color: #5c6f82">${t('emailFooter')}</p>
</body></html>`;
  return { subject: message.subject, text, html: body.toString(), messageId: emailMessageId(message.messageId, ioUrl) };
}

interface EmailRow {
  id: string;
  subject: string;
  markdown: string;
  email: string | null;
  preferred_languages: string[] | null;
  service_name: string | null;
}

/** The messages and their citizens' current addresses and languages, in one query for the batch. */
async function loadEmails(db: Executor, due: LeasedNotification[]): Promise<Map<string, EmailRow>> {
  const { rows } = await sql<EmailRow>`
    select m.id, m.content ->> 'subject' as subject, m.content ->> 'markdown' as markdown, p.email, p.preferred_languages, s.service_name
    from unnest(${due.map((n) => n.fiscalCode)}::text[], ${due.map((n) => n.messageId)}::text[]) as k (fiscal_code, id)
    join ${sql.table(`${SCHEMA}.messages`)} m on m.fiscal_code = k.fiscal_code and m.id = k.id
    left join ${sql.table(`${SCHEMA}.profiles`)} p on p.fiscal_code = m.fiscal_code and p.is_email_validated and p.is_email_enabled
    left join ${sql.table(`${SCHEMA}.services`)} s on s.service_id = m.sender_service_id`.execute(db);
  return new Map(rows.map((row) => [row.id, row]));
}

export interface EmailDeps {
  db: Executor;
  mailer: Mailer;
  ioUrl: string;
}

/** Sends one batch of due e-mail notifications; returns how many were taken (0: nothing due). */
export function sendDueEmails(deps: EmailDeps, options: StageOptions = {}): Promise<number> {
  return deliverDueNotifications(
    deps.db,
    'EMAIL',
    async (due) => {
      const rows = await loadEmails(deps.db, due);
      return settleEach(due, EMAIL_CONCURRENCY, async (notification) => {
        const row = rows.get(notification.messageId);
        // The citizen removed or invalidated the address since the message was processed.
        if (!row?.email) throw new PermanentDeliveryError('no validated e-mail address any more');
        const message = { messageId: row.id, subject: row.subject, markdown: row.markdown, serviceName: row.service_name ?? 'IO' };
        await deps.mailer.send({ to: row.email, ...forwardedEmail(message, citizenLocale(row.preferred_languages), deps.ioUrl) });
      });
    },
    // A batch as large as the sends at once: a worker killed mid-batch leaves few e-mails to be sent again.
    { batchSize: EMAIL_CONCURRENCY, ...options },
  );
}
