// Where PDND's endpoints are, derived from its base URL (PDND_URL), and the constants every party
// agrees on. Real PDND (reference §5.2): token endpoint https://auth.interop.pagopa.it/token.oauth2,
// client-assertion audience "auth.interop.pagopa.it/client-assertion", voucher iss "interop.pagopa.it".
// Here one app plays both roles, so all of them hang off its single URL.

export interface PdndEndpoints {
  /** The voucher's `iss`. */
  issuer: string;
  /** POST: client_credentials with a private_key_jwt client assertion. */
  tokenUrl: string;
  /** The `aud` a client assertion must carry. */
  assertionAudience: string;
  /** PDND's public keys, for voucher verification. */
  jwksUrl: string;
  /** POST { token }: whether a voucher's purpose chain is still active, with its daily-calls estimate. */
  voucherStatusUrl: string;
  /** The management REST API (tenants, eservices, agreements, purposes, clients, keys). */
  apiUrl: string;
}

export function pdndEndpoints(pdndUrl: string): PdndEndpoints {
  const base = pdndUrl.replace(/\/+$/, '');
  return {
    issuer: base,
    tokenUrl: `${base}/token.oauth2`,
    assertionAudience: `${base}/client-assertion`,
    jwksUrl: `${base}/.well-known/jwks.json`,
    voucherStatusUrl: `${base}/voucher-status`,
    apiUrl: `${base}/api/v1`,
  };
}

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
export const VOUCHER_TYP = 'at+jwt';
export const VOUCHER_ALG = 'RS256';

/** What PDND says about a voucher's purpose chain (POST /voucher-status). */
export interface VoucherStatus {
  /** True when descriptor, agreement, purpose version, client and key are all still usable. */
  active: boolean;
  /** Why not, when inactive: e.g. "purpose_suspended", "agreement_suspended". */
  reason?: string;
  purposeId: string;
  purposeState: string;
  /** The Active version's estimate of calls per day (0 when none is Active). */
  dailyCalls: number;
  agreementState: string;
  descriptorState: string;
  eserviceId: string;
  descriptorId: string;
  clientId: string;
  consumer: { id: string; name: string; ipaCode: string };
  producer: { id: string; name: string; ipaCode: string };
}
