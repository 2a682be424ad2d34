// Events on NATS JetStream: one connection, opened at the first publication and re-established by the
// client after an outage, and one file-backed stream holding every subject under `sportello.>`.
// Publications carry Nats-Msg-Id, so JetStream drops a repeat of the same event (a job's retry).
import { connect, nanos, NatsError, StorageType, type ConnectionOptions, type NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { BACKOFF_MAX_MS } from '../jobs.ts';

export const EVENT_STREAM = 'SPORTELLO_EVENTS';
export const SUBJECT_ROOT = 'sportello';
/** Events older than this leave the stream: consumers are expected to catch up well within it. */
export const EVENT_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;
/** Longer than the longest pause between two attempts of a job, so a retry after a lost ack is still recognised. */
export const DUPLICATE_WINDOW_MS = 2 * BACKOFF_MAX_MS;
// nats-server errors.json: JSStreamNotFoundErr.
const STREAM_NOT_FOUND = 10059;

/** A subject token: NATS splits subjects at '.', reserves '*' and '>' and forbids whitespace; anything else odd becomes '_'. */
export function subjectToken(value: string): string {
  return value.replace(/[^A-Za-z0-9_-]/g, '_') || '_';
}

/** `sportello.<tenant>.<event type>`, the event type's dots kept as levels (application.2000), so consumers can filter `sportello.*.application.>`. */
export function eventSubject(tenant: string, eventType: string): string {
  return [SUBJECT_ROOT, subjectToken(tenant), ...eventType.split('.').map(subjectToken)].join('.');
}

/**
 * NATS_URL as the client's options: the client ignores a URL's scheme and credentials, so `tls://`
 * becomes required TLS, `user:password@` a login and a lone `token@` a token (the first URL's).
 */
export function natsConnectionOptions(servers: string): Pick<ConnectionOptions, 'servers' | 'user' | 'pass' | 'token' | 'tls'> {
  const urls = servers.split(',').map((server) => new URL(server.trim()));
  const withCredentials = urls.find((url) => url.username);
  const credentials = !withCredentials
    ? {}
    : withCredentials.password
      ? { user: decodeURIComponent(withCredentials.username), pass: decodeURIComponent(withCredentials.password) }
      : { token: decodeURIComponent(withCredentials.username) };
  return {
    servers: urls.map((url) => url.host),
    ...credentials,
    ...(urls.some((url) => url.protocol === 'tls:') ? { tls: {} } : {}),
  };
}

export interface PublishAck {
  /** Sequence of the message in the stream (the earlier one's for a duplicate). */
  sequence: number;
  /** JetStream had already stored a message with this id. */
  duplicate: boolean;
}

export interface EventPublisher {
  /** Stores the body on the subject; rejects when it is not acknowledged (the caller retries with the same id). */
  publish(subject: string, body: string, messageId: string): Promise<PublishAck>;
  /** Drains the connection (pending publications flushed) and closes it. */
  close(): Promise<void>;
}

export interface JetStreamPublisherOptions {
  /** NATS_URL: one server or a comma-separated list. */
  servers: string;
  /** The connection's name on the server's monitoring pages. */
  name: string;
  logger: Logger;
  /** How long a publication waits for its acknowledgement (default 5 s). */
  publishTimeoutMs?: number;
  /** Pause between reconnection attempts (default 2 s). */
  reconnectWaitMs?: number;
}

export function createJetStreamPublisher(options: JetStreamPublisherOptions): EventPublisher {
  const { logger } = options;
  const timeout = options.publishTimeoutMs ?? 5_000;
  const encoder = new TextEncoder();
  let connection: Promise<NatsConnection> | undefined;
  let streamReady = false;
  let closed = false;

  async function open(): Promise<NatsConnection> {
    const nc = await connect({
      ...natsConnectionOptions(options.servers),
      name: options.name,
      timeout,
      // After the first connection, outages are ridden out: the client keeps trying until close().
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: options.reconnectWaitMs ?? 2_000,
    });
    logger.info({ server: nc.getServer() }, 'connected to NATS');
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === 'disconnect') logger.warn({ server: status.data }, 'NATS connection lost; reconnecting');
        else if (status.type === 'reconnect') logger.info({ server: status.data }, 'NATS connection re-established');
        else if (status.type === 'error') logger.warn({ err: status.data }, 'NATS connection error');
      }
    })();
    void nc.closed().then((err) => {
      if (err) logger.error({ err }, 'NATS connection closed');
      // A closed connection is replaced by a fresh one at the next publication.
      if (!closed) connection = undefined;
      streamReady = false;
    });
    return nc;
  }

  function connected(): Promise<NatsConnection> {
    connection ??= open().catch((err) => {
      connection = undefined;
      throw err;
    });
    return connection;
  }

  /** Creates the stream when missing; an existing one is left as its operator tuned it. */
  async function ensureStream(nc: NatsConnection): Promise<void> {
    const jsm = await nc.jetstreamManager({ timeout });
    try {
      await jsm.streams.info(EVENT_STREAM);
    } catch (err) {
      if (!(err instanceof NatsError) || err.api_error?.err_code !== STREAM_NOT_FOUND) throw err;
      await jsm.streams.add({
        name: EVENT_STREAM,
        subjects: [`${SUBJECT_ROOT}.>`],
        storage: StorageType.File,
        max_age: nanos(EVENT_MAX_AGE_MS),
        duplicate_window: nanos(DUPLICATE_WINDOW_MS),
      });
      logger.info({ stream: EVENT_STREAM }, 'JetStream stream created');
    }
    streamReady = true;
  }

  return {
    async publish(subject, body, messageId) {
      if (closed) throw new Error('The JetStream publisher is closed');
      const nc = await connected();
      try {
        if (!streamReady) await ensureStream(nc);
        const ack = await nc.jetstream({ timeout }).publish(subject, encoder.encode(body), { msgID: messageId, timeout, expect: { streamName: EVENT_STREAM } });
        return { sequence: ack.seq, duplicate: ack.duplicate };
      } catch (err) {
        // The server may have come back without the stream (new storage): check it again next time.
        streamReady = false;
        throw err;
      }
    },
    async close() {
      closed = true;
      const nc = await connection?.catch(() => undefined);
      connection = undefined;
      if (!nc || nc.isClosed()) return;
      // drain() flushes through the server; during an outage it would wait for ever, so it gets the publish timeout.
      const drained = nc.drain().catch((err) => logger.warn({ err }, 'NATS drain failed'));
      await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, timeout).unref())]);
      if (!nc.isClosed()) await nc.close();
    },
  };
}
