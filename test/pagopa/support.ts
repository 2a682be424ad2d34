// Shared by pagoPA's tests: the demo institutions, their GPD clients, and debt positions of Marco Bianchi owed to them.
import { DEMO_CREDITOR_INSTITUTIONS, demoPagopaKey } from '../../src/clients/pagopa/demo.ts';
import { gpdBaseUrl, gpdClient, type GpdClient } from '../../src/clients/pagopa/index.ts';
import type { PaymentPositionBody } from '../../src/clients/pagopa/wire.ts';
import type { TestSystem } from '../support/system.ts';

export const BUGLIANO = DEMO_CREDITOR_INSTITUTIONS[0];
export const VICOPISANO = DEMO_CREDITOR_INSTITUTIONS[1];
export type DemoInstitution = (typeof DEMO_CREDITOR_INSTITUTIONS)[number];
export type PaymentOptionBody = PaymentPositionBody['paymentOption'][number];

export const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString();

/** A debt position of Marco Bianchi (a natural person) to the institution, left to expire only by hand. */
export function debtPosition(iupd: string, paymentOption: PaymentOptionBody[], institution: DemoInstitution = BUGLIANO): PaymentPositionBody {
  return { iupd, type: 'F', fiscalCode: 'BNCMRC78C14G702E', fullName: 'Marco Bianchi', switchToExpired: false, companyName: institution.companyName, paymentOption };
}

/** A payment option of `amount` cents paid in one transfer to `iban`, its description the remittance information. */
export function singleTransferOption(amount: number, description: string, dueDate: string, iban: string, isPartialPayment = false): PaymentOptionBody {
  return { amount, description, isPartialPayment, dueDate, transfer: [{ idTransfer: '1', amount, remittanceInformation: description, category: '9/0101108TS/', iban }] };
}

/** The GPD client of a demo institution, with its demo subscription key. */
export const gpdOf = (system: TestSystem, institution: DemoInstitution): GpdClient =>
  gpdClient({ baseUrl: gpdBaseUrl(system.urls.pagopa), subscriptionKey: demoPagopaKey(system.ctx.secret, institution.fiscalCode), organizationFiscalCode: institution.fiscalCode });

/**
 * Pays a Checkout cart as a browser without JavaScript does (form posts, no cookie): e-mail, a test card, the
 * tobacconists' PSP, "Paga"; answers where Checkout sends the browser (the cart's return URL once paid).
 */
export async function payCartByCard(checkoutUrl: string, email = 'marco.bianchi@example.it'): Promise<string | null> {
  const post = async (url: string, form: Record<string, string>) =>
    (await fetch(url, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() })).headers.get('location');
  await post(checkoutUrl, { email });
  await post(`${checkoutUrl}/metodo`, { method: 'CP', holder: 'Marco Bianchi', pan: '4242 4242 4242 4242', expiry: '12/30', cvv: '123' });
  await post(`${checkoutUrl}/psp`, { psp: 'TABDITM1XXX' });
  return post(`${checkoutUrl}/paga`, {});
}
