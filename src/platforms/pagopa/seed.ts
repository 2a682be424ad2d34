// Demo data (idempotent): the demo comuni as creditor institutions (station with segregation code, treasury
// and postal IBANs), their subscription keys and the operators' key derived from SECRET, and a few debt
// positions: a published TARI with a single payment or two installments, and a draft.
import type { Executor } from '../../core/db.ts';
import type { DemoAccount } from '../../core/runtime.ts';
import { createApiKey } from '../../core/auth/api-keys.ts';
import { HttpProblem } from '../../core/problem.ts';
import { demoPeople } from '../../domain/demo-people.ts';
import { DEMO_CREDITOR_INSTITUTIONS, demoPagopaKey } from '../../clients/pagopa/demo.ts';
import { OPERATOR_KEY_OWNER } from './admin.ts';
import { GPD_PREFIX, SUBSCRIPTION_KEY_HEADER } from '../../clients/pagopa/wire.ts';
import { SUBSCRIPTION_KEY_OWNER } from './api.ts';
import { institutionByFiscalCode, onboardInstitution, type Actor, type Institution } from './institutions.ts';
import { createPosition, type DebtPositionInput } from './positions.ts';
import { SCHEMA } from './schema.ts';

const SEED: Actor = { type: 'system', id: 'seed' };
// The taxonomy code of GPD's own examples; a real ente takes each service's code from the pagoPA taxonomy.
const TAXONOMY_EXAMPLE = '9/0101108TS/';
const DAY = 86_400_000;

function demoPositions(institution: Institution, demo: (typeof DEMO_CREDITOR_INSTITUTIONS)[number], now: Date): { input: DebtPositionInput; toPublish: boolean }[] {
  const due = (days: number) => new Date(Math.ceil((now.getTime() + days * DAY) / DAY) * DAY - 1000);
  const citizen = demoPeople[0]!;
  const other = demoPeople[1]!;
  const debtor = (p: typeof citizen) => ({ type: 'F' as const, fiscalCode: p.fiscalCode, fullName: `${p.givenName} ${p.familyName}`, email: p.email, country: 'IT' });
  const transfer = (amount: number, remittanceInformation: string, category: string) => [{ idTransfer: '1', amount, remittanceInformation, category, iban: demo.iban }];
  const tari = (amount: number, description: string, dueDays: number, isPartialPayment: boolean) => ({
    amount,
    description,
    isPartialPayment,
    dueDate: due(dueDays),
    transfer: transfer(amount, description, TAXONOMY_EXAMPLE),
  });
  const slug = demo.iupdPrefix;
  return [
    {
      toPublish: true,
      input: {
        iupd: `${slug}-tari-2026-0001`,
        ...debtor(citizen),
        switchToExpired: false,
        companyName: institution.companyName,
        officeName: institution.officeName ?? undefined,
        paymentOption: [tari(24_600, 'TARI 2026 - rata unica', 60, false), tari(12_300, 'TARI 2026 - rata 1 di 2', 60, true), tari(12_300, 'TARI 2026 - rata 2 di 2', 150, true)],
      },
    },
    {
      toPublish: true,
      input: {
        iupd: `${slug}-tari-2026-0002`,
        ...debtor(other),
        switchToExpired: false,
        companyName: institution.companyName,
        officeName: institution.officeName ?? undefined,
        paymentOption: [tari(18_250, 'TARI 2026 - rata unica', 60, false)],
      },
    },
    {
      toPublish: false,
      input: {
        iupd: `${slug}-mensa-2026-0001`,
        ...debtor(citizen),
        switchToExpired: true,
        companyName: institution.companyName,
        officeName: 'Servizi scolastici',
        paymentOption: [{ amount: 4_500, description: 'Mensa scolastica - ricarica', isPartialPayment: false, dueDate: due(30), transfer: transfer(4_500, 'Mensa scolastica - ricarica', TAXONOMY_EXAMPLE) }],
      },
    },
  ];
}

export async function seedPagopa(db: Executor, secret: string, now = new Date()): Promise<void> {
  await createApiKey(db, SCHEMA, { ownerType: OPERATOR_KEY_OWNER, ownerId: 'pagopa', label: 'demo: operatore della piattaforma', key: demoPagopaKey(secret, OPERATOR_KEY_OWNER) });
  for (const demo of DEMO_CREDITOR_INSTITUTIONS) {
    const institution =
      (await institutionByFiscalCode(db, demo.fiscalCode)) ??
      (await onboardInstitution(db, SEED, {
        fiscalCode: demo.fiscalCode,
        companyName: demo.companyName,
        officeName: demo.officeName,
        auxDigit: 3,
        segregationCode: demo.segregationCode,
        stationId: demo.stationId,
        cbillCode: demo.cbillCode,
        ibans: [
          { iban: demo.iban, description: 'Tesoreria comunale' },
          { iban: demo.postalIban, postal: true, description: 'Conto corrente postale' },
        ],
      }));
    // The comune derives the same key (src/clients/pagopa/demo.ts).
    await createApiKey(db, SCHEMA, { ownerType: SUBSCRIPTION_KEY_OWNER, ownerId: institution.id, label: 'demo: piattaforma comunale Sportello', key: demoPagopaKey(secret, demo.fiscalCode) });
    for (const { input, toPublish } of demoPositions(institution, demo, now)) {
      try {
        await createPosition(db, SEED, institution, input, { toPublish, now });
      } catch (err) {
        if (!(err instanceof HttpProblem && err.status === 409)) throw err;
      }
    }
  }
}

export function pagopaDemoAccounts(secret: string): DemoAccount[] {
  return [
    { who: 'pagoPA — operators (onboarding API)', login: '/admin/v1 · Authorization: Bearer', secret: demoPagopaKey(secret, OPERATOR_KEY_OWNER) },
    ...DEMO_CREDITOR_INSTITUTIONS.map((d) => ({ who: `pagoPA GPD — ${d.companyName} (${d.fiscalCode})`, login: `${GPD_PREFIX} · ${SUBSCRIPTION_KEY_HEADER}`, secret: demoPagopaKey(secret, d.fiscalCode) })),
  ];
}
