// HTTP baseline on loopback with autocannon: a bare Fastify hello-world, our HTTP stack
// (createHttpApp: cookies, locale, request id, helmet/CSP, rate-limit plugin, OpenAPI) answering
// GET /health with no checks, and the comune app's GET /health (which runs `select 1` on the
// database). Each server runs in its own child process; autocannon drives it from this one.
//   node --import tsx bench/http-baseline.ts [--duration 10] [--connections 50] [--warmup 3]
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { createHttpApp } from '../src/core/http.ts';
import { fixed, formatTable, printHeader, serveIfChild, startBenchSystem, startChild } from './support.ts';

interface Target {
  url: string;
  label: string;
}

async function listenOnLoopback(app: { listen(o: { port: number; host: string }): Promise<string> }): Promise<string> {
  return app.listen({ port: 0, host: '127.0.0.1' });
}

const roles = {
  async fastify() {
    const app = Fastify();
    app.get('/', async () => ({ hello: 'world' }));
    const url = await listenOnLoopback(app);
    return { info: { url: `${url}/`, label: 'bare Fastify, GET / (hello world)' } satisfies Target, stop: () => app.close() };
  },
  async stack() {
    const app = await createHttpApp({ name: 'bench', title: 'bench', description: 'bench', publicUrl: 'http://127.0.0.1', logLevel: 'warn' });
    const url = await listenOnLoopback(app);
    return { info: { url: `${url}/health`, label: 'createHttpApp, GET /health (no checks)' } satisfies Target, stop: () => app.close() };
  },
  async comune() {
    const system = await startBenchSystem(['comune']);
    const label = `comune app, GET /health (select 1 on ${system.database})`;
    return { info: { url: `${system.urls.comune}/health`, label } satisfies Target, stop: () => system.stop() };
  },
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { duration: { type: 'string', default: '10' }, connections: { type: 'string', default: '50' }, warmup: { type: 'string', default: '3' } },
  });
  const duration = Number(values.duration);
  const connections = Number(values.connections);
  const warmup = Number(values.warmup);
  printHeader('HTTP baseline (autocannon, loopback)', [
    `Load:   ${connections} connections, ${warmup} s warm-up then ${duration} s measured per server; server in a child process`,
    `Logs:   level ${process.env.LOG_LEVEL ?? 'warn'} (no per-request log lines)`,
  ]);

  const rows = [['SERVER', 'REQ/S', 'P50 MS', 'P99 MS', 'MAX MS', 'NON-2XX', 'ERRORS']];
  for (const role of Object.keys(roles)) {
    const server = await startChild<Target>(new URL(import.meta.url), role);
    try {
      const { url, label } = server.info;
      const first = await fetch(url);
      if (first.status !== 200) throw new Error(`${url} answered ${first.status}`);
      if (warmup > 0) await autocannon({ url, connections, duration: warmup });
      const result = await autocannon({ url, connections, duration });
      rows.push([
        label,
        fixed(result.requests.average, 0),
        fixed(result.latency.p50, 1),
        fixed(result.latency.p99, 1),
        fixed(result.latency.max, 1),
        String(result.non2xx),
        String(result.errors),
      ]);
      console.log(`measured ${label}: ${fixed(result.requests.average, 0)} req/s`);
    } finally {
      await server.stop();
    }
  }
  console.log(`\n${formatTable(rows)}\n`);
  console.log('REQ/S: mean of the per-second samples; latencies from autocannon\'s histogram.');
}

if (!serveIfChild(roles)) await main();
