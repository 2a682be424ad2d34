// IO's bodies and services: the settings' rules (pure), the store's keys (sealed, regenerated, cached), the demo
// seed (idempotent, the keys the comune derives), and the operators' onboarding API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { derivedApiKey, verifyApiKey } from '../../src/core/auth/api-keys.ts';
import { DEMO_IO_SERVICES, demoIoKey } from '../../src/clients/io/demo.ts';
import { isValidService, serviceSettingsProblems } from '../../src/platforms/io/services/validation.ts';
import {
  createOrganization,
  getService,
  listOrganizations,
  listServices,
  organizationManageKey,
  regenerateServiceKey,
  serviceKeys,
  serviceOfKey,
  updateService,
} from '../../src/platforms/io/services/store.ts';
import { DEMO_TEST_SERVICE, seedIoServices } from '../../src/platforms/io/seed.ts';
import { addressAllowed } from '../../src/platforms/io/api/services-api.ts';
import { testDatabaseTargets } from '../support/database.ts';
import { startIo, TEST_BODY, type RunningIo } from './support.ts';

const pointers = (settings: Parameters<typeof serviceSettingsProblems>[0]) => serviceSettingsProblems(settings).map((p) => p.pointer);

describe('IO service settings', () => {
  it('accepts complete settings', () => {
    expect(pointers({ serviceName: 'Tributi', authorizedCidrs: ['10.0.0.0/8', '192.168.1.7'], authorizedRecipients: ['BNCMRC78C14G702E'], metadata: { scope: 'LOCAL', phone: '050 1' } })).toEqual([]);
  });

  it('names each broken rule: CIDR, fiscal code, amount, rate, scope, contact, URLs, empty strings, description of a visible service', () => {
    expect(pointers({ authorizedCidrs: ['10.0.0.0/33', '300.1.1.1', 'localhost'] })).toEqual(['/authorized_cidrs/0', '/authorized_cidrs/1', '/authorized_cidrs/2']);
    expect(pointers({ authorizedRecipients: ['bncmrc78c14g702e', 'BNCMRC78C14G702E'] })).toEqual(['/authorized_recipients/0']);
    expect(pointers({ maxAllowedPaymentAmount: -1 })).toEqual(['/max_allowed_payment_amount']);
    expect(pointers({ maxAllowedPaymentAmount: 10_000_000_000 })).toEqual(['/max_allowed_payment_amount']);
    expect(pointers({ rateLimitPerSecond: 0 })).toEqual(['/rate_limit_per_second']);
    expect(pointers({ serviceName: ' ' })).toEqual(['/service_name']);
    expect(pointers({ metadata: { scope: 'LOCAL' } })).toEqual(['/service_metadata/email']);
    expect(pointers({ metadata: { scope: 'GLOBAL' as 'LOCAL', email: 'a@b.it' } })).toEqual(['/service_metadata/scope']);
    expect(pointers({ metadata: { scope: 'LOCAL', email: 'a@b.it', privacy_url: 'javascript:alert(1)' } })).toEqual(['/service_metadata/privacy_url']);
    expect(pointers({ metadata: { scope: 'LOCAL', email: 'a@b.it', address: ' ' } })).toEqual(['/service_metadata/address']);
    expect(pointers({ isVisible: true, metadata: { scope: 'LOCAL', email: 'a@b.it' } })).toEqual(['/service_metadata/description']);
    expect(serviceSettingsProblems({ rateLimitPerSecond: 0 }, '/body')[0]!.pointer).toBe('/body/rate_limit_per_second');
  });

  it('calls a service valid for production with CIDRs, description, privacy notice and a contact (reference §2.1)', () => {
    const metadata = { scope: 'LOCAL' as const, description: 'd', privacy_url: 'https://x.it/p', pec: 'x@pec.it' };
    expect(isValidService({ authorizedCidrs: ['1.2.3.4'], metadata })).toBe(true);
    expect(isValidService({ authorizedCidrs: [], metadata })).toBe(false);
    expect(isValidService({ authorizedCidrs: ['1.2.3.4'], metadata: { ...metadata, privacy_url: undefined } })).toBe(false);
    expect(isValidService({ authorizedCidrs: ['1.2.3.4'], metadata: { scope: 'LOCAL', description: 'd', privacy_url: 'https://x.it/p' } })).toBe(false);
  });

  it('lets a call in from any address without CIDRs, else only from inside one', () => {
    expect(addressAllowed([], '8.8.8.8')).toBe(true);
    expect(addressAllowed(['10.1.0.0/16'], '10.1.200.3')).toBe(true);
    expect(addressAllowed(['10.1.0.0/16'], '::ffff:10.1.0.1')).toBe(true);
    expect(addressAllowed(['10.1.0.0/16'], '10.2.0.1')).toBe(false);
    expect(addressAllowed(['127.0.0.1'], '127.0.0.1')).toBe(true);
    expect(addressAllowed(['0.0.0.0/0'], '::1')).toBe(false);
  });
});

for (const target of await testDatabaseTargets()) {
  describe(`IO services store and onboarding [${target.name}]`, () => {
    let io: RunningIo;
    beforeAll(async () => {
      io = await startIo(target);
    }, 120_000);
    afterAll(async () => io?.close());

    it('creates a service in test mode by default, with two keys of owner io_service kept sealed', async () => {
      const { service, key } = await io.addService({ isTestMode: undefined, serviceName: 'Anagrafe' });
      expect(service).toMatchObject({ isTestMode: true, version: 1, organizationName: TEST_BODY.name, organizationFiscalCode: TEST_BODY.fiscalCode });
      const keys = await serviceKeys(io.db, io.secret, service.serviceId);
      expect(keys.primary_key).toBe(key);
      expect(keys.secondary_key).not.toBe(key);
      for (const k of Object.values(keys)) expect(await verifyApiKey(io.db, 'io', k)).toMatchObject({ ownerType: 'io_service', ownerId: service.serviceId });
      const rows = await io.db.selectFrom('io.service_keys').select('sealed_key').where('service_id', '=', service.serviceId).execute();
      expect(rows).toHaveLength(2);
      expect(rows.map((r: { sealed_key: string }) => r.sealed_key).join()).not.toContain(key);
    });

    it('refuses a duplicate body (409), an unknown body’s service (404), bad settings (400)', async () => {
      await expect(createOrganization(io.db, TEST_BODY)).rejects.toMatchObject({ status: 409 });
      await expect(io.addService({ organizationFiscalCode: '00000000001' })).rejects.toMatchObject({ status: 404 });
      await expect(io.addService({ authorizedCidrs: ['nowhere'] })).rejects.toMatchObject({ status: 400, errors: [{ pointer: '/body/authorized_cidrs/0' }] });
      await expect(createOrganization(io.db, { fiscalCode: '123', name: 'X' })).rejects.toMatchObject({ status: 400 });
    });

    it('increments the version at each update; the key cache forgets a changed service at once', async () => {
      const { service, key } = await io.addService({ serviceName: 'Tributi' });
      expect((await serviceOfKey(io.db, key))?.isDisabled).toBe(false);
      const updated = await updateService(io.db, service.serviceId, { isDisabled: true, maxAllowedPaymentAmount: 5_000 });
      expect(updated).toMatchObject({ version: 2, isDisabled: true, maxAllowedPaymentAmount: 5_000, serviceName: 'Tributi' });
      expect((await serviceOfKey(io.db, key))?.isDisabled).toBe(true);
      await expect(updateService(io.db, '01JD8B0G1ANZ8C0MVNE5ERV1Z9', {})).rejects.toMatchObject({ status: 404 });
    });

    it('regenerates a key: the old one revoked and forgotten, the other untouched', async () => {
      const { service, key } = await io.addService({ serviceName: 'Mensa' });
      const before = await serviceKeys(io.db, io.secret, service.serviceId);
      expect((await serviceOfKey(io.db, key))?.serviceId).toBe(service.serviceId);
      const after = await regenerateServiceKey(io.db, io.secret, service.serviceId, 'primary');
      expect(after.secondary_key).toBe(before.secondary_key);
      expect(await serviceOfKey(io.db, key)).toBeUndefined();
      expect(await verifyApiKey(io.db, 'io', key)).toBeUndefined();
      expect((await serviceOfKey(io.db, after.primary_key))?.serviceId).toBe(service.serviceId);
    });

    it('gives a body one manage key of owner io_organization, the same each time', async () => {
      const key = await organizationManageKey(io.db, io.secret, TEST_BODY.fiscalCode);
      expect(await organizationManageKey(io.db, io.secret, TEST_BODY.fiscalCode)).toBe(key);
      expect(await verifyApiKey(io.db, 'io', key)).toMatchObject({ ownerType: 'io_organization', ownerId: TEST_BODY.fiscalCode });
      expect(await serviceOfKey(io.db, key)).toBeUndefined();
      await expect(organizationManageKey(io.db, io.secret, '00000000001')).rejects.toMatchObject({ status: 404 });
    });

    it('seeds the demo bodies and services idempotently, with the keys the comune derives', async () => {
      await seedIoServices(io.db, io.secret);
      await seedIoServices(io.db, io.secret);
      for (const demo of DEMO_IO_SERVICES) {
        const service = await serviceOfKey(io.db, demoIoKey(io.secret, demo.serviceId, 'secondary'));
        expect(service).toMatchObject({ serviceId: demo.serviceId, isTestMode: false, isVisible: true, maxAllowedPaymentAmount: demo.maxAllowedPaymentAmount, organizationName: demo.organizationName });
        expect(service!.metadata).toMatchObject({ scope: 'LOCAL', description: expect.any(String), privacy_url: expect.any(String), email: expect.any(String) });
      }
      expect(await getService(io.db, DEMO_TEST_SERVICE.serviceId)).toMatchObject({ isTestMode: true, authorizedRecipients: ['BNCMRC78C14G702E', 'RMNGLI92L63H501O'] });
      expect((await listOrganizations(io.db)).length).toBe(3);
    });

    it('onboards a body and its service through /admin/v1 with the operators’ key only', async () => {
      const admin = (path: string, body?: unknown, key = derivedApiKey(io.secret, 'io-operator', 'io')) =>
        fetch(`${io.url}/admin/v1${path}`, { method: body ? 'POST' : 'GET', headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
      expect((await admin('/organizations', undefined, io.key)).status).toBe(401);
      const body = await admin('/organizations', { fiscal_code: '80010020011', name: 'Comune di Calci' });
      expect(body.status).toBe(201);
      const created = await admin('/services', {
        organization_fiscal_code: '80010020011',
        service_name: 'Tributi',
        department_name: 'Ufficio tributi',
        max_allowed_payment_amount: 50_000,
        service_metadata: { scope: 'LOCAL', email: 'tributi@comune.calci.pi.it' },
      });
      expect(created.status).toBe(201);
      expect(await created.json()).toMatchObject({ organization_name: 'Comune di Calci', is_test_mode: true, max_allowed_payment_amount: 50_000, version: 1 });
      const noContact = await admin('/services', { organization_fiscal_code: '80010020011', service_name: 'X', department_name: 'Y', service_metadata: { scope: 'LOCAL' } });
      expect(noContact.status).toBe(400);
      expect((await noContact.json()).errors[0].pointer).toBe('/body/service_metadata/email');
      const list = await (await admin('/services?organization_fiscal_code=80010020011')).json();
      expect(list.map((s: { service_name: string }) => s.service_name)).toEqual(['Tributi']);
      expect((await listServices(io.db, { organizationFiscalCode: '80010020011' })).length).toBe(1);
      const manage = await (await admin('/organizations/80010020011/manage-key')).json();
      expect(manage.manage_key).toBe(await organizationManageKey(io.db, io.secret, '80010020011'));
    });
  });
}
