// Demo data of the Nodo (idempotent): the demo PSPs with their subscription keys derived from SECRET, and the
// demo comuni's station endpoint for receipts (the comune's paSendRT).
import { sql, type Executor } from '../../../core/db.ts';
import type { DemoAccount } from '../../../core/runtime.ts';
import { createApiKey } from '../../../core/auth/api-keys.ts';
import { DEMO_CREDITOR_INSTITUTIONS, DEMO_PSPS, demoPagopaKey, pspKeyHolder } from '../../../clients/pagopa/demo.ts';
import { NODO_PREFIX } from '../../../clients/pagopa/nodo-wire.ts';
import { CHANNEL_KEY_OWNER, channelKeyHolder } from '../../../clients/pagopa/ecommerce.ts';
import { SUBSCRIPTION_KEY_HEADER } from '../../../clients/pagopa/wire.ts';
import type { Actor } from '../institutions.ts';
import { SCHEMA } from '../schema.ts';
import { onboardPsp, pspById, PSP_KEY_OWNER } from './psps.ts';

const SEED: Actor = { type: 'system', id: 'seed' };

/** The endpoint of a demo comune that receives its receipts (served by the comune app). */
export const demoReceiptsUrl = (comuneUrl: string, fiscalCode: string) => `${comuneUrl.replace(/\/$/, '')}/pagopa/${fiscalCode}/paSendRT`;

export async function seedNodo(db: Executor, secret: string, comuneUrl: string): Promise<void> {
  for (const demo of DEMO_PSPS) {
    if (!(await pspById(db, demo.idPSP))) await onboardPsp(db, SEED, { ...demo, paymentTypes: [...demo.paymentTypes] });
    await createApiKey(db, SCHEMA, { ownerType: PSP_KEY_OWNER, ownerId: demo.idPSP, label: `demo: ${demo.companyName}`, key: demoPagopaKey(secret, pspKeyHolder(demo.idPSP)) });
  }
  // The IO app's channel key (pagoPA for IO), derived from SECRET on both sides.
  await createApiKey(db, SCHEMA, { ownerType: CHANNEL_KEY_OWNER, ownerId: 'io', label: 'demo: App IO', key: demoPagopaKey(secret, channelKeyHolder('io')) });
  for (const demo of DEMO_CREDITOR_INSTITUTIONS) {
    await sql`update pagopa.creditor_institutions set receipts_url = ${demoReceiptsUrl(comuneUrl, demo.fiscalCode)}
      where fiscal_code = ${demo.fiscalCode} and receipts_url is null`.execute(db);
  }
}

export function nodoDemoAccounts(secret: string): DemoAccount[] {
  return DEMO_PSPS.map((p) => ({ who: `pagoPA Nodo — PSP ${p.companyName} (${p.idPSP})`, login: `${NODO_PREFIX} · ${SUBSCRIPTION_KEY_HEADER}`, secret: demoPagopaKey(secret, pspKeyHolder(p.idPSP)) }));
}
