// The journey with the ente connected to PDND: the form is prefilled from ANPR (read-only, marked),
// and a service asking for a higher SPID level than the login's sends the citizen to log in again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PdndConnectionRepository } from '../../src/comune/interop/store.ts';
import { ServiceRepository } from '../../src/comune/catalog/services.ts';
import { updateService } from '../../src/comune/catalog/commands.ts';
import { TenantRepository } from '../../src/comune/tenants/tenants.ts';
import { startSystem, type TestSystem } from '../support/system.ts';
import { WebClient } from '../support/web-client.ts';
import { alice, spid, TENANT } from './journey-fixtures.ts';

let system: TestSystem;
beforeAll(async () => {
  system = await startSystem({ apps: ['mail', 'identity', 'anpr', 'pdnd', 'comune'], env: { LOGIN_RATE_LIMIT: '1000' } });
}, 120_000);
afterAll(() => system?.stop());

const comune = (p: string) => `${system.urls.comune}/${TENANT}${p}`;

async function connected(tenantId: string) {
  const connections = new PdndConnectionRepository(system.ctx.database.db, system.ctx.secret);
  for (let i = 0; i < 150; i++) {
    if ((await connections.get(tenantId))?.status === 'connected') return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('the ente did not connect to PDND');
}

describe('citizen journey with ANPR', () => {
  it('prefills the applicant from ANPR through PDND, read-only and marked', async () => {
    const tenant = (await new TenantRepository(system.ctx.database.db).bySlug(TENANT))!;
    await connected(tenant.id);
    const client = new WebClient();
    await spid(system, client);
    const page = await client.visit(comune('/servizi/accesso-agli-atti/domanda'));
    expect(page.status).toBe(200);
    expect(page.html).toContain('Dato fornito da ANPR tramite PDND');
    expect(page.html).toContain('Anagrafe nazionale (ANPR)');
    expect(page.html).not.toContain('non è ancora collegato');
    // The birth date is ANPR's, shown read-only (dd/mm/yyyy).
    expect(page.html).toMatch(/name="applicantBirthDate"[^>]*readonly|readonly[^>]*name="applicantBirthDate"|id="field-applicantBirthDate"[\s\S]{0,200}value="\d{2}\/\d{2}\/\d{4}"[^>]*readonly/);
    expect(page.html).toContain(alice.fiscalCode);
  });

  it('asks for a login at the level the service needs', async () => {
    const db = system.ctx.database.db;
    const tenant = (await new TenantRepository(db).bySlug(TENANT))!;
    const service = (await new ServiceRepository(db).bySlug(tenant.id, 'contrassegno-disabili'))!;
    await updateService(db, tenant.id, service.id, { ...service, accessLevel: 'spid-l3' }, { type: 'system', id: 'test' });
    const client = new WebClient();
    await spid(system, client);
    const page = await client.visit(comune('/servizi/contrassegno-disabili/domanda'));
    expect(page.status).toBe(403);
    expect(page.html).toContain('livello 3');
    expect(page.html).toContain('level=3');
  });
});
