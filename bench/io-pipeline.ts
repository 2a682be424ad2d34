// IO's delivery pipeline end to end, on PostgreSQL: N ACCEPTED messages (default 50,000) for citizens with profiles
// (AUTO, e-mail validated; e-mail forwarding on for one citizen in --email-every, default 10), written in bulk, then
// the IO app started (`sportello start io` in this process, its pipeline workers included) with SMTP pointed at a
// local sink that accepts and counts. Reports messages/s from ACCEPTED to PROCESSED, to the webhook SENT (the POST
// to the app's notify endpoint answered 204; citizens have no browser installed, so no Web Push leaves), and to the
// e-mail SENT (real SMTP, over the app mailer's pooled sessions), and the CPU of this process.
//   node --import tsx bench/io-pipeline.ts [--messages 50000] [--citizens 10000] [--email-every 10]
// Database: sportello_bench_io_pipeline (dropped and made again).
import { parseArgs } from 'node:util';
import { cpuSeconds, fixed, formatTable, freshBenchDatabase, printHeader, sleep, startBenchSystem } from './support.ts';
import { insertCitizens, insertMessages, pipelineCounts, prepareIoDatabase, startSmtpSink, type PipelineCounts } from './io-pipeline-support.ts';

const DATABASE = 'sportello_bench_io_pipeline';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { messages: { type: 'string', default: '50000' }, citizens: { type: 'string', default: '10000' }, 'email-every': { type: 'string', default: '10' } } });
  const messages = Number(values.messages);
  const citizens = Number(values.citizens);
  const emailEvery = Number(values['email-every']);
  const url = await freshBenchDatabase(DATABASE);
  printHeader(`IO delivery pipeline: ${messages} messages to ${citizens} citizens (PostgreSQL)`, [
    'Written in bulk as ACCEPTED before the app starts; then ACCEPTED → PROCESSED (+ notifications) → webhook 204 / e-mail over SMTP',
    `E-mail forwarding on for 1 citizen in ${emailEvery || '∞'}; SMTP: a local sink that accepts and counts (no mail catcher storage)`,
  ]);
  const prepared = await prepareIoDatabase(url);
  await insertCitizens(prepared.db, citizens, emailEvery);
  await insertMessages(prepared.db, prepared.serviceId, 0, messages, citizens);
  const expectedEmails = emailEvery > 0 ? Math.ceil(citizens / emailEvery) * Math.ceil(messages / citizens) : 0;
  const sink = await startSmtpSink();
  const cpuBefore = cpuSeconds([process.pid]);
  const began = performance.now();
  const system = await startBenchSystem(['io'], { seed: false, env: { DATABASE_URL: url, SMTP_URL: sink.url, SMTP_CATCHER: 'false' } });
  const reached: Record<string, number> = {};
  let counts: PipelineCounts;
  for (;;) {
    counts = await pipelineCounts(prepared.db);
    const seconds = (performance.now() - began) / 1000;
    const processed = (counts.messages.PROCESSED ?? 0) + (counts.messages.REJECTED ?? 0);
    if (processed >= messages) reached.processed ??= seconds;
    if ((counts.notifications['WEBHOOK:SENT'] ?? 0) >= messages) reached.webhook ??= seconds;
    if ((counts.notifications['EMAIL:SENT'] ?? 0) >= expectedEmails) reached.email ??= seconds;
    if (reached.processed && reached.webhook && reached.email) break;
    if (seconds > 1_800) throw new Error(`not done after 30 minutes: ${JSON.stringify(counts)}`);
    await sleep(200);
  }
  const cpu = cpuSeconds([process.pid]) - cpuBefore;
  await system.stop();
  await sink.close();
  await prepared.close();
  console.log(
    formatTable([
      ['stage', 'items', 'done after (s)', 'items/s'],
      ['ACCEPTED → PROCESSED (+ notification rows)', String(messages), fixed(reached.processed!, 2), fixed(messages / reached.processed!, 0)],
      ['→ webhook SENT (notify 204)', String(messages), fixed(reached.webhook!, 2), fixed(messages / reached.webhook!, 0)],
      ['→ e-mail SENT (SMTP)', String(expectedEmails), fixed(reached.email!, 2), fixed(expectedEmails / reached.email!, 0)],
    ]),
  );
  console.log(`\nFinal: messages ${JSON.stringify(counts!.messages)}, notifications ${JSON.stringify(counts!.notifications)}`);
  console.log(`E-mails at the sink: ${sink.total()} (${sink.byMessageId.size} distinct Message-IDs). CPU of this process (app + pipeline + sink): ${fixed(cpu, 1)} s`);
}

await main();
