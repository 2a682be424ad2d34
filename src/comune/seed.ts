// The demo: Comune di Bugliano (fictional, province of Pisa) and a second ente to prove isolation,
// each with an administrator and an operator; one platform administrator. Idempotent.
import type { AppContext, DemoAccount } from '../core/runtime.ts';
import { HttpProblem } from '../core/problem.ts';
import { partitaIvaCheckDigit } from '../domain/partita-iva.ts';
import { BUGLIANO, municipalityByIstat } from '../domain/municipalities.ts';
import { TenantRepository, type TenantInput } from './tenants/tenants.ts';
import { createStaffUser, createTenant, type CommandActor } from './commands.ts';
import type { StaffRole } from './staff/staff.ts';
import { seedDemoPdndKeys } from './interop/startup.ts';
import { seedDemoForms } from './forms/demo.ts';
import { seedCatalogDemo } from './catalog/seed.ts';
import { attachDemoForms } from './journey/seed.ts';
import { seedPaymentsDemo } from './payments/seed.ts';
import { seedMessagingDemo } from './messaging/seed.ts';

/** An ente's numeric codice fiscale: 10 digits plus the check digit (DPR 605/1973). */
const enteFiscalCode = (first10: string) => first10 + partitaIvaCheckDigit(first10);

const vicopisano = municipalityByIstat('050038')!;

export const DEMO_TENANTS: TenantInput[] = [
  {
    slug: 'comune-di-bugliano',
    name: 'Comune di Bugliano',
    ipaCode: `c_${BUGLIANO.belfioreCode.toLowerCase()}`,
    fiscalCode: enteFiscalCode('8000099050'),
    istatCode: BUGLIANO.istatCode,
    primaryColor: '#0066cc',
    languages: ['it', 'en', 'de'],
    email: 'urp@comune.bugliano.pi.it',
    pec: 'protocollo@pec.comune.bugliano.pi.it',
    phone: '050 000000',
    website: 'https://www.comune.bugliano.pi.it',
    street: 'Piazza del Municipio 1, Bugliano (PI)',
    postcode: '56000',
    parentEntity: 'Regione Toscana',
  },
  {
    slug: 'comune-di-vicopisano-demo',
    name: `Comune di ${vicopisano.name} (demo)`,
    ipaCode: `c_${vicopisano.belfioreCode.toLowerCase()}_demo`,
    fiscalCode: enteFiscalCode('8000038050'),
    istatCode: vicopisano.istatCode,
    primaryColor: '#8a1538',
    languages: ['it', 'en'],
    email: 'urp@demo.comune.vicopisano.example',
    pec: 'protocollo@pec.demo.comune.vicopisano.example',
    street: 'Via del Pretorio 1, Vicopisano (PI)',
    postcode: '56010',
    parentEntity: 'Regione Toscana',
  },
];

export interface DemoStaff {
  tenantSlug: string | null;
  role: StaffRole;
  email: string;
  givenName: string;
  familyName: string;
  password: string;
  /** Base32 TOTP secret, documented so a person can add it to an authenticator app. */
  totpSecret?: string;
}

export const DEMO_STAFF: DemoStaff[] = [
  { tenantSlug: null, role: 'platform_admin', email: 'admin@sportello.localhost', givenName: 'Piattaforma', familyName: 'Amministratore', password: 'Sportello-Admin-2026' },
  { tenantSlug: 'comune-di-bugliano', role: 'tenant_admin', email: 'admin@comune.bugliano.pi.it', givenName: 'Giulia', familyName: 'Ferri', password: 'Bugliano-Admin-2026' },
  { tenantSlug: 'comune-di-bugliano', role: 'operator', email: 'operatore@comune.bugliano.pi.it', givenName: 'Marco', familyName: 'Neri', password: 'Bugliano-Operatore-2026', totpSecret: 'KVKFKRCPNZQUYMLX' },
  { tenantSlug: 'comune-di-vicopisano-demo', role: 'tenant_admin', email: 'admin@demo.comune.vicopisano.example', givenName: 'Sara', familyName: 'Bruni', password: 'Vicopisano-Admin-2026' },
  { tenantSlug: 'comune-di-vicopisano-demo', role: 'operator', email: 'operatore@demo.comune.vicopisano.example', givenName: 'Luca', familyName: 'Galli', password: 'Vicopisano-Operatore-2026' },
];

const SEED: CommandActor = { type: 'system', id: 'seed' };

/** Creation that tolerates "already there" (409), so the seed can run on every start. */
async function ensure(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (err) {
    if (!(err instanceof HttpProblem && err.status === 409)) throw err;
  }
}

export async function seedComuneDemo(ctx: AppContext): Promise<void> {
  const db = ctx.database.db;
  const tenants = new TenantRepository(db);
  for (const tenant of DEMO_TENANTS) await ensure(() => createTenant(db, tenant, SEED));
  // Demo only: each ente's PDND API key derived from SECRET, the one PDND's seed creates; connected at start-up.
  const demoTenants = (await Promise.all(DEMO_TENANTS.map((t) => tenants.bySlug(t.slug)))).filter((t) => t !== undefined);
  await seedDemoPdndKeys(ctx, demoTenants);
  for (const tenant of demoTenants) await seedDemoForms(db, tenant.id, SEED);
  for (const person of DEMO_STAFF) {
    const tenant = person.tenantSlug ? await tenants.bySlug(person.tenantSlug) : undefined;
    await ensure(() =>
      createStaffUser(
        db,
        { tenantId: tenant?.id ?? null, role: person.role, email: person.email, givenName: person.givenName, familyName: person.familyName, password: person.password, totpSecret: person.totpSecret },
        SEED,
      ),
    );
  }
  const bugliano = await tenants.bySlug('comune-di-bugliano');
  if (bugliano) await seedCatalogDemo(db, bugliano, SEED);
  for (const tenant of demoTenants) await attachDemoForms(db, tenant, SEED);
  await seedPaymentsDemo(ctx, demoTenants);
  await seedMessagingDemo(ctx, demoTenants);
}

export function comuneDemoAccounts(ctx: AppContext): DemoAccount[] {
  return DEMO_STAFF.map((person) => ({
    who: person.tenantSlug ? `${person.role} · ${person.tenantSlug}` : person.role,
    login: `${ctx.config.urls.comune}${person.tenantSlug ? `/${person.tenantSlug}/backoffice/accedi` : '/admin/accedi'}  ${person.email}`,
    secret: person.password + (person.totpSecret ? `  (TOTP ${person.totpSecret})` : ''),
  }));
}
