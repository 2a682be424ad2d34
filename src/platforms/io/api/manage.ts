// The body's side of the Services API (/api/v1/manage, reference io.md §2.2): its services, their settings and keys,
// with the body's manage key in Ocp-Apim-Subscription-Key. Another body's service is unknown (404).
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { App } from '../../../core/http.ts';
import type { Executor } from '../../../core/db.ts';
import { notFound, problemResponses } from '../../../core/problem.ts';
import { IO_API_PREFIX, ServiceKeys, ServiceMetadata, ServiceObject, ServicePayload } from '../../../clients/io/wire.ts';
import { getService, listServices, organizationOfManageKey, regenerateServiceKey, serviceKeys, updateService, type Organization } from '../services/store.ts';
import { presentService, settingsOf } from './present.ts';
import { subscriptionKeyHolder } from './services-api.ts';

declare module 'fastify' {
  interface FastifyRequest {
    ioOrganization?: Organization;
  }
}

const security = [{ ManageSubscriptionKey: [] }];
const tags = ['Services API: manage'];
const ServiceParams = Type.Object({ service_id: Type.String({ minLength: 1, maxLength: 26 }) });

/** The schemas the manage and operators' APIs share (registered once on the app). */
export function addServiceSchemas(app: App): void {
  app.addSchema(ServiceMetadata);
  app.addSchema(ServicePayload);
  app.addSchema(ServiceObject);
}

export async function registerManageApi(app: App, db: Executor, secret: string): Promise<void> {
  await app.register(
    async (instance) => {
      const api = instance as App;
      api.addHook('onRequest', async (request: FastifyRequest) => {
        request.ioOrganization = await subscriptionKeyHolder(request, (key) => organizationOfManageKey(db, key));
      });
      const own = async (request: FastifyRequest) => {
        const { service_id } = request.params as { service_id: string };
        const service = await getService(db, service_id);
        if (service?.organizationFiscalCode !== request.ioOrganization!.fiscalCode) throw notFound(`No service ${service_id} of this body`);
        return service;
      };

      api.get('/services', { schema: { tags, security, summary: 'The body’s services', response: { 200: Type.Array(Type.Ref('Service')), ...problemResponses(401) } } }, async (request) =>
        (await listServices(db, { organizationFiscalCode: request.ioOrganization!.fiscalCode })).map(presentService),
      );
      api.get(
        '/services/:service_id',
        { schema: { tags, security, summary: 'One of the body’s services', params: ServiceParams, response: { 200: Type.Ref('Service'), ...problemResponses(401, 404) } } },
        async (request) => presentService(await own(request)),
      );
      api.put(
        '/services/:service_id',
        {
          schema: {
            tags,
            security,
            summary: 'Change a service’s card and recipients (its version increments); the payment cap and test mode are set by IO’s operators',
            params: ServiceParams,
            body: Type.Ref('ServicePayload'),
            response: { 200: Type.Ref('Service'), ...problemResponses(400, 401, 404) },
          },
        },
        async (request) => {
          const service = await own(request);
          return presentService(await updateService(db, service.serviceId, settingsOf(request.body as ServicePayload)));
        },
      );
      api.get(
        '/services/:service_id/keys',
        { schema: { tags, security, summary: 'The service’s primary and secondary keys', params: ServiceParams, response: { 200: ServiceKeys, ...problemResponses(401, 404) } } },
        async (request) => serviceKeys(db, secret, (await own(request)).serviceId),
      );
      api.put(
        '/services/:service_id/keys/:key_type',
        {
          schema: {
            tags,
            security,
            summary: 'A new key of that type; the old one stops working',
            params: Type.Object({ ...ServiceParams.properties, key_type: Type.Union([Type.Literal('primary'), Type.Literal('secondary')]) }),
            response: { 200: ServiceKeys, ...problemResponses(400, 401, 404) },
          },
        },
        async (request) => regenerateServiceKey(db, secret, (await own(request)).serviceId, request.params.key_type),
      );
    },
    { prefix: `${IO_API_PREFIX}/manage` },
  );
}
