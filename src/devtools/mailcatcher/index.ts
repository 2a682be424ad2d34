// The mail catcher: an SMTP server that keeps every message the system sends, a web inbox to read
// them, and a JSON API so tests can fetch the mail they caused. For development and tests only.
import { Type, type Static } from '@sinclair/typebox';
import { sql } from '../../core/db.ts';
import { createHttpApp, type App } from '../../core/http.ts';
import { notFound } from '../../core/problem.ts';
import type { AppContext, AppModule } from '../../core/runtime.ts';
import { registerAssets } from '../../core/web.ts';
import { errorPage, inboxPage, messagePage } from './pages.ts';
import { startSmtpCatcher } from './smtp.ts';
import { deleteMessages, getMessage, listMessages, mailMigrations, type MessageSummary, type StoredMessage } from './store.ts';

const SCHEMA = 'mail';
/** Loopback only: the catcher accepts anything from anyone and must not be reachable from outside. */
export const SMTP_HOST = '127.0.0.1';

// A mail stored for display: the HTML body is shown only sandboxed, without network or scripts.
const HTML_BODY_CSP = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; frame-ancestors 'self'";

const DateTime = Type.String({ format: 'date-time' });
const Nullable = <S extends ReturnType<typeof Type.String>>(schema: S) => Type.Union([schema, Type.Null()]);

const MessageSummarySchema = Type.Object({
  id: Type.Integer(),
  receivedAt: DateTime,
  from: Nullable(Type.String({ description: 'envelope sender (MAIL FROM); null for the null sender' })),
  to: Type.Array(Type.String(), { description: 'envelope recipients (RCPT TO), Cc and Bcc included' }),
  subject: Type.String(),
  date: Nullable(Type.String({ format: 'date-time', description: 'the Date header' })),
  messageId: Nullable(Type.String({ description: 'the Message-ID header, with its angle brackets' })),
  size: Type.Integer({ description: 'bytes of the raw message' }),
});

const MessageSchema = Type.Composite([
  MessageSummarySchema,
  Type.Object({
    text: Nullable(Type.String()),
    html: Nullable(Type.String()),
    headers: Type.Array(Type.Object({ name: Type.String(), value: Type.String() })),
  }),
]);

const FilterQuery = Type.Object({
  to: Type.Optional(Type.String({ format: 'email', description: 'only mail delivered to this address' })),
  since: Type.Optional(Type.String({ format: 'date-time', description: 'only mail received at or after this instant' })),
});

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

function toSummaryJson(m: MessageSummary): Static<typeof MessageSummarySchema> {
  return {
    id: m.id,
    receivedAt: m.receivedAt.toISOString(),
    from: m.envelope.from,
    to: m.envelope.to,
    subject: m.subject,
    date: m.sentAt?.toISOString() ?? null,
    messageId: m.messageId,
    size: m.rawSize,
  };
}

const toFilter = (query: Static<typeof FilterQuery>) => ({ to: query.to, since: query.since ? new Date(query.since) : undefined });

async function findMessage(ctx: AppContext, id: number): Promise<StoredMessage> {
  const message = await getMessage(ctx.database.db, SCHEMA, id);
  if (!message) throw notFound(`No caught message ${id}`);
  return message;
}

export async function buildMailHttp(ctx: AppContext): Promise<App> {
  const { config } = ctx;
  const db = ctx.database.db;
  const app = await createHttpApp({
    name: 'mail',
    title: 'Sportello mail catcher',
    description: 'Every e-mail the system sends, caught over SMTP: read it, filter it by recipient, delete it.',
    publicUrl: config.urls.mail,
    logLevel: config.logLevel,
    trustProxy: config.trustProxy,
    renderErrorPage: (request, input) => errorPage({ locale: request.locale, url: request.url }, input),
    healthChecks: { database: async () => void (await sql`select 1`.execute(db)) },
  });
  await registerAssets(app);

  app.get(
    '/api/messages',
    {
      schema: {
        tags: ['mail'],
        summary: 'Caught messages, newest first',
        querystring: Type.Composite([FilterQuery, Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })) })]),
        response: { 200: Type.Object({ messages: Type.Array(MessageSummarySchema) }) },
      },
    },
    async (request) => ({
      messages: (await listMessages(db, SCHEMA, toFilter(request.query), request.query.limit ?? 100)).map(toSummaryJson),
    }),
  );

  app.get(
    '/api/messages/:id',
    {
      schema: {
        tags: ['mail'],
        summary: 'One caught message with its bodies and headers',
        params: IdParams,
        response: { 200: MessageSchema, 404: Type.Ref('Problem') },
      },
    },
    async (request) => {
      const message = await findMessage(ctx, request.params.id);
      return { ...toSummaryJson(message), text: message.text, html: message.html, headers: message.headers };
    },
  );

  app.delete(
    '/api/messages',
    {
      schema: {
        tags: ['mail'],
        summary: 'Deletes the caught messages (those matching the filter, if any)',
        querystring: FilterQuery,
        response: { 200: Type.Object({ deleted: Type.Integer() }) },
      },
    },
    async (request) => ({ deleted: await deleteMessages(db, SCHEMA, toFilter(request.query)) }),
  );

  app.get(
    '/',
    { schema: { hide: true, querystring: Type.Object({ to: Type.Optional(Type.String()) }) }, config: { html: true } },
    async (request, reply) => {
      const to = request.query.to?.trim() || undefined;
      const page = inboxPage({
        locale: request.locale,
        url: request.url,
        to,
        messages: await listMessages(db, SCHEMA, { to }, 500),
        smtpAddress: config.smtp.catcherEnabled ? `${SMTP_HOST}:${config.smtp.catcherPort}` : undefined,
      });
      return reply.type('text/html; charset=utf-8').send(page);
    },
  );

  app.get('/messages/:id', { schema: { hide: true, params: IdParams }, config: { html: true } }, async (request, reply) =>
    reply.type('text/html; charset=utf-8').send(messagePage({ locale: request.locale, url: request.url }, await findMessage(ctx, request.params.id))),
  );

  app.get('/messages/:id/html', { schema: { hide: true, params: IdParams }, config: { html: true } }, async (request, reply) => {
    const message = await findMessage(ctx, request.params.id);
    if (!message.html) throw notFound(`Message ${message.id} has no HTML body`);
    return reply
      .header('content-security-policy', HTML_BODY_CSP)
      .header('x-frame-options', 'SAMEORIGIN')
      .type('text/html; charset=utf-8')
      .send(message.html);
  });

  return app;
}

const mailcatcher: AppModule = {
  name: 'mail',
  title: 'Mail catcher — the e-mails the system sends, for development',
  migrations: mailMigrations,
  buildHttp: buildMailHttp,
  async startBackground(ctx) {
    if (!ctx.config.smtp.catcherEnabled) return async () => undefined;
    const catcher = await startSmtpCatcher({
      db: ctx.database.db,
      schema: SCHEMA,
      host: SMTP_HOST,
      port: ctx.config.smtp.catcherPort,
      logger: ctx.logger.child({ app: 'mail' }),
    });
    ctx.logger.info({ app: 'mail' }, `SMTP catcher listening on ${SMTP_HOST}:${catcher.port}`);
    return () => catcher.close();
  },
};

export default mailcatcher;
