// The services directory by organization (with search) and a service's card (reference io.md §6 "Services"):
// description, contacts, privacy and terms, and the switches receive messages / e-mail / push / read receipt as a form that works
// without JavaScript. AUTO/MANUAL save a per-service preference under the profile's settings version; LEGACY edits
// the profile's blocked channels.
import { Type } from '@sinclair/typebox';
import { checkFormCsrf, redirectTo } from '../../../../core/auth/sessions.ts';
import { attr, html, type SafeHtml } from '../../../../core/html.ts';
import type { App } from '../../../../core/http.ts';
import { HttpProblem, notFound } from '../../../../core/problem.ts';
import { pageCsrf } from '../../../../core/ui.ts';
import type { Channel } from '../../rules/delivery.ts';
import { getService, listServices, type Service } from '../../services/store.ts';
import { appPage, setFlash } from '../layout.ts';
import { appT, type AppT } from '../messages.ts';
import { effectivePreference, effectivePreferences, getProfile, setLegacyBlockedChannels, upsertServicePreference, type Profile } from '../profiles.ts';
import { appCitizen, requireAppCitizen, type AppDeps } from '../session.ts';

export const SERVICES = '/app/servizi';
const servicePath = (id: string) => `${SERVICES}/${id}`;
const ServiceId = Type.String({ pattern: '^[0-9A-Z]{26}$' });

/** A Bootstrap Italia switch: a checkbox whose label says what it turns on. */
export function toggle(name: string, label: string, checked: boolean, hint?: string): SafeHtml {
  const id = `toggle-${name}`;
  return html`<div class="form-check form-check-group"><div class="toggles">
  <label for="${id}">${label}<input type="checkbox" id="${id}" name="${name}" value="on"${attr('checked', checked)}${hint ? html` aria-describedby="${id}-hint"` : ''}><span class="lever"></span></label>
</div>${hint ? html`<small id="${id}-hint" class="form-text">${hint}</small>` : ''}</div>`;
}

const shownServices = async (deps: AppDeps) => (await listServices(deps.db)).filter((s) => s.isVisible && !s.isDisabled);

async function visibleService(deps: AppDeps, serviceId: string): Promise<Service> {
  const service = await getService(deps.db, serviceId);
  if (!service || !service.isVisible || service.isDisabled) throw notFound('No such service.');
  return service;
}

function contacts(tr: AppT, service: Service): SafeHtml {
  const m = service.metadata;
  const row = (label: string, value: SafeHtml | string | undefined) => (value ? html`<dt class="col-sm-4">${label}</dt><dd class="col-sm-8">${value}</dd>` : '');
  const link = (href: string | undefined, text?: string) => (href ? html`<a href="${href}">${text ?? href}</a>` : undefined);
  return html`<dl class="row">
${row(tr('serviceWeb'), link(m.web_url))}${row(tr('serviceEmail'), link(m.email && `mailto:${m.email}`, m.email))}${row(tr('servicePec'), link(m.pec && `mailto:${m.pec}`, m.pec))}
${row(tr('servicePhone'), link(m.phone && `tel:${m.phone.replace(/\s/g, '')}`, m.phone))}${row(tr('serviceAddress'), m.address)}
${row(tr('servicePrivacy'), link(m.privacy_url))}${row(tr('serviceTos'), link(m.tos_url))}
</dl>`;
}

export function registerServicePages(pages: App, deps: AppDeps): void {
  pages.get(
    SERVICES,
    { config: { html: true }, schema: { hide: true, querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 100 })) }) }, preHandler: requireAppCitizen },
    async (request, reply) => {
      const tr = appT(request.locale);
      const profile = (await getProfile(deps.db, appCitizen(request)!.fiscalCode))!;
      const q = (request.query.q ?? '').trim().toLocaleLowerCase('it');
      const found = (await shownServices(deps)).filter((s) => !q || `${s.serviceName} ${s.organizationName} ${s.departmentName}`.toLocaleLowerCase('it').includes(q));
      const byOrganization = new Map<string, Service[]>();
      for (const s of found) byOrganization.set(s.organizationName, [...(byOrganization.get(s.organizationName) ?? []), s]);
      const preferences = await effectivePreferences(deps.db, profile, found.map((s) => s.serviceId));
      const state = (s: Service) => (preferences.get(s.serviceId)!.isInboxEnabled ? html`<span class="badge bg-success">${tr('serviceOn')}</span>` : html`<span class="badge bg-secondary">${tr('serviceOff')}</span>`);
      const groups = [...byOrganization].map(
        ([organization, services]) =>
          html`<section class="mb-3"><h2 class="h5">${organization}</h2><ul class="list-group">${services.map((s) => html`<li class="list-group-item d-flex justify-content-between align-items-center"><a href="${servicePath(s.serviceId)}">${s.serviceName}</a>${state(s)}</li>`)}</ul></section>`,
      );
      const body = html`<h1 class="h3">${tr('servicesTitle')}</h1><p>${tr('servicesIntro')}</p>
<form method="get" action="${SERVICES}" role="search" class="d-flex gap-2 mb-4">
  <label class="visually-hidden" for="q">${tr('servicesSearch')}</label>
  <input type="search" class="form-control" id="q" name="q" value="${request.query.q ?? ''}" placeholder="${tr('servicesSearch')}">
  <button type="submit" class="btn btn-primary">${tr('searchButton')}</button>
</form>
${groups.length ? groups : html`<p>${tr('servicesEmpty')}</p>`}`;
      return appPage(request, reply, { title: tr('servicesTitle'), body, active: 'services' });
    },
  );

  pages.get(`${SERVICES}/:serviceId`, { config: { html: true }, schema: { hide: true, params: Type.Object({ serviceId: ServiceId }) }, preHandler: requireAppCitizen }, async (request, reply) => {
    const tr = appT(request.locale);
    const service = await visibleService(deps, request.params.serviceId);
    const profile = (await getProfile(deps.db, appCitizen(request)!.fiscalCode))!;
    const preference = await effectivePreference(deps.db, profile, service.serviceId);
    const hint = profile.mode === 'MANUAL' ? tr('prefManualHint') : profile.mode === 'LEGACY' ? tr('prefLegacyHint') : '';
    const body = html`<p class="small text-muted mb-1">${service.organizationName} · ${service.departmentName}</p>
<h1 class="h3">${service.serviceName}</h1>
${service.metadata.description ? html`<section aria-labelledby="description"><h2 id="description" class="h5">${tr('serviceDescription')}</h2><p>${service.metadata.description}</p></section>` : ''}
<section aria-labelledby="prefs" class="card card-bg my-4"><div class="card-body">
  <h2 id="prefs" class="h5">${tr('prefsTitle')}</h2>
  ${hint ? html`<p class="small">${hint}</p>` : ''}
  <form method="post" action="${servicePath(service.serviceId)}/preferenze">${pageCsrf(request)}
    <input type="hidden" name="versione" value="${profile.mode === 'LEGACY' ? profile.version : preference.settingsVersion}">
    ${toggle('inbox', tr('prefInbox'), preference.isInboxEnabled)}
    ${toggle('email', tr('prefEmail'), preference.isEmailEnabled, profile.isEmailValidated ? undefined : tr('emailForwardingNeedsValidation'))}
    ${toggle('push', tr('prefPush'), preference.isWebhookEnabled)}
    ${profile.mode === 'LEGACY' ? '' : toggle('lettura', tr('prefReadStatus'), preference.isInboxEnabled && preference.canAccessMessageReadStatus !== 'DENY', tr('prefReadStatusHint'))}
    <button type="submit" class="btn btn-primary mt-3">${tr('prefSave')}</button>
  </form>
</div></section>
<section aria-labelledby="contacts"><h2 id="contacts" class="h5">${tr('serviceContacts')}</h2>${contacts(tr, service)}</section>`;
    return appPage(request, reply, { title: service.serviceName, body, active: 'services' });
  });

  pages.post(
    `${SERVICES}/:serviceId/preferenze`,
    {
      config: { html: true },
      schema: {
        hide: true,
        params: Type.Object({ serviceId: ServiceId }),
        body: Type.Object({ versione: Type.Integer({ minimum: -1 }), inbox: Type.Optional(Type.Literal('on')), email: Type.Optional(Type.Literal('on')), push: Type.Optional(Type.Literal('on')), lettura: Type.Optional(Type.Literal('on')) }, { additionalProperties: true }),
      },
      preHandler: requireAppCitizen,
    },
    async (request, reply) => {
      checkFormCsrf(request, deps.secret);
      const tr = appT(request.locale);
      const service = await visibleService(deps, request.params.serviceId);
      const fiscalCode = appCitizen(request)!.fiscalCode;
      const profile: Profile = (await getProfile(deps.db, fiscalCode))!;
      const { versione, inbox, email, push, lettura } = request.body;
      // Without the inbox a service reaches the citizen on no channel.
      const on = { inbox: inbox === 'on', email: inbox === 'on' && email === 'on', push: inbox === 'on' && push === 'on' };
      try {
        if (profile.mode === 'LEGACY') {
          const blocked: Channel[] = [...(on.inbox ? [] : (['INBOX'] as const)), ...(on.email ? [] : (['EMAIL'] as const)), ...(on.push ? [] : (['WEBHOOK'] as const))];
          await setLegacyBlockedChannels(deps.db, fiscalCode, versione, service.serviceId, blocked);
        } else {
          // Reference io.md §3.2: with the inbox off the read status cannot be ALLOW.
          const canAccessMessageReadStatus = on.inbox && lettura === 'on' ? 'ALLOW' : 'DENY';
          await upsertServicePreference(deps.db, fiscalCode, service.serviceId, { isInboxEnabled: on.inbox, isEmailEnabled: on.email, isWebhookEnabled: on.push, settingsVersion: versione, canAccessMessageReadStatus });
        }
        setFlash(request, 'success', tr('prefSaved'));
      } catch (err) {
        if (!(err instanceof HttpProblem && err.status === 409)) throw err;
        setFlash(request, 'warning', tr('prefConflict'));
      }
      return redirectTo(reply, servicePath(service.serviceId));
    },
  );
}
