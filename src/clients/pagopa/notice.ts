// The printed notice ("avviso di pagamento pagoPA", §2) of a debt position as its creditor institution downloads
// it from pagoPA's print service with its subscription key: GET /print-payment-notice-service/v1/organizations/
// {organizationfiscalcode}/debtpositions/{iupd}/notice → application/pdf. Refusals come back as GpdError
// (404 unknown position, 409 nothing left to pay on paper).
import { readProblem } from '../problem.ts';
import { GpdError } from './index.ts';
import { SUBSCRIPTION_KEY_HEADER } from './wire.ts';

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
  const response = await fetch(`${options.baseUrl.replace(/\/$/, '')}${NOTICE_SERVICE_PREFIX}/organizations/${org}/debtpositions/${encodeURIComponent(iupd)}/notice`, {
    headers: { [SUBSCRIPTION_KEY_HEADER]: options.subscriptionKey, accept: 'application/pdf' },
    signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
  });
  if (!response.ok) throw new GpdError(response.status, await readProblem(response));
  return Buffer.from(await response.arrayBuffer());
}
