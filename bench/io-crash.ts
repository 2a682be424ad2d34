// Crash safety of IO's delivery pipeline, on PostgreSQL: the IO app runs as a child process (`node bin/sportello.mjs
// start io`, its pipeline workers included) while this process submits messages (default 100,000) by direct INSERT
// of ACCEPTED rows in chunks of 5,000, as the Services API stores them; the child is killed with SIGKILL twice
// mid-run (at about a quarter and at about two thirds of the messages processed) and started again each time. Once
// every message is final and every notification sent, it checks: none lost (every submitted id PROCESSED or
// REJECTED), none duplicated (one row per id, one notification per message and channel, one distinct Message-ID
// per e-mail at the SMTP sink; an e-mail sent again after a kill carries the same Message-ID).
//   node --import tsx bench/io-crash.ts [--messages 100000] [--citizens 20000] [--email-every 50]
// Database: sportello_bench_io_crash (dropped and made again). Leases last 60 s: work a killed child held waits that long.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from '../src/core/db.ts';
import { fixed, formatTable, freePortsEnv, freshBenchDatabase, printHeader, sleep } from './support.ts';
import { insertCitizens, insertMessages, pipelineCounts, prepareIoDatabase, startSmtpSink } from './io-pipeline-support.ts';

const DATABASE = 'sportello_bench_io_crash';
const ROOT = path.resolve(import.meta.dirname, '..');
const CHUNK = 5_000;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { messages: { type: 'string', default: '100000' }, citizens: { type: 'string', default: '20000' }, 'email-every': { type: 'string', default: '50' } } });
  const total = Number(values.messages);
  const citizens = Number(values.citizens);
  const emailEvery = Number(values['email-every']);
  const url = await freshBenchDatabase(DATABASE);
  printHeader(`IO pipeline crash safety: ${total} messages, the app killed with SIGKILL twice (PostgreSQL)`, [
    'Submission: direct INSERT of ACCEPTED rows (chunks of 5,000) while the app processes; SMTP: a local sink counting Message-IDs',
    `E-mail forwarding on for 1 citizen in ${emailEvery}; webhook on for all (notify 204, no browser installed)`,
  ]);
  const prepared = await prepareIoDatabase(url);
  const db = prepared.db;
  await insertCitizens(db, citizens, emailEvery);
  const sink = await startSmtpSink();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sportello-io-crash-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...(await freePortsEnv()),
    DATABASE_URL: url,
    DATA_DIR: dataDir,
    PUBLIC_HOST: '127.0.0.1',
    LOG_LEVEL: 'error',
    SECRET: 'bench-secret-0123456789-0123456789-0123456789',
    SMTP_URL: sink.url,
    SMTP_CATCHER: 'false',
    SEED_DEMO: 'false',
  };
  let child: ChildProcess | undefined;
  const startApp = () => {
    child = spawn(process.execPath, ['bin/sportello.mjs', 'start', 'io'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
  };
  const kills: string[][] = [];
  const killApp = async (label: string) => {
    const leased = await sql<{ messages: number; notifications: number }>`
      select (select count(*)::int from io.messages where locked_until > now() and status in ('ACCEPTED', 'THROTTLED')) as messages,
             (select count(*)::int from io.notifications where locked_until > now()) as notifications`.execute(db);
    const counts = await pipelineCounts(db);
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child!.kill('SIGKILL');
    await exited;
    const final = (counts.messages.PROCESSED ?? 0) + (counts.messages.REJECTED ?? 0);
    kills.push([label, String(final), String(leased.rows[0]!.messages), String(leased.rows[0]!.notifications), String(sink.total())]);
    startApp();
  };

  const began = performance.now();
  startApp();
  const ids: string[] = [];
  const killAt = [Math.round(total * 0.25), Math.round(total * 0.65)];
  let submitted = 0;
  for (;;) {
    if (submitted < total) {
      const count = Math.min(CHUNK, total - submitted);
      ids.push(...(await insertMessages(db, prepared.serviceId, submitted, count, citizens)));
      submitted += count;
    }
    const counts = await pipelineCounts(db);
    const final = (counts.messages.PROCESSED ?? 0) + (counts.messages.REJECTED ?? 0);
    if (killAt.length && final >= killAt[0]!) await killApp(`kill ${3 - killAt.length} at ${killAt.shift()}`);
    const notificationsOpen = Object.entries(counts.notifications).some(([key, n]) => !key.endsWith(':SENT') && n > 0);
    if (submitted === total && final === total && !killAt.length && !notificationsOpen) break;
    if (performance.now() - began > 3_600_000) throw new Error(`not final after an hour: ${JSON.stringify(counts)}`);
    await sleep(submitted < total ? 50 : 500);
  }
  const seconds = (performance.now() - began) / 1000;
  child!.kill('SIGTERM');
  await new Promise((resolve) => child!.once('exit', resolve));

  const { rows: [check] } = await sql<{ rows: number; distinct_ids: number; submitted_found: number; not_final: number; notifications: number; distinct_notifications: number; webhooks: number; emails: number }>`
    select (select count(*)::int from io.messages) as rows,
           (select count(distinct id)::int from io.messages) as distinct_ids,
           (select count(*)::int from io.messages where id = any(${ids}::text[]) and status in ('PROCESSED', 'REJECTED')) as submitted_found,
           (select count(*)::int from io.messages where status not in ('PROCESSED', 'REJECTED')) as not_final,
           (select count(*)::int from io.notifications) as notifications,
           (select count(distinct (message_id, channel))::int from io.notifications) as distinct_notifications,
           (select count(*)::int from io.notifications where channel = 'WEBHOOK' and status = 'SENT') as webhooks,
           (select count(*)::int from io.notifications where channel = 'EMAIL' and status = 'SENT') as emails`.execute(db);
  const counts = await pipelineCounts(db);
  console.log(formatTable([['moment', 'messages final', 'message leases orphaned', 'notification leases orphaned', 'e-mails at the sink'], ...kills]));
  const c = check!;
  const sinkTotal = sink.total();
  const emailsResent = sinkTotal - sink.byMessageId.size;
  const ok = c.rows === total && c.distinct_ids === total && c.submitted_found === total && c.not_final === 0 && c.notifications === c.distinct_notifications && c.webhooks === total && sink.byMessageId.size === c.emails;
  console.log(
    `\n${formatTable([
      ['check', 'value'],
      ['submitted', String(total)],
      ['message rows / distinct ids', `${c.rows} / ${c.distinct_ids}`],
      ['submitted ids PROCESSED or REJECTED (none lost)', String(c.submitted_found)],
      ['not final', String(c.not_final)],
      ['notifications / distinct (message, channel)', `${c.notifications} / ${c.distinct_notifications}`],
      ['webhook SENT', String(c.webhooks)],
      ['e-mail SENT / distinct Message-IDs at the sink / deliveries at the sink', `${c.emails} / ${sink.byMessageId.size} / ${sinkTotal}`],
      ['e-mails sent again after a kill (same Message-ID)', String(emailsResent)],
      ['wall time, submit to all final (s)', fixed(seconds, 1)],
      ['messages/s overall (2 kills, 60 s leases)', fixed(total / seconds, 0)],
    ])}`,
  );
  console.log(`\nStatuses: ${JSON.stringify(counts.messages)}; notifications ${JSON.stringify(counts.notifications)}`);
  console.log(ok ? '\nOK: none lost, none duplicated.' : '\nFAILED: see the checks above.');
  await sink.close();
  await prepared.close();
  await fs.rm(dataDir, { recursive: true, force: true });
  if (!ok) process.exitCode = 1;
}

await main();
