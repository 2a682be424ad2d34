// What every benchmark shares: the machine it ran on, percentiles, tables, apps started like
// `npm start` does, and servers run in a child process (so that the server and the load generator
// do not share one event loop).
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadConfig, type AppName } from '../src/core/config.ts';
import { freePortsEnv } from '../test/support/ports.ts';
import { createContext, migrateApps, seedApps, startApps, stopApps, type AppContext } from '../src/core/runtime.ts';
import { loadApps } from '../src/apps.ts';

// --- The machine -----------------------------------------------------------------------------------

export function machineLines(): string[] {
  const cpus = os.cpus();
  return [
    `CPU:    ${cpus[0]?.model.trim() ?? 'unknown'} (${os.availableParallelism()} cores available, ${cpus.length} logical CPUs)`,
    `Memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `System: ${os.type()} ${os.release()} ${os.arch()}`,
    `Node:   ${process.version}`,
    `Date:   ${new Date().toISOString()}`,
    // Other work on the machine skews every figure: say how busy it was.
    `Busy:   load average ${os.loadavg().map((n) => n.toFixed(2)).join(' / ')} (1 / 5 / 15 min) at the start`,
  ];
}

/** The benchmark's title, what it measures, and the machine. */
export function printHeader(title: string, notes: string[] = []): void {
  console.log(`\n== ${title} ==`);
  for (const line of machineLines()) console.log(line);
  for (const note of notes) console.log(note);
  console.log('');
}

// --- Numbers ---------------------------------------------------------------------------------------

/** Nearest-rank percentile (p in 0..100) of samples; NaN when there are none. */
export function percentile(samples: readonly number[], p: number): number {
  if (!samples.length) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function mean(samples: readonly number[]): number {
  return samples.length ? samples.reduce((sum, x) => sum + x, 0) / samples.length : NaN;
}

export const fixed = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '—');

/** Columns padded to their widest cell; numbers (and —) right-aligned. */
export function formatTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const numeric = (cell: string) => /^[-+]?[\d.,]+( ?[a-zA-Z%/]+)?$|^—$/.test(cell);
  return rows
    .map((row, r) => row.map((cell, i) => (r > 0 && i > 0 && numeric(cell) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd())
    .join('\n');
}

/** A timed run of a bench that renders documents (PDFs): how many, how long, each one's latency and size. */
export interface DocumentRun {
  label: string;
  count: number;
  seconds: number;
  latencies: number[];
  bytes: number[];
}

/** The run's cells under the columns run, documents, seconds, documents/s, p50 ms, p95 ms, p99 ms, KiB/document. */
export function documentRunCells(r: DocumentRun): string[] {
  return [r.label, String(r.count), fixed(r.seconds, 2), fixed(r.count / r.seconds, 1), fixed(percentile(r.latencies, 50)), fixed(percentile(r.latencies, 95)), fixed(percentile(r.latencies, 99)), fixed(mean(r.bytes) / 1024)];
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** CPU seconds (user + system) the processes have used so far, from /proc (Linux; NaN elsewhere); gone ones count 0. */
export function cpuSeconds(pids: readonly number[]): number {
  if (process.platform !== 'linux') return NaN;
  let ticks = 0;
  for (const pid of pids) {
    try {
      // The fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // exited
    }
  }
  return ticks / 100; // USER_HZ, 100 on Linux
}

// --- Databases -------------------------------------------------------------------------------------

/** The PostgreSQL server the database benches use. */
export const benchAdminUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

/** The URL of database `name` on that server. */
export function benchDatabaseUrl(name: string): string {
  const url = new URL(benchAdminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** An empty database `name` (dropped first if a previous run left it); its URL. */
export async function freshBenchDatabase(name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: benchAdminUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  return benchDatabaseUrl(name);
}

// --- Apps --------------------------------------------------------------------------------------------

export { freePort, freePortsEnv } from '../test/support/ports.ts';

export interface BenchSystem {
  ctx: AppContext;
  urls: Record<AppName, string>;
  /** "embedded PGlite" or "PostgreSQL". */
  database: string;
  stop(): Promise<void>;
}

export interface BenchSystemOptions {
  /** Configuration over the defaults below, e.g. the ports of apps started in other processes. */
  env?: Record<string, string>;
  /** Load the demo data (default true). */
  seed?: boolean;
}

/**
 * Migrates, seeds and starts these apps as `npm start` does (NODE_ENV=production, log level warn),
 * on free ports and a fresh data directory: the embedded PGlite there, or the PostgreSQL at
 * $DATABASE_URL when set (migrations and demo data are idempotent).
 */
export async function startBenchSystem(apps: AppName[], options: BenchSystemOptions = {}): Promise<BenchSystem> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sportello-bench-'));
  const config = loadConfig({
    ...(await freePortsEnv()),
    NODE_ENV: 'production',
    DATA_DIR: dataDir,
    PUBLIC_HOST: '127.0.0.1',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    SECRET: randomBytes(32).toString('base64url'),
    DATABASE_URL: process.env.DATABASE_URL,
    // As behind a TLS proxy on this host: the load generator's X-Forwarded-For names each virtual client.
    TRUST_PROXY: 'loopback',
    ...options.env,
  });
  const ctx = await createContext(config);
  const modules = await loadApps(apps);
  await migrateApps(ctx, modules);
  if (options.seed !== false) await seedApps(ctx, modules);
  const running = await startApps(ctx, modules);
  return {
    ctx,
    urls: config.urls,
    database: ctx.database.kind === 'pglite' ? 'embedded PGlite' : 'PostgreSQL',
    async stop() {
      await stopApps(running);
      ctx.mailer.close();
      await ctx.database.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

// --- Servers in a child process ---------------------------------------------------------------------

export interface ChildServer<Info> {
  info: Info;
  stop(): Promise<void>;
}

type Role = (args: string[]) => Promise<{ info: unknown; stop(): Promise<void> }>;

/**
 * Parent side: re-runs this benchmark script as `<script> --serve <role> [args]` in a child Node
 * process (same loader flags, so tsx) and resolves with what the role reported once listening.
 */
export function startChild<Info>(script: string | URL, role: string, args: string[] = []): Promise<ChildServer<Info>> {
  const child = fork(script, ['--serve', role, ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const early = (code: number | null) => reject(new Error(`the ${role} server exited (code ${code}) before it was ready`));
    child.once('exit', early);
    child.once('message', (info) => {
      child.off('exit', early);
      resolve({
        info: info as Info,
        async stop() {
          if (child.connected) child.send('stop');
          const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
          await exited;
          clearTimeout(killer);
        },
      });
    });
  });
}

/**
 * Child side: when this process was started by startChild, runs the requested role, reports its
 * info to the parent and stops on request (or when the parent goes away). Returns whether it did.
 */
export function serveIfChild(roles: Record<string, Role>): boolean {
  const at = process.argv.indexOf('--serve');
  if (at === -1 || !process.send) return false;
  const name = process.argv[at + 1] ?? '';
  const role = roles[name];
  if (!role) throw new Error(`unknown server role "${name}"`);
  role(process.argv.slice(at + 2)).then(
    ({ info, stop }) => {
      let stopping = false;
      const shutdown = async () => {
        if (stopping) return;
        stopping = true;
        await stop();
        process.exit(0);
      };
      process.on('message', (message) => message === 'stop' && void shutdown());
      process.on('disconnect', () => void shutdown());
      process.send!(info);
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
  return true;
}
