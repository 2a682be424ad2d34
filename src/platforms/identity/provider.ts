// One OpenID Provider (oidc-provider) configured to the SPID/CIE OpenID Connect rules: code flow
// with PKCE S256 only, private_key_jwt only, SpidL1-3 acr values, pairwise subjects, claims by
// scope (CIE) or claims parameter (SPID), signed userinfo on request, revocation, RP-initiated logout.
import { createHmac } from 'node:crypto';
import Provider, { interactionPolicy, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { JWK } from 'jose';
import type { Executor } from '../../core/db.ts';
import { isLocale, negotiateLocale, type Locale } from '../../core/i18n.ts';
import { unsafeRaw } from '../../core/html.ts';
import { KyselyAdapter } from './adapter.ts';
import { providerClaimsConfig, userClaimValues } from './claims.ts';
import type { RelyingPartyRegistry } from './clients.ts';
import { ACR_VALUES, acrRank, DEFAULT_ACR, requestedAcr, type OpKind } from './levels.ts';
import { errorPage, loggedOutPage, logoutPage, t, type PageContext } from './pages.ts';
import { findUserById } from './users.ts';
import { originsOf, withFormActionOrigins } from '../../core/csp.ts';

export interface OpProfile {
  kind: OpKind;
  /** Display name of the identity provider. */
  name: string;
  /** Mount path of the provider; the issuer is the app URL + this path. */
  path: string;
}

export const OP_PROFILES: Record<OpKind, OpProfile> = {
  spid: { kind: 'spid', name: 'Sportello ID', path: '/oidc/spid' },
  cie: { kind: 'cie', name: 'CIE id', path: '/oidc/cie' },
};

export interface OpenIdProviderOptions {
  profile: OpProfile;
  issuer: string;
  /** Private signing JWKs (RS256), first one signs. */
  keys: JWK[];
  db: Executor;
  registry: RelyingPartyRegistry;
  /** Secret for cookie keys and pairwise subjects. */
  secret: string;
}

const derive = (secret: string, purpose: string) => createHmac('sha256', secret).update(purpose).digest('base64url');

/** The language of a request the provider itself renders (logout, errors): ?lang=, cookie, header. */
function localeOf(ctx: KoaContextWithOIDC): Locale {
  const query = ctx.query.lang;
  if (isLocale(query)) return query;
  const cookie = ctx.cookies.get('lang');
  if (isLocale(cookie)) return cookie;
  return negotiateLocale(ctx.get('accept-language') || undefined);
}

const pageContext = (ctx: KoaContextWithOIDC, kind: OpKind): PageContext => ({ locale: localeOf(ctx), brand: kind, path: ctx.path });

// SPID/CIE OIDC, cryptographic_algos.rst: RS256/RS512 MUST (our keys are RSA), PS/ES RECOMMENDED, never none/HS*.
const SIGNING_ALGS = ['RS256', 'RS512', 'PS256', 'PS512'] as const;
const CLIENT_SIGNING_ALGS = ['RS256', 'RS512', 'PS256', 'PS512', 'ES256', 'ES512'] as const;
const ENCRYPTION_ALGS = ['RSA-OAEP', 'RSA-OAEP-256', 'ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A256KW'] as const;
const ENCRYPTION_ENCS = ['A128CBC-HS256', 'A256CBC-HS512'] as const;

function loginPolicy() {
  const { base, Check } = interactionPolicy;
  const policy = base();
  // An SSO session below the requested level does not do: authenticate again (authorization_endpoint.rst).
  policy.get('login')!.checks.push(
    new Check('acr_below_requested', 'the session level of assurance is below the requested one', (ctx) =>
      acrRank(ctx.oidc.acr) < acrRank(requestedAcr(ctx.oidc.params?.acr_values)) ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT,
    ),
  );
  return policy;
}

export function createOpenIdProvider(options: OpenIdProviderOptions): Provider {
  const { profile, db, secret } = options;
  const kind = profile.kind;
  const configuration: Configuration = {
    adapter: (name: string) => (name === 'Client' ? options.registry.asAdapter() : new KyselyAdapter(db, name)),
    jwks: { keys: options.keys } as Configuration['jwks'],
    // token_endpoint.rst: relying parties authenticate with private_key_jwt only.
    clientAuthMethods: ['private_key_jwt'],
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      id_token_signed_response_alg: 'RS256',
      token_endpoint_auth_method: 'private_key_jwt',
      subject_type: 'pairwise',
      // No acr_values: SpidL2, as if asked (so it drives the login page and lands in the ID token).
      default_acr_values: [DEFAULT_ACR],
    },
    // metadata_oidc_op.rst: response_types_supported [code]; PKCE S256 on every request.
    responseTypes: ['code'],
    pkce: { required: () => true },
    acrValues: ACR_VALUES,
    claims: providerClaimsConfig(),
    scopes: ['openid', 'offline_access', 'profile', 'email'],
    subjectTypes: ['pairwise'],
    pairwiseIdentifier: async (_ctx, accountId, client) => derive(secret, `pairwise|${kind}|${client.sectorIdentifier}|${accountId}`),
    // SPID: user attributes only at userinfo; CIE: scope-requested attributes also in the ID token (authorization_endpoint.rst).
    conformIdTokenClaims: kind === 'spid',
    cookies: {
      keys: [derive(secret, `identity-cookies|${kind}`)],
      names: { session: `_${kind}_session`, interaction: `_${kind}_interaction`, resume: `_${kind}_interaction_resume` },
    },
    features: {
      devInteractions: { enabled: false },
      claimsParameter: { enabled: true },
      userinfo: { enabled: true },
      jwtUserinfo: { enabled: true },
      // SPID OPs must not publish request_object_encryption_* (metadata_oidc_op.rst); CIE encrypts ID token and userinfo on request.
      encryption: { enabled: kind === 'cie' },
      requestObjects: { enabled: true, requireSignedRequestObject: false },
      introspection: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
      dPoP: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          // The confirmation posts here, then redirects to the RP: allow that origin as a form target.
          ctx.set('content-security-policy', withFormActionOrigins(String(ctx.response.get('content-security-policy')), originsOf(ctx.oidc.params?.post_logout_redirect_uri)));
          ctx.type = 'html';
          ctx.body = logoutPage(pageContext(ctx, kind), profile.name, unsafeRaw(form));
        },
        async postLogoutSuccessSource(ctx) {
          ctx.type = 'html';
          ctx.body = loggedOutPage(pageContext(ctx, kind), profile.name);
        },
      },
    },
    enabledJWA: {
      idTokenSigningAlgValues: SIGNING_ALGS,
      userinfoSigningAlgValues: SIGNING_ALGS,
      introspectionSigningAlgValues: SIGNING_ALGS,
      requestObjectSigningAlgValues: CLIENT_SIGNING_ALGS,
      clientAuthSigningAlgValues: CLIENT_SIGNING_ALGS,
      // cryptographic_algos.rst: RSA-OAEP(-256) MUST, ECDH-ES RECOMMENDED for CIE; A128CBC-HS256, A256CBC-HS512.
      idTokenEncryptionAlgValues: ENCRYPTION_ALGS,
      userinfoEncryptionAlgValues: ENCRYPTION_ALGS,
      idTokenEncryptionEncValues: ENCRYPTION_ENCS,
      userinfoEncryptionEncValues: ENCRYPTION_ENCS,
      // The OP has no encryption key of its own: request objects are signed only.
      requestObjectEncryptionAlgValues: [],
      requestObjectEncryptionEncValues: [],
    },
    discovery: {
      // metadata_oidc_op.rst keys oidc-provider does not publish by itself.
      client_registration_types_supported: ['automatic'],
      ui_locales_supported: ['it', 'en', 'de'],
      op_name: profile.name,
    },
    interactions: {
      url: (_ctx, interaction) => `/interaction/${kind}/${interaction.uid}`,
      policy: loginPolicy(),
    },
    async findAccount(_ctx, id) {
      const user = await findUserById(db, id);
      if (!user) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...userClaimValues(user) }) };
    },
    ttl: {
      // token_endpoint.rst example expires_in 1800; refresh tokens at most 30 days.
      AccessToken: 1800,
      IdToken: 1800,
      AuthorizationCode: 60,
      Interaction: 1800,
      Session: 3600,
      Grant: 3600,
      RefreshToken: 30 * 24 * 3600,
    },
    // token_endpoint.rst: every refresh rotates the refresh token.
    rotateRefreshToken: true,
    // revocation_endpoint.rst: SPID revokes the whole grant even for an access token; CIE keeps the refresh tokens.
    ...(kind === 'spid' ? { revokeGrantPolicy: () => true } : {}),
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = errorPage(pageContext(ctx, kind), {
        title: t(localeOf(ctx))('errorOidc'),
        detail: out.error_description,
        code: out.error,
      });
    },
  };
  const provider = new Provider(options.issuer, configuration);
  provider.proxy = true;
  return provider;
}
