// Shared by the journey tests: a citizen's SPID L2 login at the demo provider, and posting the wizard's form.
import { totpCode } from '../../src/core/auth/totp.ts';
import { identityDemoUsers } from '../../src/platforms/identity/users.ts';
import type { TestSystem } from '../support/system.ts';
import type { WebClient, Visit } from '../support/web-client.ts';

export const TENANT = 'comune-di-bugliano';
export const [alice, bob] = identityDemoUsers() as [ReturnType<typeof identityDemoUsers>[number], ReturnType<typeof identityDemoUsers>[number]];

/** SPID L2 at the sportello-id provider: password, TOTP, consent; lands where the comune sends back. */
export async function spid(system: TestSystem, client: WebClient, person = alice): Promise<Visit> {
  const loginPage = await client.visit(`${system.urls.comune}/${TENANT}/auth/spid?idp=sportello-id`);
  let page = await client.submit(loginPage, '/password', { username: person.username, password: person.password });
  page = await client.submit(page, '/otp', { code: totpCode(person.totpSecret), action: 'verify' });
  return client.submit(page, '/consent', { decision: 'approve' });
}

/** The last segment of the wizard form's action (its idempotency key included), for WebClient.submit. */
export function wizardAction(page: Visit): string {
  const action = /<form method="post" action="([^"]*\/domanda\/[^"]*)"/.exec(page.html)?.[1];
  if (!action) throw new Error(`no wizard form on ${page.url.pathname}`);
  return action.replaceAll('&amp;', '&').split('/').pop()!;
}

/** The last segment of the answer-to-integration form's action (its idempotency key included), for formWithAction. */
export function answerAction(page: Visit): string {
  const action = /<form method="post" action="([^"]*\/integrazione\?k=[^"]*)"/.exec(page.html)?.[1];
  if (!action) throw new Error(`no answer form on ${page.url.pathname}`);
  return action.replaceAll('&amp;', '&').split('/').pop()!;
}
