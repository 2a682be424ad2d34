// Server-side sessions: the browser holds only a random id in an HttpOnly cookie; the database
// holds its SHA-256 and the data. Ids rotate at login (no fixation); idle and absolute expiry.
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../http.ts';
import { sql, type Executor } from '../db.ts';
import { sqlMigration } from '../migrations.ts';
import { CSRF_FIELD, assertCsrf, csrfToken } from './csrf.ts';

export const sessionMigrations = [
  sqlMigration(
    'core.sessions.001',
    `create table {schema}.sessions (
       id_hash text primary key,
       data jsonb not null,
       created_at timestamptz not null default now(),
       expires_at timestamptz not null,
       absolute_expires_at timestamptz not null
     )`,
    `create index sessions_expires_idx on {schema}.sessions (expires_at)`,
  ),
];

export const IDLE_TIMEOUT_SECONDS = 30 * 60;
export const ABSOLUTE_TIMEOUT_SECONDS = 12 * 60 * 60;
/** The idle expiry is slid forward by a request at most this often, so it runs out 29 to 30 minutes after the last one. */
const SLIDE_EVERY_SECONDS = 60;

export interface SessionData {
  /** Random per-session value the CSRF token is derived from. */
  csrfSeed: string;
  [key: string]: unknown;
}

export class Session<T extends SessionData = SessionData> {
  dirty = false;
  /** Its idle expiry was slid forward less than SLIDE_EVERY_SECONDS ago. */
  slidRecently = false;
  destroyed = false;
  rotated = false;
  constructor(
    public id: string,
    public data: T,
    readonly isNew: boolean,
  ) {}
  get<K extends keyof T>(key: K): T[K] {
    return this.data[key];
  }
  set<K extends keyof T>(key: K, value: T[K]): void {
    this.data[key] = value;
    this.dirty = true;
  }
  unset(key: keyof T): void {
    delete this.data[key];
    this.dirty = true;
  }
  /** New id and CSRF seed, same data: call on every privilege change (login). */
  rotate(): void {
    this.rotated = true;
    this.dirty = true;
    this.data.csrfSeed = randomBytes(16).toString('base64url');
  }
  destroy(): void {
    this.destroyed = true;
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    session: Session;
  }
}

const hashId = (id: string) => createHash('sha256').update(id).digest('base64url');
const newId = () => randomBytes(32).toString('base64url');

export interface SessionOptions {
  db: Executor;
  schema: string;
  secret: string;
  cookieName?: string;
  /** Secure cookies when the app is served over HTTPS. */
  secure: boolean;
}

export function registerSessions(app: App, options: SessionOptions): void {
  const table = sql.table(`${options.schema}.sessions`);
  const cookieName = options.cookieName ?? 'sportello_sid';

  app.decorateRequest('session', null as unknown as Session);

  app.addHook('onRequest', async (request) => {
    const id = request.cookies[cookieName];
    if (id) {
      const { rows } = await sql<{ data: SessionData; slid_recently: boolean }>`
        select data, expires_at > now() + make_interval(secs => ${IDLE_TIMEOUT_SECONDS - SLIDE_EVERY_SECONDS}) as slid_recently from ${table}
        where id_hash = ${hashId(id)} and expires_at > now() and absolute_expires_at > now()`.execute(options.db);
      if (rows[0]) {
        request.session = new Session(id, rows[0].data, false);
        request.session.slidRecently = rows[0].slid_recently;
        return;
      }
    }
    request.session = new Session(newId(), { csrfSeed: randomBytes(16).toString('base64url') }, true);
  });

  app.addHook('onSend', async (request, reply) => {
    const session = request.session;
    if (!session) return;
    const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: options.secure };
    if (session.destroyed) {
      if (!session.isNew) await sql`delete from ${table} where id_hash = ${hashId(session.id)}`.execute(options.db);
      reply.clearCookie(cookieName, cookieOptions);
      return;
    }
    if (session.rotated) {
      if (!session.isNew) {
        await sql`delete from ${table} where id_hash = ${hashId(session.id)}`.execute(options.db);
      }
      session.id = newId();
    }
    if (session.isNew || session.rotated) {
      if (!session.dirty) return; // anonymous visitors get no session until something is stored
      await insertSession(options.db, options.schema, session.id, session.data);
      reply.setCookie(cookieName, session.id, { ...cookieOptions, maxAge: ABSOLUTE_TIMEOUT_SECONDS });
      return;
    }
    // Existing session: slide the idle expiry (at most once a minute: a write per request otherwise), and save data when it changed.
    if (!session.dirty && session.slidRecently) return;
    await sql`
      update ${table}
      set expires_at = now() + make_interval(secs => ${IDLE_TIMEOUT_SECONDS})
          ${session.dirty ? sql`, data = ${JSON.stringify(session.data)}::jsonb` : sql``}
      where id_hash = ${hashId(session.id)}`.execute(options.db);
  });
}

/** Stores a new session under this id (the cookie's value); also used by bench/click-day.ts to sign in synthetic citizens. */
export async function insertSession(db: Executor, schema: string, id: string, data: SessionData): Promise<void> {
  await sql`
    insert into ${sql.table(`${schema}.sessions`)} (id_hash, data, expires_at, absolute_expires_at)
    values (${hashId(id)}, ${JSON.stringify(data)}::jsonb,
            now() + make_interval(secs => ${IDLE_TIMEOUT_SECONDS}),
            now() + make_interval(secs => ${ABSOLUTE_TIMEOUT_SECONDS}))`.execute(db);
}

/** A new random session id, as the browser's cookie holds it. */
export const newSessionId = newId;

/** The CSRF token to put in forms of this session (marks the session to be kept). */
export function formCsrfToken(request: FastifyRequest, secret: string): string {
  request.session.dirty = true;
  return csrfToken(secret, request.session.data.csrfSeed);
}

/** Checks the CSRF field of a form posted by a cookie-authenticated browser. */
export function checkFormCsrf(request: FastifyRequest, secret: string): void {
  const body = request.body as Record<string, unknown> | undefined;
  if (request.session.isNew) assertCsrf(secret, 'no-session', undefined);
  assertCsrf(secret, request.session.data.csrfSeed, body?.[CSRF_FIELD]);
}

export async function pruneExpiredSessions(db: Executor, schema: string): Promise<number> {
  const result = await sql`delete from ${sql.table(`${schema}.sessions`)} where expires_at <= now() or absolute_expires_at <= now()`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

export function redirectTo(reply: FastifyReply, location: string) {
  return reply.status(303).header('location', location).send();
}
