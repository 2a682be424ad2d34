// Shared by the PSP simulator's tests: debt positions made on pagoPA's GPD (as the institution would) to pay at a counter.
import { randomUUID } from 'node:crypto';
import { DEMO_CREDITOR_INSTITUTIONS, demoPagopaKey } from '../../src/clients/pagopa/demo.ts';
import { gpdBaseUrl, gpdClient, type GpdClient } from '../../src/clients/pagopa/index.ts';
import type { TestSystem } from '../support/system.ts';

export const BUGLIANO = DEMO_CREDITOR_INSTITUTIONS[0];
export const VICOPISANO = DEMO_CREDITOR_INSTITUTIONS[1];
type Institution = (typeof DEMO_CREDITOR_INSTITUTIONS)[number];

export const gpdOf = (system: TestSystem, institution: Institution): GpdClient =>
  gpdClient({ baseUrl: gpdBaseUrl(system.urls.pagopa), subscriptionKey: demoPagopaKey(system.ctx.secret, institution.fiscalCode), organizationFiscalCode: institution.fiscalCode });

/** A published position with one notice of `amount` cents to the institution's treasury IBAN (due in 30 days unless `due` says); its IUPD and notice number. */
export async function publishedNotice(
  system: TestSystem,
  institution: Institution,
  amount: number,
  description = 'Diritti di segreteria',
  due: { inMs: number; switchToExpired: boolean } = { inMs: 30 * 86_400_000, switchToExpired: false },
): Promise<{ iupd: string; nav: string }> {
  const iupd = `psp-test-${randomUUID()}`;
  const position = await gpdOf(system, institution).createPosition(
    {
      iupd,
      type: 'F',
      fiscalCode: 'BNCMRC78C14G702E',
      fullName: 'Marco Bianchi',
      switchToExpired: due.switchToExpired,
      companyName: institution.companyName,
      paymentOption: [
        {
          amount,
          description,
          isPartialPayment: false,
          dueDate: new Date(Date.now() + due.inMs).toISOString(),
          transfer: [{ idTransfer: '1', amount, remittanceInformation: description, category: '9/0101108TS/', iban: institution.iban }],
        },
      ],
    },
    { toPublish: true },
  );
  return { iupd, nav: position.paymentOption[0]!.nav };
}
