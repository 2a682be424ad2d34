// The printed notice ("avviso di pagamento pagoPA", §2) of a debt position as its creditor institution downloads
// it from pagoPA's print service with its subscription key: GET /print-payment-notice-service/v1/organizations/
// {organizationfiscalcode}/debtpositions/{iupd}/notice → application/pdf. Refusals come back as GpdError
// (404 unknown position, 409 nothing left to pay on paper).
import { keyedFetch } from './call.ts';
import { GpdError } from './index.ts';

export const NOTICE_SERVICE_PREFIX = '/print-payment-notice-service/v1';

export interface NoticeClientOptions {
  /** The pagoPA base URL (ours: the pagoPA app's URL; production: https://api.platform.pagopa.it). */
  baseUrl: string;
  subscriptionKey: string;
  organizationFiscalCode: string;
  timeoutMs?: number;
}

export async function noticePdf(options: NoticeClientOptions, iupd: string): Promise<Buffer> {
  const org = encodeURIComponent(options.organizationFiscalCode);
  const url = `${options.baseUrl.replace(/\/$/, '')}${NOTICE_SERVICE_PREFIX}/organizations/${org}/debtpositions/${encodeURIComponent(iupd)}/notice`;
  const response = await keyedFetch(url, { subscriptionKey: options.subscriptionKey, accept: 'application/pdf', timeoutMs: options.timeoutMs ?? 15_000 }, GpdError);
  return Buffer.from(await response.arrayBuffer());
}
