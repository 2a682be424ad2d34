// Printed pagoPA notices per second: the pure builder (renderNoticePdf) on one core, for a single-payment notice
// and a 3-installment one (each option with its QR code and its postal slip with Data Matrix), new notice numbers
// and amounts every time; then through the print service, GET /print-payment-notice-service/v1/.../notice, with
// the pagoPA app (as `npm start`: embedded PGlite, or $DATABASE_URL) in a child process and several in flight.
//   node --import tsx bench/pagopa-notices.ts [--count 500] [--concurrency 8]
import { parseArgs } from 'node:util';
import { DEMO_CREDITOR_INSTITUTIONS, demoPagopaKey } from '../src/clients/pagopa/demo.ts';
import { composeNoticeNumber } from '../src/domain/pagopa/notice-number.ts';
import { postalAccountOfIban, type NoticeData, type NoticeOption } from '../src/platforms/pagopa/notice/model.ts';
import { renderNoticePdf } from '../src/platforms/pagopa/notice/pdf.ts';
import { cpuSeconds, documentRunCells, fixed, formatTable, printHeader, serveIfChild, startBenchSystem, startChild, type DocumentRun } from './support.ts';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '8' },
    serve: { type: 'string' },
  },
  allowPositionals: true,
});
const COUNT = Number(values.count);
const CONCURRENCY = Number(values.concurrency);
const BUGLIANO = DEMO_CREDITOR_INSTITUTIONS[0];
const DAY = 86_400_000;
const KINDS = ['single payment', '3 installments'] as const;
type Kind = (typeof KINDS)[number];

interface Row extends DocumentRun {
  /** CPU seconds of the process that rendered (on a busy machine a steadier figure than the wall clock). */
  cpu: number;
}

const ownCpu = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

// --- The pure builder ----------------------------------------------------------------------------------

let progressive = 0;
function option(amountCents: number, dueDays: number): NoticeOption {
  const nav = composeNoticeNumber({ auxDigit: 3, segregationCode: BUGLIANO.segregationCode }, ++progressive);
  return { amountCents, dueDate: new Date(Date.UTC(2027, 0, 1) + dueDays * DAY), nav: nav.noticeNumber, iuv: nav.iuv };
}

function noticeData(kind: Kind, n: number): NoticeData {
  const amount = 10_000 + n;
  return {
    subject: `TARI 2027 - utenza n. ${n}`,
    creditor: { name: BUGLIANO.companyName, office: BUGLIANO.officeName, fiscalCode: BUGLIANO.fiscalCode, cbillCode: BUGLIANO.cbillCode },
    debtor: { name: 'Marco Bianchi', fiscalCode: 'BNCMRC78C14G702E', address: ['Via Roma 1', '56030 Bugliano (PI)'] },
    single: kind === 'single payment' ? option(amount, 60) : undefined,
    installments: kind === '3 installments' ? [option(amount, 60), option(amount, 150), option(amount, 240)] : [],
    postal: { account: postalAccountOfIban(BUGLIANO.postalIban)!, holder: BUGLIANO.companyName },
    issuedAt: new Date(Date.UTC(2027, 0, 1)),
  };
}

async function builder(kind: Kind): Promise<Row> {
  const inputs = Array.from({ length: COUNT }, (_, n) => noticeData(kind, n));
  for (let i = 0; i < 50; i++) await renderNoticePdf(noticeData(kind, COUNT + i)); // warm-up: fonts, JIT
  const latencies: number[] = [];
  const bytes: number[] = [];
  const cpu0 = ownCpu();
  const started = performance.now();
  for (const input of inputs) {
    const t0 = performance.now();
    const pdf = await renderNoticePdf(input);
    latencies.push(performance.now() - t0);
    bytes.push(pdf.length);
  }
  return { label: `builder, ${kind}, one core`, count: COUNT, seconds: (performance.now() - started) / 1000, latencies, bytes, cpu: ownCpu() - cpu0 };
}

// --- Through the print service -----------------------------------------------------------------------

interface PagopaServer {
  url: string;
  key: string;
  database: string;
  pid: number;
}

const roles = {
  async pagopa() {
    const system = await startBenchSystem(['pagopa']);
    const info: PagopaServer = { url: system.urls.pagopa, key: demoPagopaKey(system.ctx.config.secret!, BUGLIANO.fiscalCode), database: system.database, pid: process.pid };
    return { info, stop: () => system.stop() };
  },
};

async function createPositions(server: PagopaServer, kind: Kind, count: number): Promise<string[]> {
  const due = (days: number) => new Date(Date.now() + days * DAY).toISOString();
  const transfer = (amount: number) => [{ idTransfer: '1', amount, remittanceInformation: 'TARI 2027', category: '9/0101108TS/', iban: BUGLIANO.iban }];
  const opt = (amount: number, days: number, isPartialPayment: boolean) => ({ amount, description: 'TARI 2027', isPartialPayment, dueDate: due(days), transfer: transfer(amount) });
  const iupds: string[] = [];
  for (let n = 0; n < count; n++) {
    const iupd = `bench-${kind === 'single payment' ? 'single' : 'three'}-${n}`;
    const response = await fetch(`${server.url}/gpd/debt-positions-service/v1/organizations/${BUGLIANO.fiscalCode}/debtpositions?toPublish=true`, {
      method: 'POST',
      headers: { 'ocp-apim-subscription-key': server.key, 'content-type': 'application/json' },
      body: JSON.stringify({
        iupd,
        type: 'F',
        fiscalCode: 'BNCMRC78C14G702E',
        fullName: 'Marco Bianchi',
        streetName: 'Via Roma',
        civicNumber: '1',
        postalCode: '56030',
        city: 'Bugliano',
        province: 'PI',
        switchToExpired: false,
        companyName: BUGLIANO.companyName,
        paymentOption: kind === 'single payment' ? [opt(10_000 + n, 60, false)] : [opt(3_400 + n, 60, true), opt(3_400 + n, 150, true), opt(3_400 + n, 240, true)],
      }),
    });
    if (response.status !== 201) throw new Error(`creating ${iupd}: ${response.status} ${await response.text()}`);
    iupds.push(iupd);
  }
  return iupds;
}

async function overHttp(server: PagopaServer, kind: Kind, iupds: readonly string[]): Promise<Row> {
  const get = async (iupd: string) => {
    const response = await fetch(`${server.url}/print-payment-notice-service/v1/organizations/${BUGLIANO.fiscalCode}/debtpositions/${iupd}/notice`, { headers: { 'ocp-apim-subscription-key': server.key } });
    const body = Buffer.from(await response.arrayBuffer());
    if (response.status !== 200 || response.headers.get('content-type') !== 'application/pdf') throw new Error(`notice of ${iupd}: ${response.status} ${body.toString().slice(0, 200)}`);
    return body.length;
  };
  for (const iupd of iupds.slice(0, 20)) await get(iupd); // warm-up
  const latencies: number[] = [];
  const bytes: number[] = [];
  let next = 0;
  const cpu0 = cpuSeconds([server.pid]);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < COUNT) {
        const iupd = iupds[next++ % iupds.length]!;
        const t0 = performance.now();
        bytes.push(await get(iupd));
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { label: `HTTP, ${kind}, ${CONCURRENCY} in flight`, count: latencies.length, seconds: (performance.now() - started) / 1000, latencies, bytes, cpu: cpuSeconds([server.pid]) - cpu0 };
}

async function main(): Promise<void> {
  printHeader('pagoPA printed notices (avviso di pagamento PDF)', [
    `Notices: ${COUNT} per run; single payment (1 QR code, 1 postal slip: 1 page) and 3 installments (3 QR codes, 3 postal slips: 2 pages)`,
    'Builder: renderNoticePdf in this process, one at a time; HTTP: GET …/debtpositions/{iupd}/notice with the institution key, the app in a child process',
    'CPU: of the process that rendered (this one for the builder, the app\'s for HTTP): PDFs per CPU-second is what one idle core would do',
  ]);
  const results: Row[] = [];
  for (const kind of KINDS) results.push(await builder(kind));
  const server = await startChild<PagopaServer>(new URL(import.meta.url), 'pagopa');
  try {
    for (const kind of KINDS) {
      const iupds = await createPositions(server.info, kind, 100);
      results.push({ ...(await overHttp(server.info, kind, iupds)), label: `HTTP (${server.info.database}), ${kind}, ${CONCURRENCY} in flight` });
    }
  } finally {
    await server.stop();
  }
  console.log('');
  console.log(
    formatTable([
      ['run', 'notices', 'seconds', 'PDFs/s', 'p50 ms', 'p95 ms', 'p99 ms', 'KiB/PDF', 'CPU ms/PDF', 'PDFs/CPU-s'],
      ...results.map((r) => [
        ...documentRunCells(r),
        fixed((r.cpu / r.count) * 1000, 2),
        fixed(r.count / r.cpu, 0),
      ]),
    ]),
  );
}

if (!serveIfChild(roles)) await main();
