// The citizen's outcome letter: once the desk decides, the application's page links the letter and the
// citizen downloads it; another citizen cannot, and before the decision there is none. With an external
// protocol system (the simulator): the answer to an integration request and the letter get their numbers
// from it, and a letter issued while it is down is numbered once it is back.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TenantRepository } from '../../src/comune/tenants/tenants.ts';
import { diskDocumentStore } from '../../src/comune/protocol/files.ts';
import { DeskStore } from '../../src/comune/desk/store.ts';
import { startSystem, type TestSystem } from '../support/system.ts';
import { WebClient } from '../support/web-client.ts';
import { readPdf } from '../support/pdf.ts';
import { formWithAction } from '../support/cookie-jar.ts';
import { startProtocolSimulator } from '../support/protocol-simulator.ts';
import { ApplicationStore } from '../../src/comune/applications/store.ts';
import { STATUS } from '../../src/comune/applications/states.ts';
import { saveProtocolSettings } from '../../src/comune/protocol/settings.ts';
import { seedDesk, serviceRef, submitApplication } from './desk-fixtures.ts';
import { alice, answerAction, bob, spid, TENANT } from './journey-fixtures.ts';

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

  it('numbers the answer and the letter in the external protocol system, the letter once the system is back', async () => {
    const db = system.ctx.database.db;
    const tenantId = (await new TenantRepository(db).bySlug(TENANT))!.id;
    const simulator = await startProtocolSimulator();
    try {
      await saveProtocolSettings(db, system.ctx.secret, tenantId, { aooCode: 'AOO_BUG', adapter: 'http', baseUrl: simulator.baseUrl, token: simulator.token });
      const ente = await seedDesk(db, tenantId);
      const documents = diskDocumentStore(path.join(system.ctx.config.dataDir, 'documents'));
      const store = new ApplicationStore(db, documents);
      const operator = { kind: 'operator', tenantId, id: ente.users.anna.id } as const;
      /** The background worker's work, awaited. */
      const eventually = async <T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> => {
        for (let i = 0; i < 150; i++) {
          const value = await read();
          if (done(value)) return value;
          await new Promise((r) => setTimeout(r, 200));
        }
        throw new Error('the background job did not finish in time');
      };
      const app = await submitApplication(db, documents, tenantId, serviceRef(ente.serviceA), { fiscalCode: alice.fiscalCode, name: `${alice.givenName} ${alice.familyName}` });
      const registered = await eventually(() => store.get(operator, app.id), (a) => a.status === STATUS.registered);
      expect(registered.protocol!.id).toBe(simulator.registrations[0]!.id);

      const desk = new DeskStore(db, documents);
      await desk.takeInCharge(ente.users.anna, app.id);
      await desk.requestIntegration(ente.users.anna, app.id, 'Allegare il certificato.');
      const citizen = new WebClient();
      await spid(system, citizen, alice);
      const receipt = `${system.urls.comune}/${TENANT}/area-personale/domande/${app.id}`;
      const detail = await citizen.visit(receipt);
      const form = formWithAction(detail.html, answerAction(detail));
      const body = new FormData();
      for (const [k, v] of Object.entries(form.hidden)) body.append(k, v);
      body.append('message', 'Ecco il certificato richiesto.');
      expect((await citizen.visit(new URL(form.action, receipt), { method: 'POST', body })).status).toBe(200);
      await eventually(() => store.get(operator, app.id), (a) => a.status === STATUS.registeredAfterIntegration);
      const answer = simulator.registrations[1]!;
      expect(answer).toMatchObject({ direction: 'incoming', linkedTo: { id: registered.protocol!.id } });
      expect((await citizen.visit(receipt)).html).toContain(`Integrazione protocollata: n. ${answer.number}/${answer.year}`);

      await desk.takeInCharge(ente.users.anna, app.id);
      simulator.down = true;
      try {
        await desk.decide(ente.users.anna, app.id, { outcome: 'accepted', motivation: 'Requisiti verificati.' });
        const waiting = await citizen.visit(receipt);
        expect(waiting.html).toContain('Lettera di esito (PDF), in attesa del numero di protocollo');
        expect(waiting.html).toContain('Accolta');
        expect((await citizen.request(`${receipt}/lettera.pdf`)).status).toBe(200);
        await eventually(async () => simulator.refused, (n) => n > 0);
      } finally {
        simulator.down = false;
      }
      const letter = await eventually(() => desk.letter(app.id), (l) => l?.protocol != null);
      expect(simulator.registrations.at(-1)).toMatchObject({ direction: 'outgoing', number: letter!.protocol!.number });
      expect((await citizen.visit(receipt)).html).toContain(`Lettera di esito (PDF), protocollo n. ${letter!.protocol!.number}/${letter!.protocol!.year}`);
    } finally {
      await saveProtocolSettings(db, system.ctx.secret, tenantId, { aooCode: 'AOO_BUG', adapter: 'builtin' });
      await simulator.close();
    }
  }, 90_000);
});
