// How apps are described, migrated, seeded and started: the same path for the embedded
// all-in-one process and for one app running alone against a shared PostgreSQL.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pino, { type Logger } from 'pino';
import type { AppName, Config } from './config.ts';
import { openDatabase, sql, type Database } from './db.ts';
import { migrateSchema, type Migration } from './migrations.ts';
import type { App } from './http.ts';
import { createMailer, type Mailer } from './mail.ts';

export interface AppContext {
  config: Config;
  database: Database;
  /** Secret for cookies, CSRF tokens and local key material. */
  secret: string;
  logger: Logger;
  mailer: Mailer;
}

export interface DemoAccount {
  who: string;
  login: string;
  secret: string;
}

export interface AppModule {
  name: AppName;
  /** One line for the start-up table. */
  title: string;
  /** Migrations of this app's own schema (named after the app). */
  migrations: Migration[];
  /** Idempotent demo data; runs after every app has migrated. */
  seedDemo?(ctx: AppContext): Promise<void>;
  /** Builds the HTTP app (not yet listening). */
  buildHttp(ctx: AppContext): Promise<App>;
  /** Background work beside the HTTP server (job workers, an SMTP listener...); returns its stop. */
  startBackground?(ctx: AppContext): Promise<() => Promise<void>>;
  /** What a person can log in with, for the start-up table and the README. */
  demoAccounts?(ctx: AppContext): DemoAccount[];
}

/** The configured secret, or one generated on first start and kept beside the embedded data. */
export function resolveSecret(config: Config): string {
  if (config.secret) return config.secret;
  const file = path.join(config.dataDir, 'secret');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    fs.mkdirSync(config.dataDir, { recursive: true });
    const secret = randomBytes(32).toString('base64url');
    fs.writeFileSync(file, secret, { mode: 0o600 });
    return secret;
  }
}

/** Opens the configured database, or uses the given one (tests bring a fresh database each). */
export async function createContext(config: Config, existing?: Database): Promise<AppContext> {
  const logger = pino({ level: config.logLevel });
  const database = existing ?? (await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
  return { config, database, secret: resolveSecret(config), logger, mailer: createMailer(config) };
}

export async function migrateApps(ctx: AppContext, modules: AppModule[]): Promise<Record<string, string[]>> {
  const applied: Record<string, string[]> = {};
  for (const module of modules) {
    const result = await migrateSchema(ctx.database.db, module.name, module.migrations);
    applied[module.name] = result.applied;
  }
  return applied;
}

export async function seedApps(ctx: AppContext, modules: AppModule[]): Promise<void> {
  for (const module of modules) await module.seedDemo?.(ctx);
}

export interface RunningApp {
  module: AppModule;
  http: App;
  url: string;
  stopBackground?: () => Promise<void>;
}

export async function startApps(ctx: AppContext, modules: AppModule[]): Promise<RunningApp[]> {
  const running: RunningApp[] = [];
  try {
    for (const module of modules) {
      const http = await module.buildHttp(ctx);
      await http.listen({ port: ctx.config.ports[module.name], host: ctx.config.host });
      const stopBackground = await module.startBackground?.(ctx);
      running.push({ module, http, url: ctx.config.urls[module.name], stopBackground });
    }
  } catch (err) {
    await stopApps(running);
    throw err;
  }
  return running;
}

export async function stopApps(running: RunningApp[]): Promise<void> {
  for (const app of [...running].reverse()) {
    await app.stopBackground?.();
    await app.http.close();
  }
}

/** The readiness check every app with a database exposes at /health. */
export function databaseHealth(ctx: AppContext): Record<string, () => Promise<void>> {
  return { database: async () => void (await sql`select 1`.execute(ctx.database.db)) };
}
