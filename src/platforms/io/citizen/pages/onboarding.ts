// The first sign-in: the terms of use accepted → the profile is created (AUTO, inbox on, the e-mail SPID gave
// still to validate, the language of the page) and the citizen joins IO's subscriptions feed.
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { checkFormCsrf, redirectTo } from '../../../../core/auth/sessions.ts';
import { alert } from '../../../../core/forms.ts';
import { html } from '../../../../core/html.ts';
import type { App } from '../../../../core/http.ts';
import type { Locale } from '../../../../core/i18n.ts';
import { pageCsrf } from '../../../../core/ui.ts';
import { appPage } from '../layout.ts';
import { appT } from '../messages.ts';
import type { PreferredLanguage } from '../../../../clients/io/wire.ts';
import { createProfile, profileExists } from '../profiles.ts';
import { APP_HOME, ONBOARDING, appCitizen, requireAppCitizen, type AppDeps } from '../session.ts';

/** The profile's language for the page's (IO's preferred_languages values). */
export const PROFILE_LANGUAGE: Record<Locale, PreferredLanguage> = { it: 'it_IT', en: 'en_GB', de: 'de_DE' };

function onboardingPage(request: FastifyRequest, reply: FastifyReply, missing = false): FastifyReply {
  const tr = appT(request.locale);
  const body = html`<h1 class="h3">${tr('onboardingTitle')}</h1>
<p class="lead">${tr('onboardingIntro')}</p>
${missing ? alert('danger', tr('tosRequired')) : ''}
<section class="card card-bg mb-4" aria-labelledby="tos"><div class="card-body">
  <h2 id="tos" class="h5">${tr('tosTitle')}</h2><p>${tr('tosText')}</p>
</div></section>
<form method="post" action="${ONBOARDING}">${pageCsrf(request)}
  <div class="form-check"><input class="form-check-input" type="checkbox" id="accept" name="accept" value="yes" required${missing ? html` aria-invalid="true"` : ''}>
  <label class="form-check-label" for="accept">${tr('tosAccept')}</label></div>
  <button type="submit" class="btn btn-primary mt-3">${tr('tosContinue')}</button>
</form>`;
  return appPage(request, reply, { title: tr('onboardingTitle'), body, status: missing ? 400 : 200 });
}

export function registerOnboarding(pages: App, deps: AppDeps): void {
  pages.get(ONBOARDING, { config: { html: true }, schema: { hide: true }, preHandler: requireAppCitizen }, async (request, reply) => {
    if (await profileExists(deps.db, appCitizen(request)!.fiscalCode)) return redirectTo(reply, APP_HOME);
    return onboardingPage(request, reply);
  });

  pages.post(
    ONBOARDING,
    { config: { html: true }, schema: { hide: true, body: Type.Object({ accept: Type.Optional(Type.Literal('yes')) }, { additionalProperties: true }) }, preHandler: requireAppCitizen },
    async (request, reply) => {
      checkFormCsrf(request, deps.secret);
      if (request.body.accept !== 'yes') return onboardingPage(request, reply, true);
      const citizen = appCitizen(request)!;
      await createProfile(deps.db, { fiscalCode: citizen.fiscalCode, email: citizen.email, preferredLanguage: PROFILE_LANGUAGE[request.locale] });
      return redirectTo(reply, APP_HOME);
    },
  );
}
