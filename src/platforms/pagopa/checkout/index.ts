// pagoPA Checkout (model 1): the carts API for creditor institutions and the pages where citizens pay them.
import type { App } from '../../../core/http.ts';
import type { Executor } from '../../../core/db.ts';
import type { Mailer } from '../../../core/mail.ts';
import { registerAssets } from '../../../core/web.ts';
import { registerCheckoutApi } from './api.ts';
import { registerCheckoutPages } from './pages.ts';

export interface CheckoutDeps {
  db: Executor;
  secret: string;
  mailer: Mailer;
  /** The pagoPA app's public URL: the checkout pages are served there. */
  publicUrl: string;
}

export async function registerCheckout(app: App, deps: CheckoutDeps): Promise<void> {
  await registerCheckoutApi(app, deps.db, deps.publicUrl);
  // The pages need Bootstrap Italia; the app's other pages may have registered the assets already.
  if (!app.hasRoute({ method: 'GET', url: '/assets/bootstrap-italia/*' })) await registerAssets(app);
  await registerCheckoutPages(app, deps);
}
