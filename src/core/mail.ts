// Outgoing e-mail over SMTP: the local catcher in the embedded default, a real relay by SMTP_URL.
import nodemailer from 'nodemailer';
import type { Config } from './config.ts';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Stable id so a retried send can be recognised downstream (Message-ID). */
  messageId?: string;
  headers?: Record<string, string>;
}

export interface Mailer {
  send(message: MailMessage): Promise<{ messageId: string }>;
  close(): void;
}

/** SMTP sessions kept open at once; each carries up to MAX_MESSAGES_PER_SESSION e-mails before it is renewed. */
const MAX_SESSIONS = 8;
const MAX_MESSAGES_PER_SESSION = 100;
/** A session idle this long is closed, so a quiet app holds no connection to the relay. */
const SESSION_IDLE_MS = 1_000;

/** One pooled transport per app: an e-mail reuses an open SMTP session rather than opening its own. */
export function createMailer(config: Config): Mailer {
  const transport = nodemailer.createTransport({
    url: config.smtp.url,
    pool: true,
    maxConnections: MAX_SESSIONS,
    maxMessages: MAX_MESSAGES_PER_SESSION,
    idleTimeout: SESSION_IDLE_MS,
  });
  return {
    async send(message) {
      const info = await transport.sendMail({
        from: config.smtp.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId: message.messageId,
        headers: message.headers,
      });
      return { messageId: info.messageId };
    },
    close: () => transport.close(),
  };
}
