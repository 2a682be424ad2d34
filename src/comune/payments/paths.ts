// The payments' addresses and the dependencies their routes share.
import path from 'node:path';
import type { Tenant } from '../tenants/tenants.ts';
import type { ComuneContext } from '../context.ts';
import { diskDocumentStore } from '../protocol/files.ts';
import type { PaymentsDeps } from './store.ts';

export const PAYMENTS_AREA_PATH = '/area-personale/pagamenti';
export const PAYMENT_SETTINGS_PATH = '/backoffice/pagamenti/impostazioni';
/** pagoPA's push of receipts to the ente's station (root of the comune app, by the creditor's fiscal code). */
export const PA_SEND_RT_PATH = '/pagopa/:fiscalCode/paSendRT';

export const paymentPath = (tenant: Pick<Tenant, 'slug'>, id: string) => `/${tenant.slug}${PAYMENTS_AREA_PATH}/${id}`;
export const servicePaymentPath = (tenant: Pick<Tenant, 'slug'>, serviceId: string) => `/${tenant.slug}/backoffice/servizi/${serviceId}/pagamento`;

export function paymentsDeps(comune: Pick<ComuneContext, 'db' | 'app'>): PaymentsDeps {
  // The same content-addressed directory the journey and the protocol job use (index.ts).
  return { db: comune.db, app: comune.app, documents: diskDocumentStore(path.join(comune.app.config.dataDir, 'documents')) };
}
