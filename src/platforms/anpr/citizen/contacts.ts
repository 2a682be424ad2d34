// The e-mail and phone the citizen gives ANPR (service.ts changeContacts: a 'contacts-changed' event in the
// record, checked by rules.ts checkContacts), which the registry office sees with the scheda.
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { checkFormCsrf, redirectTo } from '../../../core/auth/sessions.ts';
import { alert, textField } from '../../../core/forms.ts';
import { html, type SafeHtml } from '../../../core/html.ts';
import type { App } from '../../../core/http.ts';
import { contactsOf } from '../model.ts';
import { changeContacts } from '../service.ts';
import { loadEvents } from '../store.ts';
import { CITIZEN, csrf } from '../web/layout.ts';
import { formProblems, myRecord, refusedForm, sendAreaPage, sendNoRecord, type CitizenDeps, type FormState } from './context.ts';
import { dateLabel } from './labels.ts';
import { citizenT } from './messages.ts';

const PATH = `${CITIZEN}/contatti`;

function contactsPage(request: FastifyRequest, state: FormState, notice?: string, since?: string): SafeHtml {
  const tr = citizenT(request.locale);
  return html`<h1>${tr('contactsTitle')}</h1>
<p class="lead">${tr('contactsIntro')}</p>
${notice ? alert('success', notice) : ''}
${since ? html`<p>${tr('contactsSince', { date: dateLabel(request.locale, since) })}</p>` : ''}
${formProblems(tr, state)}
<form method="post" action="${PATH}" novalidate>
  ${csrf(request)}
  <p class="form-text">${tr('contactsEmptyHelp')}</p>
  ${textField({ name: 'email', type: 'email', label: tr('fieldEmail'), value: state.values.email, error: state.errors.email, autocomplete: 'email' })}
  ${textField({ name: 'phone', type: 'tel', label: tr('fieldPhone'), value: state.values.phone, help: tr('phoneHelp'), error: state.errors.phone, autocomplete: 'tel' })}
  <button type="submit" class="btn btn-primary">${tr('save')}</button>
</form>`;
}

export function registerContacts(area: App, deps: CitizenDeps): void {
  area.get(PATH, { config: { html: true }, schema: { hide: true, querystring: Type.Object({ salvati: Type.Optional(Type.String({ maxLength: 1 })) }) } }, async (request, reply) => {
    const tr = citizenT(request.locale);
    const { person } = await myRecord(deps, request);
    if (!person) return sendNoRecord(request, reply, tr('contactsTitle'));
    const contacts = contactsOf(await loadEvents(deps.db, person.idAnpr));
    const state: FormState = { values: { email: contacts?.email ?? '', phone: contacts?.phone ?? '' }, errors: {} };
    return sendAreaPage(request, reply, tr('contactsTitle'), contactsPage(request, state, request.query.salvati ? tr('contactsSaved') : undefined, contacts?.since));
  });

  area.post(
    PATH,
    { config: { html: true }, schema: { hide: true, body: Type.Object({ email: Type.Optional(Type.String({ maxLength: 320 })), phone: Type.Optional(Type.String({ maxLength: 40 })) }) } },
    async (request, reply) => {
      checkFormCsrf(request, deps.secret);
      const tr = citizenT(request.locale);
      const { person, citizen, today } = await myRecord(deps, request);
      if (!person) return sendNoRecord(request, reply, tr('contactsTitle'));
      const { email, phone } = request.body;
      try {
        await changeContacts(deps.db, citizen, { email: email ?? null, phone: phone ?? null }, { today, requestId: request.id });
        return redirectTo(reply, `${PATH}?salvati=1`);
      } catch (err) {
        const rules = { 'invalid-email': { key: 'invalidEmail', field: 'email' }, 'invalid-phone': { key: 'invalidPhone', field: 'phone' } } as const;
        const state = refusedForm(err, tr, request.body, rules, 'requestRefused');
        return sendAreaPage(request, reply, tr('contactsTitle'), contactsPage(request, state), state.status);
      }
    },
  );
}
