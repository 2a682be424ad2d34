// The ente's payment settings: sealed keys, budget chapters, the demo seed, the GPD client they give.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../../src/core/db.ts';
import { startSystem, type TestSystem } from '../support/system.ts';
import { gpdClientFor, paymentSettingsOf, treasuryKeyOf } from '../../src/comune/payments/settings.ts';
import { demoTreasuryKey } from '../../src/clients/psp/treasury.ts';
import { TenantRepository } from '../../src/comune/tenants/tenants.ts';
import { ServiceRepository } from '../../src/comune/catalog/services.ts';
import { servicePaymentOf } from '../../src/comune/payments/service-payments.ts';
import { DEMO_CANTEEN_PAYMENT } from '../../src/comune/payments/seed.ts';

let system: TestSystem;
beforeAll(async () => {
  system = await startSystem({ apps: ['comune', 'pagopa', 'identity'] });
}, 120_000);
afterAll(async () => system?.stop());

describe('payment settings', () => {
  it('seeds the demo entes as creditors of pagoPA with their keys sealed and their chapters', async () => {
    const db = system.ctx.database.db;
    const bugliano = (await new TenantRepository(db).bySlug('comune-di-bugliano'))!;
    const settings = (await paymentSettingsOf(db, bugliano.id))!;
    expect(settings).toMatchObject({ creditorFiscalCode: '80000990509', hasGpdKey: true, hasTreasuryKey: true, intermediary: { kind: 'direct' }, cbill: 'BUG01' });
    expect(settings.chapters.map((c) => c.code)).toEqual(['3010/1', '3010/2', '3050/1']);
    const stored = (await sql<{ gpd_key_sealed: string }>`select gpd_key_sealed from comune.payment_settings where tenant_id = ${bugliano.id}`.execute(db)).rows[0]!;
    expect(stored.gpd_key_sealed).toMatch(/^v1\./);
    expect(treasuryKeyOf(system.ctx, settings)).toBe(demoTreasuryKey(system.ctx.secret, '80000990509'));
    // The key works against pagoPA's GPD: the demo positions of pagoPA's seed are listed.
    const page = await gpdClientFor(system.ctx, settings).listPositions({ limit: 50 });
    expect(page.payment_position_list.some((p) => p.iupd === 'bug-tari-2026-0001')).toBe(true);
    // The school canteen's enrolment is paid before it is sent, split on the two canteen chapters.
    const canteen = (await new ServiceRepository(db).bySlug(bugliano.id, 'iscrizione-mensa-scolastica'))!;
    expect(await servicePaymentOf(db, canteen.id)).toEqual(DEMO_CANTEEN_PAYMENT);
    expect(DEMO_CANTEEN_PAYMENT).toMatchObject({ mode: 'immediate', split: [{ chapter: '3010/2' }, { chapter: '3010/1' }] });
  });
});
