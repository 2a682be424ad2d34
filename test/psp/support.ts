// Shared by the PSP simulator's tests: debt positions made on pagoPA's GPD (as the institution would) to pay at a counter.
import { randomUUID } from 'node:crypto';
import type { TestSystem } from '../support/system.ts';
import { debtPosition, gpdOf, singleTransferOption, type DemoInstitution } from '../pagopa/support.ts';

export { BUGLIANO, VICOPISANO, gpdOf } from '../pagopa/support.ts';

/** A published position with one notice of `amount` cents to the institution's treasury IBAN (due in 30 days unless `due` says); its IUPD and notice number. */
export async function publishedNotice(
  system: TestSystem,
  institution: DemoInstitution,
  amount: number,
  description = 'Diritti di segreteria',
  due: { inMs: number; switchToExpired: boolean } = { inMs: 30 * 86_400_000, switchToExpired: false },
): Promise<{ iupd: string; nav: string }> {
  const iupd = `psp-test-${randomUUID()}`;
  const position = await gpdOf(system, institution).createPosition(
    { ...debtPosition(iupd, [singleTransferOption(amount, description, new Date(Date.now() + due.inMs).toISOString(), institution.iban)], institution), switchToExpired: due.switchToExpired },
    { toPublish: true },
  );
  return { iupd, nav: position.paymentOption[0]!.nav };
}
