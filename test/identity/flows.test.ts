// The SPID and CIE OPs driven end to end by a real relying party (openid-client) over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as client from 'openid-client';
import { calculateJwkThumbprint, createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { totpCode } from '../../src/core/auth/totp.ts';
import { listAudit } from '../../src/core/audit.ts';
import { sql } from '../../src/core/db.ts';
import identity from '../../src/platforms/identity/index.ts';
import { verifyEntityConfiguration } from '../../src/platforms/identity/federation.ts';
import { listRelyingParties } from '../../src/platforms/identity/onboarding.ts';
import { identityDemoUsers } from '../../src/platforms/identity/users.ts';
import { testDatabaseTargets } from '../support/database.ts';
import { startIdentityHarness, type IdentityHarness } from './harness.ts';
import { approve, authorizationRequest, demo, expectPage, expectRedirect, FISCAL_NUMBER, L1, L2, L3, passwordLogin, SPID_CLAIMS } from './flow.ts';
import { startTestRelyingParty } from './rp.ts';

let h: IdentityHarness;

// Every flow on every database target: PGlite always, PostgreSQL when reachable.
for (const target of await testDatabaseTargets()) {
  describe(`identity OPs [${target.name}]`, () => {
    beforeAll(async () => {
      h = await startIdentityHarness(await target.open());
    });
    afterAll(async () => {
      await h?.close();
      await target.cleanup();
    });
    flows();
  });
}

function flows() {
  describe('discovery and JWKS', () => {
    it.each(['spid', 'cie'] as const)('%s publishes its configuration and RSA keys', async (op) => {
      const response = await fetch(`${h.issuers[op]}/.well-known/openid-configuration`);
      expect(response.status).toBe(200);
      const meta = await response.json();
      expect(meta.issuer).toBe(h.issuers[op]);
      expect(meta.response_types_supported).toEqual(['code']);
      expect(meta.code_challenge_methods_supported).toEqual(['S256']);
      expect(meta.token_endpoint_auth_methods_supported).toEqual(['private_key_jwt']);
      expect(meta.acr_values_supported).toEqual([L1, L2, L3]);
      expect(meta.claims_parameter_supported).toBe(true);
      expect(meta.claims_supported).toContain(FISCAL_NUMBER);
      expect(meta.subject_types_supported).toEqual(['pairwise']);
      expect(meta.client_registration_types_supported).toEqual(['automatic']);
      if (op === 'spid') expect(meta).not.toHaveProperty('request_object_encryption_alg_values_supported');

      const jwks = await (await fetch(meta.jwks_uri)).json();
      expect(jwks.keys.length).toBeGreaterThan(0);
      for (const key of jwks.keys) {
        expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
        expect(key).not.toHaveProperty('d');
        expect(Buffer.from(key.n, 'base64url').length * 8).toBeGreaterThanOrEqual(2048);
        expect(key.kid).toBe(await calculateJwkThumbprint(key));
      }
    });

    it.each(['spid', 'cie'] as const)('%s publishes its own Entity Configuration, signed with a federation key', async (op) => {
      const response = await fetch(`${h.issuers[op]}/.well-known/openid-federation`);
      expect(response.headers.get('content-type')).toBe('application/entity-statement+jwt');
      const ec = await verifyEntityConfiguration(await response.text(), h.issuers[op]);
      const provider = ec.metadata.openid_provider!;
      expect(provider.issuer).toBe(h.issuers[op]);
      expect(provider.token_endpoint).toBe(`${h.issuers[op]}/token`);
      expect(provider).not.toHaveProperty('jwks_uri');
      const oidcKeys = (await (await fetch(`${h.issuers[op]}/jwks`)).json()).keys;
      expect(provider.jwks).toEqual({ keys: oidcKeys });
      expect(ec.jwks.keys.map((k) => k.kid)).not.toContain(oidcKeys[0].kid);
    });

    it('gives each OP its own keys', async () => {
      const kids = async (op: 'spid' | 'cie') => (await (await fetch(`${h.issuers[op]}/jwks`)).json()).keys.map((k: { kid: string }) => k.kid);
      expect(await kids('spid')).not.toEqual(await kids('cie'));
    });
  });

  describe('SPID login', () => {
    it('completes an L2 login: password, TOTP, consent, code, tokens, verified ID token, userinfo', async () => {
      const browser = h.browser();
      const request = await authorizationRequest(h, 'spid', { acr: L2, claims: SPID_CLAIMS });
      const login = expectPage(await browser.navigate(request.url));
      expect(login.status).toBe(200);
      expect(login.html).toContain('Entra con SPID');
      expect(login.html).toContain('Comune di Prova');
      expect(login.html).toContain('SPID livello 2');

      const otp = expectPage(await browser.submit(login, '/password', { username: demo().username, password: demo().password }));
      expect(otp.html).toContain('name="code"');
      const consent = expectPage(await browser.submit(otp, '/otp', { code: totpCode(demo().totpSecret), action: 'verify' }));
      expect(consent.html).toContain('Codice fiscale');
      expect(consent.html).toContain(demo().fiscalCode);

      const callback = expectRedirect(await approve(browser, consent));
      expect(callback.origin + callback.pathname).toBe(h.rp.redirectUri);
      expect(callback.searchParams.get('state')).toBe(request.state);
      expect(callback.searchParams.get('iss')).toBe(h.issuers.spid);

      const tokens = await client.authorizationCodeGrant(request.config, callback, {
        pkceCodeVerifier: request.verifier,
        expectedState: request.state,
        expectedNonce: request.nonce,
        idTokenExpected: true,
      });
      const { payload } = await jwtVerify(tokens.id_token!, createRemoteJWKSet(new URL(`${h.issuers.spid}/jwks`)), {
        issuer: h.issuers.spid,
        audience: h.rp.entityId,
      });
      expect(payload.nonce).toBe(request.nonce);
      expect(payload.acr).toBe(L2);
      // SPID: user attributes only at userinfo, never in the ID token.
      expect(payload).not.toHaveProperty(FISCAL_NUMBER);

      const userinfo = await client.fetchUserInfo(request.config, tokens.access_token, payload.sub!);
      expect(userinfo[FISCAL_NUMBER]).toBe(`TINIT-${demo().fiscalCode}`);
      expect(userinfo).toMatchObject({ given_name: demo().givenName, family_name: demo().familyName, gender: 'male', place_of_birth: { region: 'PI', locality: 'G702' } });

      // The OP keeps a trace of the authentication and of the consent.
      const trace = (await listAudit(h.ctx.database.db, 'identity')).filter((e) => e.targetId === h.rp.entityId).map((e) => e.action);
      expect(trace).toEqual(expect.arrayContaining(['authentication.success', 'consent.grant']));
    });

    it('signs userinfo (application/jwt) for an RP that asks for it', async () => {
      const browser = h.browser();
      const request = await authorizationRequest(h, 'spid', { acr: L1, claims: SPID_CLAIMS });
      const callback = expectRedirect(await approve(browser, await passwordLogin(browser, await browser.navigate(request.url))));
      const tokens = await client.authorizationCodeGrant(request.config, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce });
      expect(decodeJwt(tokens.id_token!).acr).toBe(L1);
      const response = await fetch(`${h.issuers.spid}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      expect(response.headers.get('content-type')).toMatch(/^application\/jwt/);
      const { payload } = await jwtVerify(await response.text(), createRemoteJWKSet(new URL(`${h.issuers.spid}/jwks`)), { issuer: h.issuers.spid, audience: h.rp.entityId });
      expect(payload[FISCAL_NUMBER]).toBe(`TINIT-${demo().fiscalCode}`);
    });

    it('defaults to SpidL2 when acr_values is absent', async () => {
      const browser = h.browser();
      const request = await authorizationRequest(h, 'spid');
      const login = expectPage(await browser.navigate(request.url));
      expect(login.html).toContain('SPID livello 2');
      const callback = expectRedirect(await approve(browser, await passwordLogin(browser, login)));
      const tokens = await client.authorizationCodeGrant(request.config, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce });
      expect(decodeJwt(tokens.id_token!).acr).toBe(L2);
    });

    it('issues rotating refresh tokens for offline_access', async () => {
      const browser = h.browser();
      const request = await authorizationRequest(h, 'spid', { acr: L1, scope: 'openid offline_access' });
      const callback = expectRedirect(await approve(browser, await passwordLogin(browser, await browser.navigate(request.url))));
      const tokens = await client.authorizationCodeGrant(request.config, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce });
      expect(tokens.refresh_token).toBeTruthy();
      const refreshed = await client.refreshTokenGrant(request.config, tokens.refresh_token!);
      expect(refreshed.refresh_token).toBeTruthy();
      expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
      await expect(client.refreshTokenGrant(request.config, tokens.refresh_token!)).rejects.toThrow();
    });

    it('refuses a request without PKCE', async () => {
      const request = await authorizationRequest(h, 'spid', { acr: L2, pkce: false });
      const outcome = await h.browser().navigate(request.url);
      const url = expectRedirect(outcome);
      expect(url.searchParams.get('error')).toBe('invalid_request');
      expect(url.searchParams.get('error_description')).toMatch(/PKCE/);
    });

    it('answers an unregistered redirect_uri with an error page, never a redirect', async () => {
      const request = await authorizationRequest(h, 'spid', { redirectUri: `${h.rp.entityId}elsewhere` });
      const page = expectPage(await h.browser().navigate(request.url));
      expect(page.status).toBe(400);
      expect(page.html).toContain('redirect_uri');
    });

    it('ends with access_denied when only the password is given for an L2 request', async () => {
      const browser = h.browser();
      const request = await authorizationRequest(h, 'spid', { acr: L2 });
      const otp = await browser.submit(await browser.navigate(request.url), '/password', { username: demo().username, password: demo().password });
      const callback = expectRedirect(await browser.submit(otp, '/otp', { action: 'give-up' }));
      expect(callback.searchParams.get('error')).toBe('access_denied');
      expect(callback.searchParams.get('state')).toBe(request.state);
      await expect(
        client.authorizationCodeGrant(request.config, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state }),
      ).rejects.toThrow(/access_denied|authorization response/i);
    });

    it('lets openid-client reject a mismatching state or nonce', async () => {
      const browser = h.browser();
      const request = await authorizationRequest(h, 'spid', { acr: L1 });
      const callback = expectRedirect(await approve(browser, await passwordLogin(browser, await browser.navigate(request.url))));
      const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (err: Error & { cause?: Error }) => `${err.message} ${err.cause?.message ?? ''}`);
      expect(await failure(client.authorizationCodeGrant(request.config, callback, { pkceCodeVerifier: request.verifier, expectedState: client.randomState() }))).toMatch(/state/);
      expect(
        await failure(client.authorizationCodeGrant(request.config, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: client.randomNonce() })),
      ).toMatch(/nonce/);
    });

    it('ends with access_denied when consent is refused', async () => {
      const browser = h.browser();
      const request = await authorizationRequest(h, 'spid', { acr: L1, claims: SPID_CLAIMS });
      const consent = await passwordLogin(browser, await browser.navigate(request.url));
      const callback = expectRedirect(await browser.submit(consent, '/consent', { decision: 'deny' }));
      expect(callback.searchParams.get('error')).toBe('access_denied');
    });

    it('ends with access_denied when the person cancels', async () => {
      const browser = h.browser();
      const request = await authorizationRequest(h, 'spid', { acr: L1 });
      const callback = expectRedirect(await browser.submit(await browser.navigate(request.url), '/abort', {}));
      expect(callback.searchParams.get('error')).toBe('access_denied');
    });

    it('refuses a form without the CSRF token', async () => {
      const browser = h.browser();
      const request = await authorizationRequest(h, 'spid', { acr: L1 });
      const login = await browser.navigate(request.url);
      const page = expectPage(await browser.submit(login, '/password', { username: demo().username, password: demo().password }, { omitCsrf: true }));
      expect(page.status).toBe(403);
    });

    it('shows wrong credentials next to the field, in the language asked by the RP or chosen by the person', async () => {
      const browser = h.browser();
      const request = await authorizationRequest(h, 'spid', { acr: L1, extra: { ui_locales: 'en-GB it' } });
      const english = expectPage(await browser.navigate(request.url));
      expect(english.html).toContain('<html lang="en">');
      expect(english.html).toContain('Log in with SPID');
      const german = expectPage(await browser.navigate(`${english.url.origin}${english.url.pathname}?lang=de`));
      expect(german.html).toContain('Mit SPID anmelden');
      // The choice is kept (lang cookie) for the form post.
      const page = expectPage(await browser.submit(german, '/password', { username: identityUser(3).username, password: 'wrong' }));
      expect(page.status).toBe(401);
      expect(page.html).toContain('Benutzername oder Passwort falsch.');
      expect(page.html).toMatch(/id="password"[^>]*aria-invalid="true"[^>]*aria-describedby="password-error"/);
      expect(page.html).toContain('href="#password"');
    });

    it('throttles an account after 5 wrong passwords, with the wait time', async () => {
      const browser = h.browser();
      const user = identityUser(1);
      const request = await authorizationRequest(h, 'spid', { acr: L1 });
      let page = expectPage(await browser.navigate(request.url));
      for (let attempt = 1; attempt <= 5; attempt++) {
        page = expectPage(await browser.submit(page, '/password', { username: user.username, password: `wrong-${attempt}` }));
        expect(page.status).toBe(attempt < 5 ? 401 : 429);
      }
      expect(page.html).toMatch(/riprova tra \d+ secondi/);
      // Even the right password waits now.
      page = expectPage(await browser.submit(page, '/password', { username: user.username, password: user.password }));
      expect(page.status).toBe(429);
    });

    it('refuses a relying party that is not onboarded, without fetching its metadata', async () => {
      const stranger = await startTestRelyingParty({ name: 'Ente sconosciuto' });
      try {
        const config = await stranger.configFor(h.issuers.spid);
        const url = client.buildAuthorizationUrl(config, {
          redirect_uri: stranger.redirectUri,
          scope: 'openid',
          code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
          code_challenge_method: 'S256',
        });
        const page = expectPage(await h.browser().navigate(url));
        expect(page.status).toBe(400);
        expect(page.html).toContain('invalid_client');
        expect(stranger.ecRequests).toBe(0);
      } finally {
        await stranger.close();
      }
    });

    it('logs out with post_logout_redirect_uri, after which a new request needs a login', async () => {
      const browser = h.browser();
      const request = await authorizationRequest(h, 'spid', { acr: L1 });
      const callback = expectRedirect(await approve(browser, await passwordLogin(browser, await browser.navigate(request.url))));
      const tokens = await client.authorizationCodeGrant(request.config, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce });

      // Single sign-on: the next request skips the login and goes straight to consent.
      const again = await authorizationRequest(h, 'spid', { acr: L1 });
      expect(expectPage(await browser.navigate(again.url)).html).toContain('name="decision"');

      const endSession = client.buildEndSessionUrl(request.config, {
        id_token_hint: tokens.id_token!,
        post_logout_redirect_uri: h.rp.postLogoutRedirectUri,
        state: 'bye',
      });
      const confirm = expectPage(await browser.navigate(endSession));
      expect(confirm.html).toContain('Vuoi uscire?');
      const back = expectRedirect(await browser.submit(confirm, '/session/end/confirm', { logout: 'yes' }));
      expect(back.origin + back.pathname).toBe(h.rp.postLogoutRedirectUri);
      expect(back.searchParams.get('state')).toBe('bye');

      const after = await authorizationRequest(h, 'spid', { acr: L1 });
      expect(expectPage(await browser.navigate(after.url)).html).toContain('name="password"');
    });

    it('revokes tokens', async () => {
      const browser = h.browser();
      const request = await authorizationRequest(h, 'spid', { acr: L1, claims: SPID_CLAIMS });
      const callback = expectRedirect(await approve(browser, await passwordLogin(browser, await browser.navigate(request.url))));
      const tokens = await client.authorizationCodeGrant(request.config, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce });
      await client.tokenRevocation(request.config, tokens.access_token);
      await expect(client.fetchUserInfo(request.config, tokens.access_token, client.skipSubjectCheck)).rejects.toThrow();
    });

    it('asks again for a login when the SSO session is below the requested level', async () => {
      const browser = h.browser();
      const first = await authorizationRequest(h, 'spid', { acr: L1 });
      expectRedirect(await approve(browser, await passwordLogin(browser, await browser.navigate(first.url))));
      const second = await authorizationRequest(h, 'spid', { acr: L2 });
      expect(expectPage(await browser.navigate(second.url)).html).toContain('name="password"');
    });
  });

  describe('CIE id login', () => {
    it('logs in at L3 with the card and PIN; scope-requested attributes also in the ID token', async () => {
      const browser = h.browser();
      const user = demo();
      const request = await authorizationRequest(h, 'cie', { acr: L3, scope: 'openid profile email', claims: { id_token: { amr: null } } });
      const login = expectPage(await browser.navigate(request.url));
      expect(login.html).toContain('Entra con CIE');
      expect(login.html).not.toContain('name="password"');
      const consent = expectPage(await browser.submit(login, '/card', { cardNumber: user.cardNumber, pin: user.pin }));
      expect(consent.html).toContain(user.fiscalCode);
      const callback = expectRedirect(await approve(browser, consent));
      const tokens = await client.authorizationCodeGrant(request.config, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce });
      const { payload } = await jwtVerify(tokens.id_token!, createRemoteJWKSet(new URL(`${h.issuers.cie}/jwks`)), { issuer: h.issuers.cie, audience: h.rp.entityId });
      expect(payload.acr).toBe(L3);
      expect(payload.amr).toEqual(['hwk', 'pin']);
      expect(payload[FISCAL_NUMBER]).toBe(`TINIT-${user.fiscalCode}`);
      const userinfo = await client.fetchUserInfo(request.config, tokens.access_token, payload.sub!);
      expect(userinfo).toMatchObject({ [FISCAL_NUMBER]: `TINIT-${user.fiscalCode}`, email: expect.stringContaining('@') });
    });

    it('may authenticate above the requested level (card for an L1 request)', async () => {
      const browser = h.browser();
      const user = identityUser(2);
      const request = await authorizationRequest(h, 'cie', { acr: L1 });
      const login = expectPage(await browser.navigate(request.url));
      expect(login.html).toContain('name="password"');
      const callback = expectRedirect(await approve(browser, await browser.submit(login, '/card', { cardNumber: user.cardNumber, pin: user.pin })));
      const tokens = await client.authorizationCodeGrant(request.config, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce });
      expect(decodeJwt(tokens.id_token!).acr).toBe(L3);
    });

    it('gives different pairwise subjects to the same person on SPID and CIE', async () => {
      const subjectAt = async (op: 'spid' | 'cie') => {
        const browser = h.browser();
        const request = await authorizationRequest(h, op, { acr: L1 });
        const callback = expectRedirect(await approve(browser, await passwordLogin(browser, await browser.navigate(request.url), identityUser(4))));
        const tokens = await client.authorizationCodeGrant(request.config, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce });
        return decodeJwt(tokens.id_token!).sub;
      };
      const spid = await subjectAt('spid');
      expect(spid).toBe(await subjectAt('spid'));
      expect(spid).not.toBe(await subjectAt('cie'));
    });
  });

  describe('the app', () => {
    it('documents its API: health route and the OIDC endpoints of both OPs', async () => {
      const doc = await (await fetch(`${h.url}/openapi.json`)).json();
      expect(doc.paths).toHaveProperty('/health');
      expect(Object.keys(doc.paths).some((p: string) => p.startsWith('/interaction') || p.startsWith('/oidc'))).toBe(false);
      for (const issuer of Object.values(h.issuers)) expect(doc.info.description).toContain(`${issuer}/.well-known/openid-configuration`);
      expect((await fetch(`${h.url}/docs`)).status).toBeLessThan(400);
      expect(await (await fetch(`${h.url}/health`)).json()).toMatchObject({ status: 'ok', checks: { database: 'ok' } });
    });

    it('keeps the security headers on the provider routes, and lets login forms end at the RP', async () => {
      const discovery = await fetch(`${h.issuers.spid}/.well-known/openid-configuration`);
      expect(discovery.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(discovery.headers.get('x-request-id')).toBeTruthy();
      const request = await authorizationRequest(h, 'spid', { acr: L1 });
      const login = expectPage(await h.browser().navigate(request.url));
      expect(login.headers.get('content-security-policy')).toMatch(new RegExp(`form-action 'self' ${new URL(h.rp.entityId).origin}`));
      expect(login.html).not.toMatch(/<script>|style="/);
      const script = await fetch(`${h.url}/assets/identity/identity.js`);
      expect(script.status).toBe(200);
    });

    it('accepts a signed request object (JAR)', async () => {
      const config = await h.rp.configFor(h.issuers.spid);
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const url = await client.buildAuthorizationUrlWithJAR(
        config,
        {
          redirect_uri: h.rp.redirectUri,
          scope: 'openid',
          state,
          nonce,
          acr_values: L1,
          prompt: 'consent',
          code_challenge: await client.calculatePKCECodeChallenge(verifier),
          code_challenge_method: 'S256',
        },
        h.rp.oidcKey,
      );
      expect(url.searchParams.has('request')).toBe(true);
      const browser = h.browser();
      const callback = expectRedirect(await approve(browser, await passwordLogin(browser, await browser.navigate(url))));
      const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
      expect(decodeJwt(tokens.id_token!).acr).toBe(L1);
    });

    it('seeds idempotently: demo users and the Comune as onboarded relying party', async () => {
      await identity.seedDemo!(h.ctx);
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from identity.users`.execute(h.ctx.database.db);
      expect(rows[0]!.n).toBe(identityDemoUsers().length);
      const rps = await listRelyingParties(h.ctx.database.db);
      expect(rps.map((rp) => rp.entityId)).toContain(`${h.ctx.config.urls.comune}/`);
      expect(identity.demoAccounts!(h.ctx)).toHaveLength(identityDemoUsers().length);
    });
  });

}

function identityUser(i: number) {
  return identityDemoUsers()[i]!;
}
