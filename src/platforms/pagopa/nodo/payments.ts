// The Nodo's payment of a notice by a PSP (model 3, reference §4.2): verify, activate (a token that locks the
// notice), outcome (the option paid, the position's state, the receipt). Each answers the OK body or a fault
// (outcome KO); a malformed request throws a 400 problem with PPT_SINTASSI_EXTRAXSD. The HTTP routes and
// Checkout (same platform) both call these functions. Concurrency: every step that may pay or lock a notice
// holds the row lock of its debt position (as GPD's own writes do), so one notice has one live token and one receipt.
import { createHash, randomUUID } from 'node:crypto';
import { sql, transaction, type Executor, type Tx } from '../../../core/db.ts';
import { HttpProblem, problemType } from '../../../core/problem.ts';
import { dateInItaly } from '../../../domain/dates.ts';
import { parseNoticeNumber } from '../../../domain/pagopa/notice-number.ts';
import {
  centsOfAmount,
  euroAmount,
  SYNTAX_FAULT,
  type ActivatePaymentNoticeRequest,
  type ActivatePaymentNoticeResponse,
  type Ko,
  type SendPaymentOutcomeRequest,
  type SendPaymentOutcomeResponse,
  type Subject,
  type VerifyPaymentNoticeResponse,
} from '../../../clients/pagopa/nodo-wire.ts';
import { institutionByFiscalCode, institutionById, type Institution } from '../institutions.ts';
import { getByNoticeNumber, type DebtPosition, type PaymentOption } from '../positions.ts';
import { payOption, type PositionState } from '../rules.ts';
import type { Psp } from './psps.ts';
import { insertReceipt } from './receipts.ts';
import { blockedByLiveSession, fault, noticeRefusal, tokenExpiry } from './rules.ts';

type PspIds = 'idPSP' | 'idBrokerPSP' | 'idChannel';
export type VerifyInput = { fiscalCode: string; noticeNumber: string };
export type ActivateInput = Omit<ActivatePaymentNoticeRequest, PspIds>;
export type OutcomeInput = Omit<SendPaymentOutcomeRequest, PspIds>;

/** A malformed request: 400 problem+json carrying the Nodo's syntax fault and the reason. */
export function syntaxProblem(pointer: string, code: string, detail: string): HttpProblem {
  return new HttpProblem(400, {
    type: problemType(`pagopa:${SYNTAX_FAULT}`),
    detail: `Malformed request: ${detail}`,
    errors: [{ pointer, code, detail }],
    extra: { faultCode: SYNTAX_FAULT },
  });
}

function noticeNumberOf(input: VerifyInput): string {
  const parsed = parseNoticeNumber(input.noticeNumber);
  if (!parsed.ok) throw syntaxProblem('/body/qrCode/noticeNumber', parsed.reason, parsed.message);
  return parsed.value.noticeNumber;
}

function centsOf(amount: string, pointer: string): number {
  const cents = centsOfAmount(amount);
  if (cents === undefined) throw syntaxProblem(pointer, 'amount', `${amount} is not an amount in euros with two decimals`);
  return cents;
}

async function creditor(db: Executor, fiscalCode: string): Promise<Institution | Ko> {
  const institution = await institutionByFiscalCode(db, fiscalCode);
  if (!institution) return fault('PPT_DOMINIO_SCONOSCIUTO', `no creditor institution ${fiscalCode} on pagoPA`);
  if (!institution.enabled) return fault('PPT_DOMINIO_DISABILITATO', `the creditor institution ${fiscalCode} is disabled`);
  return institution;
}

const isKo = (value: object): value is Ko => (value as Ko).outcome === 'KO';
const stateOf = (p: DebtPosition): PositionState => ({ status: p.status, validityDate: p.validityDate, switchToExpired: p.switchToExpired, options: p.paymentOption });
const unknownNotice = (nav: string) => fault('PPT_ERRORE_EMESSO_DA_PAA', `no notice ${nav} of this creditor institution`, 'PAA_PAGAMENTO_SCONOSCIUTO');

/** The notice's position and option, or the PAA fault of an unknown notice. */
async function notice(db: Executor, institution: Institution, nav: string, now: Date): Promise<{ position: DebtPosition; option: PaymentOption } | Ko> {
  try {
    return await getByNoticeNumber(db, institution, nav, now);
  } catch (err) {
    if (err instanceof HttpProblem && err.status === 404) return unknownNotice(nav);
    throw err;
  }
}

/** Locks the debt position of the notice (GPD's writers lock it too); undefined for an unknown notice, else the creditor's receipts endpoint. */
async function lockNotice(tx: Tx, institution: Institution, nav: string): Promise<{ receiptsUrl: string | null } | undefined> {
  const { rows } = await sql<{ receipts_url: string | null }>`select ci.receipts_url from pagopa.debt_positions p
    join pagopa.payment_options o on o.position_id = p.id join pagopa.creditor_institutions ci on ci.id = o.institution_id
    where o.institution_id = ${institution.id} and o.nav = ${nav} for update of p`.execute(tx);
  return rows[0] && { receiptsUrl: rows[0].receipts_url };
}

/** Live tokens on the notices of a position, with whether each notice is an installment. */
async function liveSessions(db: Executor, institution: Institution, position: DebtPosition, now: Date) {
  const { rows } = await sql<{ nav: string }>`select nav from pagopa.payment_sessions
    where institution_id = ${institution.id} and nav = any(${position.paymentOption.map((o) => o.nav)}::text[])
      and status = 'active' and expires_at > ${now}`.execute(db);
  return rows.map((r) => ({ nav: r.nav, isPartialPayment: position.paymentOption.find((o) => o.nav === r.nav)!.isPartialPayment }));
}

/** A disabled PSP starts no payment; the outcome of a token it already holds is still taken. */
const disabled = (psp: Psp) => fault('PPT_AUTORIZZAZIONE', `the PSP ${psp.idPSP} is disabled on the Nodo`);
const inProgress = (nav: string) => fault('PPT_PAGAMENTO_IN_CORSO', `a payment of notice ${nav} (or of its debt position) is in progress with another token`);
const day = (date: Date) => dateInItaly(date);
const hash = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('base64url');

/** verifyPaymentNotice: what the notice asks to pay, or why it cannot be paid. */
export async function verifyNotice(db: Executor, psp: Psp, input: VerifyInput, now = new Date()): Promise<VerifyPaymentNoticeResponse | Ko> {
  const nav = noticeNumberOf(input);
  if (!psp.enabled) return disabled(psp);
  const institution = await creditor(db, input.fiscalCode);
  if (isKo(institution)) return institution;
  const found = await notice(db, institution, nav, now);
  if (isKo(found)) return found;
  const { position, option } = found;
  const refusal = noticeRefusal(stateOf(position), option.iuv, now);
  if (refusal) return refusal;
  const live = await liveSessions(db, institution, position, now);
  if (blockedByLiveSession(nav, option.isPartialPayment, live)) return inProgress(nav);
  return {
    outcome: 'OK',
    paymentList: [
      {
        amount: euroAmount(option.amount),
        options: 'EQ',
        dueDate: day(option.dueDate),
        detailDescription: option.description,
        allCCP: option.transfer.every((t) => t.postalIban !== undefined),
      },
    ],
    paymentDescription: option.description,
    fiscalCodePA: institution.fiscalCode,
    companyName: position.companyName,
    ...(position.officeName ? { officeName: position.officeName } : {}),
  };
}

interface SessionRow {
  token: string;
  id_psp: string;
  request_hash: string;
  institution_id: string;
  nav: string;
  response: ActivatePaymentNoticeResponse;
  expires_at: Date;
  status: 'active' | 'paid' | 'cancelled';
  outcome_hash: string | null;
}

/**
 * activatePaymentNotice: a payment token that locks the notice for expirationTime (≤ 30 minutes). The same
 * idempotencyKey with the same request answers the same token; with another request, PPT_ERRORE_IDEMPOTENZA.
 */
export async function activatePayment(db: Executor, psp: Psp, input: ActivateInput, now = new Date()): Promise<ActivatePaymentNoticeResponse | Ko> {
  const nav = noticeNumberOf(input.qrCode);
  const amount = centsOf(input.amount, '/body/amount');
  if (!psp.enabled) return disabled(psp);
  const institution = await creditor(db, input.qrCode.fiscalCode);
  if (isKo(institution)) return institution;
  const requestHash = hash([psp.idPSP, institution.fiscalCode, nav, amount, input.expirationTime ?? null, input.dueDate ?? null, input.paymentNote ?? null]);
  return transaction(db, async (tx) => {
    if (!(await lockNotice(tx, institution, nav))) return unknownNotice(nav);
    if (input.idempotencyKey) {
      const { rows } = await sql<SessionRow>`select request_hash, response from pagopa.payment_sessions
        where id_psp = ${psp.idPSP} and idempotency_key = ${input.idempotencyKey}`.execute(tx);
      if (rows[0]) {
        if (rows[0].request_hash === requestHash) return rows[0].response;
        return fault('PPT_ERRORE_IDEMPOTENZA', `the idempotencyKey ${input.idempotencyKey} was used for another request`);
      }
    }
    const found = await notice(tx, institution, nav, now);
    if (isKo(found)) return found;
    const { position, option } = found;
    const refusal = noticeRefusal(stateOf(position), option.iuv, now);
    if (refusal) return refusal;
    if (blockedByLiveSession(nav, option.isPartialPayment, await liveSessions(tx, institution, position, now))) return inProgress(nav);
    if (amount !== option.amount) return fault('PPT_SEMANTICA', `the amount ${input.amount} differs from the notice’s ${euroAmount(option.amount)} (options EQ)`);
    const token = randomUUID().replaceAll('-', '');
    const response: ActivatePaymentNoticeResponse = {
      outcome: 'OK',
      totalAmount: euroAmount(option.amount),
      paymentDescription: option.description,
      fiscalCodePA: institution.fiscalCode,
      companyName: position.companyName,
      ...(position.officeName ? { officeName: position.officeName } : {}),
      paymentToken: token,
      creditorReferenceId: option.iuv,
      transferList: option.transfer.map((t) => ({
        idTransfer: Number(t.idTransfer),
        transferAmount: euroAmount(t.amount),
        fiscalCodePA: t.organizationFiscalCode,
        ...(t.iban ? { IBAN: t.iban } : {}),
        remittanceInformation: t.remittanceInformation,
        transferCategory: t.category,
      })),
    };
    // The same key on another notice may have been taken meanwhile (that notice's lock is not held here).
    const { rows: inserted } = await sql`insert into pagopa.payment_sessions (token, id_psp, idempotency_key, request_hash, institution_id, nav, iuv, amount, response, created_at, expires_at)
      values (${token}, ${psp.idPSP}, ${input.idempotencyKey ?? null}, ${requestHash}, ${institution.id}, ${nav}, ${option.iuv}, ${amount},
              ${JSON.stringify(response)}::jsonb, ${now}, ${tokenExpiry(now, input.expirationTime)})
      on conflict (id_psp, idempotency_key) do nothing returning token`.execute(tx);
    if (!inserted.length) return fault('PPT_ERRORE_IDEMPOTENZA', `the idempotencyKey ${input.idempotencyKey} was used for another request`);
    return response;
  });
}

function debtorOf(position: DebtPosition): Subject {
  const optional = (key: keyof Subject, value: string | undefined) => (value ? { [key]: value } : {});
  return {
    uniqueIdentifier: { entityUniqueIdentifierType: position.type, entityUniqueIdentifierValue: position.fiscalCode },
    fullName: position.fullName,
    ...optional('streetName', position.streetName),
    ...optional('civicNumber', position.civicNumber),
    ...optional('postalCode', position.postalCode),
    ...optional('city', position.city),
    ...optional('stateProvinceRegion', position.province),
    ...optional('country', position.country),
    ...optional('e-mail', position.email),
  };
}

/**
 * sendPaymentOutcome: OK pays the notice (option PO_PAID, position PAID or PARTIALLY_PAID, receipt stored and
 * queued for the creditor's station); KO releases it. The same outcome again answers OK once more; a token
 * past its expiry is refused (PPT_TOKEN_SCADUTO) and the notice is free for another payment.
 */
export async function sendOutcome(db: Executor, psp: Psp, input: OutcomeInput, now = new Date()): Promise<SendPaymentOutcomeResponse | Ko> {
  const fee = centsOf(input.details.fee, '/body/details/fee');
  const outcomeHash = hash([input.outcome, input.details]);
  return transaction(db, async (tx) => {
    const { rows } = await sql<SessionRow>`select token, id_psp, request_hash, institution_id, nav, response, expires_at, status, outcome_hash
      from pagopa.payment_sessions where token = ${input.paymentToken} for update`.execute(tx);
    const session = rows[0];
    if (!session || session.id_psp !== psp.idPSP) return fault('PPT_TOKEN_SCONOSCIUTO', `no payment token ${input.paymentToken} of ${psp.idPSP}`);
    if (session.status !== 'active') {
      if (session.outcome_hash === outcomeHash) return { outcome: 'OK' as const };
      return fault('PPT_ESITO_GIA_ACQUISITO', `the outcome of token ${session.token} has already been received`);
    }
    if (session.expires_at <= now) return fault('PPT_TOKEN_SCADUTO', `the payment token expired at ${session.expires_at.toISOString()}`);
    const close = (status: 'paid' | 'cancelled') =>
      sql`update pagopa.payment_sessions set status = ${status}, outcome_hash = ${outcomeHash}, closed_at = ${now} where token = ${session.token}`.execute(tx);
    if (input.outcome === 'KO') {
      await close('cancelled');
      return { outcome: 'OK' as const };
    }

    const institution = (await institutionById(tx, session.institution_id))!;
    const locked = await lockNotice(tx, institution, session.nav);
    const found = await notice(tx, institution, session.nav, now);
    if (isKo(found)) return found;
    const { position, option } = found;
    // The institution may have changed the position while the token lived (invalidated, paid elsewhere).
    const refusal = noticeRefusal(stateOf(position), option.iuv, now);
    if (refusal) return refusal;
    const decision = payOption(stateOf(position), option.iuv, now);
    if (!decision.ok) throw new Error(`noticeRefusal let through a notice payOption refuses: ${decision.message}`);
    await sql`update pagopa.payment_options set status = 'PO_PAID', payment_date = ${now}, payment_method = ${input.details.paymentMethod},
      psp_company = ${psp.companyName}, id_receipt = ${session.token}, last_updated_date = ${now}
      where institution_id = ${institution.id} and iuv = ${option.iuv}`.execute(tx);
    await sql`update pagopa.debt_positions set status = ${decision.status}, last_updated_date = ${now},
      payment_date = ${decision.status === 'PAID' ? now : null} where id = ${position.id}`.execute(tx);
    await insertReceipt(
      tx,
      {
        institutionId: institution.id,
        receiptId: session.token,
        noticeNumber: option.nav,
        creditorReferenceId: option.iuv,
        iupd: position.iupd,
        paymentAmount: option.amount,
        description: option.description,
        companyName: position.companyName,
        ...(position.officeName ? { officeName: position.officeName } : {}),
        debtor: debtorOf(position),
        transferList: session.response.transferList.map((t) => ({ ...t, transferAmount: centsOf(t.transferAmount, '/transferList') })),
        idPSP: psp.idPSP,
        pspFiscalCode: psp.fiscalCode,
        PSPCompanyName: psp.companyName,
        idChannel: psp.idChannel,
        channelDescription: input.details.paymentChannel ?? 'other',
        ...(input.details.payer ? { payer: input.details.payer } : {}),
        paymentMethod: input.details.paymentMethod,
        fee,
        paymentDateTime: now.toISOString(),
        applicationDate: input.details.applicationDate,
        transferDate: input.details.transferDate,
      },
      locked?.receiptsUrl ?? null,
    );
    await close('paid');
    return { outcome: 'OK' as const };
  });
}

export type TokenState = 'active' | 'paid' | 'released' | 'expired';

/** Where each of these payment tokens stands (a token the Nodo does not know is left out). */
export async function paymentTokenStates(db: Executor, tokens: string[], now: Date): Promise<Map<string, TokenState>> {
  const { rows } = await sql<{ token: string; state: TokenState }>`select token,
      case when status = 'paid' then 'paid' when status = 'cancelled' then 'released' when expires_at <= ${now} then 'expired' else 'active' end as state
    from pagopa.payment_sessions where token = any(${tokens}::text[])`.execute(db);
  return new Map(rows.map((r) => [r.token, r.state]));
}
