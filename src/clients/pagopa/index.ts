// The GPD API of pagoPA as a creditor institution calls it: one organization, one subscription key, the
// base URL of debt-positions-service v1 (ours: <pagoPA app URL>/gpd/debt-positions-service/v1; production:
// https://api.platform.pagopa.it/gpd/debt-positions-service/v1). Refusals come back as GpdError with GPD's code.
import type { Problem } from '../../core/problem.ts';
import { ProblemError } from '../problem.ts';
import { keyedFetch } from './call.ts';
import { GPD_PREFIX, type DebtPositionStatus, type ORDER_BY, type PaymentPosition, type PaymentPositionBody, type PaymentPositionsPage } from './wire.ts';

export type { DebtPositionStatus, PaymentOption, PaymentPosition, PaymentPositionBody, PaymentPositionsPage } from './wire.ts';

export interface GpdClientOptions {
  /** Base URL of debt-positions-service v1, without a trailing slash. */
  baseUrl: string;
  subscriptionKey: string;
  /** The creditor institution the key belongs to. */
  organizationFiscalCode: string;
  timeoutMs?: number;
}

/** The base URL of the GPD API served by a pagoPA app at `pagopaUrl`. */
export const gpdBaseUrl = (pagopaUrl: string) => `${pagopaUrl.replace(/\/$/, '')}${GPD_PREFIX}`;

/** GPD refused the call: 400 (request data), 401/403 (key), 404 (unknown position or notice), 409 (state, duplicates), 422 (not payable). */
export class GpdError extends ProblemError {
  constructor(status: number, problem: Problem) {
    super(status, problem, 'GPD');
  }
  /** GPD's AppError code, e.g. DEBT_POSITION_NOT_PUBLISHABLE, when the answer names one. */
  get code(): string | undefined {
    return this.member('code');
  }
}

export interface ListQuery {
  limit?: number;
  page?: number;
  dueDateFrom?: string;
  dueDateTo?: string;
  paymentDateFrom?: string;
  paymentDateTo?: string;
  status?: DebtPositionStatus;
  orderBy?: (typeof ORDER_BY)[number];
  ordering?: 'ASC' | 'DESC';
}

export interface GpdClient {
  createPosition(position: PaymentPositionBody, options?: { toPublish?: boolean }): Promise<PaymentPosition>;
  getPosition(iupd: string): Promise<PaymentPosition>;
  /** The position, or undefined when GPD does not know it. */
  findPosition(iupd: string): Promise<PaymentPosition | undefined>;
  listPositions(query?: ListQuery): Promise<PaymentPositionsPage>;
  updatePosition(iupd: string, position: PaymentPositionBody, options?: { toPublish?: boolean }): Promise<PaymentPosition>;
  deletePosition(iupd: string): Promise<void>;
  publishPosition(iupd: string): Promise<PaymentPosition>;
  invalidatePosition(iupd: string): Promise<PaymentPosition>;
  /** The position with only the payment option of this notice number. */
  getPaymentOption(noticeNumber: string): Promise<PaymentPosition>;
  /** Records that the notice was paid outside pagoPA (GPD setPaymentOptionAsAlreadyPaid). */
  markPaymentOptionPaid(noticeNumber: string, paymentDate?: Date): Promise<PaymentPosition>;
}

export function gpdClient(options: GpdClientOptions): GpdClient {
  const org = `${options.baseUrl}/organizations/${encodeURIComponent(options.organizationFiscalCode)}`;
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await keyedFetch(`${org}${path}`, { subscriptionKey: options.subscriptionKey, method, body, accept: 'application/json', timeoutMs: options.timeoutMs ?? 10_000 }, GpdError);
    return (await response.json()) as T;
  }
  const position = (iupd: string) => `/debtpositions/${encodeURIComponent(iupd)}`;
  const publish = (toPublish?: boolean) => (toPublish ? '?toPublish=true' : '');
  return {
    createPosition: (p, o = {}) => call('POST', `/debtpositions${publish(o.toPublish)}`, p),
    getPosition: (iupd) => call('GET', position(iupd)),
    async findPosition(iupd) {
      try {
        return await call<PaymentPosition>('GET', position(iupd));
      } catch (err) {
        if (err instanceof GpdError && err.status === 404) return undefined;
        throw err;
      }
    },
    listPositions(q = {}) {
      const params = new URLSearchParams();
      const set = (name: string, value: string | number | undefined) => value !== undefined && params.set(name, String(value));
      set('limit', q.limit);
      set('page', q.page);
      set('due_date_from', q.dueDateFrom);
      set('due_date_to', q.dueDateTo);
      set('payment_date_from', q.paymentDateFrom);
      set('payment_date_to', q.paymentDateTo);
      set('status', q.status);
      set('orderby', q.orderBy);
      set('ordering', q.ordering);
      const query = params.toString();
      return call('GET', `/debtpositions${query ? `?${query}` : ''}`);
    },
    updatePosition: (iupd, p, o = {}) => call('PUT', `${position(iupd)}${publish(o.toPublish)}`, p),
    async deletePosition(iupd) {
      await call('DELETE', position(iupd));
    },
    publishPosition: (iupd) => call('POST', `${position(iupd)}/publish`),
    invalidatePosition: (iupd) => call('POST', `${position(iupd)}/invalidate`),
    getPaymentOption: (nav) => call('GET', `/paymentoptions/${encodeURIComponent(nav)}`),
    markPaymentOptionPaid: (nav, paymentDate) => call('POST', `/paymentoptions/paids/${encodeURIComponent(nav)}`, paymentDate ? { paymentDate: paymentDate.toISOString() } : {}),
  };
}
