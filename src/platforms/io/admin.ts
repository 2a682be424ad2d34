// Onboarding of public bodies and their services by IO's operators (/admin/v1, Authorization: Bearer <operator
// key>): the body, its services (test mode, payment cap, rate), and the body's manage key to hand over.
import { Type } from '@sinclair/typebox';
import type { App } from '../../core/http.ts';
import type { Executor } from '../../core/db.ts';
import { bearerApiKey } from '../../core/auth/api-keys.ts';
import { problemResponses, unauthorized } from '../../core/problem.ts';
import { MAX_PAYMENT_AMOUNT, OrganizationFiscalCode, ServicePayload } from '../../clients/io/wire.ts';
import { SCHEMA } from './schema.ts';
import { createOrganization, createService, listOrganizations, listServices, organizationManageKey, type Organization } from './services/store.ts';
import { presentService, settingsOf } from './api/present.ts';

/** Owner type of the operators' keys in io.api_keys. */
export const OPERATOR_KEY_OWNER = 'io_operator';

const security = [{ bearerAuth: [] }];
const tags = ['Bodies and services (operators)'];
const OrganizationSchema = Type.Object({ fiscal_code: Type.String(), name: Type.String(), department_name: Type.String(), created_at: Type.String() });
const presentOrganization = (o: Organization) => ({ fiscal_code: o.fiscalCode, name: o.name, department_name: o.departmentName, created_at: o.createdAt.toISOString() });

const NewService = Type.Object(
  {
    ...ServicePayload.properties,
    organization_fiscal_code: OrganizationFiscalCode,
    is_test_mode: Type.Optional(Type.Boolean({ default: true, description: 'messages only to authorized_recipients until false' })),
    max_allowed_payment_amount: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_PAYMENT_AMOUNT, description: 'euro cents; 0: no payment notices' })),
    rate_limit_per_second: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
  },
  { additionalProperties: false },
);

export async function registerAdminApi(app: App, db: Executor, secret: string): Promise<void> {
  await app.register(
    async (instance) => {
      const api = instance as App;
      api.addHook('onRequest', async (request) => {
        const record = await bearerApiKey(db, SCHEMA, request);
        if (record?.ownerType !== OPERATOR_KEY_OWNER) throw unauthorized('An operator key of the IO platform is required: Authorization: Bearer <key>');
      });

      api.get('/organizations', { schema: { tags, security, summary: 'Every body on IO', response: { 200: Type.Array(OrganizationSchema), ...problemResponses(401) } } }, async () =>
        (await listOrganizations(db)).map(presentOrganization),
      );
      api.post(
        '/organizations',
        {
          schema: {
            tags,
            security,
            summary: 'Onboard a public body',
            body: Type.Object({ fiscal_code: OrganizationFiscalCode, name: Type.String({ minLength: 1, maxLength: 200 }), department_name: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false }),
            response: { 201: OrganizationSchema, ...problemResponses(400, 401, 409) },
          },
        },
        async (request, reply) => {
          const { fiscal_code, name, department_name } = request.body;
          return reply.status(201).send(presentOrganization(await createOrganization(db, { fiscalCode: fiscal_code, name, departmentName: department_name })));
        },
      );
      api.get(
        '/organizations/:fiscal_code/manage-key',
        {
          schema: {
            tags,
            security,
            summary: 'The body’s manage key for /api/v1/manage (to hand to the body)',
            params: Type.Object({ fiscal_code: OrganizationFiscalCode }),
            response: { 200: Type.Object({ manage_key: Type.String() }), ...problemResponses(401, 404) },
          },
        },
        async (request) => ({ manage_key: await organizationManageKey(db, secret, request.params.fiscal_code) }),
      );
      api.get(
        '/services',
        {
          schema: {
            tags,
            security,
            summary: 'Every service, or a body’s',
            querystring: Type.Object({ organization_fiscal_code: Type.Optional(OrganizationFiscalCode) }),
            response: { 200: Type.Array(Type.Ref('Service')), ...problemResponses(401) },
          },
        },
        async (request) => (await listServices(db, { organizationFiscalCode: request.query.organization_fiscal_code })).map(presentService),
      );
      api.post(
        '/services',
        { schema: { tags, security, summary: 'Create a service of a body, with its two keys', body: NewService, response: { 201: Type.Ref('Service'), ...problemResponses(400, 401, 404) } } },
        async (request, reply) => {
          const body = request.body;
          const service = await createService(db, secret, {
            ...settingsOf(body as ServicePayload),
            organizationFiscalCode: body.organization_fiscal_code,
            isTestMode: body.is_test_mode,
            maxAllowedPaymentAmount: body.max_allowed_payment_amount,
            rateLimitPerSecond: body.rate_limit_per_second,
          });
          return reply.status(201).send(presentService(service));
        },
      );
    },
    { prefix: '/admin/v1' },
  );
}
