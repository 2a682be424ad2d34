// The Nodo's rules as pure functions: which fault answers a notice that cannot be paid, how long a token
// lives, and the faults themselves. Sources: shared/reference/pagopa.md §3.5 (how GPD answers the Nodo),
// §4.4 (tokens), §4.5 (fault codes).
import { MAX_TOKEN_MS, NODO_FAULT_ID, type FaultCode, type Ko, type PaaFaultCode } from '../../../clients/pagopa/nodo-wire.ts';
import { payOption, statusAsOf, type PositionState } from '../rules.ts';

/** faultString of each fault, as the Nodo words it. */
const FAULT_STRINGS: Record<FaultCode, string> = {
  PPT_PAGAMENTO_DUPLICATO: 'Pagamento duplicato',
  PPT_PAGAMENTO_IN_CORSO: 'Pagamento in attesa risulta in corso al sistema pagoPA',
  PPT_TOKEN_SCADUTO: 'Token scaduto',
  PPT_TOKEN_SCONOSCIUTO: 'Token sconosciuto',
  PPT_ERRORE_EMESSO_DA_PAA: 'Errore restituito dalla PAA',
  PPT_DOMINIO_SCONOSCIUTO: 'Identificativo dominio sconosciuto',
  PPT_DOMINIO_DISABILITATO: 'Dominio disabilitato',
  PPT_AUTORIZZAZIONE: 'Il richiedente non ha i diritti per l’operazione',
  PPT_SEMANTICA: 'Errore semantico',
  PPT_ERRORE_IDEMPOTENZA: 'Errore di idempotenza',
  PPT_ESITO_GIA_ACQUISITO: 'Esito già acquisito',
};

/** A refusal of the Nodo: HTTP 200 with outcome KO; a PAA fault is wrapped as PPT_ERRORE_EMESSO_DA_PAA (§4.5). */
export function fault(code: FaultCode, description: string, originalFaultCode?: PaaFaultCode): Ko {
  return { outcome: 'KO', fault: { faultCode: code, faultString: FAULT_STRINGS[code], id: NODO_FAULT_ID, description, ...(originalFaultCode ? { originalFaultCode } : {}) } };
}

const paa = (code: PaaFaultCode, description: string) => fault('PPT_ERRORE_EMESSO_DA_PAA', description, code);

/**
 * Why the notice `iuv` of this position cannot be paid at `now`, as the fault the PSP receives; undefined when
 * it can. The Nodo answers a notice it knows paid itself (PPT_PAGAMENTO_DUPLICATO); the rest is GPD's answer
 * as the creditor's station (§3.5): not yet valid → SCONOSCIUTO, EXPIRED → SCADUTO, INVALID → ANNULLATO,
 * another option of the plan paid → DUPLICATO.
 */
export function noticeRefusal(position: PositionState, iuv: string, now: Date): Ko | undefined {
  const option = position.options.find((o) => o.iuv === iuv);
  if (!option) return paa('PAA_PAGAMENTO_SCONOSCIUTO', `no payment option ${iuv}`);
  if (option.status !== 'PO_UNPAID') return fault('PPT_PAGAMENTO_DUPLICATO', 'the notice has already been paid');
  const status = statusAsOf(position, now);
  switch (status) {
    case 'DRAFT':
    case 'PUBLISHED':
      return paa('PAA_PAGAMENTO_SCONOSCIUTO', `the debt position is not payable yet (${status})`);
    case 'EXPIRED':
      return paa('PAA_PAGAMENTO_SCADUTO', 'the debt position has expired');
    case 'INVALID':
      return paa('PAA_PAGAMENTO_ANNULLATO', 'the debt position has been cancelled by the creditor institution');
    case 'PAID':
    case 'REPORTED':
      return paa('PAA_PAGAMENTO_DUPLICATO', `the debt position is ${status}: another of its payment options has been paid`);
    default: {
      const decision = payOption(position, iuv, now);
      if (decision.ok) return undefined;
      if (decision.code === 'PAYMENT_OPTION_ALREADY_PAID') return paa('PAA_PAGAMENTO_DUPLICATO', decision.message);
      return paa('PAA_PAGAMENTO_SCONOSCIUTO', decision.message);
    }
  }
}

/** When a token issued at `now` expires: after expirationTime, and never more than 30 minutes (§4.4). */
export function tokenExpiry(now: Date, expirationTimeMs?: number): Date {
  return new Date(now.getTime() + Math.min(expirationTimeMs ?? MAX_TOKEN_MS, MAX_TOKEN_MS));
}

export interface LiveSession {
  nav: string;
  isPartialPayment: boolean;
}

/**
 * Whether a live token blocks activating `nav`: a token on the same notice (§4.4), or on another notice of
 * the same position when one of the two is the single payment (paying both would pay the debt twice).
 */
export function blockedByLiveSession(nav: string, isPartialPayment: boolean, live: readonly LiveSession[]): boolean {
  return live.some((s) => s.nav === nav || !s.isPartialPayment || !isPartialPayment);
}
