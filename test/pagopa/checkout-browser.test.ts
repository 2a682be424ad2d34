// pagoPA Checkout in headless Chromium: a creditor institution (a small site on a free port, standing in for the
// comune) creates a cart with the typed client and sends the citizen there; the citizen gives the e-mail, a card
// (the empty form first: the errors), the cheapest PSP, pays, and is back on the institution's page, the notice
// PAID. A second cart is cancelled. Each page axe-clean, no CSP violation, no script of ours. Needs Chromium.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserTestSystem, watchedPage } from '../support/browser.ts';
import { demoPagopaKey } from '../../src/clients/pagopa/demo.ts';
import { createCart } from '../../src/clients/pagopa/checkout.ts';
import { gpdBaseUrl, gpdClient } from '../../src/clients/pagopa/index.ts';
import { BUGLIANO, debtPosition, inDays, singleTransferOption } from './support.ts';

type AuditedPage = 'cart' | 'card errors' | 'psp' | 'summary' | 'cancelled';
const ui = browserTestSystem<AuditedPage>({ apps: ['pagopa'], database: 'postgres' });

// The institution's return pages: what the browser lands on after the checkout.
let institution: http.Server;
let site = '';
beforeAll(async () => {
  institution = http.createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><html lang="it"><title>Comune</title><h1>Esito: ${request.url?.split('/').pop()}</h1></html>`);
  });
  await new Promise<void>((resolve) => institution.listen(0, '127.0.0.1', resolve));
  site = `http://127.0.0.1:${(institution.address() as AddressInfo).port}`;
});
afterAll(async () => new Promise<void>((resolve) => institution.close(() => resolve())));

async function cart(amount: number): Promise<{ url: string; iupd: string }> {
  const key = demoPagopaKey(ui.system.config.secret!, BUGLIANO.fiscalCode);
  const gpd = gpdClient({ baseUrl: gpdBaseUrl(ui.system.urls.pagopa), subscriptionKey: key, organizationFiscalCode: BUGLIANO.fiscalCode });
  const iupd = `checkout-browser-${amount}-${Date.now()}`;
  const position = await gpd.createPosition(debtPosition(iupd, [singleTransferOption(amount, 'Refezione scolastica', inDays(20), BUGLIANO.iban)]), { toPublish: true });
  const url = await createCart(
    { baseUrl: ui.system.urls.pagopa, subscriptionKey: key },
    {
      paymentNotices: [{ noticeNumber: position.paymentOption[0]!.nav, fiscalCode: BUGLIANO.fiscalCode, amount, companyName: BUGLIANO.companyName, description: 'Refezione scolastica' }],
      returnUrls: { returnOkUrl: `${site}/ok`, returnCancelUrl: `${site}/annullato`, returnErrorUrl: `${site}/errore` },
      emailNotice: 'marco.bianchi@example.it',
    },
  );
  return { url, iupd };
}

describe('pagoPA Checkout in the browser', () => {
  it('pays a cart from the institution’s redirect back to its return page', { timeout: 120_000 }, async () => {
    const { url, iupd } = await cart(125_050);
    const { context, page } = await watchedPage(ui.browser, ui.journey);
    try {
      await page.goto(url);
      const main = page.getByRole('main');
      await main.getByRole('heading', { level: 1, name: 'Dati del pagamento' }).waitFor();
      expect(await main.textContent()).toContain('1.250,50\u00a0€');
      expect(await page.getByLabel('Indirizzo e-mail').inputValue()).toBe('marco.bianchi@example.it');
      await ui.journey.shot(page, 'cart');
      await ui.journey.audit('cart', context, page.url());
      await page.getByRole('button', { name: 'Continua' }).click();

      await main.getByRole('heading', { level: 1, name: 'Come vuoi pagare?' }).waitFor();
      expect(await page.getByLabel('Carta di credito/debito').isChecked()).toBe(true);
      await page.getByRole('button', { name: 'Continua' }).click();
      await page.getByRole('alert').filter({ hasText: 'Correggi i seguenti errori' }).waitFor();
      expect(await page.getByRole('alert').getByRole('listitem').allTextContents()).toEqual(['Inserisci il nome del titolare della carta.', 'Inserisci il numero della carta.', 'Inserisci la scadenza della carta.', 'Inserisci il codice di sicurezza.']);
      await ui.journey.audit('card errors', context, page.url());
      await page.getByLabel('Titolare della carta').fill('Marco Bianchi');
      await page.getByLabel('Numero della carta').fill('4242 4242 4242 4242');
      await page.getByLabel('Scadenza (MM/AA)').fill('09/31');
      await page.getByLabel('Codice di sicurezza (CVV)').fill('321');
      await ui.journey.shot(page, 'card');
      await page.getByRole('button', { name: 'Continua' }).click();

      await main.getByRole('heading', { level: 1, name: 'Scegli a chi affidare il pagamento' }).waitFor();
      const choices = await page.getByRole('radio').evaluateAll((radios) => radios.map((r) => (r as HTMLInputElement).labels?.[0]?.textContent?.trim()));
      expect(choices).toEqual(['Rete Tabaccai Italiani (demo) — Commissione 1,00\u00a0€', 'Banca della Valdera (demo) — Commissione 1,50\u00a0€', 'Poste della Repubblica (demo) — Commissione 2,00\u00a0€']);
      await page.locator('label', { hasText: 'Rete Tabaccai' }).click();
      expect(await page.getByLabel(/Rete Tabaccai/).isChecked()).toBe(true);
      await ui.journey.audit('psp', context, page.url());
      await page.getByRole('button', { name: 'Continua' }).click();

      await main.getByRole('heading', { level: 1, name: 'Riepilogo del pagamento' }).waitFor();
      expect(await main.textContent()).toContain('•••• 4242');
      await ui.journey.shot(page, 'summary');
      await ui.journey.audit('summary', context, page.url());
      await page.getByRole('button', { name: 'Paga 1.251,50\u00a0€' }).click();

      await page.waitForURL(`${site}/ok`);
      await page.getByRole('heading', { name: 'Esito: ok' }).waitFor();
      const gpd = gpdClient({ baseUrl: gpdBaseUrl(ui.system.urls.pagopa), subscriptionKey: demoPagopaKey(ui.system.config.secret!, BUGLIANO.fiscalCode), organizationFiscalCode: BUGLIANO.fiscalCode });
      expect((await gpd.getPosition(iupd)).status).toBe('PAID');
    } finally {
      await context.close();
    }
  });

  it('cancels a cart back to the institution’s cancel page', { timeout: 60_000 }, async () => {
    const { url } = await cart(9_900);
    const { context, page } = await watchedPage(ui.browser, ui.journey);
    try {
      await page.goto(url);
      await page.getByRole('button', { name: 'Annulla il pagamento' }).click();
      await page.waitForURL(`${site}/annullato`);
      await page.goto(`${url}/esito`);
      await page.getByRole('heading', { level: 1, name: 'Pagamento annullato' }).waitFor();
      await ui.journey.audit('cancelled', context, page.url());
    } finally {
      await context.close();
    }
    for (const name of ['cart', 'card errors', 'psp', 'summary', 'cancelled'] as const) {
      expect(ui.journey.blocking(name)?.violations, name).toEqual([]);
    }
    expect(ui.journey.pageProblems).toEqual([]);
  });
});
