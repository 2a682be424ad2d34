// The wire contract of the Nodo for PSPs (model 3: verifyPaymentNotice → activatePaymentNotice →
// sendPaymentOutcome) and of the receipts an institution reads, shared by the pagoPA app and the clients.
// The SOAP primitives of nodeForPsp.xsd as JSON with the same field names; amounts as stAmount (decimal
// euros, two decimals); receipts after ctReceipt (paForNode.xsd), amounts in euro cents as GPD keeps them.
import { Type, type Static } from '@sinclair/typebox';
import { Enum } from './wire.ts';

export const NODO_PREFIX = '/nodo/node-for-psp/v1';
export const RECEIPTS_PREFIX = '/gpd/payments-receipts-service/v1';
/** The `id` of every fault the Nodo raises (faultBean.id). */
export const NODO_FAULT_ID = 'NodoDeiPagamentiSPC';
/** A token lives at most 30 minutes (SANP: expirationTime ≤ 1 800 000 ms). */
export const MAX_TOKEN_MS = 1_800_000;
/** stPaymentMethodFee (SANP catalogue): how a PSP lets people pay. */
export const PAYMENT_TYPES = ['BBT', 'BP', 'AD', 'CP', 'PO', 'OBEP', 'JIF', 'MYBK', 'PPAL'] as const;
export type PaymentType = (typeof PAYMENT_TYPES)[number];
/** sendPaymentOutcome details.paymentMethod and paymentChannel (nodeForPsp.xsd stPaymentMethod, stPaymentChannel). */
export const PAYMENT_METHODS = ['cash', 'creditCard', 'bancomat', 'other'] as const;
export const PAYMENT_CHANNELS = ['frontOffice', 'atm', 'onLine', 'app', 'other'] as const;

export const FAULT_CODES = [
  'PPT_PAGAMENTO_DUPLICATO',
  'PPT_PAGAMENTO_IN_CORSO',
  'PPT_TOKEN_SCADUTO',
  'PPT_TOKEN_SCONOSCIUTO',
  'PPT_ERRORE_EMESSO_DA_PAA',
  'PPT_DOMINIO_SCONOSCIUTO',
  'PPT_DOMINIO_DISABILITATO',
  'PPT_AUTORIZZAZIONE',
  'PPT_SEMANTICA',
  'PPT_ERRORE_IDEMPOTENZA',
  'PPT_ESITO_GIA_ACQUISITO',
] as const;
export type FaultCode = (typeof FAULT_CODES)[number];
export const PAA_FAULT_CODES = ['PAA_PAGAMENTO_SCONOSCIUTO', 'PAA_PAGAMENTO_SCADUTO', 'PAA_PAGAMENTO_ANNULLATO', 'PAA_PAGAMENTO_DUPLICATO'] as const;
export type PaaFaultCode = (typeof PAA_FAULT_CODES)[number];
/** The syntax fault of a malformed request, in the problem+json of a 400. */
export const SYNTAX_FAULT = 'PPT_SINTASSI_EXTRAXSD';

// --- Amounts ------------------------------------------------------------------------------------------

const ST_AMOUNT = /^(0|[1-9]\d{0,8})\.\d{2}$/;

/** Cents as stAmount: 1250 → "12.50". */
export function euroAmount(cents: number): string {
  return `${Math.trunc(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

/** stAmount as cents ("12.50" → 1250), undefined when it is not one. */
export function centsOfAmount(amount: string): number | undefined {
  if (!ST_AMOUNT.test(amount)) return undefined;
  const [euros, cents] = amount.split('.');
  return Number(euros) * 100 + Number(cents);
}

// --- Requests -----------------------------------------------------------------------------------------

const Id35 = (pattern: string, description: string) => Type.String({ pattern, description });
const PspIds = {
  idPSP: Id35('^[A-Z0-9_]{1,35}$', 'the PSP, as registered on the Nodo (e.g. its BIC)'),
  idBrokerPSP: Id35('^[A-Z0-9_]{1,35}$', 'the PSP’s broker (intermediario)'),
  idChannel: Id35('^[A-Za-z0-9_]{1,35}$', 'the PSP’s channel'),
};
const StAmount = Type.String({ pattern: ST_AMOUNT.source, description: 'decimal euros with two decimals, e.g. 12.50', examples: ['12.50'] });
const QrCode = Type.Object(
  {
    fiscalCode: Type.String({ pattern: '^[0-9]{11}$', description: 'the creditor institution' }),
    noticeNumber: Type.String({ minLength: 1, maxLength: 40, description: 'numero avviso: 18 digits with valid check digits' }),
  },
  { additionalProperties: false },
);
const IdempotencyKey = Type.String({ pattern: '^[a-zA-Z0-9]{2,18}_[a-zA-Z0-9]{10}$', description: '<idPSP>_<10 random characters>' });
const Day = Type.String({ format: 'date' });

export const VerifyPaymentNoticeReq = Type.Object({ ...PspIds, qrCode: QrCode }, { $id: 'verifyPaymentNoticeReq', additionalProperties: false });
export type VerifyPaymentNoticeRequest = Static<typeof VerifyPaymentNoticeReq>;

export const ActivatePaymentNoticeReq = Type.Object(
  {
    ...PspIds,
    idempotencyKey: Type.Optional(IdempotencyKey),
    qrCode: QrCode,
    expirationTime: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_TOKEN_MS, description: 'milliseconds the token lives; at most 30 minutes, the default' })),
    amount: StAmount,
    dueDate: Type.Optional(Day),
    paymentNote: Type.Optional(Type.String({ maxLength: 140 })),
  },
  { $id: 'activatePaymentNoticeReq', additionalProperties: false },
);
export type ActivatePaymentNoticeRequest = Static<typeof ActivatePaymentNoticeReq>;

const Party = Type.Object(
  {
    uniqueIdentifier: Type.Object({ entityUniqueIdentifierType: Enum(['F', 'G'] as const), entityUniqueIdentifierValue: Type.String({ minLength: 1, maxLength: 16 }) }),
    fullName: Type.String({ minLength: 1, maxLength: 70 }),
    streetName: Type.Optional(Type.String({ maxLength: 70 })),
    civicNumber: Type.Optional(Type.String({ maxLength: 16 })),
    postalCode: Type.Optional(Type.String({ maxLength: 16 })),
    city: Type.Optional(Type.String({ maxLength: 35 })),
    stateProvinceRegion: Type.Optional(Type.String({ maxLength: 35 })),
    country: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$' })),
    'e-mail': Type.Optional(Type.String({ maxLength: 256 })),
  },
  { additionalProperties: false },
);
export type Subject = Static<typeof Party>;

export const SendPaymentOutcomeReq = Type.Object(
  {
    ...PspIds,
    idempotencyKey: Type.Optional(IdempotencyKey),
    paymentToken: Type.String({ minLength: 1, maxLength: 35 }),
    outcome: Enum(['OK', 'KO'] as const),
    details: Type.Object(
      {
        paymentMethod: Enum(PAYMENT_METHODS),
        paymentChannel: Type.Optional(Enum(PAYMENT_CHANNELS)),
        fee: StAmount,
        payer: Type.Optional(Party),
        applicationDate: Day,
        transferDate: Day,
      },
      { additionalProperties: false },
    ),
  },
  { $id: 'sendPaymentOutcomeReq', additionalProperties: false },
);
export type SendPaymentOutcomeRequest = Static<typeof SendPaymentOutcomeReq>;

// --- Responses ----------------------------------------------------------------------------------------

const Fault = Type.Object({
  faultCode: Enum(FAULT_CODES),
  faultString: Type.String(),
  id: Type.Literal(NODO_FAULT_ID),
  description: Type.String(),
  originalFaultCode: Type.Optional(Enum(PAA_FAULT_CODES)),
});
export type NodoFault = Static<typeof Fault>;
export const KoResponse = Type.Object({ outcome: Type.Literal('KO'), fault: Fault });
export type Ko = Static<typeof KoResponse>;

export const VerifyPaymentNoticeOk = Type.Object({
  outcome: Type.Literal('OK'),
  paymentList: Type.Array(
    Type.Object({
      amount: StAmount,
      options: Enum(['EQ', 'LS', 'GT', 'ANY'] as const),
      dueDate: Type.Optional(Day),
      detailDescription: Type.Optional(Type.String()),
      allCCP: Type.Boolean({ description: 'every transfer credits a postal account' }),
    }),
  ),
  paymentDescription: Type.String(),
  fiscalCodePA: Type.String(),
  companyName: Type.String(),
  officeName: Type.Optional(Type.String()),
});
export type VerifyPaymentNoticeResponse = Static<typeof VerifyPaymentNoticeOk>;

export const ActivatePaymentNoticeOk = Type.Object({
  outcome: Type.Literal('OK'),
  totalAmount: StAmount,
  paymentDescription: Type.String(),
  fiscalCodePA: Type.String(),
  companyName: Type.String(),
  officeName: Type.Optional(Type.String()),
  paymentToken: Type.String({ description: 'the IUR of the payment; sendPaymentOutcome names it' }),
  creditorReferenceId: Type.String({ description: 'the IUV' }),
  transferList: Type.Array(
    Type.Object({
      idTransfer: Type.Integer({ minimum: 1, maximum: 5 }),
      transferAmount: StAmount,
      fiscalCodePA: Type.String(),
      IBAN: Type.Optional(Type.String()),
      remittanceInformation: Type.String(),
      transferCategory: Type.String(),
    }),
  ),
});
export type ActivatePaymentNoticeResponse = Static<typeof ActivatePaymentNoticeOk>;

export const SendPaymentOutcomeOk = Type.Object({ outcome: Type.Literal('OK') });
export type SendPaymentOutcomeResponse = Static<typeof SendPaymentOutcomeOk>;

// --- Receipts (ctReceipt; amounts in cents) --------------------------------------------------------------

const ReceiptTransfer = Type.Object({
  idTransfer: Type.Integer(),
  transferAmount: Type.Integer({ description: 'euro cents' }),
  fiscalCodePA: Type.String(),
  IBAN: Type.Optional(Type.String()),
  remittanceInformation: Type.String(),
  transferCategory: Type.String(),
});

export const ReceiptSchema = Type.Object(
  {
    receiptId: Type.String({ description: 'the payment token, the IUR' }),
    noticeNumber: Type.String(),
    fiscalCode: Type.String({ description: 'the creditor institution' }),
    outcome: Type.Literal('OK'),
    creditorReferenceId: Type.String({ description: 'the IUV' }),
    iupd: Type.String({ description: 'the debt position of the notice' }),
    paymentAmount: Type.Integer({ description: 'euro cents' }),
    description: Type.String(),
    companyName: Type.String(),
    officeName: Type.Optional(Type.String()),
    debtor: Party,
    transferList: Type.Array(ReceiptTransfer),
    idPSP: Type.String(),
    pspFiscalCode: Type.String(),
    PSPCompanyName: Type.String(),
    idChannel: Type.String(),
    channelDescription: Type.String(),
    payer: Type.Optional(Party),
    paymentMethod: Type.String(),
    fee: Type.Integer({ description: 'euro cents, paid by the payer to the PSP' }),
    paymentDateTime: Type.String({ format: 'date-time' }),
    applicationDate: Day,
    transferDate: Day,
  },
  { $id: 'Receipt' },
);
export type Receipt = Static<typeof ReceiptSchema>;

/** What a creditor's station receives for every receipt (paSendRT as JSON). */
export interface PaSendRtRequest {
  idPA: string;
  idBrokerPA: string;
  idStation: string;
  receipt: Receipt;
}

export const ReceiptsPageSchema = Type.Object({
  receipts_list: Type.Array(Type.Ref('Receipt')),
  page_info: Type.Object({ page: Type.Integer(), limit: Type.Integer(), items_found: Type.Integer(), total_pages: Type.Integer() }),
});
export type ReceiptsPage = { receipts_list: Receipt[]; page_info: Static<typeof ReceiptsPageSchema>['page_info'] };

/** A PSP's statement of a day on the Nodo: the receipts of every payment it collected, whatever the channel (its counters, Checkout). */
export const PspReceiptsSchema = Type.Object({
  idPSP: Type.String(),
  date: Day,
  receipts: Type.Array(Type.Ref('Receipt')),
});
export type PspReceipts = { idPSP: string; date: string; receipts: Receipt[] };
