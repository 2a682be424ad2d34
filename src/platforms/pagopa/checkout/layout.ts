// The frame of the Checkout pages: the pagoPA header, the stepper of the four steps, amounts in the words of
// the locale, and the CSP that lets a form of the cart end in a redirect to the institution's return URLs.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { attr, html, type SafeHtml } from '../../../core/html.ts';
import { platformPage, sendHtml } from '../../../core/ui.ts';
import { originsOf, withFormActionOrigins } from '../../../core/csp.ts';
import { checkoutT, type CheckoutKey } from './messages.ts';
import type { Cart } from './store.ts';

export const CARTS_PATH = '/checkout/carts';
export const cartPath = (cart: Pick<Cart, 'id'>, step = '') => `${CARTS_PATH}/${cart.id}${step ? `/${step}` : ''}`;

/** The steps, in order, with the page of each (after checkout.pagopa.it: cart, method, PSP, summary). */
export const STEPS = [
  { key: 'stepCart', page: '' },
  { key: 'stepMethod', page: 'metodo' },
  { key: 'stepPsp', page: 'psp' },
  { key: 'stepSummary', page: 'riepilogo' },
] as const satisfies readonly { key: CheckoutKey; page: string }[];

function stepper(request: FastifyRequest, current: number): SafeHtml {
  const tr = checkoutT(request.locale);
  return html`<nav class="steppers mb-4" aria-label="${tr('steps')}">
  <div class="steppers-header">
    <ol class="list-unstyled d-flex flex-wrap gap-3 mb-0">
      ${STEPS.map((step, n) =>
        n < current
          ? html`<li class="confirmed">${tr(step.key)}<span class="visually-hidden"> (${tr('stepDone')})</span></li>`
          : html`<li${attr('class', n === current ? 'active' : undefined)}${attr('aria-current', n === current ? 'step' : undefined)}>${tr(step.key)}</li>`,
      )}
    </ol>
    <span class="steppers-index">${tr('stepIndex', { n: current + 1, total: STEPS.length })}</span>
  </div>
</nav>`;
}

export interface CheckoutPageInput {
  title: string;
  main: SafeHtml;
  /** The step shown in the stepper; none on the outcome pages. */
  step?: number;
  /** The cart whose return URLs a form on the page may end in. */
  cart?: Cart;
}

export function sendCheckoutPage(reply: FastifyReply, request: FastifyRequest, input: CheckoutPageInput, status = 200): FastifyReply {
  const tr = checkoutT(request.locale);
  if (input.cart) {
    // Browsers apply form-action to the redirect that ends a form post, and "Paga"/"Annulla" end on the institution's site.
    const { returnOkUrl, returnCancelUrl, returnErrorUrl } = input.cart.returnUrls;
    const origins = [...new Set([returnOkUrl, returnCancelUrl, returnErrorUrl].flatMap(originsOf))];
    reply.header('content-security-policy', withFormActionOrigins(String(reply.getHeader('content-security-policy') ?? ''), origins));
  }
  const page = platformPage({
    request,
    title: input.title,
    main: html`${input.step === undefined ? '' : stepper(request, input.step)}${input.main}`,
    chrome: {
      brand: tr('brand'),
      tagline: tr('tagline'),
      homeHref: input.cart ? cartPath(input.cart) : request.url.split('?')[0]!,
      footer: tr('footer'),
      skipToContent: tr('skipToContent'),
      languages: tr('languages'),
      mainNav: tr('mainNav'),
    },
  });
  return sendHtml(reply, page, status);
}
