// The core staff login (src/core/auth/staff-login.ts) driven by a WebClient, as the back-offices' tests sign in:
// e-mail and password, then the account's current TOTP code.
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
