// The citizen area over real HTTP: the identity platform started like `npm start` (it onboards ANPR as a
// relying party), and the ANPR app beside it on its configured port, with a stand-in for the PDND voucher
// guard (so tests can make e-service calls that land in the access log) and a clock the tests move.
import { expect } from 'vitest';
import type { preHandlerAsyncHookHandler } from 'fastify';
import { totpCode } from '../../src/core/auth/totp.ts';
import type { App } from '../../src/core/http.ts';
import { unauthorized } from '../../src/core/problem.ts';
import { migrateApps, seedApps } from '../../src/core/runtime.ts';
import { loadApps } from '../../src/apps.ts';
import { buildAnprHttp } from '../../src/platforms/anpr/app.ts';
import { identityDemoUsers, type DemoCredentials } from '../../src/platforms/identity/users.ts';
import { startSystem, type TestSystem } from '../support/system.ts';
import { WebClient, type Visit } from '../support/web-client.ts';

export const users = identityDemoUsers();
export const user = (fiscalCode: string): DemoCredentials => users.find((u) => u.fiscalCode === fiscalCode)!;

// "Bearer ok" is a verified caller: the Comune di Bugliano, under the purpose named by x-test-purpose.
const fakeVoucher: preHandlerAsyncHookHandler = async (request) => {
  if (request.headers.authorization !== 'Bearer ok') throw unauthorized('voucher required');
  const purposeId = String(request.headers['x-test-purpose'] ?? 'purpose-1');
  request.pdnd = { consumer: { id: 'tenant-bugliano', name: 'Comune di Bugliano', ipaCode: 'c_m999' }, purposeId } as never;
};

export interface CitizenHarness {
  system: TestSystem;
  anpr: App;
  anprUrl: string;
  /** The registry's day (the pages and operations read it). */
  clock: { today: string };
  stop(): Promise<void>;
}

export async function startCitizenHarness(): Promise<CitizenHarness> {
  const system = await startSystem({ apps: ['identity'], env: { LOGIN_RATE_LIMIT: '1000' } });
  const anprModule = await loadApps(['anpr']);
  await migrateApps(system.ctx, anprModule);
  await seedApps(system.ctx, anprModule);
  const clock = { today: '2026-03-02' };
  const anpr = await buildAnprHttp(system.ctx, { callerAuth: () => fakeVoucher, today: () => clock.today });
  await anpr.listen({ port: system.config.ports.anpr, host: system.config.host });
  return {
    system,
    anpr,
    anprUrl: system.urls.anpr,
    clock,
    async stop() {
      await anpr.close();
      await system.stop();
    },
  };
}

/** SPID level 2 from the citizen area's button: password, TOTP, consent, back to the area. */
export async function spidLogin(h: CitizenHarness, client: WebClient, person: DemoCredentials, start = '/auth/spid?idp=sportello-id'): Promise<Visit> {
  const login = await client.visit(`${h.anprUrl}${start}`);
  expect(login.url.origin).toBe(new URL(h.system.urls.identity).origin);
  let page = await client.submit(login, '/password', { username: person.username, password: person.password });
  page = await client.submit(page, '/otp', { code: totpCode(person.totpSecret), action: 'verify' });
  return client.submit(page, '/consent', { decision: 'approve' });
}

/** Posts a form of the page with repeated fields (checkboxes), its hidden fields included. */
export async function submitMany(client: WebClient, page: Visit, action: string, fields: [string, string][], omitCsrf = false): Promise<Response> {
  const form = [...page.html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)].find((m) => /action="([^"]*)"/.exec(m[1]!)?.[1] === action);
  if (!form) throw new Error(`no form with action ${action}`);
  const body = new URLSearchParams();
  for (const input of form[2]!.matchAll(/<input\b[^>]*type="hidden"[^>]*>/g)) {
    const name = /name="([^"]*)"/.exec(input[0])![1]!;
    if (!(omitCsrf && name === '_csrf')) body.append(name, /value="([^"]*)"/.exec(input[0])?.[1] ?? '');
  }
  for (const [name, value] of fields) body.append(name, value);
  return client.request(new URL(action, page.url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
}
