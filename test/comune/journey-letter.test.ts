// The citizen's outcome letter: once the desk decides, the application's page links the letter and the
// citizen downloads it; another citizen cannot, and before the decision there is none.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TenantRepository } from '../../src/comune/tenants/tenants.ts';
import { diskDocumentStore } from '../../src/comune/protocol/files.ts';
import { DeskStore } from '../../src/comune/desk/store.ts';
import { startSystem, type TestSystem } from '../support/system.ts';
import { WebClient } from '../support/web-client.ts';
import { readPdf } from '../support/pdf.ts';
import { seedDesk, serviceRef, submitApplication } from './desk-fixtures.ts';
import { alice, bob, spid, TENANT } from './journey-fixtures.ts';

let system: TestSystem;
beforeAll(async () => {
  system = await startSystem({ apps: ['mail', 'identity', 'comune'], env: { LOGIN_RATE_LIMIT: '1000' } });
}, 120_000);
afterAll(() => system?.stop());

describe("the citizen's outcome letter", () => {
  it('is linked on the application and downloadable by its applicant only', async () => {
    const db = system.ctx.database.db;
    const tenantId = (await new TenantRepository(db).bySlug(TENANT))!.id;
    const ente = await seedDesk(db, tenantId);
    const documents = diskDocumentStore(path.join(system.ctx.config.dataDir, 'documents'));
    const app = await submitApplication(db, documents, tenantId, serviceRef(ente.serviceA), { fiscalCode: alice.fiscalCode, name: `${alice.givenName} ${alice.familyName}` });
    const receipt = `${system.urls.comune}/${TENANT}/area-personale/domande/${app.id}`;
    const citizen = new WebClient();
    await spid(system, citizen, alice);
    expect((await citizen.visit(receipt)).html).not.toContain('lettera.pdf');
    expect((await citizen.visit(`${receipt}/lettera.pdf`)).status).toBe(404);

    const desk = new DeskStore(db, documents);
    await desk.takeInCharge(ente.users.anna, app.id);
    const letter = await desk.decide(ente.users.anna, app.id, { outcome: 'rejected', motivation: 'Posti esauriti per l’anno scolastico.' });
    const page = await citizen.visit(receipt);
    expect(page.html).toContain(`Lettera di esito (PDF), protocollo n. ${letter.protocol!.number}/${letter.protocol!.year}`);
    expect(page.html).toContain('Respinta');
    // Listed once, as the letter, not again among the attachments.
    expect(page.html).not.toContain(`Allegato: ${letter.fileName}`);
    const download = await citizen.request(`${receipt}/lettera.pdf`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/pdf');
    expect((await readPdf(Buffer.from(await download.arrayBuffer()))).flat).toContain('Posti esauriti per l’anno scolastico.');

    const other = new WebClient();
    await spid(system, other, bob);
    expect((await other.visit(`${receipt}/lettera.pdf`)).status).toBe(404);
  }, 60_000);
});
