// The profile page (reference io.md §3.1, §6 "Profile"): the e-mail and its validation, the preferred language, the
// preference mode AUTO/MANUAL explained, the global switches (inbox, e-mail forwarding, push) and the button that
// subscribes this browser to push. Every form posts the profile's version: a stale one is told, not overwritten.
import { Type, type TProperties } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { checkFormCsrf, redirectTo } from '../../../../core/auth/sessions.ts';
import { textField } from '../../../../core/forms.ts';
import { attr, html } from '../../../../core/html.ts';
import type { App } from '../../../../core/http.ts';
import { LOCALE_NAMES } from '../../../../core/i18n.ts';
import { HttpProblem } from '../../../../core/problem.ts';
import { pageCsrf } from '../../../../core/ui.ts';
import { EMAIL_CHECK } from '../email-validation.ts';
import { appPage, setFlash } from '../layout.ts';
import { appT, type AppT } from '../messages.ts';
import { getProfile, updateProfile, type Profile, type ProfileChanges } from '../profiles.ts';
import { appCitizen, requireAppCitizen, type AppDeps } from '../session.ts';
import { PROFILE_LANGUAGE } from './onboarding.ts';
import { toggle } from './services.ts';

export const PROFILE = '/app/profilo';
// RFC 5322 is wider; this is the usual HTML5 e-mail check (WHATWG "valid e-mail address").
const EMAIL = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$/;

function modeChoice(tr: AppT, profile: Profile, mode: 'AUTO' | 'MANUAL'): ReturnType<typeof html> {
  const id = `mode-${mode}`;
  return html`<div class="form-check"><input class="form-check-input" type="radio" name="modalita" id="${id}" value="${mode}"${attr('checked', profile.mode === mode)} aria-describedby="${id}-hint">
<label class="form-check-label" for="${id}">${mode === 'AUTO' ? tr('modeAuto') : tr('modeManual')}</label>
<small id="${id}-hint" class="form-text d-block">${mode === 'AUTO' ? tr('modeAutoText') : tr('modeManualText')}</small></div>`;
}

function profilePage(request: FastifyRequest, reply: FastifyReply, profile: Profile, emailError?: string): FastifyReply {
  const tr = appT(request.locale);
  const citizen = appCitizen(request)!;
  const version = html`${pageCsrf(request)}<input type="hidden" name="versione" value="${profile.version}">`;
  const emailBadge = profile.email
    ? profile.isEmailValidated
      ? html`<span class="badge bg-success">${tr('emailValidated')}</span>`
      : html`<span class="badge bg-warning text-dark">${tr('emailNotValidated')}</span>`
    : html`<span class="text-muted">${tr('emailNone')}</span>`;
  const language = Object.entries(PROFILE_LANGUAGE).find(([, l]) => l === profile.preferredLanguages[0])?.[1] ?? 'it_IT';
  const body = html`<h1 class="h3">${citizen.givenName} ${citizen.familyName}</h1>
<p class="small">${tr('fiscalCodeLabel')}: <span class="text-monospace">${citizen.fiscalCode}</span></p>

<section aria-labelledby="email" class="card card-bg mb-3"><div class="card-body">
  <h2 id="email" class="h5">${tr('emailSection')} ${emailBadge}</h2>
  <form method="post" action="${PROFILE}/email" novalidate>${version}
    ${textField({ name: 'email', label: tr('emailLabel'), type: 'email', value: profile.email ?? '', error: emailError, required: true, autocomplete: 'email' })}
    <button type="submit" class="btn btn-outline-primary">${tr('emailSave')}</button>
  </form>
  ${profile.email && !profile.isEmailValidated ? html`<form method="post" action="${EMAIL_CHECK}" class="mt-2">${pageCsrf(request)}<button type="submit" class="btn btn-primary">${tr('emailSendValidation')}</button></form>` : ''}
</div></section>

<section aria-labelledby="language" class="card card-bg mb-3"><div class="card-body">
  <h2 id="language" class="h5">${tr('languageSection')}</h2>
  <form method="post" action="${PROFILE}/lingua">${version}
    <div class="select-wrapper"><label for="lingua">${tr('languageLabel')}</label>
    <select id="lingua" name="lingua">${Object.entries(PROFILE_LANGUAGE).map(([locale, value]) => html`<option value="${value}"${attr('selected', value === language)}>${LOCALE_NAMES[locale as keyof typeof LOCALE_NAMES]}</option>`)}</select></div>
    <button type="submit" class="btn btn-outline-primary mt-3">${tr('languageSave')}</button>
  </form>
</div></section>

<section aria-labelledby="mode" class="card card-bg mb-3"><div class="card-body">
  <h2 id="mode" class="h5">${tr('modeSection')}</h2>
  ${profile.mode === 'LEGACY' ? html`<p><strong>${tr('modeLegacy')}</strong>: ${tr('modeLegacyText')}</p>` : ''}
  <form method="post" action="${PROFILE}/modalita">${version}
    <fieldset><legend class="visually-hidden">${tr('modeSection')}</legend>${modeChoice(tr, profile, 'AUTO')}${modeChoice(tr, profile, 'MANUAL')}</fieldset>
    <p class="small mt-2">${tr('modeChangeWarning')}</p>
    <button type="submit" class="btn btn-outline-primary">${tr('modeSave')}</button>
  </form>
</div></section>

<section aria-labelledby="channels" class="card card-bg mb-3"><div class="card-body">
  <h2 id="channels" class="h5">${tr('channelsSection')}</h2>
  <form method="post" action="${PROFILE}/canali">${version}
    ${toggle('inbox', tr('inboxEnabled'), profile.isInboxEnabled, tr('inboxEnabledHint'))}
    ${toggle('email', tr('emailEnabled'), profile.isEmailEnabled, profile.isEmailValidated ? undefined : tr('emailForwardingNeedsValidation'))}
    ${toggle('push', tr('pushEnabled'), profile.isWebhookEnabled)}
    <button type="submit" class="btn btn-outline-primary mt-3">${tr('channelsSave')}</button>
  </form>
  <button type="button" class="btn btn-primary mt-3" hidden data-push-subscribe data-csrf="${request.pageCsrf!()}" data-done="${tr('pushDone')}" data-failed="${tr('pushFailed')}" data-unsupported="${tr('pushUnsupported')}">${tr('pushSubscribe')}</button>
  <p id="push-status" class="small mt-2" role="status"></p>
</div></section>`;
  return appPage(request, reply, { title: tr('profileTitle'), body, active: 'profile', status: emailError ? 400 : 200 });
}

const formBody = <T extends TProperties>(fields: T) =>
  Type.Object({ versione: Type.Integer({ minimum: 0 }), ...fields }, { additionalProperties: true });

export function registerProfilePages(pages: App, deps: AppDeps): void {
  const options = <B>(body: B) => ({ config: { html: true }, schema: { hide: true, body }, preHandler: requireAppCitizen });

  /** Saves the changes under the version the form showed; a stale form is told, then shown again. */
  async function save(request: FastifyRequest, reply: FastifyReply, version: number, changes: ProfileChanges) {
    checkFormCsrf(request, deps.secret);
    const tr = appT(request.locale);
    try {
      await updateProfile(deps.db, appCitizen(request)!.fiscalCode, version, changes);
      setFlash(request, 'success', tr('saved'));
    } catch (err) {
      if (!(err instanceof HttpProblem && err.status === 409)) throw err;
      setFlash(request, 'warning', tr('stale'));
    }
    return redirectTo(reply, PROFILE);
  }

  pages.get(PROFILE, { config: { html: true }, schema: { hide: true }, preHandler: requireAppCitizen }, async (request, reply) =>
    profilePage(request, reply, (await getProfile(deps.db, appCitizen(request)!.fiscalCode))!),
  );

  pages.post(`${PROFILE}/email`, options(formBody({ email: Type.String({ maxLength: 254 }) })), async (request, reply) => {
    const email = request.body.email.trim();
    if (!EMAIL.test(email)) {
      checkFormCsrf(request, deps.secret);
      return profilePage(request, reply, (await getProfile(deps.db, appCitizen(request)!.fiscalCode))!, appT(request.locale)('emailInvalid'));
    }
    return save(request, reply, request.body.versione, { email });
  });

  pages.post(`${PROFILE}/lingua`, options(formBody({ lingua: Type.Union([Type.Literal('it_IT'), Type.Literal('en_GB'), Type.Literal('de_DE')]) })), async (request, reply) =>
    save(request, reply, request.body.versione, { preferredLanguages: [request.body.lingua] }),
  );

  pages.post(`${PROFILE}/modalita`, options(formBody({ modalita: Type.Union([Type.Literal('AUTO'), Type.Literal('MANUAL')]) })), async (request, reply) =>
    save(request, reply, request.body.versione, { mode: request.body.modalita }),
  );

  pages.post(
    `${PROFILE}/canali`,
    options(formBody({ inbox: Type.Optional(Type.Literal('on')), email: Type.Optional(Type.Literal('on')), push: Type.Optional(Type.Literal('on')) })),
    async (request, reply) => save(request, reply, request.body.versione, { isInboxEnabled: request.body.inbox === 'on', isEmailEnabled: request.body.email === 'on', isWebhookEnabled: request.body.push === 'on' }),
  );
}
