// The page rating in headless Chromium: clicked through star by star as the PNRR 1.4.1 validator does
// (the right follow-up question shows for each), rated by a person with and without JavaScript, with
// axe finding no serious violation on the page and on the admin's figures, and no CSP violation.
import { expect, it } from 'vitest';
import { browserTestSystem, signInToBackoffice, watchedPage } from '../support/browser.ts';
import { DEMO_STAFF } from '../../src/comune/seed.ts';

const BUGLIANO = 'comune-di-bugliano';
const ui = browserTestSystem<'service' | 'admin'>({ apps: ['comune'] });

const ratingsOf = async (page: string) =>
  (await ui.system.ctx.database.db.selectFrom('comune.page_ratings' as never).select(['stars', 'reason', 'comment'] as never[]).where('page' as never, '=', page as never).execute()) as unknown as {
    stars: number;
    reason: string | null;
    comment: string | null;
  }[];

it('shows the follow-up question that matches each star, and sends the rating in place', async () => {
  const { context, page } = await watchedPage(ui.browser, ui.journey);
  const url = `${ui.system.urls.comune}/${BUGLIANO}/servizi/permesso-ztl`;
  await page.goto(url);
  await ui.journey.audit('service', context, url);
  expect(ui.journey.blocking('service')?.violations).toEqual([]);

  // As italia/pa-website-validator: click each rate element, then look at which follow-up is visible.
  for (let n = 1; n <= 5; n++) {
    const seen = await page.evaluate((n) => {
      (document.querySelector(`[data-element="feedback-rate-${n}"]`) as HTMLElement).click();
      const shown = (name: string) => {
        const element = document.querySelector(`[data-element="feedback-rating-${name}"]`) as HTMLElement;
        const box = element.getBoundingClientRect();
        return !!element.offsetParent && box.width > 0 && box.height > 0;
      };
      const texts = (name: string) => Array.from(document.querySelectorAll(`[data-element="feedback-rating-${name}"] [data-element="feedback-rating-answer"]`)).map((e) => e.textContent!.trim());
      const question = (name: string) => document.querySelector(`[data-element="feedback-rating-${name}"] [data-element="feedback-rating-question"]`)!.textContent!.trim();
      return { positive: shown('positive'), negative: shown('negative'), positiveQuestion: question('positive'), negativeQuestion: question('negative'), positiveAnswers: texts('positive'), negativeAnswers: texts('negative') };
    }, n);
    expect({ n, positive: seen.positive, negative: seen.negative }).toEqual({ n, positive: n >= 4, negative: n <= 3 });
    expect(seen.positiveQuestion).toBe('Quali sono stati gli aspetti che hai preferito?');
    expect(seen.negativeQuestion).toBe('Dove hai incontrato le maggiori difficoltà?');
    expect(seen.positiveAnswers).toEqual(['Le indicazioni erano chiare', 'Le indicazioni erano complete', 'Capivo sempre che stavo procedendo correttamente', 'Non ho avuto problemi tecnici', 'Altro']);
    expect(seen.negativeAnswers).toEqual(['A volte le indicazioni non erano chiare', 'A volte le indicazioni non erano complete', 'A volte non capivo se stavo procedendo correttamente', 'Ho avuto problemi tecnici', 'Altro']);
  }

  // As a person: two stars, what was difficult, a comment, send.
  await page.locator('label[for="feedback-star-2"]').click();
  await page.locator('label[for="feedback-negative-incomplete"]').click();
  await page.getByLabel('Vuoi aggiungere altri dettagli?').fill('Mancano gli orari dello sportello.');
  await page.getByRole('button', { name: 'Invia la valutazione' }).click();
  const thanks = page.getByText('Grazie, il tuo parere ci aiuterà a migliorare il servizio!');
  await thanks.waitFor();
  expect(await thanks.evaluate((element) => element === document.activeElement)).toBe(true);
  expect(page.url()).toBe(url);
  expect(await ratingsOf('servizi/permesso-ztl')).toEqual([{ stars: 2, reason: 'incomplete', comment: 'Mancano gli orari dello sportello.' }]);
  expect(ui.journey.pageProblems).toEqual([]);
  await context.close();
});

it('works without JavaScript: the form is sent and the page comes back with the thanks', async () => {
  const context = await ui.browser.newContext({ locale: 'it-IT', javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${ui.system.urls.comune}/${BUGLIANO}/servizi`);
  await page.locator('label[for="feedback-star-5"]').click();
  await page.locator('label[for="feedback-positive-clear"]').click();
  await page.getByRole('button', { name: 'Invia la valutazione' }).click();
  await page.getByText('Grazie, il tuo parere ci aiuterà a migliorare il servizio!').waitFor();
  expect(new URL(page.url()).search).toBe('?valutazione=grazie');
  expect(await ratingsOf('servizi')).toEqual([{ stars: 5, reason: 'clear', comment: null }]);
  await context.close();
});

it("shows the ente admin the figures on an accessible page", async () => {
  const admin = DEMO_STAFF.find((s) => s.tenantSlug === BUGLIANO && s.role === 'tenant_admin')!;
  const { context, page } = await watchedPage(ui.browser, ui.journey);
  const base = `${ui.system.urls.comune}/${BUGLIANO}`;
  await signInToBackoffice(page, base, admin);
  await page.getByRole('link', { name: 'Valutazioni' }).click();
  await page.getByRole('heading', { name: 'Valutazioni', level: 1 }).waitFor();
  await page.getByRole('link', { name: 'Servizio: Permesso di accesso alla ZTL' }).first().waitFor();
  await ui.journey.audit('admin', context, page.url());
  expect(ui.journey.blocking('admin')?.violations).toEqual([]);
  expect(ui.journey.pageProblems).toEqual([]);
  await context.close();
});
