// Demo data (idempotent): the demo comuni as bodies on IO, each with its service out of test mode and the keys the
// comune derives from SECRET too (src/clients/io/demo.ts), a national test-mode service writing only to two demo
// citizens, and the operators' key of the onboarding API.
import type { Executor } from '../../core/db.ts';
import type { DemoAccount } from '../../core/runtime.ts';
import { createApiKey, derivedApiKey } from '../../core/auth/api-keys.ts';
import { demoPeople } from '../../domain/demo-people.ts';
import { DEMO_IO_SERVICES, demoIoKey } from '../../clients/io/demo.ts';
import { IO_API_PREFIX, SUBSCRIPTION_KEY_HEADER } from '../../clients/io/wire.ts';
import { OPERATOR_KEY_OWNER } from './admin.ts';
import { SCHEMA } from './schema.ts';
import { createOrganization, createService, getOrganization, getService, type ServiceInput } from './services/store.ts';

/** PagoPA S.p.A., which runs IO, with a national service in test mode for trying the API on demo citizens. */
export const DEMO_TEST_SERVICE = {
  serviceId: '01JD8B0G1ANZ8C0MVNE5ERV1ZT',
  organizationFiscalCode: '15376371009',
  organizationName: 'PagoPA S.p.A.',
  departmentName: 'Piattaforma IO',
  serviceName: 'Servizio di prova',
  maxAllowedPaymentAmount: 0,
} as const;

const operatorKey = (secret: string) => derivedApiKey(secret, 'io-operator', 'io');

async function seedService(db: Executor, secret: string, demo: typeof DEMO_IO_SERVICES[number] | typeof DEMO_TEST_SERVICE, settings: Partial<ServiceInput>): Promise<void> {
  if (!(await getOrganization(db, demo.organizationFiscalCode))) {
    await createOrganization(db, { fiscalCode: demo.organizationFiscalCode, name: demo.organizationName, departmentName: demo.departmentName });
  }
  if (await getService(db, demo.serviceId)) return;
  await createService(db, secret, {
    serviceId: demo.serviceId,
    organizationFiscalCode: demo.organizationFiscalCode,
    serviceName: demo.serviceName,
    departmentName: demo.departmentName,
    maxAllowedPaymentAmount: demo.maxAllowedPaymentAmount,
    isVisible: true,
    keys: { primary: demoIoKey(secret, demo.serviceId, 'primary'), secondary: demoIoKey(secret, demo.serviceId, 'secondary') },
    ...settings,
  });
}

export async function seedIoServices(db: Executor, secret: string): Promise<void> {
  await createApiKey(db, SCHEMA, { ownerType: OPERATOR_KEY_OWNER, ownerId: 'io', label: 'demo: operatore della piattaforma IO', key: operatorKey(secret) });
  for (const demo of DEMO_IO_SERVICES) {
    const site = `https://${demo.organizationName.toLowerCase().replace(/\s*\(demo\)/, '').replace(/^comune di /, 'comune.').replace(/\s+/g, '')}.it`;
    await seedService(db, secret, demo, {
      isTestMode: false,
      allowAdvanced: true,
      metadata: {
        scope: 'LOCAL',
        description: `Le pratiche presentate online al ${demo.organizationName}, i loro esiti e gli avvisi di pagamento pagoPA.`,
        privacy_url: `${site}/privacy`,
        web_url: site,
        email: `urp@${site.slice('https://'.length)}`,
      },
    });
  }
  await seedService(db, secret, DEMO_TEST_SERVICE, {
    isTestMode: true,
    authorizedRecipients: demoPeople.slice(0, 2).map((p) => p.fiscalCode),
    metadata: { scope: 'NATIONAL', description: 'Un servizio in modalità di prova: scrive solo ai destinatari autorizzati.', privacy_url: 'https://io.italia.it/privacy', email: 'onboarding@io.italia.it' },
  });
}

export function ioServicesDemoAccounts(secret: string): DemoAccount[] {
  return [
    { who: 'IO — operators (onboarding API)', login: '/admin/v1 · Authorization: Bearer', secret: operatorKey(secret) },
    ...[...DEMO_IO_SERVICES, DEMO_TEST_SERVICE].map((s) => ({
      who: `IO Services API — ${s.organizationName}: ${s.serviceName}`,
      login: `${IO_API_PREFIX} · ${SUBSCRIPTION_KEY_HEADER}`,
      secret: demoIoKey(secret, s.serviceId, 'primary'),
    })),
  ];
}
