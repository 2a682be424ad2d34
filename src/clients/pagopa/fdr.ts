// FdR (flussi di rendicontazione, reference §5.3) over REST, both sides: a PSP creates a flow, adds its rows and
// publishes it (fdr-psp/service/v1); a creditor institution reads the flows it receives (fdr-org/service/v1).
// Field names, enums and pages after pagopa/pagopa-api openapi/fdr_psp and fdr_organization. Amounts are decimal euros.
import { Type, type Static } from '@sinclair/typebox';
import type { Problem } from '../../core/problem.ts';
import { ProblemError } from '../problem.ts';
import { keyedFetch } from './call.ts';
import { DateTime, Enum } from './wire.ts';

export const FDR_PSP_PREFIX = '/fdr-psp/service/v1';
export const FDR_ORG_PREFIX = '/fdr-org/service/v1';
/** identificativoFlusso (§5.2). */
export const FDR_PATTERN = '^[a-zA-Z0-9\\-_]{1,35}$';
export const FDR_STATUSES = ['CREATED', 'INSERTED', 'PUBLISHED'] as const;
export type FdrStatus = (typeof FDR_STATUSES)[number];
/** codiceEsitoSingoloPagamento: 0 → EXECUTED, 3 → REVOKED, 9 → NO_RPT (§5.3). */
export const PAY_STATUSES = ['EXECUTED', 'REVOKED', 'NO_RPT'] as const;
export type PayStatus = (typeof PAY_STATUSES)[number];
/** At most 1000 rows per call to payments/add, as the FdR API allows. */
export const MAX_PAYMENTS_PER_CALL = 1000;

const Text35 = Type.String({ minLength: 1, maxLength: 35 });
const Euros = (description: string) => Type.Number({ exclusiveMinimum: 0, maximum: 999_999_999.99, description: `${description}: decimal euros, at most two decimals` });

export const FdrSender = Type.Object({
  type: Enum(['LEGAL_PERSON', 'ABI_CODE', 'BIC_CODE'] as const, { description: 'tipoIdentificativoUnivoco G / A / B' }),
  id: Text35,
  pspId: Text35,
  pspName: Type.String({ minLength: 3, maxLength: 70 }),
  pspBrokerId: Text35,
  channelId: Text35,
});
export const FdrReceiver = Type.Object({
  id: Text35,
  organizationId: Type.String({ pattern: '^[0-9]{11}$', description: 'fiscal code of the creditor institution (identificativoDominio)' }),
  organizationName: Type.String({ minLength: 1, maxLength: 140 }),
});

export const FdrCreateRequest = Type.Object(
  {
    fdr: Type.String({ pattern: FDR_PATTERN, description: 'identificativoFlusso, by convention <YYYY-MM-DD><idPSP>-<progressive>' }),
    fdrDate: DateTime('dataOraFlusso'),
    sender: FdrSender,
    receiver: FdrReceiver,
    regulation: Type.String({ minLength: 1, maxLength: 35, description: 'identificativoUnivocoRegolamento: the TRN of the SEPA credit transfer' }),
    regulationDate: DateTime('dataRegolamento'),
    bicCodePouringBank: Type.Optional(Text35),
    totPayments: Type.Integer({ minimum: 1, description: 'numeroTotalePagamenti' }),
    sumPayments: Euros('importoTotalePagamenti'),
  },
  { $id: 'FdrCreateRequest', additionalProperties: false },
);
export type FdrCreateBody = Static<typeof FdrCreateRequest>;

export const FdrPayment = Type.Object(
  {
    index: Type.Integer({ minimum: 1, description: 'the row number in the flow' }),
    iuv: Text35,
    iur: Type.String({ minLength: 1, maxLength: 35, description: 'identificativoUnivocoRiscossione: the payment token' }),
    idTransfer: Type.Integer({ minimum: 1, maximum: 5, description: 'indiceDatiSingoloPagamento' }),
    pay: Euros('singoloImportoPagato'),
    payStatus: Enum(PAY_STATUSES),
    payDate: DateTime('dataEsitoSingoloPagamento'),
  },
  { $id: 'FdrPayment', additionalProperties: false },
);
export type FdrPaymentRow = Static<typeof FdrPayment>;
export const FdrAddPaymentRequest = Type.Object({ payments: Type.Array(Type.Ref('FdrPayment'), { minItems: 1, maxItems: MAX_PAYMENTS_PER_CALL }) }, { additionalProperties: false });

export const FdrGenericResponse = Type.Object({ message: Type.String() });

const PageMetadata = Type.Object({ pageSize: Type.Integer(), pageNumber: Type.Integer(), totPage: Type.Integer() });

export const FdrFlow = Type.Object(
  {
    fdr: Type.String(),
    revision: Type.Integer(),
    status: Enum(FDR_STATUSES),
    created: DateTime(),
    updated: DateTime(),
    published: Type.Optional(DateTime()),
    fdrDate: DateTime(),
    sender: FdrSender,
    receiver: FdrReceiver,
    regulation: Type.String(),
    regulationDate: DateTime(),
    bicCodePouringBank: Type.Optional(Type.String()),
    totPayments: Type.Integer(),
    sumPayments: Type.Number(),
    computedTotPayments: Type.Integer(),
    computedSumPayments: Type.Number(),
  },
  { $id: 'FdrFlow' },
);
export type FdrFlowInfo = Static<typeof FdrFlow>;

export const FdrPublishedList = Type.Object({
  metadata: PageMetadata,
  count: Type.Integer(),
  data: Type.Array(Type.Object({ fdr: Type.String(), pspId: Type.String(), revision: Type.Integer(), published: DateTime() })),
});
export type FdrPublishedPage = Static<typeof FdrPublishedList>;

export const FdrPaymentList = Type.Object({ metadata: PageMetadata, count: Type.Integer(), data: Type.Array(Type.Ref('FdrPayment')) });
export type FdrPaymentPage = { metadata: Static<typeof PageMetadata>; count: number; data: FdrPaymentRow[] };

/** The FdR API refused the call, with its problem (code e.g. REPORTING_FLOW_WRONG_SUM_PAYMENT). */
export class FdrError extends ProblemError {
  constructor(status: number, problem: Problem) {
    super(status, problem, 'FdR');
  }
  get code(): string | undefined {
    return this.member('code');
  }
}

interface ClientOptions {
  /** The pagoPA app's URL (ours), or https://api.platform.pagopa.it in production. */
  pagopaUrl: string;
  subscriptionKey: string;
  timeoutMs?: number;
}

function caller(base: string, options: ClientOptions) {
  return async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await keyedFetch(`${base}${path}`, { subscriptionKey: options.subscriptionKey, method, body, accept: 'application/json', timeoutMs: options.timeoutMs ?? 10_000 }, FdrError);
    return (await response.json()) as T;
  };
}

const query = (values: Record<string, string | number | undefined>) => {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) if (value !== undefined) params.set(name, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
};

export interface FdrPspClient {
  create(flow: FdrCreateBody): Promise<void>;
  addPayments(fdr: string, payments: FdrPaymentRow[]): Promise<void>;
  publish(fdr: string): Promise<void>;
  /** Withdraws the revision being written. */
  remove(fdr: string): Promise<void>;
}

/** A PSP's side: its own flows only (the key's PSP must be `pspId`). */
export function fdrPspClient(options: ClientOptions & { pspId: string }): FdrPspClient {
  const call = caller(`${options.pagopaUrl.replace(/\/$/, '')}${FDR_PSP_PREFIX}/psps/${encodeURIComponent(options.pspId)}/fdrs`, options);
  const flow = (fdr: string) => `/${encodeURIComponent(fdr)}`;
  return {
    async create(body) {
      await call('POST', flow(body.fdr), body);
    },
    async addPayments(fdr, payments) {
      for (let i = 0; i < payments.length; i += MAX_PAYMENTS_PER_CALL) {
        await call('PUT', `${flow(fdr)}/payments/add`, { payments: payments.slice(i, i + MAX_PAYMENTS_PER_CALL) });
      }
    },
    async publish(fdr) {
      await call('POST', `${flow(fdr)}/publish`);
    },
    async remove(fdr) {
      await call('DELETE', flow(fdr));
    },
  };
}

export interface FdrOrganizationClient {
  /** Published flows received, latest revision of each; `page` from 1. */
  list(filter?: { pspId?: string; publishedGt?: Date; page?: number; size?: number }): Promise<FdrPublishedPage>;
  get(fdr: string, revision: number, pspId: string): Promise<FdrFlowInfo>;
  payments(fdr: string, revision: number, pspId: string, page?: { page?: number; size?: number }): Promise<FdrPaymentPage>;
  /** Every row of a flow, page after page. */
  allPayments(fdr: string, revision: number, pspId: string): Promise<FdrPaymentRow[]>;
}

/** A creditor institution's side: the flows whose receiver it is. */
export function fdrOrganizationClient(options: ClientOptions & { organizationId: string }): FdrOrganizationClient {
  const call = caller(`${options.pagopaUrl.replace(/\/$/, '')}${FDR_ORG_PREFIX}/organizations/${encodeURIComponent(options.organizationId)}/fdrs`, options);
  const flow = (fdr: string, revision: number, pspId: string) => `/${encodeURIComponent(fdr)}/revisions/${revision}/psps/${encodeURIComponent(pspId)}`;
  const client: FdrOrganizationClient = {
    list: (f = {}) => call('GET', query({ pspId: f.pspId, publishedGt: f.publishedGt?.toISOString(), page: f.page, size: f.size })),
    get: (fdr, revision, pspId) => call('GET', flow(fdr, revision, pspId)),
    payments: (fdr, revision, pspId, p = {}) => call('GET', `${flow(fdr, revision, pspId)}/payments${query({ page: p.page, size: p.size })}`),
    async allPayments(fdr, revision, pspId) {
      const rows: FdrPaymentRow[] = [];
      for (let page = 1; ; page++) {
        const answer = await client.payments(fdr, revision, pspId, { page, size: MAX_PAYMENTS_PER_CALL });
        rows.push(...answer.data);
        if (page >= answer.metadata.totPage) return rows;
      }
    },
  };
  return client;
}
