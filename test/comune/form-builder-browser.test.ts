// The form builder in headless Chromium under the real CSP: the administrator adds a field with the
// keyboard-accessible buttons, moves it, edits it in the inspector, drags another in from the palette,
// sees the live preview, saves, and finds the new version; then creates a new form and builds a repeating
// group (fields added and moved inside it, min/max rows, a translated label). axe finds no serious
// violation and the page meets no CSP violation.
import { expect, it } from 'vitest';
import { DEMO_STAFF } from '../../src/comune/seed.ts';
import { TenantRepository } from '../../src/comune/tenants/tenants.ts';
import { FormRepository } from '../../src/comune/forms/forms.ts';
import { walk } from '../../src/comune/forms/schema.ts';
import { browserTestSystem, signInToBackoffice, watchedPage } from '../support/browser.ts';

const BUGLIANO = 'comune-di-bugliano';
const ui = browserTestSystem<'list' | 'builder' | 'saved' | 'new' | 'group'>({ apps: ['comune'], env: { LOGIN_RATE_LIMIT: '1000' } });

it('adds a field with the keyboard buttons, previews and saves a new version', async () => {
  const db = ui.system.ctx.database.db;
  const tenantId = (await new TenantRepository(db).bySlug(BUGLIANO))!.id;
  const forms = new FormRepository(db);
  const form = (await forms.list(tenantId))[0]!;
  const admin = DEMO_STAFF.find((s) => s.tenantSlug === BUGLIANO && s.role === 'tenant_admin')!;
  const { context, page } = await watchedPage(ui.browser, ui.journey);
  const base = `${ui.system.urls.comune}/${BUGLIANO}`;
  await signInToBackoffice(page, base, admin);

  await page.getByRole('link', { name: 'Moduli' }).click();
  await ui.journey.audit('list', context, page.url());
  expect(ui.journey.blocking('list')?.violations).toEqual([]);
  await page.getByRole('link', { name: form.name }).click();
  const builderUrl = `${base}/backoffice/moduli/${form.id}`;
  await page.waitForURL(builderUrl);
  await page.locator('#form-builder:not([hidden])').waitFor();

  // Keyboard only: the "Aggiungi" button of the IBAN type, into the first page.
  const add = page.getByRole('button', { name: 'Aggiungi IBAN alla pagina scelta' });
  await add.focus();
  await page.keyboard.press('Enter');
  await page.getByRole('status').filter({ hasText: 'Aggiunto il campo «IBAN».' }).waitFor();
  const firstPage = page.locator('.form-builder-fields').first();
  const count = await firstPage.locator('.form-builder-field').count();
  await expect.poll(() => firstPage.locator('.form-builder-field').last().textContent()).toContain('iban1');
  // Up once with the keyboard: it is now second to last, and the focus stays on its "Sposta su".
  await page.getByRole('button', { name: 'Sposta su: IBAN' }).focus();
  await page.keyboard.press('Enter');
  expect(await firstPage.locator('.form-builder-field').nth(count - 2).textContent()).toContain('iban1');
  expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Sposta su: IBAN');
  // The inspector: a new label and required.
  await page.getByRole('button', { name: 'Modifica: IBAN' }).press('Enter');
  await page.locator('#builder-insp-label').fill('IBAN per il rimborso');
  await page.locator('#builder-insp-label').press('Tab');
  await page.locator('#builder-insp-required').focus();
  await page.keyboard.press('Space');
  // Drag and drop: an email field from the palette onto the first field lands before it.
  const dataTransfer = await page.evaluateHandle(() => new DataTransfer());
  await page.locator('.form-builder-type[data-type="email"]').dispatchEvent('dragstart', { dataTransfer });
  await firstPage.locator('.form-builder-field').first().dispatchEvent('dragover', { dataTransfer });
  await firstPage.locator('.form-builder-field').first().dispatchEvent('drop', { dataTransfer });
  await expect.poll(() => firstPage.locator('.form-builder-field').first().textContent()).toContain('email1');
  // The live preview, rendered by the server, shows the new field.
  await page.locator('#form-preview').getByText('IBAN per il rimborso').first().waitFor();
  await ui.journey.audit('builder', context, builderUrl);
  expect(ui.journey.blocking('builder')?.violations).toEqual([]);

  await page.getByRole('button', { name: 'Salva una nuova versione' }).click();
  await page.getByText(`Salvata la versione ${form.version + 1}.`).waitFor();
  await ui.journey.audit('saved', context, builderUrl);
  expect(ui.journey.blocking('saved')?.violations).toEqual([]);
  const latest = (await forms.latest(tenantId, form.id))!;
  expect(latest.version).toBe(form.version + 1);
  const iban = [...walk(latest.schema.components)].find((e) => e.component.key === 'iban1')?.component;
  expect(iban).toMatchObject({ type: 'iban', label: 'IBAN per il rimborso', validate: { required: true } });
  expect(latest.schema.components[0]!.components![0]).toMatchObject({ type: 'email', key: 'email1' });
  expect(ui.journey.pageProblems).toEqual([]);
  await context.close();
}, 120_000);

it('creates a new form and builds a repeating group inside it', async () => {
  const db = ui.system.ctx.database.db;
  const tenantId = (await new TenantRepository(db).bySlug(BUGLIANO))!.id;
  const forms = new FormRepository(db);
  const admin = DEMO_STAFF.find((s) => s.tenantSlug === BUGLIANO && s.role === 'tenant_admin')!;
  const { context, page } = await watchedPage(ui.browser, ui.journey);
  const base = `${ui.system.urls.comune}/${BUGLIANO}`;
  await signInToBackoffice(page, base, admin);

  await page.goto(`${base}/backoffice/moduli`);
  await page.getByRole('link', { name: 'Nuovo modulo' }).click();
  await page.waitForURL(`${base}/backoffice/moduli/nuovo`);
  await ui.journey.audit('new', context, page.url());
  expect(ui.journey.blocking('new')?.violations).toEqual([]);
  await page.getByLabel('Nome').fill('Richiesta di prova');
  await page.getByRole('button', { name: 'Crea il modulo' }).click();
  await page.getByText('Salvata la versione 1.').waitFor();
  const id = /moduli\/([0-9a-f-]{36})$/.exec(page.url())![1]!;
  await page.locator('#form-builder:not([hidden])').waitFor();

  // A repeating group on the first page, with the keyboard; it starts with one text field in its row.
  await page.getByRole('button', { name: 'Aggiungi Gruppo ripetuto alla pagina scelta' }).press('Enter');
  await page.getByRole('status').filter({ hasText: 'Aggiunto il campo «Gruppo ripetuto».' }).waitFor();
  const group = page.locator('.form-builder-group').first();
  await expect.poll(() => group.locator('.form-builder-child').count()).toBe(1);
  // The group is a target of the palette: a date goes into its row, then moves up to be first.
  await page.locator('#builder-target').selectOption({ label: 'Richiedente › gruppo «Gruppo ripetuto»' });
  await page.getByRole('button', { name: 'Aggiungi Data alla pagina scelta' }).press('Enter');
  await expect.poll(() => group.locator('.form-builder-child').count()).toBe(2);
  await expect.poll(() => group.locator('.form-builder-child').last().textContent()).toContain('day1');
  await page.getByRole('button', { name: 'Sposta su: Data' }).press('Enter');
  await expect.poll(() => group.locator('.form-builder-child').first().textContent()).toContain('day1');
  // First in its row, it cannot go further up: the focus lands on its "Modifica".
  expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Modifica: Data');
  // A single choice in the row, fed by the family's minors from ANPR: its options come from the source.
  await page.getByRole('button', { name: 'Aggiungi Scelta singola alla pagina scelta' }).press('Enter');
  await page.getByRole('button', { name: 'Modifica: Scelta singola' }).press('Enter');
  // Only the sources that fit a radio are offered: a value or a list, not an address.
  const sources = await page.locator('#builder-insp-prefill option').allTextContents();
  expect(sources).toContain('anpr.family.children');
  expect(sources).not.toContain('anpr.residence.address');
  await expect.poll(() => page.locator('#builder-insp-options').count()).toBe(1);
  await page.locator('#builder-insp-prefill').selectOption('anpr.family.children');
  await expect.poll(() => page.locator('#builder-insp-options').count()).toBe(0);
  // A group cannot go into a group.
  await page.getByRole('button', { name: 'Aggiungi Gruppo ripetuto alla pagina scelta' }).press('Enter');
  await page.getByRole('status').filter({ hasText: 'Un gruppo ripetuto non può contenere un altro gruppo.' }).waitFor();
  // The group in the inspector: rows from 1 to 3, an English label.
  await page.getByRole('button', { name: 'Modifica: Gruppo ripetuto' }).press('Enter');
  await page.locator('#builder-insp-label').fill('Veicoli');
  await page.locator('#builder-insp-label').press('Tab');
  await page.locator('#builder-insp-label-en').fill('Vehicles');
  await page.locator('#builder-insp-label-en').press('Tab');
  await page.locator('#builder-insp-minRows').fill('1');
  await page.locator('#builder-insp-minRows').press('Tab');
  await page.locator('#builder-insp-maxRows').fill('3');
  await page.locator('#builder-insp-maxRows').press('Tab');
  // The preview in English shows the translated group.
  await page.locator('#field-previewLocale').selectOption('en');
  await page.locator('#form-preview').getByText('Add to “Vehicles”').waitFor();
  await ui.journey.audit('group', context, page.url());
  expect(ui.journey.blocking('group')?.violations).toEqual([]);

  await page.getByRole('button', { name: 'Salva una nuova versione' }).click();
  await page.getByText('Salvata la versione 2.').waitFor();
  const saved = (await forms.latest(tenantId, id))!;
  const grid = [...walk(saved.schema.components)].find((e) => e.component.type === 'editgrid')!.component;
  expect(grid).toMatchObject({ label: { it: 'Veicoli', en: 'Vehicles' }, validate: { minLength: 1, maxLength: 3 } });
  expect(grid.components!.map((c) => c.type)).toEqual(['day', 'textfield', 'radio']);
  expect(grid.components![2]).toMatchObject({ properties: { prefill: 'anpr.family.children' } });
  expect(grid.components![2]!.values).toBeUndefined();
  expect(ui.journey.pageProblems).toEqual([]);
  await context.close();
}, 120_000);
