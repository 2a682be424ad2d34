// Real pages in headless Chromium (playwright-core, the Debian package's binary: never a downloaded
// browser): launching it, screenshots for a human reading the run, axe-core audits, and the script
// errors and CSP violations a page meets on the way.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import axe from 'axe-core';
import { afterAll, beforeAll } from 'vitest';
import { totpCode } from '../../src/core/auth/totp.ts';
import { startSystem, type StartSystemOptions, type TestSystem } from './system.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const BLOCKING_IMPACTS = new Set(['serious', 'critical']);

export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: the browser tests need it. Install the Debian package (apt-get install -y chromium) or point CHROMIUM_PATH at a Chromium binary.`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export interface Audit {
  url: string;
  violations: axe.Result[];
}

/** One journey's record: screenshots, axe audits by page name, problems seen by the pages. */
export class Journey<Name extends string> {
  readonly shotsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sportello-browser-'));
  readonly audits = new Map<Name, Audit>();
  /** Uncaught exceptions and CSP violations seen by the browser during the journey. */
  readonly pageProblems: string[] = [];
  shots = 0;

  constructor(readonly browser: Browser) {}

  /** Records the page's uncaught errors and CSP violations. */
  watch(page: Page): void {
    page.on('pageerror', (err) => this.pageProblems.push(`${page.url()}: uncaught ${err.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
        this.pageProblems.push(`${page.url()}: ${message.text()} (from ${message.location().url})`);
      }
    });
  }

  /** A screenshot of the whole page, kept in a temp dir. */
  async shot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: path.join(this.shotsDir, `${String(++this.shots).padStart(2, '0')}-${name}.png`), fullPage: true });
  }

  /**
   * Runs axe-core on the page the user is looking at. The pages' CSP (script-src 'self') refuses the
   * injected script, so axe runs in a second context that bypasses CSP, with the user's cookies; the
   * user's own context keeps the real CSP.
   */
  async audit(name: Name, user: BrowserContext, url: string): Promise<void> {
    const auditor = await this.browser.newContext({ bypassCSP: true, locale: 'it-IT', storageState: await user.storageState() });
    try {
      const page = await auditor.newPage();
      await page.goto(url);
      await page.addScriptTag({ content: axe.source });
      const results = await page.evaluate(() => (window as unknown as { axe: typeof axe }).axe.run(document, { resultTypes: ['violations'] }));
      this.audits.set(name, { url: page.url(), violations: results.violations });
      for (const v of results.violations) {
        console.info(`[axe] ${name}: ${v.id} (${v.impact ?? 'no impact'}) ${v.help}\n  ${v.helpUrl}`);
        for (const node of v.nodes) console.info(`  - ${node.target.join(' ')}\n    ${node.html}\n    ${node.failureSummary?.replace(/\n/g, '\n    ') ?? ''}`);
      }
      if (!results.violations.length) console.info(`[axe] ${name}: no violations`);
    } finally {
      await auditor.close();
    }
  }

  /** The serious and critical violations axe found on a page (undefined if it was never audited). */
  blocking(name: Name): { url: string; violations: { rule: string; impact: string | null | undefined; help: string; targets: string[] }[] } | undefined {
    const result = this.audits.get(name);
    if (!result) return undefined;
    return {
      url: result.url,
      violations: result.violations
        .filter((v) => BLOCKING_IMPACTS.has(v.impact ?? ''))
        .map((v) => ({ rule: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) })),
    };
  }
}

/**
 * On a relying party's login page: "Entra con SPID" → "Sportello ID (demo)" → username and password →
 * TOTP (level 2) → consent. The caller waits for the page it expects back.
 */
export async function signInWithSpid(page: Page, person: { username: string; password: string; totpSecret: string }): Promise<void> {
  await page.getByRole('button', { name: 'Entra con SPID' }).click();
  await page.getByRole('link', { name: 'Sportello ID (demo)' }).click();
  await page.getByLabel('Nome utente').fill(person.username);
  await page.getByLabel('Password', { exact: true }).fill(person.password);
  await page.getByRole('button', { name: 'Entra', exact: true }).click();
  await page.getByLabel('Codice temporaneo (OTP)').fill(totpCode(person.totpSecret));
  await page.getByRole('button', { name: 'Verifica il codice' }).click();
  await page.getByRole('button', { name: 'Acconsento', exact: true }).click();
}

/** A fresh Italian desktop context with its page, watched by the journey for script errors and CSP violations. */
export async function watchedPage<Name extends string>(browser: Browser, journey: Journey<Name>): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale: 'it-IT', viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  journey.watch(page);
  return { context, page };
}

/** An ente's back-office login (`base` = the ente's address): e-mail, password, the TOTP code if the account has one. */
export async function signInToBackoffice(page: Page, base: string, account: { email: string; password: string; totpSecret?: string }): Promise<void> {
  await page.goto(`${base}/backoffice/accedi`);
  await page.getByLabel('E-mail').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.locator('form button[type=submit]').last().click();
  if (account.totpSecret) {
    await page.getByLabel('Codice di verifica (6 cifre)').fill(totpCode(account.totpSecret));
    await page.getByRole('button', { name: 'Continua' }).click();
  }
  await page.waitForURL(`${base}/backoffice`);
}

/**
 * On a pagoPA Checkout cart: "Continua" → the demo test card in `holder`'s name → the PSP "Rete Tabaccai" →
 * "Paga". The caller waits for the page it expects back (the ente's return page).
 */
export async function payByCardAtCheckout(page: Page, holder: string): Promise<void> {
  await page.getByRole('button', { name: 'Continua' }).click();
  await page.getByRole('heading', { level: 1, name: 'Come vuoi pagare?' }).waitFor();
  await page.getByLabel('Titolare della carta').fill(holder);
  await page.getByLabel('Numero della carta').fill('4242 4242 4242 4242');
  await page.getByLabel('Scadenza (MM/AA)').fill('09/31');
  await page.getByLabel('Codice di sicurezza (CVV)').fill('321');
  await page.getByRole('button', { name: 'Continua' }).click();
  await page.locator('label', { hasText: 'Rete Tabaccai' }).click();
  await page.getByRole('button', { name: 'Continua' }).click();
  await page.getByRole('button', { name: /^Paga / }).click();
}

/** A test file's Chromium, journey and system: started before its tests, stopped after them. */
export function browserTestSystem<Name extends string>(options: StartSystemOptions): { browser: Browser; journey: Journey<Name>; system: TestSystem } {
  const ui = {} as { browser: Browser; journey: Journey<Name>; system: TestSystem };
  beforeAll(async () => {
    ui.browser = await launchBrowser();
    ui.journey = new Journey(ui.browser);
    ui.system = await startSystem(options);
    console.info(`[browser] ${options.apps?.join(', ') ?? 'every app'} on ${ui.system.databaseKind}; screenshots in ${ui.journey.shotsDir}`);
  }, 120_000);
  afterAll(async () => {
    await ui.browser?.close();
    await ui.system?.stop();
  });
  return ui;
}
