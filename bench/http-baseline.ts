// HTTP baseline on loopback with autocannon: a bare Fastify hello-world, our HTTP stack and the comune
// app's GET /health (bench/baseline.ts). Each server runs in its own child process; autocannon drives
// it from this one.
//   node --import tsx bench/http-baseline.ts [--duration 10] [--connections 50] [--warmup 3]
import { parseArgs } from 'node:util';
import { baselineRoles, measureBaselines, RESULT_HEADER, type BaselineRole } from './baseline.ts';
import { formatTable, printHeader, serveIfChild } from './support.ts';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { duration: { type: 'string', default: '10' }, connections: { type: 'string', default: '50' }, warmup: { type: 'string', default: '3' } },
  });
  const load = { duration: Number(values.duration), connections: Number(values.connections), warmup: Number(values.warmup) };
  printHeader('HTTP baseline (autocannon, loopback)', [
    `Load:   ${load.connections} connections, ${load.warmup} s warm-up then ${load.duration} s measured per server; server in a child process`,
    `Logs:   level ${process.env.LOG_LEVEL ?? 'warn'} (no per-request log lines)`,
  ]);
  const rows = await measureBaselines(new URL(import.meta.url), Object.keys(baselineRoles) as BaselineRole[], load);
  console.log(`\n${formatTable([RESULT_HEADER, ...rows])}\n`);
  console.log("REQ/S: mean of the per-second samples; latencies from autocannon's histogram; SERVER CPU: per request, the server's process.");
}

if (!serveIfChild(baselineRoles)) await main();
