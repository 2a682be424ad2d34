// The management API: authentication per body, what each body sees, the approval flows of
// agreements (Manual policy) and purposes (above the thresholds), and public-key uploads.
import { generateKeyPairSync } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import { withPdnd, type Body } from './harness.ts';

await withPdnd('PDND management API', (harness) => {
  let anpr: Body;
  let bugliano: Body;
  let vicopisano: Body;
  beforeAll(async () => {
    const h = harness();
    [anpr, bugliano, vicopisano] = await Promise.all([h.body('m_it'), h.body('c_m999'), h.body('c_l850_demo')]);
  });

  it('refuses calls without a valid API key (401 problem+json) and says who the key belongs to', async () => {
    const response = await fetch(`${harness().url}/api/v1/clients`, { headers: { authorization: 'Bearer sk_aaaaaaaaaaaa.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' } });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/problem\+json/);
    expect((await fetch(`${harness().url}/api/v1/eservices`)).status).toBe(401);
    expect((await bugliano.api('/tenants/me')).body).toMatchObject({ ipaCode: 'c_m999', name: 'Comune di Bugliano' });
  });

  it('publishes the ANPR e-services in the catalog with their OpenAPI documents and per-e-service audience', async () => {
    const { body } = await bugliano.api('/eservices');
    const names = body.results.map((e: { name: string }) => e.name);
    for (const name of ['C015-servizioAccertamentoGeneralita', 'C020-servizioAccertamentoResidenza', 'C021-servizioAccertamentoStatoFamiglia', 'C019-servizioAccertamentoEsistenzaVita', 'C018-servizioAccertamentoCittadinanza']) {
      expect(names).toContain(name);
    }
    const c015 = body.results.find((e: { name: string }) => e.name.startsWith('C015'));
    expect(c015).toMatchObject({ producerName: "ANPR — Ministero dell'Interno", technology: 'Rest' });
    expect(c015.descriptors[0]).toMatchObject({ version: '1', state: 'Published', audience: [harness().audience('C015')], agreementApprovalPolicy: 'Automatic', voucherLifespan: 600 });
    const doc = await fetch(c015.descriptors[0].interface, { headers: { authorization: `Bearer ${bugliano.apiKey}` } });
    expect(await doc.json()).toMatchObject({ openapi: '3.0.3', info: { title: 'C015-servizioAccertamentoGeneralita' } });
  });

  it('shows each body only its own clients, purposes and agreements (others are 404)', async () => {
    const own = (await bugliano.api('/clients')).body.results;
    const theirs = (await vicopisano.api('/clients')).body.results;
    expect(own).toHaveLength(1);
    expect(own[0].consumerId).toBe(bugliano.tenant.id);
    expect((await bugliano.api(`/clients/${theirs[0].id}`)).status).toBe(404);
    expect((await bugliano.api(`/clients/${theirs[0].id}/keys`)).status).toBe(404);
    const theirPurpose = (await vicopisano.api('/purposes')).body.results[0];
    expect((await bugliano.api(`/purposes/${theirPurpose.id}`)).status).toBe(404);
    expect((await bugliano.api(`/clients/${own[0].id}/purposes`, { body: { purposeId: theirPurpose.id } })).status).toBe(404);
    const theirAgreement = (await vicopisano.api('/agreements')).body.results[0];
    expect((await bugliano.api(`/agreements/${theirAgreement.id}`)).status).toBe(404);
    expect((await bugliano.api('/agreements')).body.results.every((a: { consumerId: string }) => a.consumerId === bugliano.tenant.id)).toBe(true);
    // The producer sees the agreements and purposes on its e-services
    expect((await anpr.api(`/agreements/${theirAgreement.id}`)).status).toBe(200);
    expect((await anpr.api(`/purposes/${theirPurpose.id}`)).status).toBe(200);
    expect((await anpr.api('/clients')).body.results).toEqual([]);
  });

  it('runs the Manual approval of an agreement, where only the producer of the e-service decides', async () => {
    const eservice = await anpr.api('/eservices', { body: { name: 'C999-servizioDiProva', description: 'Una e-service con approvazione manuale' } });
    expect(eservice.status).toBe(201);
    const draft = await anpr.api(`/eservices/${eservice.body.id}/descriptors`, {
      body: { audience: ['https://anpr.example/C999'], voucherLifespan: 300, dailyCallsPerConsumer: 100, dailyCallsTotal: 150, agreementApprovalPolicy: 'Manual' },
    });
    expect(draft.body).toMatchObject({ state: 'Draft', version: '1' });
    // Drafts are the producer's only
    expect((await bugliano.api(`/eservices/${eservice.body.id}`)).status).toBe(404);
    expect((await bugliano.api('/agreements', { body: { eserviceId: eservice.body.id } })).status).toBe(404);
    expect((await anpr.api(`/eservices/${eservice.body.id}/descriptors/${draft.body.id}/publish`, { method: 'POST' })).body.state).toBe('Published');

    const requested = await bugliano.api('/agreements', { body: { eserviceId: eservice.body.id } });
    expect(requested).toMatchObject({ status: 201, body: { state: 'Pending' } });
    expect((await bugliano.api('/agreements', { body: { eserviceId: eservice.body.id } })).status).toBe(409);
    // No purposes before activation
    expect((await bugliano.api('/purposes', { body: { eserviceId: eservice.body.id, title: 'Troppo presto', description: 'Prima della approvazione', dailyCalls: 1 } })).status).toBe(409);
    // Not the consumer, not another body
    expect((await bugliano.api(`/agreements/${requested.body.id}/approve`, { method: 'POST' })).status).toBe(404);
    expect((await vicopisano.api(`/agreements/${requested.body.id}/approve`, { method: 'POST' })).status).toBe(404);
    expect((await anpr.api('/agreements?role=producer&states=Pending')).body.results.map((a: { id: string }) => a.id)).toContain(requested.body.id);
    expect((await anpr.api(`/agreements/${requested.body.id}/approve`, { method: 'POST' })).body.state).toBe('Active');
    expect((await anpr.api(`/agreements/${requested.body.id}/approve`, { method: 'POST' })).status).toBe(409);

    const other = await vicopisano.api('/agreements', { body: { eserviceId: eservice.body.id } });
    expect((await anpr.api(`/agreements/${other.body.id}/reject`, { body: {} })).status).toBe(400);
    expect((await anpr.api(`/agreements/${other.body.id}/reject`, { body: { reason: 'Ente non legittimato' } })).body).toMatchObject({ state: 'Rejected', rejectionReason: 'Ente non legittimato' });

    // Purposes: within 100/consumer and 150 in total Active at once; above, WaitingForApproval
    const within = await bugliano.api('/purposes', { body: { eserviceId: eservice.body.id, title: 'Entro la soglia', description: 'Cento chiamate al giorno', dailyCalls: 100 } });
    expect(within.body.state).toBe('Active');
    const above = await bugliano.api('/purposes', { body: { eserviceId: eservice.body.id, title: 'Oltre la soglia', description: 'Una chiamata in più del consentito', dailyCalls: 1 } });
    expect(above.body).toMatchObject({ state: 'WaitingForApproval', waitingForApprovalVersion: { dailyCalls: 1 } });
    expect((await bugliano.api(`/purposes/${above.body.id}/approve`, { method: 'POST' })).status).toBe(404);
    expect((await vicopisano.api(`/purposes/${above.body.id}/approve`, { method: 'POST' })).status).toBe(404);
    expect((await anpr.api('/purposes?role=producer&waitingForApproval=true')).body.results.map((p: { id: string }) => p.id)).toEqual([above.body.id]);
    expect((await anpr.api(`/purposes/${above.body.id}/approve`, { method: 'POST' })).body).toMatchObject({ state: 'Active', currentVersion: { dailyCalls: 1 } });

    // A new, larger estimate waits while the current version keeps working; rejected, the old one stays
    const raised = await bugliano.api(`/purposes/${within.body.id}/versions`, { body: { dailyCalls: 500 } });
    expect(raised.body).toMatchObject({ state: 'Active', currentVersion: { dailyCalls: 100 }, waitingForApprovalVersion: { dailyCalls: 500 } });
    const rejected = await anpr.api(`/purposes/${within.body.id}/reject`, { body: { reason: 'Stima eccessiva' } });
    expect(rejected.body).toMatchObject({ state: 'Active', currentVersion: { dailyCalls: 100 } });
    expect(rejected.body.waitingForApprovalVersion).toBeUndefined();
    const lowered = await bugliano.api(`/purposes/${within.body.id}/versions`, { body: { dailyCalls: 50 } });
    expect(lowered.body).toMatchObject({ state: 'Active', currentVersion: { dailyCalls: 50 } });
    expect((await bugliano.api(`/purposes/${within.body.id}/archive`, { method: 'POST' })).body.state).toBe('Archived');
    expect((await anpr.api(`/purposes/${within.body.id}/archive`, { method: 'POST' })).status).toBe(404);
  });

  it('accepts RSA public keys of at least 2048 bits only, with kid = RFC 7638 thumbprint', async () => {
    const client = (await bugliano.api('/clients', { body: { name: 'Client di prova' } })).body;
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const added = await bugliano.api(`/clients/${client.id}/keys`, { body: { key: Buffer.from(pem).toString('base64'), use: 'SIG', alg: 'RS256', name: 'Chiave 1' } });
    expect(added.status).toBe(201);
    const { calculateJwkThumbprint } = await import('jose');
    expect(added.body.kid).toBe(await calculateJwkThumbprint(pair.publicKey.export({ format: 'jwk' }) as never, 'sha256'));
    expect((await bugliano.api(`/clients/${client.id}/keys`, { body: { key: pem, name: 'Chiave 1 ancora' } })).status).toBe(409);
    const privatePem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const refusedPrivate = await bugliano.api(`/clients/${client.id}/keys`, { body: { key: privatePem, name: 'Privata' } });
    expect(refusedPrivate.status).toBe(400);
    expect(refusedPrivate.body.detail).toMatch(/private key/);
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect((await bugliano.api(`/clients/${client.id}/keys`, { body: { key: small, name: 'Piccola' } })).body.detail).toMatch(/2048/);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect((await bugliano.api(`/clients/${client.id}/keys`, { body: { key: ec.padEnd(120, '\n'), name: 'Ellittica' } })).body.detail).toMatch(/RSA/);
    expect((await vicopisano.api(`/clients/${client.id}/keys`, { body: { key: pem, name: 'Intrusa' } })).status).toBe(404);
  });

  it('publishes the API in its OpenAPI document', async () => {
    const doc = await (await fetch(`${harness().url}/openapi.json`)).json();
    for (const path of ['/token.oauth2', '/.well-known/jwks.json', '/voucher-status', '/api/v1/eservices', '/api/v1/agreements/{id}/approve', '/api/v1/purposes', '/api/v1/clients/{id}/keys']) {
      expect(Object.keys(doc.paths)).toContain(path);
    }
    expect(doc.components.schemas).toHaveProperty('Agreement');
  });
});
