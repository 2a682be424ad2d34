// The payments of one application on the citizen's receipt page (its status and the way to pay or to the receipt).
import { html, type SafeHtml } from '../../core/html.ts';
import { formatEuroCents, type Locale } from '../../core/i18n.ts';
import type { Executor } from '../../core/db.ts';
import type { Tenant } from '../tenants/tenants.ts';
import { paymentsT } from './messages.ts';
import { paymentPath } from './paths.ts';
import { applicationPayments } from './store.ts';

export async function applicationPaymentsSection(db: Executor, tenant: Pick<Tenant, 'slug'>, applicationId: string, locale: Locale): Promise<SafeHtml | ''> {
  const payments = await applicationPayments(db, applicationId);
  if (!payments.length) return '';
  const tr = paymentsT(locale);
  return html`<section class="mb-4" aria-labelledby="payments"><h2 id="payments" class="h4">${tr('payments.desk.title')}</h2>
  <ul>${payments.map((p) => html`<li><a href="${paymentPath(tenant, p.id)}">${p.reason}</a>: ${formatEuroCents(p.amountCents, locale)} — ${tr(`payments.page.status.${p.status}`)}</li>`)}</ul>
</section>`;
}

