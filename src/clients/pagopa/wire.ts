// The wire contract of GPD (debt-positions-service v1), shared by the pagoPA app, which serves it, and the
// client: field names, enums and limits after pagopa-debt-position's openapi_external_v1 (PaymentPositionModel,
// PaymentOptionModel, TransferModel, Stamp, PaymentPositionModelBaseResponse, PageInfo). Our one addition:
// paymentOption.iuv may be omitted, and the platform generates it.
import { Type, type Static } from '@sinclair/typebox';
import { Enum } from '../../core/schema.ts';
import { MAX_AMOUNT_CENTS } from '../../domain/pagopa/qr-code.ts';

export const DEBT_POSITION_STATUSES = ['DRAFT', 'PUBLISHED', 'VALID', 'INVALID', 'EXPIRED', 'PARTIALLY_PAID', 'PAID', 'REPORTED'] as const;
export type DebtPositionStatus = (typeof DEBT_POSITION_STATUSES)[number];
export const PAYMENT_OPTION_STATUSES = ['PO_UNPAID', 'PO_PAID', 'PO_PARTIALLY_REPORTED', 'PO_REPORTED'] as const;
export type PaymentOptionStatus = (typeof PAYMENT_OPTION_STATUSES)[number];
export const TRANSFER_STATUSES = ['T_UNREPORTED', 'T_REPORTED'] as const;
/** At most five transfers per payment option (SANP ctTransferListPA: 1..5). */
export const MAX_TRANSFERS = 5;
export const GPD_PREFIX = '/gpd/debt-positions-service/v1';
export const SUBSCRIPTION_KEY_HEADER = 'Ocp-Apim-Subscription-Key';
export const ORDER_BY = ['INSERTED_DATE', 'IUPD', 'STATUS', 'COMPANY_NAME'] as const;

export { Enum };
export const DateTime = (description?: string) => Type.String({ format: 'date-time', ...(description ? { description } : {}) });
const Cents = (description: string) => Type.Integer({ minimum: 1, maximum: MAX_AMOUNT_CENTS, description });
const Text = (maxLength: number, minLength = 0) => Type.String({ minLength, maxLength });
const Metadata = Type.Array(Type.Object({ key: Text(140, 1), value: Type.Optional(Text(140)) }), { maxItems: 10, description: 'at most 10 key-value pairs, unique keys' });
const FiscalCodePA = Type.String({ pattern: '^[0-9]{11}$', description: 'fiscal code of a creditor institution' });
const IbanText = Type.String({ pattern: '^[A-Za-z0-9]{1,35}$' });

const Stamp = Type.Object(
  {
    hashDocument: Type.String({ minLength: 4, maxLength: 72, description: 'base64 of the SHA-256 of the document' }),
    stampType: Type.String({ minLength: 2, maxLength: 2, description: '01 = imposta di bollo' }),
    provincialResidence: Type.String({ pattern: '^[A-Z]{2}$', examples: ['PI'] }),
  },
  { description: 'digital stamp duty (marca da bollo digitale), instead of an IBAN' },
);

const TransferModel = Type.Object({
  idTransfer: Enum(['1', '2', '3', '4', '5'] as const),
  amount: Cents('euro cents'),
  organizationFiscalCode: Type.Optional({ ...FiscalCodePA, description: 'the beneficiary; default the organization of the position' }),
  remittanceInformation: Text(140, 1),
  category: Type.String({ maxLength: 140, description: 'taxonomy code, e.g. 9/0101108TS/' }),
  iban: Type.Optional({ ...IbanText, description: 'mutually exclusive with stamp; one of the beneficiary’s registered IBANs' }),
  postalIban: Type.Optional({ ...IbanText, description: 'optional, with iban, never with stamp' }),
  stamp: Type.Optional(Stamp),
  companyName: Type.Optional(Text(140)),
  transferMetadata: Type.Optional(Metadata),
});

const PaymentOptionModel = Type.Object({
  iuv: Type.Optional(Type.String({ maxLength: 35, description: 'the IUV; omitted, the platform generates it from the organization’s generation point' })),
  amount: Cents('euro cents, equal to the sum of the transfers'),
  description: Text(140),
  isPartialPayment: Type.Boolean({ description: 'true: an installment; false: a single payment' }),
  dueDate: DateTime(),
  retentionDate: Type.Optional(DateTime('not before dueDate')),
  fee: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_AMOUNT_CENTS })),
  transfer: Type.Array(TransferModel, { minItems: 1, maxItems: MAX_TRANSFERS }),
  paymentOptionMetadata: Type.Optional(Metadata),
});

export const PaymentPositionModel = Type.Object(
  {
    iupd: Type.String({ pattern: '^[A-Za-z0-9_*-]{1,100}$', description: 'unique per organization, chosen by it' }),
    type: Enum(['F', 'G'] as const, { description: 'natural (F) or legal (G) person' }),
    payStandIn: Type.Optional(Type.Boolean({ default: true })),
    fiscalCode: Type.String({ minLength: 2, maxLength: 16, description: 'the debtor’s fiscal code, or ANONIMO' }),
    fullName: Text(70, 1),
    streetName: Type.Optional(Text(70)),
    civicNumber: Type.Optional(Text(16)),
    postalCode: Type.Optional(Text(16)),
    city: Type.Optional(Text(35)),
    province: Type.Optional(Text(35)),
    region: Type.Optional(Text(35)),
    country: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
    email: Type.Optional(Type.String({ format: 'email', maxLength: 256 })),
    phone: Type.Optional(Text(19)),
    switchToExpired: Type.Boolean({ description: 'if true the position expires (unpayable) after its last due date' }),
    companyName: Text(140, 1),
    officeName: Type.Optional(Text(140)),
    validityDate: Type.Optional(DateTime('when it becomes payable; omitted: at publication')),
    paymentOption: Type.Array(PaymentOptionModel, { minItems: 1, maxItems: 100 }),
  },
  { $id: 'PaymentPositionModel' },
);
export type PaymentPositionBody = Static<typeof PaymentPositionModel>;

const optionalDate = Type.Optional(DateTime());
const TransferResponse = Type.Object({
  ...TransferModel.properties,
  organizationFiscalCode: Type.String(),
  status: Enum(TRANSFER_STATUSES),
  insertedDate: DateTime(),
  lastUpdatedDate: DateTime(),
});
const PaymentOptionResponse = Type.Object({
  ...PaymentOptionModel.properties,
  nav: Type.String({ description: 'notice number (18 digits)' }),
  iuv: Type.String(),
  organizationFiscalCode: Type.String(),
  fee: Type.Integer(),
  status: Enum(PAYMENT_OPTION_STATUSES),
  paymentDate: optionalDate,
  paymentMethod: Type.Optional(Type.String()),
  pspCompany: Type.Optional(Type.String()),
  idReceipt: Type.Optional(Type.String()),
  insertedDate: DateTime(),
  lastUpdatedDate: DateTime(),
  transfer: Type.Array(TransferResponse),
});
export const PaymentPositionResponse = Type.Object(
  {
    ...PaymentPositionModel.properties,
    organizationFiscalCode: Type.String(),
    payStandIn: Type.Boolean(),
    status: Enum(DEBT_POSITION_STATUSES),
    insertedDate: DateTime(),
    publishDate: optionalDate,
    lastUpdatedDate: DateTime(),
    paymentDate: optionalDate,
    paymentOption: Type.Array(PaymentOptionResponse),
  },
  { $id: 'PaymentPosition' },
);

export const PageInfo = Type.Object({ page: Type.Integer(), limit: Type.Integer(), items_found: Type.Integer(), total_pages: Type.Integer() });

export const PaymentPositionsInfo = Type.Object({ payment_position_list: Type.Array(PaymentPositionResponse), page_info: PageInfo });
export type PaymentPosition = Static<typeof PaymentPositionResponse>;
export type PaymentOption = PaymentPosition['paymentOption'][number];
export type PaymentPositionsPage = Static<typeof PaymentPositionsInfo>;
