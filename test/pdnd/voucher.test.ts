// The provider side: a small provider app guards an e-service route with requireVoucher, as ANPR
// will; the daily-calls counter lives in the provider's own schema.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import { createHttpApp, type App } from '../../src/core/http.ts';
import { migrateSchema } from '../../src/core/migrations.ts';
import { createVoucherSource, type VoucherSource } from '../../src/clients/pdnd/consumer.ts';
import { callDay, createVoucherValidator, memoryCallCounter, postgresCallCounter, requireVoucher, voucherCallCounterMigrations } from '../../src/clients/pdnd/voucher.ts';
import { freePort } from '../support/system.ts';
import { withPdnd, type Consumer } from './harness.ts';

await withPdnd('PDND vouchers at a provider', (harness) => {
  let provider: App;
  let providerUrl: string;
  let bugliano: Consumer;
  let vouchers: VoucherSource;
  let jwksFetches = 0;
  let statusFetches = 0;

  beforeAll(async () => {
    const h = harness();
    bugliano = await h.consumer('c_m999');
    vouchers = createVoucherSource({ pdndUrl: h.url, clientId: bugliano.clientId, kid: bugliano.keyPair.kid, privateKey: bugliano.keyPair.privateJwk });
    await migrateSchema(h.db, 'provider_test', voucherCallCounterMigrations);
    const countingFetch: typeof fetch = async (input, init) => {
      const url = String(input);
      if (url.endsWith('/jwks.json')) jwksFetches++;
      if (url.endsWith('/voucher-status')) statusFetches++;
      return fetch(input, init);
    };
    const counter = postgresCallCounter(h.db, 'provider_test');
    const guard = requireVoucher({ pdndUrl: h.url, audience: h.audience('C015'), counter, fetch: countingFetch, statusCacheSeconds: 0 });
    const cachedGuard = requireVoucher({ pdndUrl: h.url, audience: h.audience('C015'), fetch: countingFetch, statusCacheSeconds: 60 });
    const lateGuard = requireVoucher({ pdndUrl: h.url, audience: h.audience('C015'), now: () => new Date(Date.now() + 3600_000) });
    provider = await createHttpApp({ name: 'provider', title: 'Provider', description: 'test', publicUrl: 'http://127.0.0.1', logLevel: 'warn' });
    const handler = async (request: { pdnd?: unknown }) => ({ caller: request.pdnd });
    const schema = { response: { 200: Type.Object({ caller: Type.Any() }) } };
    provider.post('/C015/anpr-service-e002', { preHandler: guard, schema }, handler);
    provider.post('/cached/anpr-service-e002', { preHandler: cachedGuard, schema }, handler);
    provider.post('/late/anpr-service-e002', { preHandler: lateGuard, schema }, handler);
    const port = await freePort();
    await provider.listen({ port, host: '127.0.0.1' });
    providerUrl = `http://127.0.0.1:${port}`;
  });
  afterAll(() => provider?.close());

  const call = async (path: string, token?: string) => {
    const response = await fetch(`${providerUrl}${path}`, { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: response.status, body: (await response.json()) as Record<string, any>, headers: response.headers };
  };

  it('lets a valid voucher through and hands the verified caller to the route', async () => {
    const { status, body } = await call('/C015/anpr-service-e002', await vouchers.voucher(bugliano.purposes.C015!));
    expect(status).toBe(200);
    expect(body.caller).toMatchObject({ clientId: bugliano.clientId, purposeId: bugliano.purposes.C015, consumer: { ipaCode: 'c_m999', name: 'Comune di Bugliano' }, dailyCalls: 1000 });
  });

  it('caches vouchers at the consumer until shortly before they expire', async () => {
    const first = await vouchers.voucher(bugliano.purposes.C015!);
    expect(await vouchers.voucher(bugliano.purposes.C015!)).toBe(first);
    const soon = createVoucherSource({ pdndUrl: harness().url, clientId: bugliano.clientId, kid: bugliano.keyPair.kid, privateKey: bugliano.keyPair.privateJwk, refreshBeforeSeconds: 600 });
    expect(await soon.voucher(bugliano.purposes.C015!)).not.toBe(await soon.voucher(bugliano.purposes.C015!));
  });

  it('answers 401 problem+json with WWW-Authenticate Bearer without a voucher, or with a tampered or expired one', async () => {
    const missing = await call('/C015/anpr-service-e002');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="pdnd"');
    const token = await vouchers.voucher(bugliano.purposes.C015!);
    const [h, p, s] = token.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...payload, purposeId: bugliano.purposes.C020 })).toString('base64url')}.${s}`;
    const refused = await call('/C015/anpr-service-e002', tampered);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/error="invalid_token"/);
    const expired = await call('/late/anpr-service-e002', token);
    expect(expired.status).toBe(401);
    expect(expired.body.detail).toMatch(/expired/);
    expect((await call('/C015/anpr-service-e002', 'not.a.jwt')).status).toBe(401);
  });

  it('answers 403 to a voucher of another e-service', async () => {
    const other = await call('/C015/anpr-service-e002', await vouchers.voucher(bugliano.purposes.C020!));
    expect(other.status).toBe(403);
    expect(other.body.detail).toMatch(/another e-service/);
  });

  it('answers 403 once the purpose is suspended (after the status cache), and lets it through again when resumed', async () => {
    const token = await vouchers.voucher(bugliano.purposes.C015!);
    expect((await call('/cached/anpr-service-e002', token)).status).toBe(200);
    const before = statusFetches;
    expect((await call('/cached/anpr-service-e002', token)).status).toBe(200);
    expect(statusFetches).toBe(before); // cached
    await bugliano.api(`/purposes/${bugliano.purposes.C015}/suspend`, { method: 'POST' });
    const suspended = await call('/C015/anpr-service-e002', token);
    expect(suspended.status).toBe(403);
    expect(suspended.body.detail).toMatch(/purpose suspended/);
    expect((await call('/cached/anpr-service-e002', token)).status).toBe(200); // still within its 60 s cache
    await bugliano.api(`/purposes/${bugliano.purposes.C015}/activate`, { method: 'POST' });
    expect((await call('/C015/anpr-service-e002', token)).status).toBe(200);
  });

  it('answers 429 with Retry-After beyond the purpose’s daily estimate, counting per purpose in the provider schema', async () => {
    const h = harness();
    const eserviceId = (await bugliano.api(`/purposes/${bugliano.purposes.C015}`)).body.eserviceId;
    const small = await bugliano.api('/purposes', { body: { eserviceId, title: 'Poche chiamate', description: 'Una finalità con due chiamate al giorno', dailyCalls: 2 } });
    expect(small.body.state).toBe('Active');
    await bugliano.api(`/clients/${bugliano.clientId}/purposes`, { body: { purposeId: small.body.id } });
    const token = await vouchers.voucher(small.body.id);
    expect((await call('/C015/anpr-service-e002', token)).status).toBe(200);
    expect((await call('/C015/anpr-service-e002', token)).status).toBe(200);
    const over = await call('/C015/anpr-service-e002', token);
    expect(over.status).toBe(429);
    expect(over.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(over.body).toMatchObject({ dailyCalls: 2, purposeId: small.body.id });
    expect(over.body.detail).toMatch(/2 calls per day/);
    // Another purpose is counted apart
    expect((await call('/C015/anpr-service-e002', await vouchers.voucher(bugliano.purposes.C015!))).status).toBe(200);
    const rows = await h.db.selectFrom('provider_test.voucher_calls').selectAll().where('purpose_id', '=', small.body.id).execute();
    expect(rows[0]).toMatchObject({ calls: 2, day: callDay(new Date()).day });
  });

  it('fetches the JWKS once, and again on an unknown kid no more often than the floor', async () => {
    const h = harness();
    let fetches = 0;
    const validator = createVoucherValidator({ pdndUrl: h.url, audience: h.audience('C015'), jwksRefetchFloorSeconds: 30, fetch: async (input, init) => (String(input).endsWith('jwks.json') && fetches++, fetch(input, init)) });
    const token = await vouchers.voucher(bugliano.purposes.C015!);
    await validator.verify(token);
    await validator.verify(token);
    expect(fetches).toBe(1);
    const [, p, s] = token.split('.');
    const unknownKid = `${Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'unknown', typ: 'at+jwt' })).toString('base64url')}.${p}.${s}`;
    await expect(validator.verify(unknownKid)).rejects.toMatchObject({ failure: 'invalid' });
    await expect(validator.verify(unknownKid)).rejects.toMatchObject({ failure: 'invalid' });
    expect(fetches).toBeLessThanOrEqual(2);
    expect(jwksFetches).toBeGreaterThanOrEqual(1);
  });

  it('refuses a voucher it verified and kept once that voucher has expired', async () => {
    const h = harness();
    let at = new Date();
    const validator = createVoucherValidator({ pdndUrl: h.url, audience: h.audience('C015'), now: () => at });
    const token = await vouchers.voucher(bugliano.purposes.C015!);
    expect((await validator.verify(token)).purposeId).toBe(bugliano.purposes.C015);
    at = new Date(Date.now() + 3600_000);
    await expect(validator.verify(token)).rejects.toMatchObject({ failure: 'expired' });
  });

  it('counts in memory too, and tells the day in Italian time', async () => {
    const counter = memoryCallCounter();
    expect(await counter.consume('p', '2026-01-01', 1)).toEqual({ allowed: true, count: 1 });
    expect(await counter.consume('p', '2026-01-01', 1)).toEqual({ allowed: false, count: 1 });
    expect(callDay(new Date('2026-06-30T22:30:00Z'))).toEqual({ day: '2026-07-01', secondsToNextDay: 23.5 * 3600 });
    expect(callDay(new Date('2026-01-15T22:59:59Z')).day).toBe('2026-01-15');
  });
});
