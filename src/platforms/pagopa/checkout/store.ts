// The carts of pagoPA Checkout: what the creditor institution sent (notices, return URLs) and what the payer
// chose on the pages (e-mail, card, PSP), until the cart is paid, fails, is cancelled or expires. The card
// number is kept sealed under the app secret only while the cart is open and is erased when it closes.
import type { RawBuilder } from 'kysely';
import { sql, transaction, type Executor } from '../../../core/db.ts';
import { sqlMigration } from '../../../core/migrations.ts';
import type { CartRequest } from '../../../clients/pagopa/checkout.ts';
import type { CardBrand } from './card.ts';

/** How long the payer has to complete a cart, like a payment token's longest life (SANP: 30 minutes). */
export const CART_LIFETIME_MS = 30 * 60 * 1000;

export const checkoutMigration = sqlMigration(
  'pagopa.040_checkout',
  `create table {schema}.checkout_carts (
     id uuid primary key default gen_random_uuid(),
     institution_id uuid not null references {schema}.creditor_institutions (id),
     id_cart text check (length(id_cart) <= 35),
     email_notice text,
     return_ok_url text not null,
     return_cancel_url text not null,
     return_error_url text not null,
     status text not null default 'OPEN' check (status in ('OPEN', 'PAYING', 'PAID', 'FAILED', 'CANCELLED')),
     email text,
     card jsonb,
     card_pan_sealed text,
     psp_id text,
     fee bigint check (fee >= 0),
     failure text,
     failed_notice text,
     created_at timestamptz not null default now(),
     expires_at timestamptz not null,
     updated_at timestamptz not null default now(),
     paid_at timestamptz,
     check (status in ('OPEN', 'PAYING') or card_pan_sealed is null)
   )`,
  `create table {schema}.checkout_cart_notices (
     cart_id uuid not null references {schema}.checkout_carts (id) on delete cascade,
     position smallint not null check (position between 0 and 4),
     notice_number text not null check (notice_number ~ '^[0-9]{18}$'),
     fiscal_code text not null check (fiscal_code ~ '^[0-9]{11}$'),
     amount bigint not null check (amount >= 1),
     company_name text not null,
     description text not null,
     payment_token text,
     primary key (cart_id, position),
     unique (cart_id, fiscal_code, notice_number)
   )`,
);

export const CART_STATUSES = ['OPEN', 'PAYING', 'PAID', 'FAILED', 'CANCELLED'] as const;
export type CartStatus = (typeof CART_STATUSES)[number];

/** Why a cart was not paid: a Nodo refusal of one of its notices, the issuer's, or a failure of ours. */
export const CART_FAILURES = ['duplicate', 'in-progress', 'unknown', 'expired', 'annulled', 'declined', 'error'] as const;
export type CartFailure = (typeof CART_FAILURES)[number];

export interface CardSummary {
  holder: string;
  brand: CardBrand;
  last4: string;
  expiryMonth: number;
  expiryYear: number;
}

export interface CartNotice {
  position: number;
  noticeNumber: string;
  fiscalCode: string;
  amount: number;
  companyName: string;
  description: string;
  paymentToken: string | null;
}

export interface Cart {
  id: string;
  institutionId: string;
  idCart: string | null;
  emailNotice: string | null;
  returnUrls: { returnOkUrl: string; returnCancelUrl: string; returnErrorUrl: string };
  status: CartStatus;
  email: string | null;
  card: CardSummary | null;
  cardPanSealed: string | null;
  pspId: string | null;
  fee: number | null;
  failure: CartFailure | null;
  failedNotice: string | null;
  createdAt: Date;
  expiresAt: Date;
  /** While PAYING: when that payment began (nothing else changes a paying cart). */
  updatedAt: Date;
  paidAt: Date | null;
  notices: CartNotice[];
}

/** The notices' amount, in cents. */
export const cartAmount = (cart: Pick<Cart, 'notices'>) => cart.notices.reduce((sum, n) => sum + n.amount, 0);

/** An open cart past its time can no longer be paid. */
export const isExpired = (cart: Pick<Cart, 'status' | 'expiresAt'>, now: Date) => cart.status === 'OPEN' && cart.expiresAt.getTime() <= now.getTime();

export async function insertCart(db: Executor, institutionId: string, request: CartRequest, now: Date): Promise<string> {
  const { rows } = await sql<{ id: string }>`
    insert into pagopa.checkout_carts (institution_id, id_cart, email_notice, return_ok_url, return_cancel_url, return_error_url, email, created_at, updated_at, expires_at)
    values (${institutionId}, ${request.idCart ?? null}, ${request.emailNotice ?? null}, ${request.returnUrls.returnOkUrl}, ${request.returnUrls.returnCancelUrl},
            ${request.returnUrls.returnErrorUrl}, ${request.emailNotice ?? null}, ${now}, ${now}, ${new Date(now.getTime() + CART_LIFETIME_MS)})
    returning id`.execute(db);
  const id = rows[0]!.id;
  for (const [position, n] of request.paymentNotices.entries()) {
    await sql`insert into pagopa.checkout_cart_notices (cart_id, position, notice_number, fiscal_code, amount, company_name, description)
      values (${id}, ${position}, ${n.noticeNumber}, ${n.fiscalCode}, ${n.amount}, ${n.companyName}, ${n.description})`.execute(db);
  }
  return id;
}

interface CartRow {
  id: string;
  institution_id: string;
  id_cart: string | null;
  email_notice: string | null;
  return_ok_url: string;
  return_cancel_url: string;
  return_error_url: string;
  status: CartStatus;
  email: string | null;
  card: CardSummary | null;
  card_pan_sealed: string | null;
  psp_id: string | null;
  fee: string | number | null;
  failure: CartFailure | null;
  failed_notice: string | null;
  created_at: Date;
  expires_at: Date;
  updated_at: Date;
  paid_at: Date | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The cart, or undefined for an id that is not one (the id is the cart's only key: it is never listed). */
export async function loadCart(db: Executor, id: string): Promise<Cart | undefined> {
  if (!UUID.test(id)) return undefined;
  const { rows } = await sql<CartRow>`select * from pagopa.checkout_carts where id = ${id}`.execute(db);
  const row = rows[0];
  if (!row) return undefined;
  const { rows: notices } = await sql<{ position: number; notice_number: string; fiscal_code: string; amount: string | number; company_name: string; description: string; payment_token: string | null }>`
    select position, notice_number, fiscal_code, amount, company_name, description, payment_token
    from pagopa.checkout_cart_notices where cart_id = ${id} order by position`.execute(db);
  return {
    id: row.id,
    institutionId: row.institution_id,
    idCart: row.id_cart,
    emailNotice: row.email_notice,
    returnUrls: { returnOkUrl: row.return_ok_url, returnCancelUrl: row.return_cancel_url, returnErrorUrl: row.return_error_url },
    status: row.status,
    email: row.email,
    card: row.card,
    cardPanSealed: row.card_pan_sealed,
    pspId: row.psp_id,
    fee: row.fee === null ? null : Number(row.fee),
    failure: row.failure,
    failedNotice: row.failed_notice,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    updatedAt: row.updated_at,
    paidAt: row.paid_at,
    notices: notices.map((n) => ({
      position: n.position,
      noticeNumber: n.notice_number,
      fiscalCode: n.fiscal_code,
      amount: Number(n.amount),
      companyName: n.company_name,
      description: n.description,
      paymentToken: n.payment_token,
    })),
  };
}

/** Changes a cart that is still open and in time; false when it is not (paid, closed, expired). */
async function updateOpen(db: Executor, id: string, now: Date, set: RawBuilder<unknown>): Promise<boolean> {
  const { numAffectedRows } = await sql`update pagopa.checkout_carts set ${set}, updated_at = ${now}
    where id = ${id} and status = 'OPEN' and expires_at > ${now}`.execute(db);
  return Number(numAffectedRows ?? 0) === 1;
}

export const saveEmail = (db: Executor, id: string, email: string, now: Date) => updateOpen(db, id, now, sql`email = ${email}`);

/** A new card forgets the PSP chosen for the previous one (the PSPs and fees depend on the card). */
export const saveCard = (db: Executor, id: string, card: CardSummary, panSealed: string, now: Date) =>
  updateOpen(db, id, now, sql`card = ${JSON.stringify(card)}::jsonb, card_pan_sealed = ${panSealed}, psp_id = null, fee = null`);

export const savePsp = (db: Executor, id: string, pspId: string, fee: number, now: Date) => updateOpen(db, id, now, sql`psp_id = ${pspId}, fee = ${fee}`);

export const cancelCart = (db: Executor, id: string, now: Date) => updateOpen(db, id, now, sql`status = 'CANCELLED', card_pan_sealed = null`);

/** Takes the cart from OPEN to PAYING once, with everything the payment needs: a second "Paga" finds it taken. */
export async function beginPayment(db: Executor, id: string, now: Date): Promise<boolean> {
  const { numAffectedRows } = await sql`update pagopa.checkout_carts set status = 'PAYING', updated_at = ${now}
    where id = ${id} and status = 'OPEN' and expires_at > ${now} and email is not null and card_pan_sealed is not null and psp_id is not null`.execute(db);
  return Number(numAffectedRows ?? 0) === 1;
}

export async function recordToken(db: Executor, id: string, position: number, paymentToken: string): Promise<void> {
  await sql`update pagopa.checkout_cart_notices set payment_token = ${paymentToken} where cart_id = ${id} and position = ${position}`.execute(db);
}

/** Closes a paying cart: paid, or failed with its reason; the card number is erased either way. */
export async function finishPayment(db: Executor, id: string, now: Date, outcome: { paid: true } | { paid: false; failure: CartFailure; noticeNumber?: string }): Promise<void> {
  await sql`update pagopa.checkout_carts set
      status = ${outcome.paid ? 'PAID' : 'FAILED'}, card_pan_sealed = null, updated_at = ${now},
      paid_at = ${outcome.paid ? now : null}, failure = ${outcome.paid ? null : outcome.failure}, failed_notice = ${outcome.paid ? null : (outcome.noticeNumber ?? null)}
    where id = ${id} and status = 'PAYING'`.execute(db);
}

/** Opens again a cart whose payment began at `startedAt` and ended on the Nodo without paying: its tokens are forgotten. */
export async function reopenCart(db: Executor, id: string, startedAt: Date, now: Date): Promise<void> {
  await transaction(db, async (tx) => {
    const { numAffectedRows } = await sql`update pagopa.checkout_carts set status = 'OPEN', updated_at = ${now}
      where id = ${id} and status = 'PAYING' and date_trunc('milliseconds', updated_at) = ${startedAt}`.execute(tx);
    if (Number(numAffectedRows ?? 0) === 1) await sql`update pagopa.checkout_cart_notices set payment_token = null where cart_id = ${id}`.execute(tx);
  });
}
