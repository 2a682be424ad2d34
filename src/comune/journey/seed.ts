// The demo services get their demo forms: each catalog service is matched to the form of the same
// subject (seeded by forms/demo.ts). Only a service without a form is touched, so an admin's choice stays.
import type { Executor } from '../../core/db.ts';
import type { CommandActor } from '../commands.ts';
import type { Tenant } from '../tenants/tenants.ts';
import { ServiceRepository } from '../catalog/services.ts';
import { updateService } from '../catalog/commands.ts';
import { FormRepository } from '../forms/forms.ts';
import { demoFormSchema, type DemoForm } from '../forms/demo.ts';

/** Catalog demo service slug → demo form slug. */
export const DEMO_SERVICE_FORMS: Record<string, DemoForm> = {
  'iscrizione-mensa-scolastica': 'iscrizione-mensa-scolastica',
  'permesso-ztl': 'permesso-ztl',
  'occupazione-suolo-pubblico': 'occupazione-suolo-pubblico',
  'accesso-agli-atti': 'accesso-agli-atti',
  'contrassegno-disabili': 'contrassegno-disabili',
  'bonus-affitto': 'bonus-economico',
};

/** Attaches each demo form to its demo service when the service has none. Idempotent. */
export async function attachDemoForms(db: Executor, tenant: Pick<Tenant, 'id'>, actor: CommandActor): Promise<number> {
  const services = new ServiceRepository(db);
  const forms = await new FormRepository(db).list(tenant.id);
  let attached = 0;
  for (const [serviceSlug, formSlug] of Object.entries(DEMO_SERVICE_FORMS)) {
    const service = await services.bySlug(tenant.id, serviceSlug);
    const title = demoFormSchema(formSlug).title;
    const form = forms.find((f) => f.name === title);
    if (!service || service.formId || !form) continue;
    await updateService(db, tenant.id, service.id, { ...service, formId: form.id }, actor);
    attached++;
  }
  return attached;
}
