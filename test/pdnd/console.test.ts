// The bodies' console: login, catalog, purposes, clients and keys, provider approvals; CSRF on
// every form; languages.
import { generateKeyPairSync } from 'node:crypto';
import { expect, it } from 'vitest';
import { missingTranslations } from '../../src/core/i18n.ts';
import { messages } from '../../src/platforms/pdnd/messages.ts';
import { DEMO_CONSOLE_ACCOUNTS } from '../../src/platforms/pdnd/seed.ts';
import { WebClient } from '../support/web-client.ts';
import { withPdnd } from './harness.ts';

const account = (ipa: string) => DEMO_CONSOLE_ACCOUNTS.find((a) => a.ipaCode === ipa)!;
/** The value a browser would send for the select: its first option. */
const firstOption = (page: { html: string }, name: string) => new RegExp(`<select[^>]*name="${name}"[^>]*><option value="([^"]+)"`).exec(page.html)![1]!;

await withPdnd('PDND console', (harness) => {
  async function signIn(ipa: string, language = 'it') {
    const browser = new WebClient(language);
    const login = await browser.visit(`${harness().url}/console`);
    expect(login.url.pathname).toBe('/console/accedi');
    const home = await browser.submit(login, '/console/accedi', { email: account(ipa).email, password: account(ipa).password });
    expect(home.status).toBe(200);
    return { browser, home };
  }

  it('has every message in it, en and de', () => {
    expect(missingTranslations(messages)).toEqual([]);
  });

  it('refuses a wrong password and a login form without its CSRF token', async () => {
    const browser = new WebClient();
    const login = await browser.visit(`${harness().url}/console/accedi`);
    expect(login.html).toContain('<html lang="it">');
    const wrong = await browser.submit(login, '/console/accedi', { email: account('c_m999').email, password: 'sbagliata-davvero' });
    expect(wrong.status).toBe(401);
    expect(wrong.html).toContain('Indirizzo e-mail o password errati.');
    const forged = await browser.submit(login, '/console/accedi', { email: account('c_m999').email, password: account('c_m999').password }, { omitCsrf: true });
    expect(forged.status).toBe(403);
  });

  it('shows the catalog with the ANPR e-services and their OpenAPI, in the chosen language', async () => {
    const { browser, home } = await signIn('c_m999', 'en');
    expect(home.html).toContain('Comune di Bugliano');
    const catalog = await browser.visit(`${harness().url}/console/catalogo`);
    expect(catalog.html).toContain('E-service catalog');
    expect(catalog.html).toContain('C021-servizioAccertamentoStatoFamiglia');
    expect(catalog.html).toContain(harness().audience('C021'));
    const link = /href="(\/console\/catalogo\/[^"]+\/openapi\.json)"/.exec(catalog.html)![1]!;
    const doc = await browser.request(`${harness().url}${link}`);
    expect((await doc.json()).openapi).toBe('3.0.3');
    const de = await browser.visit(`${harness().url}/console/catalogo?lang=de`);
    expect(de.html).toContain('E-Service-Katalog');
  });

  it('lets a comune declare a purpose, create a client, upload a public key and associate the purpose; refuses forms without CSRF', async () => {
    const { browser } = await signIn('c_l850_demo');
    let purposes = await browser.visit(`${harness().url}/console/finalita`);
    expect(purposes.html).toContain('C015 — servizi digitali');
    purposes = await browser.submit(purposes, '/console/finalita', { eserviceId: firstOption(purposes, 'eserviceId'), title: 'Bonus nuovi nati', description: 'Verifica dello stato di famiglia per il bonus', dailyCalls: '20' });
    expect(purposes.html).toContain('Operazione eseguita.');
    expect(purposes.html).toContain('Bonus nuovi nati');
    const invalid = await browser.submit(purposes, '/console/finalita', { eserviceId: firstOption(purposes, 'eserviceId'), title: 'x', description: 'y', dailyCalls: 'molti' });
    expect(invalid.html).toContain('Inserisci un numero intero positivo.');

    let clients = await browser.visit(`${harness().url}/console/client`);
    expect((await browser.submit(clients, '/console/client', { name: 'Gestionale anagrafe' }, { omitCsrf: true })).status).toBe(403);
    clients = await browser.submit(clients, '/console/client', { name: 'Gestionale anagrafe', description: '' });
    expect(clients.html).toContain('Gestionale anagrafe');
    const clientId = /<h2 class="h4" id="cl-([0-9a-f-]+)">Gestionale anagrafe<\/h2>/.exec(clients.html)![1]!;
    const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    clients = await browser.submit(clients, `/console/client/${clientId}/chiavi`, { pem, name: 'Chiave del gestionale' });
    expect(clients.html).toContain('Operazione eseguita.');
    expect(clients.html).toContain('Chiave del gestionale');
    const refused = await browser.submit(clients, `/console/client/${clientId}/chiavi`, { pem: 'non è una chiave', name: 'Rotta' });
    expect(refused.html).toContain('Operazione non eseguita');
    const purposeId = /<option value="([0-9a-f-]+)">Bonus nuovi nati/.exec(clients.html)![1]!;
    clients = await browser.submit(clients, `/console/client/${clientId}/finalita`, { purposeId });
    expect(clients.html).toContain(`(<code>${purposeId}</code>)`);
  });

  it('lets the provider approve a purpose above the thresholds from its console, and nobody else', async () => {
    const comune = await signIn('c_m999');
    let purposes = await comune.browser.visit(`${harness().url}/console/finalita`);
    purposes = await comune.browser.submit(purposes, '/console/finalita', { eserviceId: firstOption(purposes, 'eserviceId'), title: 'Controlli massivi', description: 'Molte verifiche di residenza', dailyCalls: '50000' });
    expect(purposes.html).toContain('WaitingForApproval');
    // The comune has nothing to approve, and cannot approve it by forging the form
    const own = await comune.browser.visit(`${harness().url}/console/erogazione`);
    expect(own.html).not.toContain('Controlli massivi');
    const anpr = await signIn('m_it');
    let approvals = await anpr.browser.visit(`${harness().url}/console/erogazione`);
    expect(approvals.html).toContain('Controlli massivi');
    const action = /action="(\/console\/erogazione\/finalita\/[0-9a-f-]+\/approve)"/.exec(approvals.html)![1]!;
    const forged = await comune.browser.submit({ ...own, html: `<form method="post" action="${action}"><input type="hidden" name="_csrf" value="${/name="_csrf" value="([^"]+)"/.exec(own.html)![1]}"></form>` }, action, {});
    expect(forged.html).toContain('Operazione non eseguita');
    approvals = await anpr.browser.submit(approvals, action, {});
    expect(approvals.html).toContain('Operazione eseguita.');
    expect(approvals.html).not.toContain('Controlli massivi');
    const after = await comune.browser.visit(`${harness().url}/console/finalita`);
    expect(after.html).toMatch(/Controlli massivi[\s\S]*?bg-success">Active/);
  });

  it('signs out', async () => {
    const { browser, home } = await signIn('m_it');
    const out = await browser.submit(home, '/console/esci', {});
    expect(out.url.pathname).toBe('/console/accedi');
    expect((await browser.visit(`${harness().url}/console/client`)).url.pathname).toBe('/console/accedi');
  });
});
