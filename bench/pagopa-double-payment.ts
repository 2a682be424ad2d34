// Double payments under contention, on PostgreSQL: 1,000 published notices of Bugliano, 50 concurrent PSP
// clients (the three demo PSPs, keep-alive HTTP) each paying random notices still unpaid in its view
// (verifyPaymentNotice → activatePaymentNotice → sendPaymentOutcome) until every notice is paid. Reports the
// attempts, the payments, the faults by code, payments/s and the latency of a whole payment; then checks in
// the database that no notice was paid twice (one closed-paid token, one receipt, PO_PAID with that receipt)
// and waits for every receipt to reach the creditor's station (a local receiver answering outcome OK).
//   node --import tsx bench/pagopa-double-payment.ts [--notices 1000] [--clients 50]
// pagoPA runs in a child process (as `sportello start pagopa`) on a fresh database
// sportello_bench_pagopa_double_payment; the clients and the station in this process.
import { randomBytes, randomInt } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { openDatabase, sql, type Db } from '../src/core/db.ts';
import { dateInItaly } from '../src/domain/dates.ts';
import { DEMO_CREDITOR_INSTITUTIONS, DEMO_PSPS, demoPagopaKey, pspKeyHolder } from '../src/clients/pagopa/demo.ts';
import { isFault, nodoBaseUrl, nodoClient, type NodoClient } from '../src/clients/pagopa/nodo.ts';
import { euroAmount } from '../src/clients/pagopa/nodo-wire.ts';
import { institutionByFiscalCode } from '../src/platforms/pagopa/institutions.ts';
import { createPosition } from '../src/platforms/pagopa/positions.ts';
import { cpuSeconds, fixed, formatTable, freePortsEnv, freshBenchDatabase, percentile, printHeader, serveIfChild, startBenchSystem, startChild } from './support.ts';

const DATABASE = 'sportello_bench_pagopa_double_payment';
const BUGLIANO = DEMO_CREDITOR_INSTITUTIONS[0];

interface PagopaServer {
  url: string;
  pid: number;
}

const roles = {
  async pagopa([env]: string[]) {
    const system = await startBenchSystem(['pagopa'], { env: JSON.parse(env ?? '{}') as Record<string, string> });
    return { info: { url: system.urls.pagopa, pid: process.pid } satisfies PagopaServer, stop: () => system.stop() };
  },
};

/** `count` published positions of Bugliano with one notice each (10 to 500 euros); their notice numbers and amounts. */
async function publishNotices(db: Db, count: number): Promise<Map<string, number>> {
  const institution = (await institutionByFiscalCode(db, BUGLIANO.fiscalCode))!;
  const notices = new Map<string, number>();
  const dueDate = new Date(Date.now() + 30 * 86_400_000);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const n = next++;
      const amount = randomInt(1_000, 50_001);
      const position = await createPosition(
        db,
        { type: 'system', id: 'bench' },
        institution,
        {
          iupd: `bench-${n}`,
          type: 'F',
          fiscalCode: 'BNCMRC78C14G702E',
          fullName: 'Marco Bianchi',
          switchToExpired: false,
          companyName: institution.companyName,
          paymentOption: [{ amount, description: `Diritti ${n}`, isPartialPayment: false, dueDate, transfer: [{ idTransfer: '1', amount, remittanceInformation: `Diritti ${n}`, category: '9/0101108TS/', iban: BUGLIANO.iban }] }],
        },
        { toPublish: true },
      );
      notices.set(position.paymentOption[0]!.nav, amount);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return notices;
}

/** The creditor's station: accepts every receipt, counting each receipt id. */
async function startStation(): Promise<{ url: string; delivered: Map<string, number>; close(): void }> {
  const delivered = new Map<string, number>();
  const server = http.createServer((request, response) => {
    let data = '';
    request.on('data', (chunk) => (data += chunk));
    request.on('end', () => {
      const id = (JSON.parse(data) as { receipt: { receiptId: string } }).receipt.receiptId;
      delivered.set(id, (delivered.get(id) ?? 0) + 1);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"outcome":"OK"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/paSendRT`, delivered, close: () => server.close() };
}

interface Tally {
  attempts: number;
  payments: number;
  faults: Map<string, number>;
  httpErrors: number;
  latencies: number[];
}

/** One client: random notices still unpaid in its view, until none is left. */
async function client(nodo: Record<string, NodoClient>, notices: Map<string, number>, remaining: Set<string>, tally: Tally): Promise<void> {
  const today = dateInItaly(new Date());
  const refused = (code: string, nav: string) => {
    tally.faults.set(code, (tally.faults.get(code) ?? 0) + 1);
    if (code === 'PPT_PAGAMENTO_DUPLICATO') remaining.delete(nav);
  };
  while (remaining.size > 0) {
    const navs = [...remaining];
    const nav = navs[randomInt(navs.length)]!;
    const psp = DEMO_PSPS[randomInt(DEMO_PSPS.length)]!;
    const ids = { idPSP: psp.idPSP, idBrokerPSP: psp.idBrokerPSP, idChannel: psp.idChannel };
    const qrCode = { fiscalCode: BUGLIANO.fiscalCode, noticeNumber: nav };
    tally.attempts++;
    const began = performance.now();
    try {
      const verified = await nodo[psp.idPSP]!.verifyPaymentNotice({ ...ids, qrCode });
      if (isFault(verified)) {
        refused(verified.fault.faultCode, nav);
        continue;
      }
      const activated = await nodo[psp.idPSP]!.activatePaymentNotice({ ...ids, qrCode, amount: euroAmount(notices.get(nav)!), idempotencyKey: `${psp.idPSP.slice(0, 8)}_${randomBytes(5).toString('hex')}` });
      if (isFault(activated)) {
        refused(activated.fault.faultCode, nav);
        continue;
      }
      const outcome = await nodo[psp.idPSP]!.sendPaymentOutcome({
        ...ids,
        paymentToken: activated.paymentToken,
        outcome: 'OK',
        details: { paymentMethod: 'creditCard', paymentChannel: 'onLine', fee: euroAmount(psp.fee), applicationDate: today, transferDate: today },
      });
      if (isFault(outcome)) {
        refused(outcome.fault.faultCode, nav);
        continue;
      }
      tally.payments++;
      tally.latencies.push(performance.now() - began);
      remaining.delete(nav);
    } catch (err) {
      tally.httpErrors++;
      console.error(`  ${nav}: ${(err as Error).message}`);
    }
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { notices: { type: 'string', default: '1000' }, clients: { type: 'string', default: '50' } } });
  const noticeCount = Number(values.notices);
  const clients = Number(values.clients);
  printHeader('pagoPA: double payments under contention (Nodo model 3 over HTTP)', [
    `Notices: ${noticeCount.toLocaleString('en')} of one institution; clients: ${clients} (the ${DEMO_PSPS.length} demo PSPs at random), each paying random unpaid notices`,
  ]);
  const databaseUrl = await freshBenchDatabase(DATABASE);
  const secret = randomBytes(32).toString('base64url');
  const env = { ...(await freePortsEnv()), DATABASE_URL: databaseUrl, SECRET: secret };
  const server = await startChild<PagopaServer>(new URL(import.meta.url), 'pagopa', [JSON.stringify(env)]);
  const database = await openDatabase({ databaseUrl, dataDir: os.tmpdir(), poolSize: 8 });
  const station = await startStation();
  try {
    const db = database.db;
    await sql`update pagopa.creditor_institutions set receipts_url = ${station.url} where fiscal_code = ${BUGLIANO.fiscalCode}`.execute(db);
    let began = performance.now();
    const notices = await publishNotices(db, noticeCount);
    console.log(`Published ${notices.size.toLocaleString('en')} notices in ${fixed((performance.now() - began) / 1000)} s`);

    const nodo = Object.fromEntries(DEMO_PSPS.map((p) => [p.idPSP, nodoClient({ baseUrl: nodoBaseUrl(server.info.url), subscriptionKey: demoPagopaKey(secret, pspKeyHolder(p.idPSP)), timeoutMs: 30_000 })]));
    const remaining = new Set(notices.keys());
    const tally: Tally = { attempts: 0, payments: 0, faults: new Map(), httpErrors: 0, latencies: [] };
    const cpuBefore = cpuSeconds([server.info.pid]);
    began = performance.now();
    await Promise.all(Array.from({ length: clients }, () => client(nodo, notices, remaining, tally)));
    const seconds = (performance.now() - began) / 1000;
    const serverCpu = cpuSeconds([server.info.pid]) - cpuBefore;

    // The database's word: paid tokens, receipts and options per notice.
    const { rows: check } = await sql<{ paid_options: number; receipts: number; twice_paid_tokens: number; twice_receipts: number; unmatched: number }>`
      select (select count(*)::int from pagopa.payment_options o join pagopa.creditor_institutions ci on ci.id = o.institution_id
                where ci.fiscal_code = ${BUGLIANO.fiscalCode} and o.status = 'PO_PAID' and o.nav = any(${[...notices.keys()]}::text[])) as paid_options,
             (select count(*)::int from pagopa.receipts) as receipts,
             (select count(*)::int from (select nav from pagopa.payment_sessions where status = 'paid' group by institution_id, nav having count(*) > 1) t) as twice_paid_tokens,
             (select count(*)::int from (select iuv from pagopa.receipts group by institution_id, iuv having count(*) > 1) t) as twice_receipts,
             (select count(*)::int from pagopa.payment_options o left join pagopa.receipts r on r.receipt_id = o.id_receipt
                where o.status = 'PO_PAID' and (r.receipt_id is null or r.iuv <> o.iuv)) as unmatched`.execute(db);
    const c = check[0]!;

    const deliveryBegan = performance.now();
    while (station.delivered.size < c.receipts && performance.now() - deliveryBegan < 120_000) await new Promise((resolve) => setTimeout(resolve, 100));
    const pushSeconds = (performance.now() - began) / 1000;

    console.log('');
    console.log(
      formatTable([
        ['ATTEMPTS', 'PAYMENTS', 'PAYMENTS/S', 'P50 MS', 'P95 MS', 'P99 MS', 'HTTP ERRORS', 'SERVER CPU MS/PAYMENT'],
        [
          tally.attempts.toLocaleString('en'),
          tally.payments.toLocaleString('en'),
          fixed(tally.payments / seconds),
          fixed(percentile(tally.latencies, 50)),
          fixed(percentile(tally.latencies, 95)),
          fixed(percentile(tally.latencies, 99)),
          String(tally.httpErrors),
          fixed((serverCpu * 1000) / tally.payments, 2),
        ],
      ]),
    );
    console.log('');
    console.log(formatTable([['FAULT', 'COUNT'], ...[...tally.faults.entries()].sort((a, b) => b[1] - a[1]).map(([code, n]) => [code, n.toLocaleString('en')])]));
    console.log('');
    const twiceDelivered = [...station.delivered.values()].filter((n) => n > 1).length;
    console.log(`Database: ${c.paid_options.toLocaleString('en')} notices PO_PAID, ${c.receipts.toLocaleString('en')} receipts; double payments ${c.twice_paid_tokens + c.twice_receipts} (notices with two paid tokens ${c.twice_paid_tokens}, with two receipts ${c.twice_receipts}); paid options without their receipt ${c.unmatched}`);
    console.log(`Station: ${station.delivered.size.toLocaleString('en')} receipts delivered (${twiceDelivered} more than once), all within ${fixed(pushSeconds)} s of the start`);
    const ok = c.paid_options === noticeCount && c.receipts === noticeCount && c.twice_paid_tokens + c.twice_receipts + c.unmatched === 0 && tally.payments === noticeCount;
    console.log(ok ? 'OK: every notice paid exactly once.' : 'FAILED: see the figures above.');
    if (!ok) process.exitCode = 1;
  } finally {
    station.close();
    await database.close();
    await server.stop();
  }
}

if (!serveIfChild(roles)) await main();
