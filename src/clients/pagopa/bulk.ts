// GPD's massive upload (gpd_massive: debt positions sent as one file, processed asynchronously) as a creditor
// institution calls it, and its wire contract shared with the pagoPA app. Paths and fields after pagopa-api
// gpd_massive.json: POST .../debtpositions/file → 202 + Location, GET .../file/{upload-id}/status and /report.
// Our one addition, as in single creation: the IUVs may be omitted, so the report also lists each position's
// notice numbers (`notices`), the only way for the institution to learn the ones generated for it.
import { Type, type Static } from '@sinclair/typebox';
import { readProblem } from '../problem.ts';
import { GpdError } from './index.ts';
import { SUBSCRIPTION_KEY_HEADER, type PaymentPositionBody } from './wire.ts';

export const BULK_PREFIX = '/upload/gpd/debt-positions-service/v1';
/** Positions in one file: the size of GPD's own upload batches. */
export const MAX_FILE_POSITIONS = 10_000;

export const UploadStatus = Type.Object({
  uploadID: Type.String(),
  processedItem: Type.Integer({ description: 'positions processed so far' }),
  submittedItem: Type.Integer({ description: 'positions in the file' }),
  startTime: Type.String({ format: 'date-time' }),
  endTime: Type.Optional(Type.String({ format: 'date-time', description: 'present once every position is processed' })),
});
export type UploadStatus = Static<typeof UploadStatus>;

export const UploadReport = Type.Object({
  uploadID: Type.String(),
  processedItem: Type.Integer(),
  submittedItem: Type.Integer(),
  startTime: Type.String({ format: 'date-time' }),
  endTime: Type.Optional(Type.String({ format: 'date-time' })),
  responses: Type.Array(
    Type.Object({
      statusCode: Type.Integer({ description: '201 created and published, 400 invalid, 409 the IUPD (or an IUV) already exists' }),
      statusMessage: Type.String(),
      requestIDs: Type.Array(Type.String(), { description: 'the IUPDs with this outcome' }),
    }),
  ),
  notices: Type.Array(Type.Object({ iupd: Type.String(), nav: Type.Array(Type.String()) }), {
    description: 'the notice numbers of every position of the file that the organization now has (created or already there), in payment option order',
  }),
});
export type UploadReport = Static<typeof UploadReport>;

export interface BulkClientOptions {
  /** The pagoPA app's (or API Management's) base URL, without the upload prefix. */
  pagopaUrl: string;
  subscriptionKey: string;
  /** The broker (intermediary) of the station; an institution that is its own broker uses its fiscal code. */
  brokerCode: string;
  organizationFiscalCode: string;
  timeoutMs?: number;
}

export interface BulkClient {
  /** Sends the file; resolves with the upload id read from the Location of the 202. */
  upload(positions: PaymentPositionBody[]): Promise<string>;
  status(uploadId: string): Promise<UploadStatus>;
  report(uploadId: string): Promise<UploadReport>;
}

/** The path of the organization's files on the upload service. */
export const bulkFilesPath = (brokerCode: string, organizationFiscalCode: string) =>
  `${BULK_PREFIX}/brokers/${encodeURIComponent(brokerCode)}/organizations/${encodeURIComponent(organizationFiscalCode)}/debtpositions/file`;

export function bulkClient(options: BulkClientOptions): BulkClient {
  const files = `${options.pagopaUrl.replace(/\/+$/, '')}${bulkFilesPath(options.brokerCode, options.organizationFiscalCode)}`;
  async function call(method: string, url: string, body?: unknown): Promise<Response> {
    const response = await fetch(url, {
      method,
      headers: { [SUBSCRIPTION_KEY_HEADER]: options.subscriptionKey, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
    });
    if (!response.ok) throw new GpdError(response.status, await readProblem(response));
    return response;
  }
  return {
    async upload(positions) {
      const response = await call('POST', files, { paymentPositions: positions });
      await response.body?.cancel();
      const id = /\/file\/([^/]+)\/status$/.exec(response.headers.get('location') ?? '')?.[1];
      if (!id) throw new Error('the upload service answered without the upload id in Location');
      return decodeURIComponent(id);
    },
    status: async (id) => (await call('GET', `${files}/${encodeURIComponent(id)}/status`)).json() as Promise<UploadStatus>,
    report: async (id) => (await call('GET', `${files}/${encodeURIComponent(id)}/report`)).json() as Promise<UploadReport>,
  };
}
