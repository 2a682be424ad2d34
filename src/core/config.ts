// Configuration from the environment, validated once at start with a clear message per bad value.
import path from 'node:path';

export const APP_NAMES = ['comune', 'identity', 'anpr', 'pdnd', 'pagopa', 'io', 'inad', 'send', 'psp', 'mail'] as const;
export type AppName = (typeof APP_NAMES)[number];

export const DEFAULT_PORTS: Record<AppName, number> = {
  comune: 3000,
  identity: 3001,
  anpr: 3002,
  pdnd: 3003,
  pagopa: 3004,
  io: 3005,
  inad: 3006,
  send: 3007,
  psp: 3008,
  mail: 3025,
};

export interface Config {
  env: 'development' | 'production' | 'test';
  host: string;
  dataDir: string;
  /** Absent: the embedded PGlite database under dataDir. */
  databaseUrl: string | undefined;
  ports: Record<AppName, number>;
  /** Public base URL of every app, used for redirects, links and inter-app clients. */
  urls: Record<AppName, string>;
  smtp: { url: string; from: string; catcherPort: number; catcherEnabled: boolean };
  logLevel: string;
  /** Secret for cookies and CSRF tokens; generated and kept in dataDir when not configured. */
  secret: string | undefined;
  seedDemo: boolean;
  /** Login attempts per minute per client address on each login form (beside the per-account throttle). */
  loginRateLimit: number;
  /** X-Forwarded-For is believed only from these proxies (hop count, or addresses/CIDRs); none by default. */
  trustProxy: false | number | string[];
  /** Webhooks may target loopback and private addresses (development and tests only: SSRF otherwise). */
  webhooksAllowPrivateNetworks: boolean;
  /** NATS server(s) whose JetStream also receives the comune's events; absent: not published there. */
  natsUrl: string | undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function readPort(env: Env, name: string, fallback: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    problems.push(`${name}="${raw}" is not a TCP port (an integer 1-65535)`);
    return fallback;
  }
  return port;
}

function readUrl(env: Env, name: string, fallback: string, problems: string[]): string {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
    return raw.replace(/\/+$/, '');
  } catch {
    problems.push(`${name}="${raw}" is not an http(s) URL`);
    return fallback;
  }
}

function readBool(env: Env, name: string, fallback: boolean, problems: string[]): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  problems.push(`${name}="${raw}" must be true or false`);
  return fallback;
}

function readPositiveInteger(env: Env, name: string, fallback: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    problems.push(`${name}="${raw}" must be a positive integer`);
    return fallback;
  }
  return value;
}

function readTrustProxy(raw: string | undefined, problems: string[]): false | number | string[] {
  if (!raw) return false;
  if (/^\d+$/.test(raw)) return Number(raw);
  const entries = raw.split(',').map((entry) => entry.trim()).filter(Boolean);
  if (entries.every((entry) => /^[0-9a-f.:]+(\/\d{1,3})?$/i.test(entry) || ['loopback', 'linklocal', 'uniquelocal'].includes(entry))) return entries;
  problems.push(`TRUST_PROXY="${raw}" must be a hop count or a comma-separated list of proxy addresses/CIDRs`);
  return false;
}

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const nodeEnv = env.NODE_ENV ?? 'development';
  if (!['development', 'production', 'test'].includes(nodeEnv)) {
    problems.push(`NODE_ENV="${nodeEnv}" must be development, production or test`);
  }
  const host = env.HOST || '127.0.0.1';
  const publicHost = env.PUBLIC_HOST || 'localhost';
  const ports = {} as Record<AppName, number>;
  const urls = {} as Record<AppName, string>;
  for (const app of APP_NAMES) {
    const key = app.toUpperCase();
    ports[app] = readPort(env, `${key}_PORT`, DEFAULT_PORTS[app], problems);
    urls[app] = readUrl(env, `${key}_URL`, `http://${publicHost}:${ports[app]}`, problems);
  }
  const databaseUrl = env.DATABASE_URL || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push(`DATABASE_URL must start with postgres:// (got "${databaseUrl.replace(/:[^:@/]*@/, ':***@')}")`);
  }
  const catcherPort = readPort(env, 'SMTP_CATCHER_PORT', 2525, problems);
  const smtpUrl = env.SMTP_URL || `smtp://127.0.0.1:${catcherPort}`;
  if (!/^smtps?:\/\//.test(smtpUrl)) problems.push(`SMTP_URL="${smtpUrl}" must start with smtp:// or smtps://`);
  const logLevel = env.LOG_LEVEL || (nodeEnv === 'test' ? 'warn' : 'info');
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    problems.push(`LOG_LEVEL="${logLevel}" must be one of fatal, error, warn, info, debug, trace, silent`);
  }
  const secret = env.SECRET || undefined;
  if (secret !== undefined && secret.length < 32) problems.push('SECRET must be at least 32 characters long');
  if (nodeEnv === 'production' && !secret) problems.push('SECRET is required in production');
  const catcherEnabled = readBool(env, 'SMTP_CATCHER', !env.SMTP_URL, problems);
  const seedDemo = readBool(env, 'SEED_DEMO', true, problems);
  const trustProxy = readTrustProxy(env.TRUST_PROXY, problems);
  const loginRateLimit = readPositiveInteger(env, 'LOGIN_RATE_LIMIT', 20, problems);
  const webhooksAllowPrivateNetworks = readBool(env, 'WEBHOOKS_ALLOW_PRIVATE_NETWORKS', false, problems);
  const natsUrl = env.NATS_URL || undefined;
  if (natsUrl && !natsUrl.split(',').every((server) => URL.canParse(server.trim()) && ['nats:', 'tls:'].includes(new URL(server.trim()).protocol))) {
    problems.push(`NATS_URL must be nats:// or tls:// URLs, comma-separated (got "${natsUrl.replace(/:[^:@/]*@/, ':***@')}")`);
  }
  if (problems.length) throw new ConfigError(problems);
  return {
    env: nodeEnv as Config['env'],
    host,
    dataDir: path.resolve(env.DATA_DIR || './data'),
    databaseUrl,
    ports,
    urls,
    smtp: {
      url: smtpUrl,
      from: env.MAIL_FROM || 'Sportello <noreply@sportello.localhost>',
      catcherPort,
      catcherEnabled,
    },
    logLevel,
    secret,
    seedDemo,
    trustProxy,
    loginRateLimit,
    webhooksAllowPrivateNetworks,
    natsUrl,
  };
}
