// Onboarding of creditor institutions by the platform's operators (/admin/v1, Authorization: Bearer <operator
// key>): the institution, its station's IUV generation point, its IBANs and its subscription keys.
import { Type } from '@sinclair/typebox';
import type { App } from '../../core/http.ts';
import type { Executor } from '../../core/db.ts';
import { bearerApiKey } from '../../core/auth/api-keys.ts';
import { notFound, problemResponses, unauthorized } from '../../core/problem.ts';
import { SUBSCRIPTION_KEY_OWNER } from './api.ts';
import { addIban, institutionByFiscalCode, listInstitutions, onboardInstitution, type Actor, type Institution } from './institutions.ts';
import { SCHEMA } from './schema.ts';
import { registerNodoAdmin } from './nodo/admin.ts';
import { registerKeyRoutes } from './subscription-keys.ts';

/** Owner type of the operators' keys in pagopa.api_keys. */
export const OPERATOR_KEY_OWNER = 'platform_operator';

const FiscalCodePA = Type.String({ pattern: '^[0-9]{11}$' });
const TwoDigits = Type.String({ pattern: '^[0-9]{2}$' });
const IbanInput = Type.Object({ iban: Type.String({ maxLength: 42 }), postal: Type.Optional(Type.Boolean()), description: Type.Optional(Type.String({ maxLength: 140 })) }, { additionalProperties: false });

const InstitutionSchema = Type.Object(
  {
    fiscalCode: Type.String(),
    companyName: Type.String(),
    officeName: Type.Optional(Type.String()),
    auxDigit: Type.Integer(),
    segregationCode: Type.Optional(Type.String()),
    applicationCode: Type.Optional(Type.String()),
    stationId: Type.String(),
    cbillCode: Type.Optional(Type.String()),
    enabled: Type.Boolean(),
    ibans: Type.Array(Type.Object({ iban: Type.String(), postal: Type.Boolean(), description: Type.String() })),
  },
  { $id: 'CreditorInstitution' },
);

const present = (i: Institution) => Object.fromEntries(Object.entries(i).filter(([k, v]) => k !== 'id' && v !== null));
const security = [{ bearerAuth: [] }];
const FcParams = Type.Object({ fiscalCode: FiscalCodePA });

declare module 'fastify' {
  interface FastifyRequest {
    pagopaOperator?: Actor;
  }
}

export async function registerAdminApi(app: App, db: Executor): Promise<void> {
  app.addSchema(InstitutionSchema);
  await app.register(
    async (instance) => {
      const api = instance as App;
      api.addHook('onRequest', async (request) => {
        const record = await bearerApiKey(db, SCHEMA, request);
        if (record?.ownerType !== OPERATOR_KEY_OWNER) throw unauthorized('An operator key of the pagoPA platform is required: Authorization: Bearer <key>');
        request.pagopaOperator = { type: 'platform_admin', id: record.id, requestId: request.id };
      });
      const known = async (fiscalCode: string) => {
        const institution = await institutionByFiscalCode(db, fiscalCode);
        if (!institution) throw notFound(`No creditor institution ${fiscalCode}`);
        return institution;
      };
      const tags = ['Creditor institutions (operators)'];
      registerNodoAdmin(api, db);

      api.get('/creditor-institutions', { schema: { tags, security, summary: 'Every creditor institution', response: { 200: Type.Array(Type.Ref('CreditorInstitution')), ...problemResponses(401) } } }, async () =>
        (await listInstitutions(db)).map(present),
      );

      api.post(
        '/creditor-institutions',
        {
          schema: {
            tags,
            security,
            summary: 'Onboard a creditor institution with its station configuration and IBANs',
            body: Type.Object(
              {
                fiscalCode: FiscalCodePA,
                companyName: Type.String({ minLength: 1, maxLength: 140 }),
                officeName: Type.Optional(Type.String({ maxLength: 140 })),
                auxDigit: Type.Union([Type.Literal(0), Type.Literal(2), Type.Literal(3)], { description: '3 (segregation code) is the default today; 0 (application code) and 2 are legacy' }),
                segregationCode: Type.Optional(TwoDigits),
                applicationCode: Type.Optional(TwoDigits),
                stationId: Type.String({ pattern: '^[0-9]{11}_[0-9]{2}$', description: '<broker fiscal code>_NN' }),
                cbillCode: Type.Optional(Type.String({ pattern: '^[A-Z0-9]{5}$' })),
                ibans: Type.Optional(Type.Array(IbanInput, { maxItems: 20 })),
              },
              { additionalProperties: false },
            ),
            response: { 201: Type.Ref('CreditorInstitution'), ...problemResponses(400, 401, 409) },
          },
        },
        async (request, reply) => reply.status(201).send(present(await onboardInstitution(db, request.pagopaOperator!, request.body))),
      );

      api.get('/creditor-institutions/:fiscalCode', { schema: { tags, security, summary: 'One creditor institution', params: FcParams, response: { 200: Type.Ref('CreditorInstitution'), ...problemResponses(401, 404) } } }, async (request) =>
        present(await known(request.params.fiscalCode)),
      );

      api.post(
        '/creditor-institutions/:fiscalCode/ibans',
        { schema: { tags, security, summary: 'Register an IBAN transfers may credit', params: FcParams, body: IbanInput, response: { 200: Type.Ref('CreditorInstitution'), ...problemResponses(400, 401, 404) } } },
        async (request) => present(await addIban(db, request.pagopaOperator!, request.params.fiscalCode, request.body)),
      );

      registerKeyRoutes(api, db, {
        path: '/creditor-institutions/:fiscalCode',
        params: FcParams,
        tags,
        holderName: 'institution',
        service: 'the GPD API',
        auditAction: 'subscription-key',
        holder: async ({ fiscalCode }) => {
          const institution = await known(fiscalCode!);
          return { ownerType: SUBSCRIPTION_KEY_OWNER, ownerId: institution.id, audit: { tenantId: institution.id } };
        },
      });
    },
    { prefix: '/admin/v1' },
  );
}
