// The journey with the ente connected to PDND: the form is prefilled from ANPR (read-only, marked), the
// canteen's child is chosen among the family's minors as ANPR lists them (and only them), and a service asking for a higher SPID level than the login's sends the citizen to log in again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PdndConnectionRepository } from '../../src/comune/interop/store.ts';
import { ServiceRepository } from '../../src/comune/catalog/services.ts';
import { updateService } from '../../src/comune/catalog/commands.ts';
import { TenantRepository } from '../../src/comune/tenants/tenants.ts';
import { startSystem, type TestSystem } from '../support/system.ts';
import { WebClient } from '../support/web-client.ts';
import { alice, spid, TENANT, wizardAction } from './journey-fixtures.ts';

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

  it("enrols only a child of the citizen's family as ANPR knows it, with the errors in the citizen's language", async () => {
    const tenant = (await new TenantRepository(system.ctx.database.db).bySlug(TENANT))!;
    await connected(tenant.id);
    const client = new WebClient();
    await spid(system, client);
    const start = await client.visit(comune('/servizi/iscrizione-mensa-scolastica/domanda'));
    // The login set the citizen's language (Italian); they switch to English.
    let page = await client.visit(`${system.urls.comune}${start.url.pathname}?pagina=1&lang=en`);
    expect(page.html).toContain('Children to enrol');
    page = await client.submit(page, wizardAction(page), { _action: 'add:children' });
    // Marco Bianchi's family in the demo registry: his wife (an adult, not offered) and two children.
    expect(page.html).toContain('List provided by ANPR through PDND');
    expect(page.html).not.toContain('SILVIA NERI');
    const options = [...page.html.matchAll(/name="children\[0\]\[child\]" value="([A-Z0-9]{16})"[^>]*>\s*<label[^>]*>([^<]*)</g)].map((m) => ({ value: m[1]!, label: m[2]! }));
    expect(options.map((o) => o.label.split(' (')[0])).toEqual(['TOMMASO BIANCHI', 'SOFIA BIANCHI']);
    expect(options[0]!.label).toBe(`TOMMASO BIANCHI (born 21/02/2010; fiscal code ${options[0]!.value})`);
    const row = { 'children[0][school]': 'primaria-collodi', 'children[0][schoolClass]': '3B', 'children[0][diet]': 'standard' };
    // A well-formed fiscal code of a child of another family: refused by the server, whatever the browser sent.
    const forged = await client.submit(page, wizardAction(page), { ...row, 'children[0][child]': 'RCCLNZ14E18D612Y' });
    expect(forged.status).toBe(422);
    expect(forged.html).toContain('“Children no. 1 – Child to enrol”: choose one of the people the registry (ANPR) lists in your family.');
    const chosen = await client.submit(forged, wizardAction(forged), { ...row, 'children[0][child]': options[1]!.value });
    expect(chosen.status).toBe(200);
    expect(chosen.url.search).toBe('?pagina=2');
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
