// The citizen's personal area: identity data from SPID/CIE, contacts and language preference.
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { html } from '../../core/html.ts';
import type { App } from '../../core/http.ts';
import { transaction } from '../../core/db.ts';
import { audit } from '../../core/audit.ts';
import { LOCALES, LOCALE_NAMES, isLocale, type Locale } from '../../core/i18n.ts';
import { checkFormCsrf, formCsrfToken, redirectTo } from '../../core/auth/sessions.ts';
import { assertCsrf } from '../../core/auth/csrf.ts';
import { invalid, unauthorized, type InvalidField } from '../../core/problem.ts';
import { acrRank } from '../../clients/identity/index.ts';
import { citizenLogin, requireTenant, type CitizenLogin, type ComuneContext } from '../context.ts';
import { isValidEmail, isValidItalianPhone, normalizePhone } from '../../domain/contacts.ts';
import { t, type ComuneT } from '../messages.ts';
import { alert, csrfField, errorSummary, textField, type FieldErrors } from '../../core/forms.ts';
import { renderPage } from '../website/layout.ts';
import { sendPage } from '../website/routes.ts';
import type { Citizen } from '../citizens/citizens.ts';
import { applicationLinks } from '../journey/area.ts';
import { isValidVerification, requestEmailVerification, type VerifyEmailPayload } from '../citizens/email-verification.ts';

interface ContactsInput {
  email?: string;
  phone?: string;
}

/** Contacts rules; empty means "no contact", not an error. */
export function validateContacts(input: ContactsInput, tr: ComuneT): { errors: InvalidField[]; email: string | null; phone: string | null } {
  const email = input.email?.trim() || null;
  const phone = input.phone?.trim() ? normalizePhone(input.phone) : null;
  const errors: InvalidField[] = [];
  if (email && !isValidEmail(email)) errors.push({ pointer: '/body/email', code: 'format', detail: tr('error.email') });
  if (phone && !isValidItalianPhone(phone)) errors.push({ pointer: '/body/phone', code: 'format', detail: tr('error.phone') });
  return { errors, email: email?.toLowerCase() ?? null, phone };
}

function fieldErrors(errors: InvalidField[]): FieldErrors {
  return Object.fromEntries(errors.map((e) => [e.pointer.split('/').pop()!, e.detail]));
}

const TenantParams = Type.Object({ tenant: Type.String() });

function requireCitizen(request: FastifyRequest): CitizenLogin {
  const login = citizenLogin(request);
  if (!login) throw unauthorized('Log in with SPID or CIE first.');
  return login;
}

export function registerPersonalArea(app: App, comune: ComuneContext): void {
  const secret = comune.app.secret;

  async function loadCitizen(request: FastifyRequest): Promise<{ login: CitizenLogin; citizen: Citizen }> {
    const login = requireCitizen(request);
    const citizen = await comune.citizens.byId(login.tenantId, login.citizenId);
    if (!citizen) throw unauthorized();
    return { login, citizen };
  }

  function areaPage(request: FastifyRequest, login: CitizenLogin, citizen: Citizen, form: { errors?: FieldErrors; values?: ContactsInput; notice?: string } = {}) {
    const tenant = requireTenant(request);
    const tr = t(request.locale);
    const token = formCsrfToken(request, secret);
    const errors = form.errors ?? {};
    const dataRow = (label: string, value: string | undefined | null) =>
      html`<div class="col-12 col-md-6 mb-3"><dt class="small text-secondary">${label}</dt><dd class="fw-semibold mb-0">${value ?? '—'}</dd></div>`;
    const body = html`<h1>${tr('area.welcome', { name: login.givenName })}</h1>
${form.notice ? alert('success', form.notice) : ''}
${errorSummary(errors, tr('area.errorSummary', { count: Object.keys(errors).length }))}
<section class="card card-bg shadow-sm mb-4" aria-labelledby="my-data"><div class="card-body">
  <h2 id="my-data" class="h4">${tr('area.myData')}</h2>
  <p class="small">${tr('area.myDataSource', { provider: login.provider.toUpperCase(), level: acrRank(login.acr) })}</p>
  <dl class="row mb-0">
    ${dataRow(tr('area.givenName'), login.givenName)}
    ${dataRow(tr('area.familyName'), login.familyName)}
    ${dataRow(tr('area.fiscalCode'), login.fiscalCode)}
    ${dataRow(tr('area.birthdate'), login.birthdate ? new Intl.DateTimeFormat(request.locale, { dateStyle: 'long' }).format(new Date(`${login.birthdate}T12:00:00Z`)) : null)}
    ${dataRow(tr('area.placeOfBirth'), login.placeOfBirth)}
  </dl>
</div></section>
${applicationLinks(tenant, request.locale)}
<section class="card card-bg shadow-sm mb-4" aria-labelledby="my-contacts"><div class="card-body">
  <h2 id="my-contacts" class="h4">${tr('area.contacts')}</h2>
  <p>${tr('area.contactsHelp')}</p>
  <form method="post" action="/${tenant.slug}/area-personale/contatti" novalidate>
    ${csrfField(token)}
    ${textField({ name: 'email', label: tr('area.email'), type: 'email', autocomplete: 'email', value: form.values?.email ?? citizen.email, error: errors.email, help: citizen.email ? tr(citizen.emailVerified ? 'area.emailVerified' : 'area.emailNotVerified') : undefined })}
    ${textField({ name: 'phone', label: tr('area.phone'), type: 'tel', autocomplete: 'tel', inputmode: 'tel', value: form.values?.phone ?? citizen.phone, error: errors.phone })}
    <button type="submit" class="btn btn-primary">${tr('area.save')}</button>
  </form>
  ${citizen.email && !citizen.emailVerified
    ? html`<form method="post" action="/${tenant.slug}/area-personale/verifica-email" class="mt-3">${csrfField(token)}<button type="submit" class="btn btn-outline-primary btn-sm">${tr('area.sendVerification')}</button></form>`
    : ''}
</div></section>
<section class="card card-bg shadow-sm mb-4" aria-labelledby="my-language"><div class="card-body">
  <h2 id="my-language" class="h4">${tr('area.language')}</h2>
  <form method="post" action="/${tenant.slug}/area-personale/lingua">
    ${csrfField(token)}
    <div class="select-wrapper mb-3">
      <label for="field-locale">${tr('area.language')}</label>
      <select id="field-locale" name="locale" aria-describedby="field-locale-help">
        ${LOCALES.filter((l) => tenant.languages.includes(l)).map((l) => html`<option value="${l}" lang="${l}" ${l === citizen.locale ? html`selected` : ''}>${LOCALE_NAMES[l]}</option>`)}
      </select>
      <small id="field-locale-help" class="form-text">${tr('area.languageHelp')}</small>
    </div>
    <button type="submit" class="btn btn-outline-primary">${tr('area.save')}</button>
  </form>
</div></section>
<form method="post" action="/${tenant.slug}/esci">${csrfField(token)}<button type="submit" class="btn btn-secondary">${tr('area.logout')}</button></form>`;
    return renderPage({ request, tenant, title: tr('area.title'), body, breadcrumb: [{ label: tr('area.title') }], signedInAs: `${login.givenName} ${login.familyName}` });
  }

  const NOTICES = { '1': 'area.saved', sent: 'area.verificationSent', verified: 'area.verifiedOk' } as const;
  app.get(
    '/area-personale',
    { config: { html: true }, schema: { hide: true, params: TenantParams, querystring: Type.Object({ saved: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('sent'), Type.Literal('verified')])) }) } },
    async (request, reply) => {
      const tenant = requireTenant(request);
      if (!citizenLogin(request)) return redirectTo(reply, `/${tenant.slug}/accedi`);
      const { login, citizen } = await loadCitizen(request);
      const notice = request.query.saved && t(request.locale)(NOTICES[request.query.saved]);
      return sendPage(reply, areaPage(request, login, citizen, { notice }));
    },
  );

  app.post(
    '/area-personale/contatti',
    { config: { html: true }, schema: { hide: true, params: TenantParams, body: Type.Object({ email: Type.Optional(Type.String({ maxLength: 254 })), phone: Type.Optional(Type.String({ maxLength: 30 })) }, { additionalProperties: true }) } },
    async (request, reply) => {
      const tenant = requireTenant(request);
      checkFormCsrf(request, secret);
      const { login, citizen } = await loadCitizen(request);
      const result = validateContacts(request.body, t(request.locale));
      if (result.errors.length) return sendPage(reply, areaPage(request, login, citizen, { errors: fieldErrors(result.errors), values: request.body }), 400);
      const sent = await saveContacts(request, login, citizen, result);
      return redirectTo(reply, `/${tenant.slug}/area-personale?saved=${sent ? 'sent' : '1'}`);
    },
  );

  app.post('/area-personale/lingua', { config: { html: true }, schema: { hide: true, params: TenantParams, body: Type.Object({ locale: Type.String() }, { additionalProperties: true }) } }, async (request, reply) => {
    const tenant = requireTenant(request);
    checkFormCsrf(request, secret);
    const { login } = await loadCitizen(request);
    const locale = request.body.locale;
    if (!isLocale(locale) || !tenant.languages.includes(locale)) throw invalid([{ pointer: '/body/locale', code: 'enum', detail: tenant.languages.join(', ') }]);
    await comune.citizens.updateLocale(tenant.id, login.citizenId, locale);
    reply.setCookie('lang', locale, { path: '/', sameSite: 'lax', maxAge: 365 * 86400 });
    return redirectTo(reply, `/${tenant.slug}/area-personale?saved=1&lang=${locale}`);
  });

  function verificationPayload(request: FastifyRequest, citizen: Citizen, email: string): VerifyEmailPayload {
    const tenant = requireTenant(request);
    return { tenantSlug: tenant.slug, tenantName: tenant.name, citizenId: citizen.id, givenName: citizen.givenName, email, locale: citizen.locale };
  }

  /** Saves the contacts; a new e-mail address gets its verification mail in the same transaction. Returns whether one was sent. */
  async function saveContacts(request: FastifyRequest, login: CitizenLogin, citizen: Citizen, contacts: { email: string | null; phone: string | null }): Promise<boolean> {
    const requestId = request.id;
    const newEmail = contacts.email !== null && contacts.email !== citizen.email;
    await transaction(comune.db, async (tx) => {
      await comune.citizens.updateContacts(citizen.tenantId, citizen.id, contacts, tx);
      if (newEmail) await requestEmailVerification(tx, verificationPayload(request, citizen, contacts.email!));
      await audit(tx, 'comune', {
        actorType: 'citizen',
        actorId: login.fiscalCode,
        tenantId: citizen.tenantId,
        action: 'citizen.contacts.update',
        targetType: 'citizen',
        targetId: citizen.id,
        details: { emailChanged: contacts.email !== citizen.email, phoneChanged: contacts.phone !== citizen.phone },
        requestId,
      });
    });
    return newEmail;
  }

  app.post('/area-personale/verifica-email', { config: { html: true, rateLimit: { max: 5, timeWindow: '1 minute' } }, schema: { hide: true, params: TenantParams } }, async (request, reply) => {
    const tenant = requireTenant(request);
    checkFormCsrf(request, secret);
    const { citizen } = await loadCitizen(request);
    if (!citizen.email || citizen.emailVerified) return redirectTo(reply, `/${tenant.slug}/area-personale`);
    await transaction(comune.db, (tx) => requestEmailVerification(tx, verificationPayload(request, citizen, citizen.email!)));
    return redirectTo(reply, `/${tenant.slug}/area-personale?saved=sent`);
  });

  // The link in the mail: works without a session (it may be opened on another device).
  app.get(
    '/area-personale/verifica-email',
    { config: { html: true }, schema: { hide: true, params: TenantParams, querystring: Type.Object({ c: Type.String({ maxLength: 64 }), e: Type.String({ maxLength: 254 }), x: Type.Integer(), s: Type.String({ maxLength: 100 }) }) } },
    async (request, reply) => {
      const tenant = requireTenant(request);
      const tr = t(request.locale);
      const { c: citizenId, e: email, x: expires, s: signature } = request.query;
      const valid = isValidVerification(secret, { citizenId, email, expires }, signature, Math.floor(Date.now() / 1000));
      const citizen = valid ? await comune.citizens.markEmailVerified(citizenId, email) : undefined;
      if (!citizen || citizen.tenantId !== tenant.id) {
        return sendPage(reply, renderPage({ request, tenant, title: tr('area.verifyInvalidTitle'), body: html`<h1>${tr('area.verifyInvalidTitle')}</h1>${alert('danger', tr('area.verifyInvalid'))}` }), 400);
      }
      await audit(comune.db, 'comune', { actorType: 'citizen', actorId: citizen.fiscalCode, tenantId: tenant.id, action: 'citizen.email.verify', targetType: 'citizen', targetId: citizen.id, requestId: request.id });
      return citizenLogin(request)
        ? redirectTo(reply, `/${tenant.slug}/area-personale?saved=verified`)
        : sendPage(reply, renderPage({ request, tenant, title: tr('area.verifiedOk'), body: html`<h1>${tr('area.contacts')}</h1>${alert('success', tr('area.verifiedOk'))}` }));
    },
  );

  // JSON API for the personal area (the same session; CSRF token in the X-CSRF-Token header).
  const Profile = Type.Object({
    fiscalCode: Type.String(),
    givenName: Type.String(),
    familyName: Type.String(),
    birthdate: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
    email: Type.Union([Type.String(), Type.Null()]),
    emailVerified: Type.Boolean({ description: 'the citizen followed the link sent to this address' }),
    phone: Type.Union([Type.String(), Type.Null()]),
    locale: Type.Union(LOCALES.map((l) => Type.Literal(l))),
    acr: Type.String(),
    csrfToken: Type.String({ description: 'send it back in X-CSRF-Token on changes' }),
  });
  const profileOf = (request: FastifyRequest, login: CitizenLogin, citizen: Citizen) => ({
    fiscalCode: citizen.fiscalCode,
    givenName: citizen.givenName,
    familyName: citizen.familyName,
    birthdate: citizen.birthdate,
    email: citizen.email,
    emailVerified: citizen.emailVerified,
    phone: citizen.phone,
    locale: citizen.locale as Locale,
    acr: login.acr,
    csrfToken: formCsrfToken(request, secret),
  });

  app.get(
    '/api/v1/me',
    { schema: { tags: ['personal area'], summary: "The logged-in citizen's profile at this ente", params: TenantParams, response: { 200: Profile, 401: { $ref: 'Problem#' } } } },
    async (request) => {
      const { login, citizen } = await loadCitizen(request);
      return profileOf(request, login, citizen);
    },
  );

  app.put(
    '/api/v1/me/contacts',
    {
      schema: {
        tags: ['personal area'],
        summary: "Updates the citizen's e-mail and phone",
        params: TenantParams,
        headers: Type.Object({ 'x-csrf-token': Type.Optional(Type.String()) }),
        body: Type.Object({ email: Type.Union([Type.String({ maxLength: 254 }), Type.Null()]), phone: Type.Union([Type.String({ maxLength: 30 }), Type.Null()]) }, { additionalProperties: false }),
        response: { 200: Profile, 400: { $ref: 'Problem#' }, 401: { $ref: 'Problem#' }, 403: { $ref: 'Problem#' } },
      },
    },
    async (request) => {
      const { login, citizen } = await loadCitizen(request);
      assertCsrf(secret, request.session.data.csrfSeed, request.headers['x-csrf-token']);
      const result = validateContacts({ email: request.body.email ?? undefined, phone: request.body.phone ?? undefined }, t(request.locale));
      if (result.errors.length) throw invalid(result.errors);
      await saveContacts(request, login, citizen, result);
      return profileOf(request, login, (await comune.citizens.byId(citizen.tenantId, citizen.id))!);
    },
  );
}
