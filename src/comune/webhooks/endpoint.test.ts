import { expect, it } from 'vitest';
import { checkEndpoint, isInternalAddress } from './endpoint.ts';

it('knows internal addresses (loopback, private, link-local, CGNAT, unique-local, mapped)', () => {
  for (const a of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', 'not-an-ip']) expect(isInternalAddress(a), a).toBe(true);
  for (const a of ['93.184.216.34', '8.8.8.8', '2a00:1450:4002::65', '172.32.0.1']) expect(isInternalAddress(a), a).toBe(false);
});

it('refuses other schemes, credentials, internal hosts and names resolving to them, unless allowed', async () => {
  const resolve = async (host: string) => (host === 'evil.example' ? ['93.184.216.34', '10.0.0.5'] : ['93.184.216.34']);
  const strict = { allowPrivateNetworks: false, resolve };
  expect(await checkEndpoint('ftp://hooks.example/x', strict)).toEqual({ ok: false, reason: 'scheme' });
  expect(await checkEndpoint('not a url', strict)).toEqual({ ok: false, reason: 'invalid-url' });
  expect(await checkEndpoint('https://u:p@hooks.example/x', strict)).toEqual({ ok: false, reason: 'credentials' });
  expect(await checkEndpoint('http://127.0.0.1:8080/x', strict)).toEqual({ ok: false, reason: 'internal-address' });
  expect(await checkEndpoint('http://[::1]/x', strict)).toEqual({ ok: false, reason: 'internal-address' });
  expect(await checkEndpoint('https://evil.example/x', strict)).toEqual({ ok: false, reason: 'internal-address' });
  expect(await checkEndpoint('https://hooks.example/x', strict)).toMatchObject({ ok: true });
  expect(await checkEndpoint('http://127.0.0.1:8080/x', { allowPrivateNetworks: true })).toMatchObject({ ok: true });
});
