// The anpr app started like `npm start` does: migrated, demo seeded, listening; e-services refuse a call
// without a PDND voucher (the real guard, src/clients/pdnd/voucher.ts).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSystem, type TestSystem } from '../support/system.ts';

let system: TestSystem;
beforeAll(async () => {
  system = await startSystem({ apps: ['anpr'] });
});
afterAll(() => system?.stop());

it('starts with the demo population and guards the e-services with the PDND voucher', async () => {
  const health = await fetch(`${system.urls.anpr}/health`);
  expect(health.status).toBe(200);
  const r = await fetch(`${system.urls.anpr}/C015-servizioAccertamentoGeneralita/v1/soggetti/BNCMRC78C14G702E`);
  expect(r.status).toBe(401);
  expect(r.headers.get('www-authenticate')).toContain('Bearer');
  expect(r.headers.get('content-type')).toContain('application/problem+json');
});
