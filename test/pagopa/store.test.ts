// The pagoPA store on each database: the demo seed run twice, the command line, the sweeper that stores the
// time-driven states, and IUV progressives drawn concurrently.
import { expect, it } from 'vitest';
import { withTestDatabases } from '../support/database.ts';
import { migrateSchema } from '../../src/core/migrations.ts';
import { verifyApiKey } from '../../src/core/auth/api-keys.ts';
import { DEMO_CREDITOR_INSTITUTIONS } from '../../src/clients/pagopa/demo.ts';
import { pagopaMigrations } from '../../src/platforms/pagopa/migrations.ts';
import { seedPagopa } from '../../src/platforms/pagopa/seed.ts';
import { runPagopaCommand } from '../../src/platforms/pagopa/cli.ts';
import { institutionByFiscalCode, nextIuvProgressives, type Actor } from '../../src/platforms/pagopa/institutions.ts';
import { advanceStatuses, createPosition, getPosition, listPositions, markOptionPaid, type DebtPositionInput } from '../../src/platforms/pagopa/positions.ts';

const DAY = 86_400_000;
const now = new Date();
const at = (days: number) => new Date(now.getTime() + days * DAY);
const actor: Actor = { type: 'system', id: 'test' };
const BUGLIANO = DEMO_CREDITOR_INSTITUTIONS[0];

const input = (iupd: string, over: Partial<DebtPositionInput> = {}): DebtPositionInput => ({
  iupd,
  type: 'F',
  fiscalCode: 'ANONIMO',
  fullName: 'Pagatore',
  switchToExpired: false,
  companyName: BUGLIANO.companyName,
  paymentOption: [
    { amount: 1_000, description: 'Prova', isPartialPayment: false, dueDate: at(5), transfer: [{ idTransfer: '1', amount: 1_000, remittanceInformation: 'Prova', category: '9/0101108TS/', iban: BUGLIANO.iban }] },
  ],
  ...over,
});

await withTestDatabases('pagoPA store', ({ database }) => {
  it('seeds idempotently', async () => {
    const { db } = database();
    await migrateSchema(db, 'pagopa', pagopaMigrations);
    await seedPagopa(db, 'test-secret', now);
    await seedPagopa(db, 'test-secret', now);
    const bugliano = (await institutionByFiscalCode(db, BUGLIANO.fiscalCode))!;
    expect(bugliano).toMatchObject({ auxDigit: 3, segregationCode: '01', stationId: '80000990509_01', ibans: [{ iban: BUGLIANO.iban, postal: false }, { iban: BUGLIANO.postalIban, postal: true }] });
    expect((await listPositions(db, bugliano, { limit: 50, page: 0, orderBy: 'IUPD', ordering: 'ASC' })).positions.map((p) => p.iupd)).toEqual([
      'bug-mensa-2026-0001',
      'bug-tari-2026-0001',
      'bug-tari-2026-0002',
    ]);
  });

  it('issues operator and subscription keys from the command line', async () => {
    const { db } = database();
    const key = (line: string) => /: (sk_\S+)$/.exec(line)![1]!;
    const [operator] = await runPagopaCommand(db, ['operator-key', 'create', 'ops']);
    expect(await verifyApiKey(db, 'pagopa', key(operator!))).toMatchObject({ ownerType: 'platform_operator' });
    const [subscription] = await runPagopaCommand(db, ['subscription-key', 'create', BUGLIANO.fiscalCode, 'tributi']);
    const bugliano = (await institutionByFiscalCode(db, BUGLIANO.fiscalCode))!;
    expect(await verifyApiKey(db, 'pagopa', key(subscription!))).toMatchObject({ ownerType: 'creditor_institution', ownerId: bugliano.id });
    expect((await runPagopaCommand(db, ['institutions'])).join('\n')).toContain('80000990509  Comune di Bugliano  station 80000990509_01, aux digit 3, segregation code 01');
    await expect(runPagopaCommand(db, ['subscription-key', 'create', '01199250158'])).rejects.toThrow(/No creditor institution/);
    await expect(runPagopaCommand(db, ['nonsense'])).rejects.toThrow(/Usage/);
  });

  it('stores PUBLISHED → VALID at the validity date and VALID → EXPIRED after the last due date, not when paid', async () => {
    const { db } = database();
    const bugliano = (await institutionByFiscalCode(db, BUGLIANO.fiscalCode))!;
    await createPosition(db, actor, bugliano, input('sweep-published', { validityDate: at(1) }), { toPublish: true, now });
    await createPosition(db, actor, bugliano, input('sweep-expiring', { switchToExpired: true }), { toPublish: true, now });
    const paid = await createPosition(db, actor, bugliano, input('sweep-paid', { switchToExpired: true }), { toPublish: true, now });
    await markOptionPaid(db, actor, bugliano, paid.paymentOption[0]!.nav, now, now);
    expect((await getPosition(db, bugliano, 'sweep-published', now)).status).toBe('PUBLISHED');

    expect(await advanceStatuses(db, at(2))).toBeGreaterThanOrEqual(1);
    const stored = async (status: string) => (await listPositions(db, bugliano, { limit: 50, page: 0, orderBy: 'IUPD', ordering: 'ASC', status: status as never }, at(2))).positions.map((p) => p.iupd);
    expect(await stored('VALID')).toContain('sweep-published');
    expect(await advanceStatuses(db, at(10))).toBeGreaterThanOrEqual(1);
    expect((await getPosition(db, bugliano, 'sweep-expiring', at(10))).status).toBe('EXPIRED');
    expect(await stored('PAID')).toContain('sweep-paid');
    expect(await advanceStatuses(db, at(10))).toBe(0);
  });

  it('never draws the same IUV progressive twice, even concurrently', async () => {
    const { db } = database();
    const bugliano = (await institutionByFiscalCode(db, BUGLIANO.fiscalCode))!;
    const drawn = (await Promise.all(Array.from({ length: 20 }, () => nextIuvProgressives(db, bugliano, 5)))).flat();
    expect(new Set(drawn.map(String)).size).toBe(100);
  });
});
