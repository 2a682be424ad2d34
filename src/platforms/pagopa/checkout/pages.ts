// The Checkout pages a citizen is sent to with a cart: the notices and the e-mail for the outcome, the card,
// the PSP (cheapest first), the summary with "Paga"; then the outcome. Plain forms and redirects, no script:
// the cart id in the path (random, never listed) is what lets a browser act on the cart.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { App } from '../../../core/http.ts';
import type { Executor } from '../../../core/db.ts';
import type { Mailer } from '../../../core/mail.ts';
import { html, type SafeHtml } from '../../../core/html.ts';
import { alert, errorSummary, textField, type FieldErrors } from '../../../core/forms.ts';
import { dataTable } from '../../../core/ui.ts';
import { formatEuroCents, isLocale } from '../../../core/i18n.ts';
import { encryptSecret } from '../../../core/secrets.ts';
import { isValidEmail } from '../../../domain/contacts.ts';
import { formatNoticeNumber } from '../../../domain/pagopa/notice-number.ts';
import { checkCard } from './card.ts';
import { cartPath, sendCheckoutPage, STEPS } from './layout.ts';
import { checkoutT, type CheckoutKey, type CheckoutT } from './messages.ts';
import { cardOffers, panContext, payCart, recoverCart, settledCart } from './pay.ts';
import { beginPayment, cancelCart, cartAmount, isExpired, loadCart, saveCard, saveEmail, savePsp, type Cart } from './store.ts';

export interface CheckoutPagesDeps {
  db: Executor;
  secret: string;
  mailer: Mailer;
}

const Params = Type.Object({ cartId: Type.String({ maxLength: 64 }) });
const EmailForm = Type.Object({ email: Type.String({ maxLength: 254, default: '' }) });
const CardForm = Type.Object({
  method: Type.String({ maxLength: 20, default: '' }),
  holder: Type.String({ maxLength: 200, default: '' }),
  pan: Type.String({ maxLength: 40, default: '' }),
  expiry: Type.String({ maxLength: 10, default: '' }),
  cvv: Type.String({ maxLength: 10, default: '' }),
});
const PspForm = Type.Object({ psp: Type.String({ maxLength: 35, default: '' }) });
const page = { config: { html: true }, schema: { hide: true, params: Params } } as const;

const euro = (request: FastifyRequest, cents: number) => formatEuroCents(cents, request.locale);

function notFoundPage(reply: FastifyReply, request: FastifyRequest): FastifyReply {
  const tr = checkoutT(request.locale);
  return sendCheckoutPage(reply, request, { title: tr('notFoundTitle'), main: html`<h1>${tr('notFoundTitle')}</h1><p class="lead">${tr('notFoundText')}</p>` }, 404);
}

/** The first step the cart still lacks: the e-mail, the card, the PSP; the summary when it has them all. */
function nextStep(cart: Cart): number {
  if (!cart.email) return 0;
  if (!cart.card) return 1;
  if (!cart.pspId) return 2;
  return 3;
}

/** Where a browser goes for a cart that is no longer open: the institution's return URL or the outcome page. */
export function destination(cart: Cart, now: Date): string {
  if (cart.status === 'PAID') return cart.returnUrls.returnOkUrl;
  if (cart.status === 'CANCELLED') return cart.returnUrls.returnCancelUrl;
  if (cart.status === 'FAILED' && cart.failure === 'declined') return cart.returnUrls.returnErrorUrl;
  if (cart.status === 'OPEN' && !isExpired(cart, now)) return cartPath(cart, STEPS[nextStep(cart)]!.page);
  return cartPath(cart, 'esito');
}

const cancelForm = (cart: Cart, tr: CheckoutT) =>
  html`<form method="post" action="${cartPath(cart, 'annulla')}" class="mt-3"><button type="submit" class="btn btn-link px-0">${tr('cancel')}</button></form>`;

function noticesTable(request: FastifyRequest, cart: Cart): SafeHtml {
  const tr = checkoutT(request.locale);
  return html`${dataTable(
    tr('cartCaption'),
    [tr('creditor'), tr('object'), tr('noticeCode'), tr('amount')],
    cart.notices.map((n) => [n.companyName, n.description, html`<span class="text-nowrap">${formatNoticeNumber(n.noticeNumber)}</span>`, html`<span class="text-nowrap">${euro(request, n.amount)}</span>`]),
    '',
  )}<p class="h5 text-end">${tr('total')}: <span class="text-nowrap">${euro(request, cartAmount(cart))}</span></p>`;
}

/**
 * Loads the cart of the path and, for a step page, checks it can be shown: closed or expired carts go to their
 * outcome, and a step whose earlier steps are not done goes to the first of those.
 */
async function openCart(deps: CheckoutPagesDeps, request: FastifyRequest, reply: FastifyReply, step: number): Promise<Cart | undefined> {
  const loaded = await loadCart(deps.db, (request.params as { cartId: string }).cartId);
  if (!loaded) {
    notFoundPage(reply, request);
    return undefined;
  }
  const now = new Date();
  const cart = await recoverCart(deps, loaded, request.locale, request.log, now);
  if (cart.status !== 'OPEN' || isExpired(cart, now) || nextStep(cart) < step) {
    reply.redirect(destination(cart, now), 303);
    return undefined;
  }
  return cart;
}

function cartStep(request: FastifyRequest, reply: FastifyReply, cart: Cart, email: string, errors: FieldErrors, status = 200): FastifyReply {
  const tr = checkoutT(request.locale);
  const main = html`<h1>${tr('cartTitle')}</h1><p class="lead">${tr('cartIntro')}</p>
${errorSummary(errors, tr('errorSummary'))}
${noticesTable(request, cart)}
<form method="post" action="${cartPath(cart)}" novalidate>
  ${textField({ name: 'email', label: tr('emailLabel'), type: 'email', value: email, error: errors.email, help: tr('emailHelp'), required: true, autocomplete: 'email' })}
  <button type="submit" class="btn btn-primary">${tr('continue')}</button>
</form>
${cancelForm(cart, tr)}`;
  return sendCheckoutPage(reply, request, { title: tr('cartTitle'), main, step: 0, cart }, status);
}

function methodStep(request: FastifyRequest, reply: FastifyReply, cart: Cart, values: { holder: string; expiry: string }, errors: FieldErrors, status = 200): FastifyReply {
  const tr = checkoutT(request.locale);
  const main = html`<h1>${tr('methodTitle')}</h1>
${errorSummary(errors, tr('errorSummary'))}
<form method="post" action="${cartPath(cart, 'metodo')}" novalidate>
  <fieldset class="mb-4"><legend class="h5">${tr('methodLegend')}</legend>
    <div class="form-check"><input id="method-card" type="radio" name="method" value="CP" checked><label for="method-card">${tr('methodCard')}</label></div>
  </fieldset>
  <fieldset><legend class="h5">${tr('cardLegend')}</legend>
    ${alert('info', tr('cardDemo'))}
    ${textField({ name: 'holder', label: tr('cardHolder'), value: values.holder, error: errors.holder, required: true, autocomplete: 'cc-name' })}
    ${textField({ name: 'pan', label: tr('cardPan'), error: errors.pan, required: true, autocomplete: 'cc-number', inputmode: 'numeric' })}
    <div class="row"><div class="col-sm-6">
      ${textField({ name: 'expiry', label: tr('cardExpiry'), value: values.expiry, error: errors.expiry, required: true, autocomplete: 'cc-exp' })}
    </div><div class="col-sm-6">
      ${textField({ name: 'cvv', label: tr('cardCvv'), type: 'password', error: errors.cvv, help: tr('cardCvvHelp'), required: true, autocomplete: 'cc-csc', inputmode: 'numeric' })}
    </div></div>
  </fieldset>
  <div class="d-flex gap-2"><button type="submit" class="btn btn-primary">${tr('continue')}</button><a class="btn btn-outline-primary" href="${cartPath(cart)}">${tr('back')}</a></div>
</form>
${cancelForm(cart, tr)}`;
  return sendCheckoutPage(reply, request, { title: tr('methodTitle'), main, step: 1, cart }, status);
}

async function pspStep(deps: CheckoutPagesDeps, request: FastifyRequest, reply: FastifyReply, cart: Cart, errors: FieldErrors, status = 200): Promise<FastifyReply> {
  const tr = checkoutT(request.locale);
  const offers = await cardOffers(deps.db);
  const main = html`<h1>${tr('pspTitle')}</h1><p class="lead">${tr('pspIntro')}</p>
${errorSummary(errors, tr('errorSummary'))}
${
  offers.length
    ? html`<form method="post" action="${cartPath(cart, 'psp')}" novalidate>
  <fieldset${errors.psp ? html` aria-describedby="field-psp-error"` : ''}><legend class="h5">${tr('pspLegend')}</legend>
    ${offers.map(
      (psp, i) => html`<div class="form-check"><input id="${i === 0 ? 'field-psp' : `psp-${psp.idPSP}`}" type="radio" name="psp" value="${psp.idPSP}"${cart.pspId === psp.idPSP ? html` checked` : ''}>
      <label for="${i === 0 ? 'field-psp' : `psp-${psp.idPSP}`}">${psp.companyName} — ${tr('pspFee', { fee: euro(request, psp.fee) })}</label></div>`,
    )}
    ${errors.psp ? html`<div id="field-psp-error" class="invalid-feedback d-block">${errors.psp}</div>` : ''}
  </fieldset>
  <div class="d-flex gap-2 mt-3"><button type="submit" class="btn btn-primary">${tr('continue')}</button><a class="btn btn-outline-primary" href="${cartPath(cart, 'metodo')}">${tr('back')}</a></div>
</form>`
    : alert('warning', tr('pspNone'))
}
${cancelForm(cart, tr)}`;
  return sendCheckoutPage(reply, request, { title: tr('pspTitle'), main, step: 2, cart }, status);
}

async function summaryStep(deps: CheckoutPagesDeps, request: FastifyRequest, reply: FastifyReply, cart: Cart): Promise<FastifyReply> {
  const tr = checkoutT(request.locale);
  const psp = (await cardOffers(deps.db)).find((p) => p.idPSP === cart.pspId);
  // The PSP left the platform or stopped taking cards since it was chosen: choose again.
  if (!psp || cart.fee === null) return reply.redirect(cartPath(cart, 'psp'), 303);
  const card = cart.card!;
  const total = cartAmount(cart) + cart.fee;
  const row = (label: string, value: string, change?: string) =>
    html`<tr><th scope="row">${label}</th><td>${value}</td><td class="text-end">${change ? html`<a href="${change}">${tr('change')}<span class="visually-hidden"> ${label}</span></a>` : ''}</td></tr>`;
  const main = html`<h1>${tr('summaryTitle')}</h1>
${noticesTable(request, cart)}
<div class="table-responsive"><table class="table"><caption class="visually-hidden">${tr('summaryCaption')}</caption><tbody>
  ${row(tr('summaryEmail'), cart.email!, cartPath(cart))}
  ${row(tr('summaryCard'), tr('summaryCardValue', { brand: card.brand, pan: `•••• ${card.last4}`, expiry: `${String(card.expiryMonth).padStart(2, '0')}/${String(card.expiryYear).slice(-2)}`, holder: card.holder }), cartPath(cart, 'metodo'))}
  ${row(tr('summaryPsp'), psp.companyName, cartPath(cart, 'psp'))}
  ${row(tr('amount'), euro(request, cartAmount(cart)))}
  ${row(tr('summaryFee'), euro(request, cart.fee))}
  <tr><th scope="row">${tr('summaryTotal')}</th><td class="fw-bold">${euro(request, total)}</td><td></td></tr>
</tbody></table></div>
<form method="post" action="${cartPath(cart, 'paga')}"><button type="submit" class="btn btn-primary btn-lg">${tr('pay', { total: euro(request, total) })}</button></form>
${cancelForm(cart, tr)}`;
  return sendCheckoutPage(reply, request, { title: tr('summaryTitle'), main, step: 3, cart });
}

function outcomePage(request: FastifyRequest, reply: FastifyReply, cart: Cart, now: Date): FastifyReply {
  const tr = checkoutT(request.locale);
  const back = (href: string) => html`<p><a class="btn btn-primary" href="${href}">${tr('backToInstitution')}</a></p>`;
  let title: string;
  let body: SafeHtml;
  if (cart.status === 'PAID') {
    title = tr('paidTitle');
    body = html`<p class="lead">${tr('paidText', { total: euro(request, cartAmount(cart) + (cart.fee ?? 0)), email: cart.email ?? '' })}</p>${back(cart.returnUrls.returnOkUrl)}`;
  } else if (cart.status === 'FAILED') {
    title = tr('failedTitle');
    const reason = tr(`failure.${cart.failure ?? 'error'}` as CheckoutKey, { notice: cart.failedNotice ? formatNoticeNumber(cart.failedNotice) : '' });
    body = html`${alert('danger', reason)}<p>${tr('noCharge')}</p>${back(cart.returnUrls.returnErrorUrl)}`;
  } else if (cart.status === 'CANCELLED') {
    title = tr('cancelledTitle');
    body = html`<p class="lead">${tr('cancelledText')}</p>${back(cart.returnUrls.returnCancelUrl)}`;
  } else if (cart.status === 'PAYING') {
    title = tr('payingTitle');
    body = html`<p class="lead" role="status">${tr('payingText')}</p><p><a class="btn btn-primary" href="${cartPath(cart, 'esito')}">${tr('refresh')}</a></p>`;
  } else if (isExpired(cart, now)) {
    title = tr('expiredTitle');
    body = html`<p class="lead">${tr('expiredText')}</p>${back(cart.returnUrls.returnErrorUrl)}`;
  } else {
    return reply.redirect(destination(cart, now), 303);
  }
  return sendCheckoutPage(reply, request, { title, main: html`<h1>${title}</h1>${body}` });
}


export async function registerCheckoutPages(app: App, deps: CheckoutPagesDeps): Promise<void> {
  await app.register(async (instance) => {
    const pages = instance as App;
    // A language picked with ?lang= stays for the next steps, which are reached by forms and redirects.
    pages.addHook('onRequest', async (request, reply) => {
      const lang = (request.query as { lang?: unknown } | undefined)?.lang;
      if (isLocale(lang)) reply.setCookie('lang', lang, { path: '/checkout', sameSite: 'lax', httpOnly: true, maxAge: 365 * 86400 });
    });

    pages.get('/checkout/carts/:cartId', page, async (request, reply) => {
      const cart = await openCart(deps, request, reply, 0);
      return cart ? cartStep(request, reply, cart, cart.email ?? '', {}) : reply;
    });

    pages.post('/checkout/carts/:cartId', { ...page, schema: { ...page.schema, body: EmailForm } }, async (request, reply) => {
      const cart = await openCart(deps, request, reply, 0);
      if (!cart) return reply;
      const tr = checkoutT(request.locale);
      const email = request.body.email.trim();
      const error = !email ? tr('emailRequired') : !isValidEmail(email) ? tr('emailInvalid') : undefined;
      if (error) return cartStep(request, reply, cart, email, { email: error }, 400);
      const saved = await saveEmail(deps.db, cart.id, email, new Date());
      return reply.redirect(saved ? cartPath(cart, 'metodo') : cartPath(cart, 'esito'), 303);
    });

    pages.get('/checkout/carts/:cartId/metodo', page, async (request, reply) => {
      const cart = await openCart(deps, request, reply, 1);
      return cart ? methodStep(request, reply, cart, { holder: cart.card?.holder ?? '', expiry: '' }, {}) : reply;
    });

    pages.post('/checkout/carts/:cartId/metodo', { ...page, schema: { ...page.schema, body: CardForm } }, async (request, reply) => {
      const cart = await openCart(deps, request, reply, 1);
      if (!cart) return reply;
      const tr = checkoutT(request.locale);
      const now = new Date();
      const checked = checkCard(request.body, now);
      if (!checked.ok) {
        const errors = Object.fromEntries(Object.entries(checked.errors).map(([field, reason]) => [field, tr(`card.${field}.${reason}` as CheckoutKey)]));
        return methodStep(request, reply, cart, request.body, errors, 400);
      }
      const card = checked.value;
      const sealed = encryptSecret(deps.secret, card.pan, panContext(cart.id));
      const saved = await saveCard(deps.db, cart.id, { holder: card.holder, brand: card.brand, last4: card.pan.slice(-4), expiryMonth: card.expiryMonth, expiryYear: card.expiryYear }, sealed, now);
      return reply.redirect(saved ? cartPath(cart, 'psp') : cartPath(cart, 'esito'), 303);
    });

    pages.get('/checkout/carts/:cartId/psp', page, async (request, reply) => {
      const cart = await openCart(deps, request, reply, 2);
      return cart ? pspStep(deps, request, reply, cart, {}) : reply;
    });

    pages.post('/checkout/carts/:cartId/psp', { ...page, schema: { ...page.schema, body: PspForm } }, async (request, reply) => {
      const cart = await openCart(deps, request, reply, 2);
      if (!cart) return reply;
      const psp = (await cardOffers(deps.db)).find((p) => p.idPSP === request.body.psp);
      if (!psp) return pspStep(deps, request, reply, cart, { psp: checkoutT(request.locale)('pspRequired') }, 400);
      const saved = await savePsp(deps.db, cart.id, psp.idPSP, psp.fee, new Date());
      return reply.redirect(saved ? cartPath(cart, 'riepilogo') : cartPath(cart, 'esito'), 303);
    });

    pages.get('/checkout/carts/:cartId/riepilogo', page, async (request, reply) => {
      const cart = await openCart(deps, request, reply, 3);
      return cart ? summaryStep(deps, request, reply, cart) : reply;
    });

    pages.post('/checkout/carts/:cartId/paga', page, async (request, reply) => {
      const cart = await loadCart(deps.db, request.params.cartId);
      if (!cart) return notFoundPage(reply, request);
      // Only the post that takes the cart from OPEN to PAYING pays; a repeated one waits for its outcome.
      const paid = (await beginPayment(deps.db, cart.id, new Date())) ? await payCart(deps, cart, request.locale, request.log) : await settledCart(deps.db, cart.id);
      return reply.redirect(destination(paid, new Date()), 303);
    });

    pages.post('/checkout/carts/:cartId/annulla', page, async (request, reply) => {
      const cart = await loadCart(deps.db, request.params.cartId);
      if (!cart) return notFoundPage(reply, request);
      const now = new Date();
      await cancelCart(deps.db, cart.id, now);
      return reply.redirect(destination((await loadCart(deps.db, cart.id))!, now), 303);
    });

    pages.get('/checkout/carts/:cartId/esito', page, async (request, reply) => {
      const cart = await loadCart(deps.db, request.params.cartId);
      return cart ? outcomePage(request, reply, await recoverCart(deps, cart, request.locale, request.log), new Date()) : notFoundPage(reply, request);
    });
  });
}

