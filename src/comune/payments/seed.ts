// Demo payments (idempotent): the demo entes as creditors of pagoPA with their chapters (settings.ts), and the
// school canteen's enrolment fee paid before the application is sent, split on two chapters. An admin's own
// choices stay: a service that already has a payment rule is left alone.
import type { AppContext } from '../../core/runtime.ts';
import type { Tenant } from '../tenants/tenants.ts';
import { ServiceRepository } from '../catalog/services.ts';
import { saveServicePayment, servicePaymentOf } from './service-payments.ts';
import { DEMO_CHAPTERS, seedDemoPaymentSettings } from './settings.ts';
import type { ServicePayment } from './rules.ts';

export const DEMO_CANTEEN_SLUG = 'iscrizione-mensa-scolastica';

/** 30 € to enrol: 10 € of enrolment fee, the rest on the meals' chapter. */
export const DEMO_CANTEEN_PAYMENT: ServicePayment = {
  mode: 'immediate',
  amount: { kind: 'fixed', cents: 3000 },
  split: [
    { chapter: DEMO_CHAPTERS[1].code, cents: 1000 },
    { chapter: DEMO_CHAPTERS[0].code, percent: 100 },
  ],
  installments: null,
  reason: 'Iscrizione mensa scolastica',
  dueDays: 30,
};

export async function seedPaymentsDemo(ctx: AppContext, tenants: readonly Pick<Tenant, 'id' | 'fiscalCode'>[]): Promise<void> {
  await seedDemoPaymentSettings(ctx, tenants);
  const services = new ServiceRepository(ctx.database.db);
  for (const tenant of tenants) {
    const canteen = await services.bySlug(tenant.id, DEMO_CANTEEN_SLUG);
    if (canteen && !(await servicePaymentOf(ctx.database.db, canteen.id))) await saveServicePayment(ctx.database.db, tenant.id, canteen.id, DEMO_CANTEEN_PAYMENT);
  }
}
