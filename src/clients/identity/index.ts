// A relying party of the SPID / CIE OpenID Connect providers, through openid-client over real HTTP.
// The RP publishes its metadata as a self-signed Entity Configuration (SPID/CIE OIDC Federation,
// entity_configuration.rst) and authenticates at the token endpoint with private_key_jwt.
import * as oidc from 'openid-client';
import { SignJWT, calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';

import { ACR, acrRank, meetsRequestedLevel, type Acr } from '../../domain/assurance-level.ts';

export { ACR, acrRank, type Acr };

export const FISCAL_NUMBER_CLAIM = 'https://attributes.eid.gov.it/fiscal_number';

/** "TINIT-RSSMRA85T10A562S" → "RSSMRA85T10A562S" (ETSI EN 319 412-1 natural person identifier). */
export function fiscalCodeFromClaim(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^TINIT-([A-Z0-9]{16})$/i.exec(value);
  return match?.[1]?.toUpperCase();
}

export interface KeyPairJwk {
  privateJwk: JWK;
  publicJwk: JWK;
}

export async function generateSigningKey(use: 'sig' = 'sig'): Promise<KeyPairJwk> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk); // kid is the RFC 7638 thumbprint (SPID/CIE OIDC, cryptographic_algos)
  return {
    publicJwk: { ...publicJwk, kid, alg: 'RS256', use },
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use },
  };
}

export interface RelyingPartyKeys {
  /** Signs the Entity Configuration. */
  federation: KeyPairJwk;
  /** Signs client assertions (private_key_jwt). */
  core: KeyPairJwk;
}

export interface RelyingPartyMetadata {
  entityId: string;
  clientName: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
  contacts?: string[];
  homepageUri?: string;
  policyUri?: string;
}

export function relyingPartyMetadata(meta: RelyingPartyMetadata, keys: RelyingPartyKeys) {
  return {
    client_id: meta.entityId,
    client_name: meta.clientName,
    application_type: 'web',
    client_registration_types: ['automatic'],
    redirect_uris: [meta.redirectUri],
    post_logout_redirect_uris: [meta.postLogoutRedirectUri],
    response_types: ['code'],
    grant_types: ['authorization_code', 'refresh_token'],
    jwks: { keys: [keys.core.publicJwk] },
    token_endpoint_auth_method: 'private_key_jwt',
    id_token_signed_response_alg: 'RS256',
    userinfo_signed_response_alg: 'RS256',
    subject_type: 'pairwise',
    contacts: meta.contacts ?? [],
  };
}

/** The RP's Entity Configuration: a JWS of type entity-statement+jwt, signed with its federation key. */
export async function signEntityConfiguration(meta: RelyingPartyMetadata, keys: RelyingPartyKeys, lifetimeSeconds = 86400): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const key = await importJWK(keys.federation.privateJwk, 'RS256');
  return new SignJWT({
    jwks: { keys: [keys.federation.publicJwk] },
    metadata: {
      openid_relying_party: relyingPartyMetadata(meta, keys),
      federation_entity: {
        organization_name: meta.clientName,
        homepage_uri: meta.homepageUri ?? meta.entityId,
        policy_uri: meta.policyUri ?? meta.entityId,
        contacts: meta.contacts ?? [],
      },
    },
    authority_hints: [],
  })
    .setProtectedHeader({ alg: 'RS256', kid: keys.federation.publicJwk.kid!, typ: 'entity-statement+jwt' })
    .setIssuer(meta.entityId)
    .setSubject(meta.entityId)
    .setIssuedAt(now)
    .setExpirationTime(now + lifetimeSeconds)
    .sign(key);
}

export interface LoginRequest {
  url: URL;
  state: string;
  nonce: string;
  codeVerifier: string;
}

export interface VerifiedLogin {
  idToken: string;
  accessToken: string;
  acr: string;
  sub: string;
  claims: Record<string, unknown>;
}

/** The user attributes a comune asks for (SPID: at userinfo, through the claims parameter). */
export const REQUESTED_CLAIMS = {
  userinfo: {
    [FISCAL_NUMBER_CLAIM]: { essential: true },
    given_name: { essential: true },
    family_name: { essential: true },
    email: null,
    phone_number: null,
    birthdate: null,
    place_of_birth: null,
  },
  id_token: { acr: { essential: true } },
};

/** One OpenID provider (SPID IdP or CIE id) as seen by one relying party. */
export class OpenIdProvider {
  private configuration?: Promise<oidc.Configuration>;

  constructor(
    readonly issuer: string,
    private readonly meta: RelyingPartyMetadata,
    private readonly keys: RelyingPartyKeys,
    /** Plain HTTP is allowed only for loopback/demo issuers. */
    private readonly allowHttp: boolean,
  ) {}

  private async config(): Promise<oidc.Configuration> {
    this.configuration ??= (async () => {
      const clientKey = await importJWK(this.keys.core.privateJwk, 'RS256');
      const config = await oidc.discovery(
        new URL(this.issuer),
        this.meta.entityId,
        relyingPartyMetadata(this.meta, this.keys),
        oidc.PrivateKeyJwt({ key: clientKey as CryptoKey, kid: this.keys.core.privateJwk.kid }),
        this.allowHttp ? { execute: [oidc.allowInsecureRequests] } : undefined,
      );
      return config;
    })().catch((err) => {
      this.configuration = undefined; // retry discovery next time
      throw err;
    });
    return this.configuration;
  }

  async startLogin(acr: Acr, locale: string): Promise<LoginRequest> {
    const config = await this.config();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.meta.redirectUri,
      scope: 'openid',
      response_type: 'code',
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      acr_values: acr,
      prompt: 'consent login',
      claims: JSON.stringify(REQUESTED_CLAIMS),
      ui_locales: locale,
    });
    return { url, state, nonce, codeVerifier };
  }

  /** Exchanges the code; checks state, nonce, PKCE, issuer, signature and the level reached. */
  async finishLogin(callbackUrl: URL, pending: Omit<LoginRequest, 'url'>, minimumAcr: Acr): Promise<VerifiedLogin> {
    const config = await this.config();
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: pending.codeVerifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    const idClaims = tokens.claims()!;
    const acr = String(idClaims.acr ?? '');
    if (!meetsRequestedLevel(acr, minimumAcr)) {
      throw new Error(`Authentication level ${acr || 'none'} is lower than the required ${minimumAcr}`);
    }
    const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
    return { idToken: tokens.id_token!, accessToken: tokens.access_token, acr, sub: idClaims.sub, claims: { ...userinfo } };
  }

  async logoutUrl(idToken: string, state: string): Promise<URL> {
    const config = await this.config();
    return oidc.buildEndSessionUrl(config, {
      id_token_hint: idToken,
      post_logout_redirect_uri: this.meta.postLogoutRedirectUri,
      state,
    });
  }

  async revoke(accessToken: string): Promise<void> {
    await oidc.tokenRevocation(await this.config(), accessToken);
  }
}
