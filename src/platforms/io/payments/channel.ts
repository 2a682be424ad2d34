// IO's channel to pagoPA (docs/io.md "pagoPA for IO"): the base URL and the channel's subscription key.
import type { AppContext } from '../../../core/runtime.ts';
import { demoPagopaKey } from '../../../clients/pagopa/demo.ts';
import { channelKeyHolder, ecommerceClient, type EcommerceClient } from '../../../clients/pagopa/ecommerce.ts';

/**
 * pagoPA as the app pays through it. The demo derives the channel key from SECRET as pagoPA's seed does; a real
 * deployment would configure the URL and the key pagoPA issued to the IO channel instead.
 */
export function pagopaChannel(ctx: Pick<AppContext, 'config' | 'secret'>): EcommerceClient {
  return ecommerceClient({ baseUrl: ctx.config.urls.pagopa, subscriptionKey: demoPagopaKey(ctx.secret, channelKeyHolder('io')) });
}
