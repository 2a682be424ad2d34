// Paying a cart: each notice activated on the Nodo as the chosen PSP (the token locks it), the card sent to
// the issuer simulator for the total, then every token closed with the outcome: OK pays the notices (receipts),
// KO releases them. Same platform as the Nodo, so its functions are called directly, as its HTTP routes do.
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Executor } from '../../../core/db.ts';
import type { Mailer } from '../../../core/mail.ts';
import { formatEuroCents, type Locale } from '../../../core/i18n.ts';
import { decryptSecret } from '../../../core/secrets.ts';
import { dateInItaly } from '../../../domain/dates.ts';
import { formatNoticeNumber } from '../../../domain/pagopa/notice-number.ts';
import { euroAmount, type Ko } from '../../../clients/pagopa/nodo-wire.ts';
import { activatePayment, paymentTokenStates, sendOutcome, type OutcomeInput } from '../nodo/payments.ts';
import { listPsps, pspById, type Psp } from '../nodo/psps.ts';
import { authoriseCard } from './card.ts';
import { checkoutT } from './messages.ts';
import { cartRecovery } from './rules.ts';
import { cartAmount, finishPayment, loadCart, recordToken, reopenCart, type Cart, type CartFailure, type CartNotice } from './store.ts';

/** The payment type of cards in the PSPs' catalogue (stPaymentMethodFee CP, "carta di pagamento"). */
const CARD = 'CP';
/** A payment completes in seconds: a token left behind by a crash locks its notice for this long, not 30 minutes. */
const TOKEN_LIFETIME_MS = 5 * 60 * 1000;
/** How long a repeated "Paga" waits for the first one's outcome before showing the page that is in progress. */
const SETTLE_WAIT_MS = 20_000;

export interface PayDeps {
  db: Executor;
  secret: string;
  mailer: Mailer;
}

/** Where the sealed card number of a cart belongs (the AES-GCM associated data). */
export const panContext = (cartId: string) => `pagopa.checkout_carts.card_pan_sealed:${cartId}`;

/** The PSPs that take cards, cheapest first (the fee the payer is shown before choosing, SANP "Checkout"). */
export async function cardOffers(db: Executor): Promise<Psp[]> {
  return (await listPsps(db)).filter((p) => p.enabled && p.paymentTypes.includes(CARD)).sort((a, b) => a.fee - b.fee || a.companyName.localeCompare(b.companyName, 'it'));
}

/** The cart once no payment is running on it (or as it is after waiting SETTLE_WAIT_MS). */
export async function settledCart(db: Executor, id: string): Promise<Cart> {
  const until = Date.now() + SETTLE_WAIT_MS;
  for (;;) {
    const cart = (await loadCart(db, id))!;
    if (cart.status !== 'PAYING' || Date.now() >= until) return cart;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Why the Nodo refused a notice, in the cart's words. */
function failureOf(ko: Ko): CartFailure {
  switch (ko.fault.originalFaultCode ?? ko.fault.faultCode) {
    case 'PPT_PAGAMENTO_DUPLICATO':
    case 'PAA_PAGAMENTO_DUPLICATO':
      return 'duplicate';
    case 'PPT_PAGAMENTO_IN_CORSO':
      return 'in-progress';
    case 'PAA_PAGAMENTO_SCONOSCIUTO':
    case 'PPT_DOMINIO_SCONOSCIUTO':
    case 'PPT_DOMINIO_DISABILITATO':
      return 'unknown';
    case 'PAA_PAGAMENTO_SCADUTO':
      return 'expired';
    case 'PAA_PAGAMENTO_ANNULLATO':
      return 'annulled';
    default:
      return 'error';
  }
}

/** `<idPSP>_<10 characters>` derived from the cart's payment and the notice: the same notice in the same payment, the same token. */
const idempotencyKey = (psp: Psp, cart: Cart, notice: CartNotice) =>
  `${psp.idPSP.replace(/[^A-Za-z0-9]/g, '').slice(0, 18)}_${createHash('sha256').update(`${cart.id}:${cart.updatedAt.toISOString()}:${notice.position}`).digest('hex').slice(0, 10)}`;

type Outcome = { paid: true } | { paid: false; failure: CartFailure; noticeNumber?: string };

async function pay(deps: PayDeps, cart: Cart, log: FastifyBaseLogger): Promise<Outcome> {
  const psp = await pspById(deps.db, cart.pspId!);
  if (!psp?.enabled || !psp.paymentTypes.includes(CARD)) return { paid: false, failure: 'error' };
  const now = () => new Date();
  // The PSP's fee is charged once for the cart; the outcome of its first notice carries it.
  const details = (fee: number): OutcomeInput['details'] => ({ paymentMethod: 'creditCard', paymentChannel: 'onLine', fee: euroAmount(fee), applicationDate: dateInItaly(now()), transferDate: dateInItaly(now()) });
  const tokens: string[] = [];
  const release = async (from = 0) => {
    for (const paymentToken of tokens.slice(from)) {
      const answer = await sendOutcome(deps.db, psp, { paymentToken, outcome: 'KO', details: details(0) }, now());
      if (answer.outcome === 'KO') log.warn({ cart: cart.id, fault: answer.fault }, 'checkout: releasing a payment token was refused');
    }
  };
  try {
    for (const notice of cart.notices) {
      const answer = await activatePayment(
        deps.db,
        psp,
        { idempotencyKey: idempotencyKey(psp, cart, notice), qrCode: { fiscalCode: notice.fiscalCode, noticeNumber: notice.noticeNumber }, amount: euroAmount(notice.amount), expirationTime: TOKEN_LIFETIME_MS },
        now(),
      );
      if (answer.outcome === 'KO') {
        await release();
        return { paid: false, failure: failureOf(answer), noticeNumber: notice.noticeNumber };
      }
      tokens.push(answer.paymentToken);
      await recordToken(deps.db, cart.id, notice.position, answer.paymentToken);
    }
    const authorisation = authoriseCard(decryptSecret(deps.secret, cart.cardPanSealed!, panContext(cart.id)), () => randomBytes(3).toString('hex').toUpperCase());
    if (authorisation.outcome === 'declined') {
      await release();
      return { paid: false, failure: 'declined' };
    }
    for (const [i, paymentToken] of tokens.entries()) {
      const answer = await sendOutcome(deps.db, psp, { paymentToken, outcome: 'OK', details: details(i === 0 ? (cart.fee ?? 0) : 0) }, now());
      if (answer.outcome === 'KO') {
        // The notices before this one are paid and have their receipts; the rest are released.
        log.error({ cart: cart.id, fault: answer.fault }, 'checkout: the Nodo refused the outcome of an authorised payment');
        await release(i + 1);
        return { paid: false, failure: 'error', noticeNumber: cart.notices[i]!.noticeNumber };
      }
    }
    return { paid: true };
  } catch (err) {
    log.error({ err, cart: cart.id }, 'checkout: paying the cart failed');
    await release().catch((releaseErr: unknown) => log.error({ err: releaseErr, cart: cart.id }, 'checkout: releasing the tokens failed'));
    return { paid: false, failure: 'error' };
  }
}

/** Tells the payer the outcome at the e-mail given on the first page (the receipt itself goes to the institution). */
async function mailOutcome(deps: PayDeps, cart: Cart, locale: Locale): Promise<void> {
  const tr = checkoutT(locale);
  const total = formatEuroCents(cartAmount(cart) + (cart.fee ?? 0), locale);
  await deps.mailer.send({
    to: cart.email!,
    subject: tr('mailSubject'),
    text: tr('mailText', {
      total,
      notices: cart.notices.map((n) => `- ${n.companyName}: ${n.description} (${formatNoticeNumber(n.noticeNumber)}) ${formatEuroCents(n.amount, locale)}`).join('\n'),
    }),
    // One cart, one message: a repeated send carries the same Message-ID.
    messageId: `<${cart.id}@checkout.pagopa>`,
  });
}

async function finish(deps: PayDeps, cart: Cart, outcome: Outcome, locale: Locale, log: FastifyBaseLogger): Promise<Cart> {
  await finishPayment(deps.db, cart.id, new Date(), outcome);
  const closed = (await loadCart(deps.db, cart.id))!;
  if (closed.status === 'PAID') await mailOutcome(deps, closed, locale).catch((err: unknown) => log.warn({ err, cart: cart.id }, 'checkout: the outcome e-mail was not sent'));
  return closed;
}

/** Pays a cart the caller has just taken to PAYING; answers the cart as it ends (PAID or FAILED). */
export async function payCart(deps: PayDeps, cart: Cart, locale: Locale, log: FastifyBaseLogger): Promise<Cart> {
  // As beginPayment left it: its updatedAt names this payment in the idempotency keys.
  const paying = (await loadCart(deps.db, cart.id))!;
  return finish(deps, paying, await pay(deps, paying, log), locale, log);
}

/**
 * A cart left PAYING by a process that died mid-payment, once its payment is older than a token's life and the
 * Nodo holds no live token of it: PAID or FAILED as the Nodo recorded, or open again so the payer can retry.
 */
export async function recoverCart(deps: PayDeps, cart: Cart, locale: Locale, log: FastifyBaseLogger, now = new Date()): Promise<Cart> {
  if (cart.status !== 'PAYING' || now.getTime() - cart.updatedAt.getTime() < TOKEN_LIFETIME_MS) return cart;
  const states = await paymentTokenStates(deps.db, cart.notices.flatMap((n) => (n.paymentToken ? [n.paymentToken] : [])), now);
  const recovery = cartRecovery(cart.notices.map((n) => ({ noticeNumber: n.noticeNumber, payment: n.paymentToken ? (states.get(n.paymentToken) ?? 'expired') : 'none' })));
  if (recovery === 'wait') return cart;
  log.warn({ cart: cart.id, recovery }, 'checkout: a cart left paying is recovered from the Nodo');
  if (recovery !== 'open') return finish(deps, cart, recovery, locale, log);
  await reopenCart(deps.db, cart.id, cart.updatedAt, now);
  return (await loadCart(deps.db, cart.id))!;
}
