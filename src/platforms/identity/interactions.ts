// The interaction pages of both OPs: login (password [+ TOTP] or card + PIN), consent, cancel.
// Each step ends by handing a result to oidc-provider, which resumes the authorization request.
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import { audit } from '../../core/audit.ts';
import type { Db } from '../../core/db.ts';
import type { App } from '../../core/http.ts';
import { isLocale, type Locale } from '../../core/i18n.ts';
import { HttpProblem, problemType } from '../../core/problem.ts';
import { assertCsrf, csrfToken } from '../../core/auth/csrf.ts';
import { hashPassword, verifyPassword } from '../../core/auth/passwords.ts';
import { LoginThrottle } from '../../core/auth/throttle.ts';
import { verifyTotp } from '../../core/auth/totp.ts';
import { KyselyAdapter } from './adapter.ts';
import { requestedUserClaims, userClaimValues } from './claims.ts';
import { originsOf, withFormActionOrigins } from '../../core/csp.ts';
import { ACR, loginMethods, meetsRequestedLevel, needsSecondFactor, requestedAcr, type Acr, type OpKind } from './levels.ts';
import { consentPage, displayClaim, loginPage, otpPage, t, type FieldError, type InteractionView } from './pages.ts';
import type { OpProfile } from './provider.ts';
import { CARD_NUMBER, CARD_PIN, findUserByCard, findUserById, findUserByUsername, normalizeCardNumber, normalizeUsername } from './users.ts';
import { SCHEMA } from './schema.ts';

export interface OpRuntime {
  profile: OpProfile;
  provider: Provider;
}

export interface InteractionDeps {
  ops: Record<OpKind, OpRuntime>;
  db: Db;
  secret: string;
  /** Login POSTs per minute per client address, beside the per-account throttle. */
  loginRateLimit: number;
}
const PENDING_TTL_SECONDS = 600;

const Params = Type.Object({
  op: Type.Union([Type.Literal('spid'), Type.Literal('cie')]),
  uid: Type.String({ pattern: '^[A-Za-z0-9_-]{10,64}$' }),
});
const text = (maxLength: number) => Type.Optional(Type.String({ maxLength }));
const Form = Type.Object({
  _csrf: text(200),
  username: text(200),
  password: text(200),
  code: text(20),
  action: text(20),
  cardNumber: text(20),
  pin: text(20),
  decision: text(20),
});
type Route = { Params: Static<typeof Params>; Body: Static<typeof Form> };
type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

interface Loaded {
  rt: OpRuntime;
  interaction: Interaction;
  view: InteractionView;
}

const interactionExpired = (locale: Locale) =>
  new HttpProblem(400, { type: problemType('interaction-expired'), detail: t(locale)('errInteractionExpired') });

/** The person's own choice (?lang=, lang cookie) first, then the RP's ui_locales, then Accept-Language. */
export function pageLocale(request: FastifyRequest, uiLocales: unknown): Locale {
  const chosen = (request.query as Record<string, unknown> | undefined)?.lang ?? request.cookies?.lang;
  if (isLocale(chosen)) return chosen;
  if (typeof uiLocales === 'string') {
    const requested = uiLocales.split(' ').map((tag) => tag.toLowerCase().split('-')[0]).find(isLocale);
    if (requested) return requested;
  }
  return request.locale;
}

export function registerInteractionRoutes(app: App, deps: InteractionDeps): void {
  const { db, secret } = deps;
  const throttle = new LoginThrottle(db, SCHEMA);
  // The first factor of an L2 login, kept server-side until the second one arrives.
  const pending = new KyselyAdapter(db, 'PendingLogin');
  const csrfBinding = (uid: string) => `identity-interaction:${uid}`;
  let dummyHash: Promise<string> | undefined;

  /** Verifies a password or PIN; without a stored hash it still spends the same time. */
  async function checkSecret(given: string, stored: string | null | undefined): Promise<boolean> {
    if (stored) return verifyPassword(given, stored);
    dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
    await verifyPassword(given, await dummyHash);
    return false;
  }

  async function load(request: FastifyRequest<Route>, reply: FastifyReply): Promise<Loaded> {
    const { op, uid } = request.params;
    const rt = deps.ops[op];
    const expired = () => interactionExpired(request.locale);
    let interaction: Interaction;
    try {
      interaction = await rt.provider.interactionDetails(request.raw, reply.raw);
    } catch {
      throw expired();
    }
    if (interaction.uid !== uid) throw expired();
    request.locale = pageLocale(request, interaction.params.ui_locales);
    const clientId = String(interaction.params.client_id);
    const client = await rt.provider.Client.find(clientId);
    // The forms end in a redirect to the RP: allow its origin as a form target (see csp.ts).
    reply.header('content-security-policy', withFormActionOrigins(String(reply.getHeader('content-security-policy') ?? ''), originsOf(interaction.params.redirect_uri)));
    const path = `/interaction/${op}/${uid}`;
    return {
      rt,
      interaction,
      view: {
        locale: request.locale,
        brand: op,
        path,
        action: path,
        csrf: csrfToken(secret, csrfBinding(uid)),
        rpName: client?.clientName ?? clientId,
        requested: requestedAcr(interaction.params.acr_values),
      },
    };
  }

  /** Loads the interaction, checks the CSRF token and that it is still at the expected prompt. */
  async function loadForPost(request: FastifyRequest<Route>, reply: FastifyReply, prompt: 'login' | 'consent'): Promise<Loaded | undefined> {
    const loaded = await load(request, reply);
    assertCsrf(secret, csrfBinding(request.params.uid), request.body?._csrf);
    if (loaded.interaction.prompt.name !== prompt) {
      await reply.redirect(loaded.view.action, 303);
      return undefined;
    }
    return loaded;
  }

  const sendHtml = (reply: FastifyReply, status: number, body: string) => reply.status(status).type('text/html; charset=utf-8').send(body);

  async function finish(loaded: Loaded, request: FastifyRequest, reply: FastifyReply, result: InteractionResults) {
    const returnTo = await loaded.rt.provider.interactionResult(request.raw, reply.raw, result);
    return reply.redirect(returnTo, 303);
  }

  const deny = (loaded: Loaded, request: FastifyRequest, reply: FastifyReply, description: string) =>
    finish(loaded, request, reply, { error: 'access_denied', error_description: description });

  async function completeLogin(loaded: Loaded, request: FastifyRequest, reply: FastifyReply, login: { accountId: string; acr: Acr; amr: string[] }) {
    const requested = loaded.view.requested;
    // authorization_endpoint.rst: access_denied when the credentials are not adequate for the requested level.
    if (!meetsRequestedLevel(login.acr, requested)) {
      return deny(loaded, request, reply, `authentication level ${login.acr} is below the requested ${requested}`);
    }
    // SPID keeps a trace of every authentication: who, at which level, for which RP.
    await audit(db, SCHEMA, {
      actorType: 'citizen',
      actorId: login.accountId,
      action: 'authentication.success',
      targetType: 'relying_party',
      targetId: String(loaded.interaction.params.client_id),
      details: { op: loaded.view.brand, acr: login.acr, amr: login.amr },
      requestId: request.id,
    });
    return finish(loaded, request, reply, { login: { ...login, remember: false } });
  }

  const renderLogin = (reply: FastifyReply, loaded: Loaded, status: number, errors: FieldError[], values: { username?: string; cardNumber?: string } = {}) =>
    sendHtml(reply, status, loginPage({ ...loaded.view, methods: loginMethods(loaded.view.brand, loaded.view.requested), errors, ...values }));

  /**
   * One credential check under the account's throttle (core LoginThrottle: waits, never locks for
   * good): undefined when it passed, else the status and the error to show next to `field`.
   */
  async function throttledCheck(request: FastifyRequest, account: string, field: string, wrong: string, check: () => Promise<boolean>) {
    const waitError = (seconds: number) => ({ status: 429, error: { field, message: t(request.locale)('errThrottled', { seconds }) } });
    const lock = await throttle.check(account);
    if (lock.locked) return waitError(lock.retryAfterSeconds);
    if (await check()) return undefined;
    const state = await throttle.recordFailure(account);
    return state.locked ? waitError(state.retryAfterSeconds) : { status: 401, error: { field, message: wrong } };
  }

  const pageRoute = { schema: { hide: true, params: Params }, config: { html: true } };
  const postRoute = { schema: { hide: true, params: Params, body: Form }, config: { html: true, rateLimit: { max: deps.loginRateLimit, timeWindow: '1 minute' } } };

  app.get<Route>('/interaction/:op/:uid', pageRoute, async (request, reply) => {
    const loaded = await load(request, reply);
    const lang = (request.query as Record<string, unknown> | undefined)?.lang;
    if (isLocale(lang)) reply.setCookie('lang', lang, { path: '/', sameSite: 'lax', httpOnly: true, maxAge: 365 * 24 * 3600 });
    const { interaction, view } = loaded;
    if (interaction.prompt.name === 'login') {
      if (await pending.find(interaction.uid)) return sendHtml(reply, 200, otpPage({ ...view, errors: [] }));
      return renderLogin(reply, loaded, 200, []);
    }
    if (interaction.prompt.name === 'consent') {
      const accountId = interaction.session?.accountId;
      const user = accountId ? await findUserById(db, accountId) : undefined;
      if (!user) throw interactionExpired(request.locale);
      const values = userClaimValues(user);
      const attributes = requestedUserClaims(interaction.params.scope, interaction.params.claims).map((claim) => ({
        claim,
        value: displayClaim(request.locale, claim, values[claim]),
      }));
      return sendHtml(reply, 200, consentPage({ ...view, userName: `${user.givenName} ${user.familyName}`, achieved: interaction.session?.acr, attributes }));
    }
    throw new HttpProblem(400, { detail: `Unsupported interaction prompt ${interaction.prompt.name}` });
  });

  app.post<Route>('/interaction/:op/:uid/password', postRoute, async (request, reply) => {
    const loaded = await loadForPost(request, reply, 'login');
    if (!loaded) return reply;
    const tr = t(request.locale);
    if (!loginMethods(loaded.view.brand, loaded.view.requested).includes('password')) throw new HttpProblem(400, { detail: 'This login method is not offered for the requested level.' });
    const username = (request.body.username ?? '').trim();
    const password = request.body.password ?? '';
    const errors: FieldError[] = [];
    if (!username) errors.push({ field: 'username', message: tr('errUsernameRequired') });
    if (!password) errors.push({ field: 'password', message: tr('errPasswordRequired') });
    if (errors.length) return renderLogin(reply, loaded, 400, errors, { username });

    const user = await findUserByUsername(db, username);
    const account = user ? user.id : `unknown:${normalizeUsername(username)}`;
    const failed = await throttledCheck(request, account, 'password', tr('errWrongCredentials'), async () => (await checkSecret(password, user?.passwordHash)) && !!user);
    if (failed || !user) return renderLogin(reply, loaded, failed?.status ?? 401, failed ? [failed.error] : [], { username });
    if (needsSecondFactor(loaded.view.requested)) {
      // The throttle is only cleared once the last factor succeeds.
      await pending.upsert(loaded.interaction.uid, { accountId: user.id, acr: ACR.L1 }, PENDING_TTL_SECONDS);
      return reply.redirect(loaded.view.action, 303);
    }
    await throttle.recordSuccess(account);
    return completeLogin(loaded, request, reply, { accountId: user.id, acr: ACR.L1, amr: ['pwd'] });
  });

  app.post<Route>('/interaction/:op/:uid/otp', postRoute, async (request, reply) => {
    const loaded = await loadForPost(request, reply, 'login');
    if (!loaded) return reply;
    const uid = loaded.interaction.uid;
    const first = await pending.find(uid);
    const user = first?.accountId ? await findUserById(db, first.accountId) : undefined;
    if (!user) return reply.redirect(loaded.view.action, 303);
    if (request.body.action === 'give-up') {
      // Only the password was given: the login completes at SpidL1, below the requested level.
      await pending.destroy(uid);
      return completeLogin(loaded, request, reply, { accountId: user.id, acr: ACR.L1, amr: ['pwd'] });
    }
    const renderOtp = (status: number, errors: FieldError[]) => sendHtml(reply, status, otpPage({ ...loaded.view, errors }));
    const code = (request.body.code ?? '').replace(/\s+/g, '');
    if (!/^\d{6}$/.test(code)) return renderOtp(400, [{ field: 'code', message: t(request.locale)('errOtpFormat') }]);
    const failed = await throttledCheck(request, user.id, 'code', t(request.locale)('errOtpWrong'), async () => verifyTotp(user.totpSecret, code));
    if (failed) return renderOtp(failed.status, [failed.error]);
    await throttle.recordSuccess(user.id);
    await pending.destroy(uid);
    return completeLogin(loaded, request, reply, { accountId: user.id, acr: ACR.L2, amr: ['pwd', 'otp'] });
  });

  app.post<Route>('/interaction/:op/:uid/card', postRoute, async (request, reply) => {
    const loaded = await loadForPost(request, reply, 'login');
    if (!loaded) return reply;
    const tr = t(request.locale);
    if (!loginMethods(loaded.view.brand, loaded.view.requested).includes('card')) throw new HttpProblem(400, { detail: 'This login method is not offered for the requested level.' });
    const cardNumber = normalizeCardNumber(request.body.cardNumber ?? '');
    const pin = (request.body.pin ?? '').trim();
    const errors: FieldError[] = [];
    if (!CARD_NUMBER.test(cardNumber)) errors.push({ field: 'cardNumber', message: tr('errCardFormat') });
    if (!CARD_PIN.test(pin)) errors.push({ field: 'pin', message: tr('errPinFormat') });
    if (errors.length) return renderLogin(reply, loaded, 400, errors, { cardNumber });

    const user = await findUserByCard(db, cardNumber);
    const account = user ? user.id : `card:${cardNumber}`;
    const failed = await throttledCheck(request, account, 'pin', tr('errWrongCard'), async () => (await checkSecret(pin, user?.pinHash)) && !!user);
    if (failed || !user) return renderLogin(reply, loaded, failed?.status ?? 401, failed ? [failed.error] : [], { cardNumber });
    await throttle.recordSuccess(account);
    // RFC 8176 amr: hardware key + PIN.
    return completeLogin(loaded, request, reply, { accountId: user.id, acr: ACR.L3, amr: ['hwk', 'pin'] });
  });

  app.post<Route>('/interaction/:op/:uid/consent', postRoute, async (request, reply) => {
    const loaded = await loadForPost(request, reply, 'consent');
    if (!loaded) return reply;
    const { interaction, rt } = loaded;
    const approved = request.body.decision === 'approve';
    await audit(db, SCHEMA, {
      actorType: 'citizen',
      actorId: interaction.session!.accountId,
      action: approved ? 'consent.grant' : 'consent.deny',
      targetType: 'relying_party',
      targetId: String(interaction.params.client_id),
      details: { op: loaded.view.brand, claims: requestedUserClaims(interaction.params.scope, interaction.params.claims) },
      requestId: request.id,
    });
    if (!approved) return deny(loaded, request, reply, 'the user did not consent to share the requested attributes');
    const details = interaction.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
    const existing = interaction.grantId ? await rt.provider.Grant.find(interaction.grantId) : undefined;
    const grant = existing ?? new rt.provider.Grant({ accountId: interaction.session!.accountId, clientId: String(interaction.params.client_id) });
    if (details.missingOIDCScope?.length) grant.addOIDCScope(details.missingOIDCScope.join(' '));
    if (details.missingOIDCClaims?.length) grant.addOIDCClaims(details.missingOIDCClaims);
    const grantId = await grant.save();
    return finish(loaded, request, reply, { consent: { grantId } });
  });

  app.post<Route>('/interaction/:op/:uid/abort', postRoute, async (request, reply) => {
    const loaded = await load(request, reply);
    assertCsrf(secret, csrfBinding(request.params.uid), request.body?._csrf);
    await pending.destroy(loaded.interaction.uid);
    return deny(loaded, request, reply, 'the user cancelled the login');
  });
}
