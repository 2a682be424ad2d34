// The receipts of pagoPA as a creditor institution reads them (payments-receipts-service v1 with its GPD
// subscription key; ours: <pagoPA app URL>/gpd/payments-receipts-service/v1): the list, one receipt by IUV,
// its PDF. A receipt pushed to the institution's station should be read again here rather than trusted.
import { keyedFetch } from './call.ts';
import { GpdError } from './index.ts';
import { RECEIPTS_PREFIX, type Receipt, type ReceiptsPage } from './nodo-wire.ts';

export type { Receipt, ReceiptsPage } from './nodo-wire.ts';

export interface ReceiptsClientOptions {
  /** Base URL of payments-receipts-service v1, without a trailing slash. */
  baseUrl: string;
  subscriptionKey: string;
  organizationFiscalCode: string;
  timeoutMs?: number;
}

/** The base URL of the receipts service served by a pagoPA app at `pagopaUrl`. */
export const receiptsBaseUrl = (pagopaUrl: string) => `${pagopaUrl.replace(/\/$/, '')}${RECEIPTS_PREFIX}`;

export interface ReceiptsQuery {
  /** The debtor's fiscal code. */
  debtor?: string;
  /** Italian calendar days (yyyy-MM-dd) of the payment, both included. */
  from?: string;
  to?: string;
  page?: number;
  limit?: number;
}

export interface ReceiptsClient {
  listReceipts(query?: ReceiptsQuery): Promise<ReceiptsPage>;
  /** The receipt of the notice with this IUV, or undefined when it is not paid (404). */
  findReceipt(iuv: string): Promise<Receipt | undefined>;
  receiptPdf(iuv: string): Promise<Buffer>;
}

/** Refusals come back as GpdError (401 key, 403 another organization, 404 no receipt). */
export function receiptsClient(options: ReceiptsClientOptions): ReceiptsClient {
  const org = `${options.baseUrl}/payments/${encodeURIComponent(options.organizationFiscalCode)}/receipts`;
  const get = (path: string) => keyedFetch(`${org}${path}`, { subscriptionKey: options.subscriptionKey, timeoutMs: options.timeoutMs ?? 10_000 }, GpdError);
  return {
    async listReceipts(q = {}) {
      const params = new URLSearchParams();
      for (const [name, value] of Object.entries(q)) if (value !== undefined) params.set(name, String(value));
      const query = params.toString();
      return (await (await get(query ? `?${query}` : '')).json()) as ReceiptsPage;
    },
    async findReceipt(iuv) {
      try {
        return (await (await get(`/${encodeURIComponent(iuv)}`)).json()) as Receipt;
      } catch (err) {
        if (err instanceof GpdError && err.status === 404) return undefined;
        throw err;
      }
    },
    async receiptPdf(iuv) {
      return Buffer.from(await (await get(`/${encodeURIComponent(iuv)}/pdf`)).arrayBuffer());
    },
  };
}
