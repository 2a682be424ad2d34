// The Nodo's part of the operators' API (/admin/v1, behind the operator key of admin.ts): PSPs (onboard,
// list, enable/disable, subscription keys) and the creditors' station endpoint that receives receipts.
import { Type } from '@sinclair/typebox';
import type { App } from '../../../core/http.ts';
import { sql, type Executor } from '../../../core/db.ts';
import { audit } from '../../../core/audit.ts';
import { notFound, problemResponses } from '../../../core/problem.ts';
import { Enum } from '../../../clients/pagopa/wire.ts';
import { PAYMENT_TYPES } from '../../../clients/pagopa/nodo-wire.ts';
import { institutionByFiscalCode } from '../institutions.ts';
import { SCHEMA } from '../schema.ts';
import { registerKeyRoutes } from '../subscription-keys.ts';
import { listPsps, onboardPsp, pspById, PSP_KEY_OWNER, setPspEnabled } from './psps.ts';

const IdPsp = Type.String({ pattern: '^[A-Z0-9_]{1,35}$' });
const PspSchema = Type.Object(
  {
    idPSP: IdPsp,
    idBrokerPSP: Type.String({ pattern: '^[A-Z0-9_]{1,35}$' }),
    idChannel: Type.String({ pattern: '^[A-Za-z0-9_]{1,35}$' }),
    companyName: Type.String({ minLength: 1, maxLength: 140 }),
    fiscalCode: Type.String({ pattern: '^[0-9]{11}$' }),
    fee: Type.Integer({ minimum: 0, maximum: 99_999_999_999, description: 'euro cents charged for an online card payment' }),
    paymentTypes: Type.Array(Enum(PAYMENT_TYPES), { minItems: 1, maxItems: PAYMENT_TYPES.length, description: 'stPaymentMethodFee codes, e.g. CP (card), PO (cash at a counter)' }),
    enabled: Type.Boolean(),
  },
  { $id: 'Psp' },
);
const PspInput = Type.Object({ ...PspSchema.properties, enabled: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
const PspParams = Type.Object({ idPSP: IdPsp });
const security = [{ bearerAuth: [] }];

/** Adds the Nodo's operator routes to the operators' API instance (its onRequest hook checks the operator key). */
export function registerNodoAdmin(api: App, db: Executor): void {
  api.addSchema(PspSchema);
  const tags = ['PSPs (operators)'];
  const known = async (idPSP: string) => {
    const psp = await pspById(db, idPSP);
    if (!psp) throw notFound(`No PSP ${idPSP}`);
    return psp;
  };

  api.get('/psps', { schema: { tags, security, summary: 'Every PSP of the Nodo', response: { 200: Type.Array(Type.Ref('Psp')), ...problemResponses(401) } } }, async () => listPsps(db));

  api.post(
    '/psps',
    { schema: { tags, security, summary: 'Register a PSP with its broker, channel, fee and payment types', body: PspInput, response: { 201: Type.Ref('Psp'), ...problemResponses(400, 401, 409) } } },
    async (request, reply) => reply.status(201).send(await onboardPsp(db, request.pagopaOperator!, request.body)),
  );

  api.get('/psps/:idPSP', { schema: { tags, security, summary: 'One PSP', params: PspParams, response: { 200: Type.Ref('Psp'), ...problemResponses(401, 404) } } }, async (request) => known(request.params.idPSP));

  api.put(
    '/psps/:idPSP/enabled',
    { schema: { tags, security, summary: 'Enable or disable a PSP (a disabled PSP’s keys are refused)', params: PspParams, body: Type.Object({ enabled: Type.Boolean() }), response: { 200: Type.Ref('Psp'), ...problemResponses(400, 401, 404) } } },
    async (request) => (await setPspEnabled(db, request.pagopaOperator!, request.params.idPSP, request.body.enabled)) ?? known(request.params.idPSP),
  );

  registerKeyRoutes(api, db, {
    path: '/psps/:idPSP',
    params: PspParams,
    tags,
    holderName: 'PSP',
    service: 'the Nodo',
    auditAction: 'psp-key',
    holder: async ({ idPSP }) => {
      const psp = await known(idPSP!);
      return { ownerType: PSP_KEY_OWNER, ownerId: psp.idPSP, audit: { details: { idPSP: psp.idPSP } } };
    },
  });

  api.put(
    '/creditor-institutions/:fiscalCode/receipts-url',
    {
      schema: {
        tags: ['Creditor institutions (operators)'],
        security,
        summary: 'The station endpoint that receives the institution’s receipts (paSendRT as JSON); null: receipts are only read',
        params: Type.Object({ fiscalCode: Type.String({ pattern: '^[0-9]{11}$' }) }),
        body: Type.Object({ receiptsUrl: Type.Union([Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2000 }), Type.Null()]) }, { additionalProperties: false }),
        response: { 200: Type.Object({ fiscalCode: Type.String(), receiptsUrl: Type.Union([Type.String(), Type.Null()]) }), ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const institution = await institutionByFiscalCode(db, request.params.fiscalCode);
      if (!institution) throw notFound(`No creditor institution ${request.params.fiscalCode}`);
      await sql`update pagopa.creditor_institutions set receipts_url = ${request.body.receiptsUrl} where id = ${institution.id}`.execute(db);
      const actor = request.pagopaOperator!;
      await audit(db, SCHEMA, { actorType: actor.type, actorId: actor.id, tenantId: institution.id, action: 'institution.receipts-url', targetType: 'creditor_institution', targetId: institution.fiscalCode, details: { receiptsUrl: request.body.receiptsUrl }, requestId: actor.requestId });
      return { fiscalCode: institution.fiscalCode, receiptsUrl: request.body.receiptsUrl };
    },
  );
}
