// Registration of a birth (iscrizione per nascita, DPR 223/1989 art. 7 c.1 a): the parents are residents of
// the officer's comune, named by fiscal code; the child is born in the comune; service.ts computes the fiscal
// code and the family.
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { redirectTo } from '../../../core/auth/sessions.ts';
import { errorSummary, selectField, textField } from '../../../core/forms.ts';
import { html } from '../../../core/html.ts';
import type { App } from '../../../core/http.ts';
import { municipalityByIstat } from '../../../domain/municipalities.ts';
import { registerBirth } from '../service.ts';
import { csrf, OFFICE, sendPage } from '../web/layout.ts';
import { dateError, fiscalCodeInput, officerFor, operation, refusal, refusalAlert, residentByFiscalCode, sessionOf, type FormState, type OfficeDeps } from './common.ts';
import { officeT } from './messages.ts';

const Body = Type.Object(
  Object.fromEntries(['givenName', 'familyName', 'sex', 'birthDate', 'mother', 'father'].map((k) => [k, Type.Optional(Type.String({ maxLength: 100 }))])),
  { additionalProperties: true },
);

export function registerBirthPage(office: App, deps: OfficeDeps): void {
  const path = `${OFFICE}/nascita`;

  function page(request: FastifyRequest, reply: FastifyReply, state?: FormState, status = 200) {
    const tr = officeT(request.locale);
    const v = state?.values ?? {};
    const e = state?.errors ?? {};
    const comune = municipalityByIstat(sessionOf(request).istatCode)!;
    const main = html`<h1>${tr('birthTitle')}</h1><p>${tr('birthIntro', { comune: comune.name })}</p>
${refusalAlert(state)}${errorSummary(e, tr('errorSummary'))}
<form method="post" action="${path}" novalidate>${csrf(request)}
  <fieldset><legend class="h5">${tr('birthChild')}</legend>
  ${textField({ name: 'givenName', label: tr('givenName'), value: v.givenName, error: e.givenName, required: true, autocomplete: 'off' })}
  ${textField({ name: 'familyName', label: tr('familyName'), value: v.familyName, error: e.familyName, help: tr('birthFamilyNameHelp'), autocomplete: 'off' })}
  ${selectField({ name: 'sex', label: tr('sex'), value: v.sex, error: e.sex, required: true, options: [{ value: '', label: tr('choose') }, { value: 'F', label: tr('sexF') }, { value: 'M', label: tr('sexM') }] })}
  ${textField({ name: 'birthDate', label: tr('birthDate'), type: 'date', value: v.birthDate, error: e.birthDate, required: true })}
  <p>${tr('birthPlace')}: <strong>${comune.name} (${comune.province})</strong></p>
  </fieldset>
  <fieldset><legend class="h5">${tr('birthParents')}</legend><p>${tr('birthParentsHelp')}</p>
  ${textField({ name: 'mother', label: tr('motherFiscalCode'), value: v.mother, error: e.mother, autocomplete: 'off' })}
  ${textField({ name: 'father', label: tr('fatherFiscalCode'), value: v.father, error: e.father, autocomplete: 'off' })}
  </fieldset>
  <button type="submit" class="btn btn-primary">${tr('birthSubmit')}</button>
</form>`;
    return sendPage(reply, request, { title: tr('birthTitle'), main }, status);
  }

  office.get(path, { config: { html: true }, schema: { hide: true } }, async (request, reply) => page(request, reply));

  office.post(path, { config: { html: true }, schema: { hide: true, body: Body } }, async (request, reply) => {
    const tr = officeT(request.locale);
    const values = request.body as Record<string, string | undefined>;
    const { istatCode } = sessionOf(request);
    const errors: Record<string, string> = {};
    if (!values.givenName?.trim()) errors.givenName = tr('required');
    if (values.sex !== 'M' && values.sex !== 'F') errors.sex = tr('required');
    const dateMessage = dateError(tr, values.birthDate);
    if (dateMessage) errors.birthDate = dateMessage;
    const parent = async (field: 'mother' | 'father') => {
      const code = fiscalCodeInput(values[field]);
      if (!code) return undefined;
      const row = await residentByFiscalCode(deps.db, istatCode, code);
      if (!row) errors[field] = tr('parentNotResident');
      return row?.id_anpr;
    };
    const [motherId, fatherId] = [await parent('mother'), await parent('father')];
    if (!fiscalCodeInput(values.mother) && !fiscalCodeInput(values.father)) errors.mother = tr('ruleNoParent');
    if (Object.keys(errors).length) return page(request, reply, { values, errors }, 422);
    try {
      const child = await registerBirth(
        deps.db,
        officerFor(request),
        { givenName: values.givenName!.trim(), familyName: values.familyName?.trim() || undefined, sex: values.sex as 'M' | 'F', birthDate: values.birthDate!, motherId, fatherId },
        operation(deps, request),
      );
      return redirectTo(reply, `${OFFICE}/schede/${child.idAnpr}?esito=nascita`);
    } catch (err) {
      const r = refusal(err, tr, { birthDate: 'birthDate', date: 'birthDate', motherId: 'mother', fatherId: 'father' }, { field: 'birthDate', message: 'parentNotOnDate' });
      return page(request, reply, { values, ...r }, r.status);
    }
  });
}
