// What the comune writes to a citizen, pure: the subject and the Markdown of each kind of message in the citizen's
// language, within IO's limits (subject 10–120, Markdown 80–10,000 characters: reference/io.md §1.4), the values
// the ente or the citizen typed escaped so IO shows them as text, and the CTA front-matter (§5.2) that opens the
// message in the personal area. The personal area shows the same text as plain paragraphs (plainParagraphs).
import { formatCalendarDate, formatEuroCents, type Locale } from '../../core/i18n.ts';
import { MESSAGE_LIMITS } from '../../clients/io/wire.ts';
import { statusName, STATUS, type StatusCode, type StatusName } from '../applications/states.ts';
import { messagingT, type MessagingKey } from './messages.ts';

export type MessageKind = 'status_change' | 'payment_notice' | 'payment_reminder' | 'outcome' | 'dues';

/** The statuses the citizen hears about as a status change; the outcome (7000, 9000) has its own message. */
const ANNOUNCED: readonly StatusName[] = ['submitted', 'registered', 'pending', 'requestIntegration', 'submittedAfterIntegration', 'registeredAfterIntegration', 'pendingAfterIntegration', 'withdrawn', 'revoked'];

/**
 * The message an application's new status gives the citizen, or undefined: drafts and the payment's own steps
 * (the payment notice tells them) are not announced.
 */
export function kindOfStatus(status: StatusCode): 'status_change' | 'outcome' | undefined {
  if (status === STATUS.complete || status === STATUS.cancelled) return 'outcome';
  return ANNOUNCED.includes(statusName(status)) ? 'status_change' : undefined;
}

interface ApplicationFacts {
  tenantName: string;
  serviceName: string;
  applicationId: string;
}

export interface PaymentFacts {
  tenantName: string;
  reason: string;
  amountCents: number;
  noticeNumber: string;
  payeeFiscalCode: string;
  /** The calendar day in Italy (YYYY-MM-DD). */
  dueDay: string;
}

export type MessageFacts =
  | ({ kind: 'status_change'; status: StatusCode; note: string | null; protocol: { number: number; year: number } | null } & ApplicationFacts)
  | ({ kind: 'outcome'; accepted: boolean; motivation: string | null } & ApplicationFacts)
  | ({ kind: 'payment_notice' | 'payment_reminder' | 'dues' } & PaymentFacts);

export interface Composed {
  subject: string;
  markdown: string;
}

const codePoints = (text: string) => Array.from(text);
const length = (text: string) => codePoints(text).length;

/** Cut to `max` characters (code points, as IO counts them), an ellipsis marking the cut. */
export function cut(text: string, max: number): string {
  const chars = codePoints(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}

/** Markdown's inline special characters taken literally (CommonMark backslash escapes), line breaks as spaces: values sit mid-paragraph. */
export function escapeMarkdown(text: string): string {
  return text.replace(/\s+/g, ' ').trim().replace(/[\\`*_{}[\]()#!|<>~]/g, (c) => `\\${c}`);
}

/** A subject IO accepts: 10 to 120 characters. */
export function fitSubject(subject: string, tenantName: string): string {
  const text = subject.replace(/\s+/g, ' ').trim();
  const long = length(text) >= MESSAGE_LIMITS.subject.min ? text : `${text} – ${tenantName}`;
  return cut(long.padEnd(MESSAGE_LIMITS.subject.min, '.'), MESSAGE_LIMITS.subject.max);
}

export function composeMessage(facts: MessageFacts, locale: Locale): Composed {
  const tr = messagingT(locale);
  const p = (key: MessagingKey, vars?: Record<string, string | number>) => tr(key, vars);
  const footer = p('messaging.footer', { tenant: escapeMarkdown(facts.tenantName) });
  let subject: string;
  let paragraphs: string[];
  if (facts.kind === 'status_change' || facts.kind === 'outcome') {
    const service = escapeMarkdown(facts.serviceName);
    const reference = p('messaging.reference', { id: facts.applicationId });
    if (facts.kind === 'status_change') {
      const name = statusName(facts.status);
      subject = tr('messaging.subject.status', { service: facts.serviceName, status: tr(`status.${name}`) });
      const protocol = facts.protocol ? p('messaging.status.protocol', facts.protocol) : '';
      paragraphs = [
        p('messaging.greeting'),
        p(`messaging.status.${name}` as MessagingKey, { service, tenant: escapeMarkdown(facts.tenantName), protocol }),
        ...(facts.note ? [p('messaging.note', { note: escapeMarkdown(facts.note) })] : []),
        reference,
      ];
    } else {
      const outcome = facts.accepted ? 'accepted' : 'rejected';
      subject = tr(`messaging.subject.${outcome}`, { service: facts.serviceName });
      paragraphs = [
        p('messaging.greeting'),
        p(`messaging.outcome.${outcome}`, { service }),
        ...(facts.motivation ? [p('messaging.outcome.motivation', { motivation: escapeMarkdown(facts.motivation) })] : []),
        p('messaging.outcome.letter'),
        reference,
      ];
    }
  } else {
    const due = formatCalendarDate(locale, facts.dueDay, 'long');
    const vars = { tenant: escapeMarkdown(facts.tenantName), amount: formatEuroCents(facts.amountCents, locale), reason: escapeMarkdown(facts.reason), due };
    subject = facts.kind === 'payment_reminder' ? tr('messaging.subject.reminder', { reason: facts.reason, due }) : tr('messaging.subject.notice', { reason: facts.reason });
    paragraphs = [
      ...(facts.kind === 'payment_reminder' ? [p('messaging.greeting'), p('messaging.reminder.body', vars)] : [p('messaging.notice.body', vars)]),
      p('messaging.notice.code', { nav: facts.noticeNumber, payee: facts.payeeFiscalCode }),
      p('messaging.notice.how'),
    ];
  }
  return { subject: fitSubject(subject, facts.tenantName), markdown: [...paragraphs, footer].join('\n\n') };
}

/** The CTA front-matter: a button to `href` (an https page of the personal area), in Italian and English (§5.2: only it, en). */
export function ctaFrontMatter(href: string): string {
  const quoted = (text: string) => JSON.stringify(text);
  const block = (locale: Locale) => `${locale}:\n    cta_1:\n        text: ${quoted(messagingT(locale)('messaging.cta'))}\n        action: ${quoted(`iohandledlink://${href}`)}`;
  return `---\n${block('it')}\n${block('en')}\n---\n`;
}

/** The Markdown sent to IO: the front-matter, then the text cut or completed to IO's 80–10,000 characters. */
export function ioMarkdown(markdown: string, href: string): string {
  const front = ctaFrontMatter(href);
  const room = MESSAGE_LIMITS.markdown.max - length(front);
  let body = cut(markdown, room);
  // Only a text shorter than IO's minimum is completed, with a line of dots.
  const missing = MESSAGE_LIMITS.markdown.min - length(front + body);
  if (missing > 0) body = `${body}\n\n${'.'.repeat(Math.max(1, missing - 2))}`;
  return front + body;
}

/** The message's text as plain paragraphs (escapes undone), for pages and e-mails that show it as text. */
export function plainParagraphs(markdown: string): string[] {
  return markdown
    .split(/\n{2,}/)
    .map((paragraph) => paragraph.replace(/\\(.)/g, '$1').trim())
    .filter(Boolean);
}
