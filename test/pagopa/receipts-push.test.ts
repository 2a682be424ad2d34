// Receipts pushed to the creditor's station (paSendRT as JSON) by a durable job: retried with backoff while the
// station fails or answers anything but outcome OK, then delivered, once per receipt id.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSystem, type TestSystem } from '../support/system.ts';
import { sql } from '../../src/core/db.ts';
import { dateInItaly } from '../../src/domain/dates.ts';
import { DEMO_PSPS, demoPagopaKey, pspKeyHolder } from '../../src/clients/pagopa/demo.ts';
import { isFault, nodoBaseUrl, nodoClient } from '../../src/clients/pagopa/nodo.ts';
import type { PaSendRtRequest } from '../../src/clients/pagopa/nodo-wire.ts';
import { BUGLIANO, debtPosition, gpdOf, inDays, singleTransferOption } from './support.ts';

const BANK = DEMO_PSPS[0];

let system: TestSystem;
let station: http.Server;
const received: { body: PaSendRtRequest; idempotencyKey: string | undefined; answered: number }[] = [];
// The station is down at first, then answers a refusal, then accepts.
const answers: [number, unknown][] = [
  [503, { error: 'unavailable' }],
  [200, { outcome: 'KO' }],
];

beforeAll(async () => {
  station = http.createServer((request, response) => {
    let data = '';
    request.on('data', (chunk) => (data += chunk));
    request.on('end', () => {
      const [status, body] = answers.shift() ?? [200, { outcome: 'OK' }];
      received.push({ body: JSON.parse(data) as PaSendRtRequest, idempotencyKey: request.headers['idempotency-key'] as string | undefined, answered: status === 200 && (body as { outcome: string }).outcome === 'OK' ? 200 : 500 });
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => station.listen(0, '127.0.0.1', resolve));
  system = await startSystem({ apps: ['pagopa'], database: 'postgres' });
  const operator = demoPagopaKey(system.config.secret!, 'platform_operator');
  const set = await fetch(`${system.urls.pagopa}/admin/v1/creditor-institutions/${BUGLIANO.fiscalCode}/receipts-url`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' },
    body: JSON.stringify({ receiptsUrl: `http://127.0.0.1:${(station.address() as AddressInfo).port}/paSendRT` }),
  });
  expect(set.status).toBe(200);
}, 120_000);

afterAll(async () => {
  await system?.stop();
  station?.close();
});

it('pushes every receipt until the station answers outcome OK, and each receipt is accepted once', async () => {
  const secret = system.config.secret!;
  const gpd = gpdOf(system, BUGLIANO);
  const nodo = nodoClient({ baseUrl: nodoBaseUrl(system.urls.pagopa), subscriptionKey: demoPagopaKey(secret, pspKeyHolder(BANK.idPSP)) });
  const ids = { idPSP: BANK.idPSP, idBrokerPSP: BANK.idBrokerPSP, idChannel: BANK.idChannel };
  const today = dateInItaly(new Date());
  const tokens: string[] = [];
  for (const [n, amount] of [[1, 2_500], [2, 3_500]] as const) {
    const position = await gpd.createPosition(debtPosition(`push-${n}`, [singleTransferOption(amount, 'Diritti', inDays(30), BUGLIANO.iban)]), { toPublish: true });
    const activated = await nodo.activatePaymentNotice({ ...ids, qrCode: { fiscalCode: BUGLIANO.fiscalCode, noticeNumber: position.paymentOption[0]!.nav }, amount: `${amount / 100}.00` });
    if (isFault(activated)) throw new Error(activated.fault.faultCode);
    const outcome = { ...ids, paymentToken: activated.paymentToken, outcome: 'OK' as const, details: { paymentMethod: 'cash' as const, fee: '1.00', applicationDate: today, transferDate: today } };
    expect(await nodo.sendPaymentOutcome(outcome)).toEqual({ outcome: 'OK' });
    // The PSP's retry of the same outcome does not make a second receipt to push.
    expect(await nodo.sendPaymentOutcome(outcome)).toEqual({ outcome: 'OK' });
    tokens.push(activated.paymentToken);
  }

  const accepted = () => received.filter((r) => r.answered === 200).map((r) => r.body.receipt.receiptId);
  const deadline = Date.now() + 30_000;
  while (accepted().length < tokens.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  // A little longer: nothing is sent again once accepted.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(accepted().sort()).toEqual([...tokens].sort());
  expect(received.length).toBe(tokens.length + 2);
  for (const r of received) {
    expect(r.idempotencyKey).toBe(r.body.receipt.receiptId);
    expect(r.body).toMatchObject({ idPA: BUGLIANO.fiscalCode, idBrokerPA: BUGLIANO.stationId.split('_')[0], idStation: BUGLIANO.stationId, receipt: { fiscalCode: BUGLIANO.fiscalCode, outcome: 'OK', idPSP: BANK.idPSP, paymentMethod: 'cash', fee: 100 } });
  }
  const { rows } = await sql<{ state: string; attempts: number }>`select state, attempts from pagopa.jobs where kind = 'pagopa.receipt-push' order by id`.execute(system.ctx.database.db);
  expect(rows.map((r) => r.state)).toEqual(['done', 'done']);
  expect(rows.reduce((sum, r) => sum + r.attempts, 0)).toBe(tokens.length + 2);
}, 60_000);
