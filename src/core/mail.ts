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

export function createMailer(config: Config): Mailer {
  const transport = nodemailer.createTransport(config.smtp.url);
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
