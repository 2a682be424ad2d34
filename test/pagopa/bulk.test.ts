// GPD's massive upload over HTTP on PostgreSQL and PGlite: a file processed in chunks by the job, every position checked,
// created and published with its notice numbers; the same file again creates nothing (409 per position).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSystem, type TestSystem } from '../support/system.ts';
import { demoPagopaKey } from '../../src/clients/pagopa/demo.ts';
import { bulkClient, bulkFilesPath, type BulkClient, type UploadReport } from '../../src/clients/pagopa/bulk.ts';
import { gpdBaseUrl, gpdClient, GpdError } from '../../src/clients/pagopa/index.ts';
import type { PaymentPositionBody } from '../../src/clients/pagopa/wire.ts';
import { parseNoticeNumber } from '../../src/domain/pagopa/notice-number.ts';
import { sql } from '../../src/core/db.ts';
import { CHUNK_SIZE } from '../../src/platforms/pagopa/bulk/store.ts';
import { BUGLIANO, debtPosition, inDays, singleTransferOption, VICOPISANO } from './support.ts';

function position(iupd: string, iban: string = BUGLIANO.iban): PaymentPositionBody {
  return debtPosition(iupd, [1, 2].map((n) => singleTransferOption(5_000, `TARI rata ${n}`, inDays(30 * n), iban, true)));
}

async function finished(client: BulkClient, id: string): Promise<UploadReport> {
  for (let i = 0; i < 300; i++) {
    const status = await client.status(id);
    if (status.endTime) {
      expect(status.processedItem).toBe(status.submittedItem);
      return client.report(id);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`upload ${id} not finished`);
}

const group = (report: UploadReport, statusCode: number) => report.responses.filter((r) => r.statusCode === statusCode).flatMap((r) => r.requestIDs).sort();

for (const database of ['postgres', 'pglite'] as const) describe(`pagoPA massive upload [${database}]`, () => {
  let system: TestSystem;
  let client: BulkClient;

  beforeAll(async () => {
    system = await startSystem({ apps: ['pagopa'], database });
    client = bulkClient({ pagopaUrl: system.urls.pagopa, subscriptionKey: demoPagopaKey(system.ctx.secret, BUGLIANO.fiscalCode), brokerCode: BUGLIANO.fiscalCode, organizationFiscalCode: BUGLIANO.fiscalCode });
  }, 60_000);
  afterAll(() => system?.stop());

  it('creates and publishes the valid positions, reports the invalid ones, and a retried file creates nothing twice', async () => {
    const file = [position('bulk-1'), position('bulk-2', 'IT60X0542811101000000123456'), position('bulk-3')];
    const report = await finished(client, await client.upload(file));
    expect(report).toMatchObject({ processedItem: 3, submittedItem: 3 });
    expect(group(report, 201)).toEqual(['bulk-1', 'bulk-3']);
    expect(group(report, 400)).toEqual(['bulk-2']);
    expect(report.responses.find((r) => r.statusCode === 400)!.statusMessage).toMatch(/iban.*not an IBAN registered/i);

    const gpd = gpdClient({ baseUrl: gpdBaseUrl(system.urls.pagopa), subscriptionKey: demoPagopaKey(system.ctx.secret, BUGLIANO.fiscalCode), organizationFiscalCode: BUGLIANO.fiscalCode });
    const created = await gpd.getPosition('bulk-1');
    expect(created.status).toBe('VALID');
    expect(created.publishDate).toBeDefined();
    const navs = report.notices.find((n) => n.iupd === 'bulk-1')!.nav;
    expect(created.paymentOption.map((o) => o.nav)).toEqual(navs);
    for (const nav of navs) expect(parseNoticeNumber(nav)).toMatchObject({ ok: true, value: { auxDigit: 3, segregationCode: BUGLIANO.segregationCode } });
    expect(created.paymentOption[0]!.transfer[0]).toMatchObject({ iban: BUGLIANO.iban, amount: 5_000, status: 'T_UNREPORTED' });
    await expect(gpd.getPosition('bulk-2')).rejects.toMatchObject({ status: 404 });

    // The same file again: the positions already there are 409 each, with their notice numbers; nothing new.
    const again = await finished(client, await client.upload(file));
    expect(group(again, 409)).toEqual(['bulk-1', 'bulk-3']);
    expect(again.notices.find((n) => n.iupd === 'bulk-1')!.nav).toEqual(navs);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from pagopa.debt_positions where iupd like 'bulk-%'`.execute(system.ctx.database.db);
    expect(rows[0]!.n).toBe(2);
  });

  it('processes a file of several chunks, duplicates inside it answered 409', async () => {
    const count = CHUNK_SIZE * 2 + 17;
    const file = Array.from({ length: count }, (_, i) => position(`many-${i}`));
    file.push(position('many-5'));
    const report = await finished(client, await client.upload(file));
    expect(group(report, 201)).toHaveLength(count);
    expect(group(report, 409)).toEqual(['many-5']);
    const allNavs = report.notices.filter((n) => n.iupd !== 'many-5' || n.nav.length).flatMap((n) => n.nav);
    expect(new Set(allNavs).size).toBe(count * 2);
  }, 60_000);

  it('refuses another organization, another broker and unknown uploads', async () => {
    const other = bulkClient({ pagopaUrl: system.urls.pagopa, subscriptionKey: demoPagopaKey(system.ctx.secret, VICOPISANO.fiscalCode), brokerCode: BUGLIANO.fiscalCode, organizationFiscalCode: BUGLIANO.fiscalCode });
    await expect(other.upload([position('x-1')])).rejects.toMatchObject({ status: 403 });
    const wrongBroker = bulkClient({ pagopaUrl: system.urls.pagopa, subscriptionKey: demoPagopaKey(system.ctx.secret, BUGLIANO.fiscalCode), brokerCode: '00000000000', organizationFiscalCode: BUGLIANO.fiscalCode });
    await expect(wrongBroker.upload([position('x-1')])).rejects.toMatchObject({ status: 403 });
    const id = await client.upload([position('x-2')]);
    const vicopisano = bulkClient({ pagopaUrl: system.urls.pagopa, subscriptionKey: demoPagopaKey(system.ctx.secret, VICOPISANO.fiscalCode), brokerCode: VICOPISANO.fiscalCode, organizationFiscalCode: VICOPISANO.fiscalCode });
    await expect(vicopisano.status(id)).rejects.toMatchObject({ status: 404 });
    await expect(client.status('00000000-0000-0000-0000-000000000000')).rejects.toBeInstanceOf(GpdError);
    // A malformed file is refused whole, before anything is stored.
    const response = await fetch(`${system.urls.pagopa}${bulkFilesPath(BUGLIANO.fiscalCode, BUGLIANO.fiscalCode)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'Ocp-Apim-Subscription-Key': demoPagopaKey(system.ctx.secret, BUGLIANO.fiscalCode) },
      body: JSON.stringify({ paymentPositions: [{ iupd: 'broken' }] }),
    });
    expect(response.status).toBe(400);
  });
});
