// The HTTP ceiling on loopback, shared by the benchmarks that report against it: a bare Fastify
// hello-world, our HTTP stack (createHttpApp: cookies, locale, request id, helmet/CSP, rate-limit
// plugin, OpenAPI) answering GET /health with no checks, and the comune app's GET /health (which runs
// `select 1` on the database). A benchmark includes baselineRoles in its serveIfChild roles; each
// server then runs in a child process and autocannon drives it from the parent.
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { createHttpApp } from '../src/core/http.ts';
import { cpuSeconds, fixed, startBenchSystem, startChild } from './support.ts';

export interface Target {
  url: string;
  label: string;
  /** The server's process, for its CPU time. */
  pid: number;
}

export interface Load {
  connections: number;
  /** Seconds measured. */
  duration: number;
  /** Seconds of load before, not measured. */
  warmup: number;
}

async function listenOnLoopback(app: { listen(o: { port: number; host: string }): Promise<string> }): Promise<string> {
  return app.listen({ port: 0, host: '127.0.0.1' });
}

export const baselineRoles = {
  async fastify() {
    const app = Fastify();
    app.get('/', async () => ({ hello: 'world' }));
    const url = await listenOnLoopback(app);
    return { info: { url: `${url}/`, label: 'bare Fastify, GET / (hello world)', pid: process.pid } satisfies Target, stop: () => app.close() };
  },
  async stack() {
    const app = await createHttpApp({ name: 'bench', title: 'bench', description: 'bench', publicUrl: 'http://127.0.0.1', logLevel: 'warn' });
    const url = await listenOnLoopback(app);
    return { info: { url: `${url}/health`, label: 'createHttpApp, GET /health (no checks)', pid: process.pid } satisfies Target, stop: () => app.close() };
  },
  async comune() {
    const system = await startBenchSystem(['comune']);
    const label = `comune app, GET /health (select 1 on ${system.database})`;
    return { info: { url: `${system.urls.comune}/health`, label, pid: process.pid } satisfies Target, stop: () => system.stop() };
  },
};

export type BaselineRole = keyof typeof baselineRoles;

const answered = (r: autocannon.Result) => r['2xx'] + r.non2xx;

/** CPU seconds used so far by a side of the server (its processes, its database backends...). */
export type CpuMeter = () => number | Promise<number>;

export interface Driven<M extends string> {
  result: autocannon.Result;
  /** Responses of the warm-up and the measured run. */
  responses: number;
  /** CPU microseconds per response of the measured run: each meter's, and this process's (autocannon). */
  cpu: Record<M | 'load', number>;
}

/**
 * Warm-up (not measured), then the measured run, with the same autocannon options; with the CPU time each
 * side spent per response, which other work on the machine changes far less than req/s.
 */
export async function drive<M extends string>(options: autocannon.Options, load: Load, meters: Record<M, CpuMeter>): Promise<Driven<M>> {
  const run = { ...options, connections: load.connections };
  const warm = load.warmup > 0 ? answered(await autocannon({ ...run, duration: load.warmup })) : 0;
  const sides = Object.entries(meters) as [M, CpuMeter][];
  const before = await Promise.all(sides.map(([, meter]) => meter()));
  const loadBefore = process.cpuUsage();
  const result = await autocannon({ ...run, duration: load.duration });
  const loadUsage = process.cpuUsage(loadBefore);
  const after = await Promise.all(sides.map(([, meter]) => meter()));
  const measured = answered(result);
  const cpu = Object.fromEntries(sides.map(([name], i) => [name, ((after[i]! - before[i]!) * 1e6) / measured])) as Record<M, number>;
  return { result, responses: warm + measured, cpu: { ...cpu, load: (loadUsage.user + loadUsage.system) / measured } };
}

export const RESULT_HEADER = ['SERVER', 'CONNS', 'REQ/S', 'P50 MS', 'P99 MS', 'MAX MS', 'NON-2XX', 'ERRORS', 'SERVER CPU µS/REQ'];

/** One table row: REQ/S is the mean of the per-second samples, latencies from autocannon's histogram. */
export function resultRow(label: string, result: autocannon.Result, serverCpu: number): string[] {
  const { latency, requests } = result;
  return [label, String(result.connections), fixed(requests.average, 0), fixed(latency.p50, 1), fixed(latency.p99, 1), fixed(latency.max, 1), String(result.non2xx), String(result.errors), fixed(serverCpu, 0)];
}

/**
 * Measures these baseline servers one after the other, each in a child process started from `script`
 * (which must serve baselineRoles); returns one resultRow each.
 */
export async function measureBaselines(script: string | URL, roles: readonly BaselineRole[], load: Load): Promise<string[][]> {
  const rows: string[][] = [];
  for (const role of roles) {
    const server = await startChild<Target>(script, role);
    try {
      const { url, label } = server.info;
      const first = await fetch(url);
      if (first.status !== 200) throw new Error(`${url} answered ${first.status}`);
      const driven = await drive({ url }, load, { server: () => cpuSeconds([server.info.pid]) });
      rows.push(resultRow(label, driven.result, driven.cpu.server));
      console.log(`measured ${label}: ${fixed(driven.result.requests.average, 0)} req/s`);
    } finally {
      await server.stop();
    }
  }
  return rows;
}
