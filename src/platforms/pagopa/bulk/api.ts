// GPD's massive upload service (pagopa-api gpd_massive.json) at /upload/gpd/debt-positions-service/v1: a creditor
// institution, through the broker of its station, sends a file of positions (JSON `{paymentPositions}`), gets
// 202 with the upload's status URL in Location, and reads the status and the per-position report.
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { App } from '../../../core/http.ts';
import type { Executor } from '../../../core/db.ts';
import { forbidden } from '../../../core/problem.ts';
import { BULK_PREFIX, MAX_FILE_POSITIONS, UploadReport, UploadStatus, bulkFilesPath } from '../../../clients/pagopa/bulk.ts';
import type { PaymentPositionBody } from '../../../clients/pagopa/wire.ts';
import { institutionKeyCheck, rateLimited } from '../api.ts';
import { gpdProblem } from '../positions.ts';
import { brokerOf, createUpload, uploadReport, uploadStatus } from './store.ts';

const FileParams = Type.Object({
  brokercode: Type.String({ maxLength: 35, description: 'the broker of the station (the institution itself when it is its own broker)' }),
  organizationfiscalcode: Type.String({ maxLength: 16 }),
});
const UploadParams = Type.Object({ ...FileParams.properties, uploadid: Type.String({ maxLength: 64 }) });
const problems = (...statuses: number[]) => Object.fromEntries(statuses.map((s) => [s, Type.Ref('Problem')]));
const security = [{ subscriptionKey: [] }];
// 10,000 positions of a few transfers each, as JSON.
const FILE_BODY_LIMIT = 64 * 1024 * 1024;

export async function registerBulkApi(app: App, db: Executor): Promise<void> {
  await app.register(
    async (instance) => {
      const api = instance as App;
      api.addHook('onRequest', institutionKeyCheck(db));
      // Fastify's path parameters cannot hold a dash: GPD's {broker-code} and {upload-id} are brokercode and uploadid here.
      // The broker in the path must be the station's: another broker's path is not this key's to use.
      api.addHook('preHandler', async (request) => {
        const broker = (request.params as { brokercode?: string }).brokercode;
        if (broker !== brokerOf(request.pagopaInstitution!)) throw forbidden(`The organization's station is not brokered by ${broker}.`);
      });
      const unknown = (id: string) => gpdProblem(404, 'FILE_UPLOAD_NOT_FOUND', `No upload ${id} of this organization`);

      api.post(
        '/brokers/:brokercode/organizations/:organizationfiscalcode/debtpositions/file',
        {
          bodyLimit: FILE_BODY_LIMIT,
          config: rateLimited,
          schema: {
            tags: ['Massive upload'],
            operationId: 'createMassivePositions',
            summary: `Create and publish up to ${MAX_FILE_POSITIONS} debt positions, processed asynchronously: 202 with the status URL in Location`,
            security,
            params: FileParams,
            body: Type.Object({ paymentPositions: Type.Array(Type.Ref('PaymentPositionModel'), { minItems: 1, maxItems: MAX_FILE_POSITIONS }) }),
            response: { 202: Type.Null(), ...problems(400, 401, 403, 413) },
          },
        },
        async (request, reply) => {
          const institution = request.pagopaInstitution!;
          const broker = request.params.brokercode;
          const body = request.body as { paymentPositions: PaymentPositionBody[] };
          const id = await createUpload(db, request.pagopaActor!, institution, broker, body.paymentPositions);
          return reply.status(202).header('location', `${bulkFilesPath(broker, institution.fiscalCode)}/${id}/status`).send(null);
        },
      );

      const byId = (request: FastifyRequest) => {
        const params = request.params as { brokercode: string; uploadid: string };
        return [request.pagopaInstitution!, params.brokercode, params.uploadid] as const;
      };

      api.get(
        '/brokers/:brokercode/organizations/:organizationfiscalcode/debtpositions/file/:uploadid/status',
        {
          config: rateLimited,
          schema: { tags: ['Massive upload'], operationId: 'getUploadStatus', summary: 'How many positions of the file are processed', security, params: UploadParams, response: { 200: UploadStatus, ...problems(401, 403, 404) } },
        },
        async (request) => (await uploadStatus(db, ...byId(request))) ?? Promise.reject(unknown(request.params.uploadid)),
      );

      api.get(
        '/brokers/:brokercode/organizations/:organizationfiscalcode/debtpositions/file/:uploadid/report',
        {
          config: rateLimited,
          schema: {
            tags: ['Massive upload'],
            operationId: 'getUploadReport',
            summary: 'The outcome of each position processed so far, grouped by status; the notice numbers of the positions',
            security,
            params: UploadParams,
            response: { 200: UploadReport, ...problems(401, 403, 404) },
          },
        },
        async (request) => (await uploadReport(db, ...byId(request))) ?? Promise.reject(unknown(request.params.uploadid)),
      );
    },
    { prefix: BULK_PREFIX },
  );
}
