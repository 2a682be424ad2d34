// The core staff login (src/core/auth/staff-login.ts) as the back-offices' tests sign in, with a WebClient or in the
// browser: e-mail and password, then the account's current TOTP code.
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { totpCode } from '../../src/core/auth/totp.ts';
import type { WebClient, Visit } from './web-client.ts';

export interface StaffAccount {
  email: string;
  password: string;
  totpSecret: string;
}

/** Signs `client` in to the back-office at `area` (an absolute URL, e.g. `${base}/backoffice`): the page it lands on. */
export async function signInStaff(client: WebClient, area: string, account: StaffAccount): Promise<Visit> {
  const login = await client.visit(`${area}/accedi`);
  const path = new URL(area).pathname;
  const totp = await client.submit(login, `${path}/accedi`, { email: account.email, password: account.password });
  expect(totp.status).toBe(200);
  return client.submit(totp, `${path}/accedi/totp`, { code: totpCode(account.totpSecret) });
}

/** On the staff login page in the browser (Italian): e-mail and password, then the TOTP code; the caller waits for the page it expects. */
export async function fillStaffLogin(page: Page, account: StaffAccount): Promise<void> {
  await page.getByLabel('Indirizzo e-mail').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Accedi' }).click();
  await page.getByLabel('Codice di verifica').fill(totpCode(account.totpSecret));
  await page.getByRole('button', { name: 'Continua' }).click();
}
