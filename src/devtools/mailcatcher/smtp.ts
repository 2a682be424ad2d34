// The SMTP side of the catcher: accepts every message from any sender to any recipient, relays
// nothing, and stores it. Plain SMTP without AUTH or STARTTLS, meant for loopback only.
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { Executor } from '../../core/db.ts';
import { insertMessage, parseMessage, type Envelope } from './store.ts';

export const MAX_MESSAGE_BYTES = 25 * 1024 * 1024;

export interface SmtpCatcherOptions {
  db: Executor;
  schema: string;
  host: string;
  /** 0 for any free port (tests). */
  port: number;
  logger: Logger;
}

export interface SmtpCatcher {
  /** The port actually listened on. */
  port: number;
  close(): Promise<void>;
}

/** An error whose SMTP reply code the client sees (4xx: try again later, 5xx: give up). */
const smtpError = (message: string, responseCode: number) => Object.assign(new Error(message), { responseCode });

export function envelopeOf(session: SMTPServerSession): Envelope {
  const { mailFrom, rcptTo } = session.envelope;
  return { from: mailFrom ? mailFrom.address || null : null, to: rcptTo.map((r) => r.address) };
}

function readAll(stream: SMTPServerDataStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', reject);
    stream.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

export async function startSmtpCatcher(options: SmtpCatcherOptions): Promise<SmtpCatcher> {
  const { db, schema, logger } = options;

  async function receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<string> {
    const raw = await readAll(stream);
    if (stream.sizeExceeded) throw smtpError(`Message larger than ${MAX_MESSAGE_BYTES} bytes`, 552);
    const envelope = envelopeOf(session);
    try {
      const id = await insertMessage(db, schema, await parseMessage(raw, envelope));
      logger.info({ id, to: envelope.to }, 'mail caught');
      return `Caught as message ${id}`;
    } catch (err) {
      logger.error({ err }, 'could not store a caught message');
      throw smtpError('Could not store the message, try again later', 451);
    }
  }

  const server = new SMTPServer({
    name: 'sportello-mailcatcher',
    banner: 'Sportello mail catcher: nothing is relayed',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: MAX_MESSAGE_BYTES,
    logger: false,
    // Lets close() finish promptly even if a client keeps its connection open.
    closeTimeout: 2_000,
    onData(stream, session, callback) {
      receive(stream, session).then((reply) => callback(null, reply), callback);
    },
  });
  server.on('error', (err) => logger.warn({ err }, 'SMTP catcher connection error'));

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`The SMTP catcher cannot listen on ${options.host}:${options.port}: the port is in use (set SMTP_CATCHER_PORT)`) : err);
    server.server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.server.off('error', onError);
      resolve();
    });
  });
  return {
    port: (server.server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
