// PDND client library: the door to the interoperability platform for consumers and providers.
export { ANPR_ESERVICES, anprAudience, type AnprEservice } from './anpr.ts';
export { CLIENT_ASSERTION_TYPE, pdndEndpoints, type PdndEndpoints, type VoucherStatus } from './endpoints.ts';
export { demoPdndApiKey } from './demo.ts';
export {
  listClients,
  listEservices,
  listPurposes,
  PdndApiError,
  type PdndApiOptions,
  type PdndClientKey,
  type PdndConsumerClient,
  type PdndDescriptor,
  type PdndEserviceInfo,
  type PdndPurpose,
  type PdndPurposeVersion,
  type PurposeState,
} from './management.ts';
export {
  buildClientAssertion,
  createVoucherSource,
  generateClientKeyPair,
  registerClientKey,
  requestVoucher,
  VoucherRequestError,
  type ClientAssertionInput,
  type ClientKeyPair,
  type RegisterKeyInput,
  type Voucher,
  type VoucherSource,
  type VoucherSourceOptions,
} from './consumer.ts';
export {
  callDay,
  createVoucherValidator,
  memoryCallCounter,
  postgresCallCounter,
  requireVoucher,
  voucherCallCounterMigrations,
  VoucherError,
  type CallCount,
  type RequireVoucherOptions,
  type VerifiedCaller,
  type VoucherCallCounter,
  type VoucherFailure,
  type VoucherValidator,
  type VoucherValidatorOptions,
} from './voucher.ts';
