// Start-up time of the whole system: from spawning `node bin/sportello.mjs start all` until every
// app's GET /health answers 200; first on a fresh DATA_DIR (cold: the embedded database is created,
// migrated and seeded), then again on the same DATA_DIR (warm). Free ports, so that it can run
// beside `npm start`. The process is stopped with SIGTERM after each run.
//   node --import tsx bench/startup.ts [--warm-runs 1]
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { START_ORDER } from '../src/apps.ts';
import type { AppName } from '../src/core/config.ts';
import { fixed, formatTable, freePortsEnv, printHeader, sleep } from './support.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TIMEOUT_MS = 180_000;

interface StartRun {
  label: string;
  /** Milliseconds from spawn until each app's /health first answered 200. */
  healthy: Record<AppName, number>;
  /** "ready in N s" as printed by the command itself. */
  reported: string;
  stopMs: number;
}

async function isHealthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

async function startOnce(label: string, dataDir: string): Promise<StartRun> {
  const ports = await freePortsEnv();
  const env: NodeJS.ProcessEnv = { ...process.env, ...ports, DATA_DIR: dataDir, PUBLIC_HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL; // the embedded database in DATA_DIR, as `npm start`
  delete env.SECRET; // generated on the cold start and kept in DATA_DIR
  const health = START_ORDER.map((app) => ({ app, url: `http://127.0.0.1:${ports[`${app.toUpperCase()}_PORT`]}/health` }));

  const began = performance.now();
  const child = spawn(process.execPath, ['bin/sportello.mjs', 'start', 'all'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code;
      resolve();
    }),
  );

  try {
    const healthy = {} as Record<AppName, number>;
    while (Object.keys(healthy).length < health.length) {
      if (exitCode !== undefined) throw new Error(`sportello exited (code ${exitCode}) before it was ready:\n${output}`);
      if (performance.now() - began > TIMEOUT_MS) throw new Error(`not ready after ${TIMEOUT_MS / 1000} s:\n${output}`);
      const pending = health.filter(({ app }) => healthy[app] === undefined);
      const answers = await Promise.all(pending.map(async ({ app, url }) => ({ app, ok: await isHealthy(url) })));
      const now = performance.now() - began;
      for (const { app, ok } of answers) if (ok) healthy[app] = now;
      await sleep(25);
    }
    const reported = /ready in ([\d.]+s)/.exec(output)?.[1] ?? '?';
    const stopping = performance.now();
    child.kill('SIGTERM');
    await exited;
    return { label, healthy, reported, stopMs: performance.now() - stopping };
  } finally {
    if (exitCode === undefined) {
      child.kill('SIGKILL');
      await exited;
    }
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'warm-runs': { type: 'string', default: '1' } } });
  const warmRuns = Number(values['warm-runs']);
  printHeader('Start-up of `sportello start all` (embedded PGlite)', [
    `Measure: spawn → every app's GET /health = 200 (polled every 25 ms); apps: ${START_ORDER.join(', ')}`,
    'Cold: fresh DATA_DIR (database created, migrated, demo seeded); warm: the same DATA_DIR again',
  ]);
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sportello-startup-'));
  const runs: StartRun[] = [];
  try {
    runs.push(await startOnce('cold', dataDir));
    for (let i = 1; i <= warmRuns; i++) runs.push(await startOnce(warmRuns > 1 ? `warm ${i}` : 'warm', dataDir));
  } finally {
    await fs.rm(dataDir, { recursive: true, force: true });
  }

  const rows = [['RUN', 'ALL HEALTHY S', 'CLI "READY IN"', ...START_ORDER.map((app) => `${app} s`), 'SIGTERM→EXIT S']];
  for (const run of runs) {
    const all = Math.max(...Object.values(run.healthy));
    rows.push([run.label, fixed(all / 1000, 2), run.reported, ...START_ORDER.map((app) => fixed(run.healthy[app] / 1000, 2)), fixed(run.stopMs / 1000, 2)]);
  }
  console.log(formatTable(rows));
  console.log('\nPer app: seconds from spawn until its /health first answered 200 (apps start one after another, in this order).');
}

await main();
