// Receipts from pagoPA to the comune. The push: POST /pagopa/{fiscalCode}/paSendRT with {idPA, idBrokerPA,
// idStation, receipt} (docs/payments.md "Receipts to the creditor"), answered 200 {outcome: "OK"}, idempotent
// on receipt.receiptId; the body is never trusted: the position is read again from GPD before anything moves.
// The pull: a recurring job looks again at the payments still unpaid, so a lost push never blocks an application,
// and brings back to 1500 an application whose citizen left for the checkout and never came back.
import { Type } from '@sinclair/typebox';
import { sql, type Executor } from '../../core/db.ts';
import type { App } from '../../core/http.ts';
import { enqueue, type JobHandler } from '../../core/jobs.ts';
import { invalid, notFound } from '../../core/problem.ts';
import { ApplicationStore } from '../applications/store.ts';
import { STATUS } from '../applications/states.ts';
import type { ComuneContext } from '../context.ts';
import { PA_SEND_RT_PATH, paymentsDeps } from './paths.ts';
import { paymentSettingsByCreditor } from './settings.ts';
import { PaymentFlow } from './flow.ts';
import type { PaymentsDeps } from './store.ts';

const FiscalCodePA = Type.String({ pattern: '^[0-9]{11}$' });
const PaSendRtBody = Type.Object(
  {
    idPA: FiscalCodePA,
    idBrokerPA: Type.String({ minLength: 1, maxLength: 35 }),
    idStation: Type.String({ minLength: 1, maxLength: 35 }),
    receipt: Type.Object(
      {
        receiptId: Type.String({ minLength: 1, maxLength: 35 }),
        noticeNumber: Type.String({ pattern: '^[0-9]{18}$' }),
        fiscalCode: FiscalCodePA,
      },
      { additionalProperties: true },
    ),
  },
  { additionalProperties: true },
);

/** Whether this receipt was already acted upon. */
async function seen(db: Executor, receiptId: string): Promise<boolean> {
  return (await sql`select 1 from comune.payment_receipts_seen where receipt_id = ${receiptId}`.execute(db)).rows.length > 0;
}

export function registerPaSendRt(app: App, comune: ComuneContext): void {
  const flow = new PaymentFlow(paymentsDeps(comune), comune.app.logger);
  app.post(
    PA_SEND_RT_PATH,
    {
      schema: {
        tags: ['pagoPA'],
        summary: 'paSendRT: pagoPA pushes a receipt to the ente’s station',
        params: Type.Object({ fiscalCode: FiscalCodePA }),
        body: PaSendRtBody,
        response: { 200: Type.Object({ outcome: Type.Literal('OK') }) },
      },
    },
    async (request) => {
      const { fiscalCode } = request.params;
      const { receipt } = request.body;
      if (request.body.idPA !== fiscalCode || receipt.fiscalCode !== fiscalCode) {
        throw invalid([{ pointer: '/body/idPA', code: 'creditor', detail: 'idPA and receipt.fiscalCode must be the creditor of this address.' }]);
      }
      if (!(await paymentSettingsByCreditor(comune.db, fiscalCode))) throw notFound('No ente is this creditor.');
      if (await seen(comune.db, receipt.receiptId)) return { outcome: 'OK' as const };
      const payment = await flow.store.byNotice(fiscalCode, receipt.noticeNumber);
      // Read again from GPD: only what GPD says of the notice moves the application (a push may be forged).
      const now = payment && (await flow.store.sync(payment));
      const paid = !payment || now?.options.some((o) => o.nav === receipt.noticeNumber && o.status !== 'PO_UNPAID');
      // A notice of another kind (bulk dues) is not the applications' business: noted, answered OK.
      if (paid) {
        await sql`insert into comune.payment_receipts_seen (receipt_id, creditor_fiscal_code, notice_number)
          values (${receipt.receiptId}, ${fiscalCode}, ${receipt.noticeNumber}) on conflict do nothing`.execute(comune.db);
      } else request.log.warn({ receiptId: receipt.receiptId, nav: receipt.noticeNumber }, 'payments: a receipt GPD does not confirm yet; the catch-up job will look again');
      return { outcome: 'OK' as const };
    },
  );
}

export const PAYMENTS_CATCH_UP_JOB = 'comune.payments.catch-up';
/** How often the catch-up job runs, and how long a payment is left alone after a look. */
export const CATCH_UP_INTERVAL_MS = 60_000;
/** A checkout token lives 30 minutes at most (§4.4): a citizen still away after that is not paying there any more. */
export const CHECKOUT_ABANDONED_MS = 30 * 60_000;

/**
 * One round: every unpaid payment not looked at for `recheckAfterMs` is published (if GPD never got it) or read
 * again from GPD, which moves its application when paid; a failure is logged and left for the next round.
 */
export async function catchUpPayments(deps: PaymentsDeps, options: { recheckAfterMs?: number; limit?: number; log?: { warn(obj: object, msg: string): void } } = {}): Promise<number> {
  const now = deps.now?.() ?? new Date();
  const flow = new PaymentFlow(deps);
  const applications = new ApplicationStore(deps.db, deps.documents, deps.now);
  const system = { kind: 'system', id: 'payments.catch-up' } as const;
  let looked = 0;
  for (const payment of await flow.store.due(new Date(now.getTime() - (options.recheckAfterMs ?? CATCH_UP_INTERVAL_MS / 2)), options.limit ?? 200)) {
    try {
      const fresh = await flow.store.sync(payment);
      looked++;
      if (fresh.status !== 'unpaid') continue;
      const app = await applications.get(system, fresh.applicationId);
      if (app.status === STATUS.paymentOutcomePending && now.getTime() - app.updatedAt.getTime() > CHECKOUT_ABANDONED_MS) await flow.store.backFromCheckout(fresh, system);
    } catch (err) {
      options.log?.warn({ err, iupd: payment.iupd }, 'payments: catch-up could not look at a payment; next round');
    }
  }
  return looked;
}

const slot = (at: number) => new Date(Math.floor(at / CATCH_UP_INTERVAL_MS) * CATCH_UP_INTERVAL_MS);

/** Runs a round, then schedules the next (one job per time slot: several starts never make two chains). */
export function catchUpHandler(comune: Pick<ComuneContext, 'db' | 'app'>): JobHandler {
  const deps = paymentsDeps(comune);
  return async (_payload, ctx) => {
    await catchUpPayments(deps, { log: ctx.logger });
    const next = slot(Date.now() + CATCH_UP_INTERVAL_MS);
    await ctx.transaction((tx) => enqueue(tx, 'comune', { kind: PAYMENTS_CATCH_UP_JOB, idempotencyKey: next.toISOString(), runAt: next }));
  };
}

/** At start-up: the current slot's round, which schedules the following ones; a no-op when it exists. */
export async function enqueuePaymentsCatchUp(db: Executor, now = Date.now()): Promise<void> {
  await enqueue(db, 'comune', { kind: PAYMENTS_CATCH_UP_JOB, idempotencyKey: slot(now).toISOString() });
}
