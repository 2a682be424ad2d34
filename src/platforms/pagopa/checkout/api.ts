// POST /checkout/ec/v1/carts: a creditor institution (its subscription key, as on GPD) hands pagoPA a cart of
// up to five of its notices and gets back, as a 302, the checkout page to send the citizen to (SANP "Checkout";
// pagopa-api openapi/checkout). The notices must be its own, well formed, known to GPD and at their amount.
import { Type } from '@sinclair/typebox';
import type { App } from '../../../core/http.ts';
import { transaction, type Executor } from '../../../core/db.ts';
import { audit } from '../../../core/audit.ts';
import { forbidden, invalid, type InvalidField } from '../../../core/problem.ts';
import { normalizeNoticeNumber } from '../../../domain/pagopa/notice-number.ts';
import { CartRequest, CHECKOUT_CARTS_PATH } from '../../../clients/pagopa/checkout.ts';
import { institutionKeyCheck, rateLimited } from '../api.ts';
import { getByNoticeNumber } from '../positions.ts';
import { SCHEMA } from '../schema.ts';
import { cartPath } from './layout.ts';
import { checkCartRequest } from './rules.ts';
import { insertCart } from './store.ts';

const problems = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, Type.Ref('Problem')]));

export async function registerCheckoutApi(app: App, db: Executor, publicUrl: string): Promise<void> {
  app.addSchema(CartRequest);
  await app.register(async (instance) => {
    const api = instance as App;
    api.addHook('onRequest', institutionKeyCheck(db));

    api.post(
      CHECKOUT_CARTS_PATH,
      {
        config: rateLimited,
        schema: {
          tags: ['Checkout'],
          operationId: 'PostCarts',
          summary: 'A cart of up to 5 notices of the institution: 302 to the checkout page where the citizen pays (malformed notice numbers → 400 with the reason)',
          security: [{ subscriptionKey: [] }],
          body: Type.Ref('CartRequest'),
          response: { 302: Type.Null({ description: 'Location: the checkout page of the cart' }), ...problems(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const institution = request.pagopaInstitution!;
        const body = request.body as CartRequest;
        const { invalid: errors, foreign } = checkCartRequest(body, institution.fiscalCode);
        if (errors.length) throw invalid(errors, 'The cart contains invalid fields.');
        if (foreign.length) throw forbidden(`The notices ${foreign.map((i) => `#${i}`).join(', ')} belong to another creditor institution: a cart holds the institution’s own notices only.`);
        const cart: CartRequest = { ...body, paymentNotices: body.paymentNotices.map((n) => ({ ...n, noticeNumber: normalizeNoticeNumber(n.noticeNumber) })) };
        // An unknown notice answers GPD's 404; an amount other than the notice's cannot be paid (options EQ).
        const amounts: InvalidField[] = [];
        for (const [i, notice] of cart.paymentNotices.entries()) {
          const { option } = await getByNoticeNumber(db, institution, notice.noticeNumber);
          if (option.amount !== notice.amount) amounts.push({ pointer: `/body/paymentNotices/${i}/amount`, code: 'amount-mismatch', detail: `the notice asks for ${option.amount} cents` });
        }
        if (amounts.length) throw invalid(amounts, 'The cart contains invalid fields.');
        const id = await transaction(db, async (tx) => {
          const created = await insertCart(tx, institution.id, cart, new Date());
          const actor = request.pagopaActor!;
          await audit(tx, SCHEMA, { actorType: actor.type, actorId: actor.id, tenantId: institution.id, action: 'checkout.cart-create', targetType: 'checkout_cart', targetId: created, details: { idCart: cart.idCart ?? null, notices: cart.paymentNotices.length }, requestId: actor.requestId });
          return created;
        });
        return reply.redirect(`${publicUrl.replace(/\/$/, '')}${cartPath({ id })}`, 302);
      },
    );
  });
}
