// Demo data (idempotent): ANPR (Ministero dell'Interno) publishes its e-services; the two demo comuni
// consume them, each with an Active agreement, one Active purpose per e-service and one client
// associated with every purpose, WITHOUT keys: a comune generates its own key pair and uploads the
// public key (src/clients/pdnd registerClientKey, the console, or `sportello pdnd key add`).
import type { Executor } from '../../core/db.ts';
import type { DemoAccount } from '../../core/runtime.ts';
import { ANPR_ESERVICES, anprAudience, type AnprEservice } from '../../clients/pdnd/anpr.ts';
import { demoPdndApiKey } from '../../clients/pdnd/demo.ts';
import { createApiKey } from '../../core/auth/api-keys.ts';
import { API_KEY_OWNER } from './api.ts';
import { SCHEMA } from './schema.ts';
import { upsertAccount } from './accounts.ts';
import * as store from './store.ts';

export const ANPR_TENANT = { name: "ANPR — Ministero dell'Interno", ipaCode: 'm_it' } as const;
export const DEMO_CONSUMERS = [
  { name: 'Comune di Bugliano', ipaCode: 'c_m999', slug: 'bugliano' },
  { name: 'Comune di Vicopisano (demo)', ipaCode: 'c_l850_demo', slug: 'vicopisano' },
] as const;

/** Every ANPR demo descriptor: automatic approval (as the "-approvazione_automatica" variants comuni use), 10-minute vouchers. */
export const ANPR_DESCRIPTOR = { voucherLifespan: 600, dailyCallsPerConsumer: 10_000, dailyCallsTotal: 1_000_000, agreementApprovalPolicy: 'Automatic' as const };

export const CLIENT_NAME = 'Sportello — servizi digitali del Comune';

interface SeedAccount {
  ipaCode: string;
  email: string;
  name: string;
  password: string;
}

export const DEMO_CONSOLE_ACCOUNTS: SeedAccount[] = [
  { ipaCode: 'm_it', email: 'anpr@interno.demo.example', name: 'Referente ANPR', password: 'Anpr-Pdnd-2026!' },
  { ipaCode: 'c_m999', email: 'pdnd@comune.bugliano.pi.it', name: 'Referente PDND Bugliano', password: 'Bugliano-Pdnd-2026' },
  { ipaCode: 'c_l850_demo', email: 'pdnd@demo.comune.vicopisano.example', name: 'Referente PDND Vicopisano', password: 'Vicopisano-Pdnd-2026' },
];

/** A minimal OpenAPI 3 document of an ANPR e-service (operation after reference §6; the ANPR app publishes the full one). */
export function anprInterface(anprUrl: string, e: AnprEservice): Record<string, unknown> {
  return {
    openapi: '3.0.3',
    info: { title: e.name, version: '1.0.0', description: e.description },
    servers: [{ url: anprAudience(anprUrl, e) }],
    security: [{ bearerAuth: [] }],
    paths: {
      '/anpr-service-e002': {
        post: {
          summary: `${e.code}: richiesta E002`,
          description: 'Pattern ModI: ID_AUTH_REST_01 (voucher PDND), AUDIT_REST_02, INTEGRITY_REST_02.',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/RichiestaE002' } } } },
          responses: {
            '200': { description: 'RispostaE002OK', content: { 'application/json': { schema: { type: 'object' } } } },
            '400': { description: 'RispostaKO', content: { 'application/problem+json': { schema: { type: 'object' } } } },
            '401': { description: 'Voucher mancante, scaduto o non valido' },
            '403': { description: "Voucher di un'altra e-service, o finalità non attiva" },
            '429': { description: 'Chiamate giornaliere della finalità esaurite' },
          },
        },
      },
      '/status': { get: { summary: 'Stato del servizio', responses: { '200': { description: 'OK' } } } },
    },
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (voucher PDND)' } },
      schemas: {
        RichiestaE002: {
          type: 'object',
          required: ['idOperazioneClient', 'criteriRicerca', 'datiRichiesta'],
          properties: {
            idOperazioneClient: { type: 'string' },
            criteriRicerca: { type: 'object', properties: { codiceFiscale: { type: 'string' }, idANPR: { type: 'string' } } },
            datiRichiesta: {
              type: 'object',
              required: ['dataRiferimentoRichiesta', 'motivoRichiesta', 'casoUso'],
              properties: { dataRiferimentoRichiesta: { type: 'string', format: 'date' }, motivoRichiesta: { type: 'string' }, casoUso: { type: 'string', example: e.code } },
            },
          },
        },
      },
    },
  };
}

const system = (tenantId: string): store.Actor => ({ tenantId, type: 'system', id: 'seed' });

/** `demoKeySecret`: the shared SECRET, from which each demo comune's API key is derived (demoPdndApiKey). */
export async function seedPdnd(db: Executor, urls: { anpr: string }, demoKeySecret?: string): Promise<void> {
  const anpr = await store.createTenant(db, ANPR_TENANT);
  const existing = await store.listEservices(db, anpr.id, { producerId: anpr.id });
  const eservices: store.Eservice[] = [];
  for (const e of ANPR_ESERVICES) {
    let eservice = existing.find((x) => x.name === e.name);
    if (!eservice) {
      eservice = await store.createEservice(db, system(anpr.id), { name: e.name, description: e.description, technology: 'Rest' });
      const descriptor = await store.createDescriptor(db, system(anpr.id), eservice.id, {
        ...ANPR_DESCRIPTOR,
        description: 'Versione 1',
        audience: [anprAudience(urls.anpr, e)],
        serverUrls: [anprAudience(urls.anpr, e)],
        interface: anprInterface(urls.anpr, e),
      });
      await store.changeDescriptor(db, system(anpr.id), eservice.id, descriptor.id, 'publish');
    }
    eservices.push(eservice);
  }

  for (const c of DEMO_CONSUMERS) {
    const consumer = await store.createTenant(db, { name: c.name, ipaCode: c.ipaCode });
    const actor = system(consumer.id);
    const purposeIds: string[] = [];
    for (const [i, eservice] of eservices.entries()) {
      const e = ANPR_ESERVICES[i]!;
      const agreements = await store.listAgreements(db, consumer.id, { role: 'consumer', eserviceId: eservice.id, states: ['Pending', 'Active', 'Suspended'] });
      if (!agreements.length) await store.requestAgreement(db, actor, { eserviceId: eservice.id, consumerNotes: 'Servizi digitali del Comune: precompilazione dei moduli (principio once only).' });
      const purposes = await store.listPurposes(db, consumer.id, { role: 'consumer', eserviceId: eservice.id });
      const purpose =
        purposes[0] ??
        (await store.createPurpose(db, actor, {
          eserviceId: eservice.id,
          title: `${e.code} — servizi digitali`,
          description: `${c.name}: precompilazione delle istanze online con i dati di ANPR (${e.name}).`,
          dailyCalls: e.demoDailyCalls,
        }));
      purposeIds.push(purpose.id);
    }
    const clients = await store.listClients(db, consumer.id);
    const client = clients.find((x) => x.name === CLIENT_NAME) ?? (await store.createClient(db, actor, { name: CLIENT_NAME, description: 'Client e-service della piattaforma comunale (chiave caricata dal Comune).' }));
    for (const purposeId of purposeIds) if (!client.purposes.includes(purposeId)) await store.addClientPurpose(db, actor, client.id, purposeId);
    // The comune's seed derives the same key and connects over the API at start-up (src/comune/interop/startup.ts).
    if (demoKeySecret) await createApiKey(db, SCHEMA, { ownerType: API_KEY_OWNER, ownerId: consumer.id, label: 'demo: piattaforma comunale Sportello', key: demoPdndApiKey(demoKeySecret, c.ipaCode) });
  }

  for (const account of DEMO_CONSOLE_ACCOUNTS) {
    const tenant = await store.tenantByIpa(db, account.ipaCode);
    await upsertAccount(db, { tenantId: tenant!.id, email: account.email, name: account.name, password: account.password });
  }
}

export function pdndDemoAccounts(): DemoAccount[] {
  return DEMO_CONSOLE_ACCOUNTS.map((a) => ({ who: `PDND console — ${a.name} (${a.ipaCode})`, login: `/console/accedi · ${a.email}`, secret: a.password }));
}
