// Certificates and self-declarations for the signed-in citizen, through the certificates module: choose the
// kind, for whom (the citizen or a member of their famiglia anagrafica: the module refuses anyone else), the
// use (an exempt one, or in bollo with the contrassegno's identifier), and download the PDF; the certificates
// the citizen requested, downloadable again. The autocertificazione: choose the facts, download the PDF.
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { checkFormCsrf } from '../../../core/auth/sessions.ts';
import { selectField, textField } from '../../../core/forms.ts';
import { html, type SafeHtml } from '../../../core/html.ts';
import type { App } from '../../../core/http.ts';
import { conflict, notFound } from '../../../core/problem.ts';
import { dataTable } from '../../../core/ui.ts';
import { SELF_DECLARABLE_FACTS, isSelfDeclarableFact } from '../certificates/autocertificazione.ts';
import { formatCertificateCode } from '../certificates/code.ts';
import { CERTIFICATE_KIND_CODES } from '../certificates/kinds.ts';
import { certificateT, kindName, useName } from '../certificates/messages.ts';
import { VERIFY_PATH, sendAutocertificazione, sendPdf } from '../certificates/routes.ts';
import { findCertificate, issueCertificate, listCertificates, reissuePdf } from '../certificates/service.ts';
import { EXEMPT_USES, type ExemptUseCode } from '../certificates/stamp-duty.ts';
import { CITIZEN, csrf } from '../web/layout.ts';
import { checkbox, emptyForm, formProblems, many, myRecord, refusedForm, sendAreaPage, sendNoRecord, signedIn, todayOf, type CitizenDeps, type FormState, type MyRecord, type RuleMessages } from './context.ts';
import { dateLabel, personName, relationshipName } from './labels.ts';
import { citizenT } from './messages.ts';

const PATH = `${CITIZEN}/certificati`;
const SELF_PATH = `${CITIZEN}/autocertificazione`;

const RULES: RuleMessages = {
  'not-family-member': { key: 'certNotFamily', field: 'subject' },
  'subject-not-found': { key: 'certNotFamily', field: 'subject' },
  'not-resident': { key: 'certNotResident', field: 'kind' },
  'not-aire': { key: 'certNotAire', field: 'kind' },
  'not-italian': { key: 'certNotItalian', field: 'kind' },
  'not-free-status': { key: 'certNotFree', field: 'kind' },
  'not-married': { key: 'certNotMarried', field: 'kind' },
  'not-civil-union': { key: 'certNotUnion', field: 'kind' },
  'unknown-kind': { key: 'certUnknownKind', field: 'kind' },
  'unknown-use': { key: 'certUnknownUse', field: 'use' },
  'invalid-bollo-id': { key: 'certBolloInvalid', field: 'bolloId' },
  'bollo-id-not-needed': { key: 'certBolloNotNeeded', field: 'bolloId' },
  'bollo-already-used': { key: 'certBolloUsed', field: 'bolloId' },
  deceased: { key: 'ruleDeceased', field: 'subject' },
};

async function certificatesPage(deps: CitizenDeps, request: FastifyRequest, record: MyRecord, state: FormState): Promise<SafeHtml> {
  const { locale } = request;
  const tr = citizenT(locale);
  const ct = certificateT(locale);
  const me = record.person!;
  const v = state.values;
  const subjects = [
    { value: me.fiscalCode, label: tr('subjectSelf', { name: personName(me) }) },
    ...record.family.filter((m) => m.person.idAnpr !== me.idAnpr).map((m) => ({ value: m.person.fiscalCode, label: `${personName(m.person)} — ${relationshipName(locale, m.relationship, m.person.sex)}` })),
  ];
  const uses = [{ value: 'bollo', label: useName(ct, 'bollo') }, ...(Object.keys(EXEMPT_USES) as ExemptUseCode[]).map((u) => ({ value: u, label: useName(ct, u) }))];
  const issued = await listCertificates(deps.db, me.fiscalCode);
  return html`<h1>${tr('certTitle')}</h1>
<p class="lead">${tr('certIntro')}</p>
<p>${tr('certArticle40')}</p>
<section aria-labelledby="cert-form-title" class="mb-5">
  <h2 id="cert-form-title" class="h4">${tr('certFormHeading')}</h2>
  ${formProblems(tr, state)}
  <form method="post" action="${PATH}" novalidate>
    ${csrf(request)}
    ${selectField({ name: 'kind', label: tr('fieldKind'), options: CERTIFICATE_KIND_CODES.map((k) => ({ value: k, label: kindName(ct, k) })), value: v.kind, error: state.errors.kind, required: true })}
    ${selectField({ name: 'subject', label: tr('fieldSubject'), options: subjects, value: v.subject, error: state.errors.subject, required: true })}
    ${selectField({ name: 'use', label: tr('fieldUse'), options: uses, value: v.use, help: tr('useHelp'), error: state.errors.use, required: true })}
    ${textField({ name: 'bolloId', label: tr('fieldBolloId'), value: v.bolloId, help: tr('bolloHelp'), error: state.errors.bolloId, inputmode: 'numeric', autocomplete: 'off' })}
    <button type="submit" class="btn btn-primary">${tr('issueButton')}</button>
  </form>
</section>
<section aria-labelledby="issued-title">
  <h2 id="issued-title" class="h4">${tr('issuedHeading')}</h2>
  ${dataTable(
    tr('issuedCaption'),
    [tr('columnIssuedOn'), tr('columnKind'), tr('columnSubject'), tr('columnCode'), tr('columnValidUntil'), tr('columnDownload')],
    issued.map((c) => [
      dateLabel(locale, c.issuedOn),
      kindName(ct, c.kind),
      personName(c.content.subject),
      html`<code>${formatCertificateCode(c.code)}</code>`,
      c.validUntil ? dateLabel(locale, c.validUntil) : tr('validUnlimited'),
      html`<a href="${PATH}/${c.code}" aria-label="${tr('downloadLabel', { code: formatCertificateCode(c.code) })}">${tr('download')}</a>`,
    ]),
    tr('noCertificates'),
  )}
  <p>${tr('verifyNote', { link: `${deps.publicUrl}${VERIFY_PATH}` })}</p>
</section>`;
}

function selfDeclarationPage(request: FastifyRequest, state: FormState): SafeHtml {
  const tr = citizenT(request.locale);
  const chosen = new Set(state.values.facts?.split(',') ?? Object.keys(SELF_DECLARABLE_FACTS));
  return html`<h1>${tr('selfTitle')}</h1>
<p class="lead">${tr('selfIntro')}</p>
${formProblems(tr, state)}
<form method="post" action="${SELF_PATH}" novalidate>
  ${csrf(request)}
  <fieldset class="mb-4" id="field-facts"${state.errors.facts ? html` aria-describedby="facts-error"` : ''}>
    <legend class="h6">${tr('factsLegend')}</legend>
    ${state.errors.facts ? html`<div id="facts-error" class="invalid-feedback d-block">${state.errors.facts}</div>` : ''}
    ${(Object.keys(SELF_DECLARABLE_FACTS) as (keyof typeof SELF_DECLARABLE_FACTS)[]).map((f) => checkbox({ name: 'facts', value: f, id: `fact-${f}`, label: tr(`fact.${f}`), checked: chosen.has(f) }))}
  </fieldset>
  <button type="submit" class="btn btn-primary">${tr('selfButton')}</button>
</form>`;
}

const IssueBody = Type.Object({
  kind: Type.Optional(Type.String({ maxLength: 50 })),
  subject: Type.Optional(Type.String({ maxLength: 20 })),
  use: Type.Optional(Type.String({ maxLength: 50 })),
  bolloId: Type.Optional(Type.String({ maxLength: 40 })),
});

export function registerCertificates(area: App, deps: CitizenDeps): void {
  area.get(PATH, { config: { html: true }, schema: { hide: true } }, async (request, reply) => {
    const tr = citizenT(request.locale);
    const record = await myRecord(deps, request);
    if (!record.person) return sendNoRecord(request, reply, tr('certTitle'));
    return sendAreaPage(request, reply, tr('certTitle'), await certificatesPage(deps, request, record, emptyForm()));
  });

  area.post(PATH, { config: { html: true }, schema: { hide: true, body: IssueBody } }, async (request, reply) => {
    checkFormCsrf(request, deps.secret);
    const tr = citizenT(request.locale);
    const record = await myRecord(deps, request);
    if (!record.person) return sendNoRecord(request, reply, tr('certTitle'));
    const { kind = '', subject = '', use = '', bolloId } = request.body;
    try {
      const { code, pdf } = await issueCertificate(deps.db, {
        requesterFiscalCode: record.citizen.fiscalCode,
        subjectFiscalCode: subject,
        kind,
        use,
        bolloId: bolloId?.trim() || null,
        today: record.today,
        publicUrl: deps.publicUrl,
        requestId: request.id,
      });
      return sendPdf(reply.header('x-certificate-code', code), pdf, `certificato-${kind}-${code}.pdf`);
    } catch (err) {
      const state = refusedForm(err, tr, request.body, RULES, 'certOther');
      return sendAreaPage(request, reply, tr('certTitle'), await certificatesPage(deps, request, record, state), state.status);
    }
  });

  area.get(`${PATH}/:code`, { config: { html: true }, schema: { hide: true, params: Type.Object({ code: Type.String({ maxLength: 40 }) }) } }, async (request, reply) => {
    const certificate = await findCertificate(deps.db, request.params.code);
    // Only the citizen who requested it downloads it again; for anyone else it does not exist.
    if (!certificate || certificate.requesterFiscalCode !== signedIn(request).fiscalCode) throw notFound(citizenT(request.locale)('notFound'));
    const pdf = await reissuePdf(certificate, deps.publicUrl);
    if (!pdf) throw conflict(citizenT(request.locale)('certNotReproducible'));
    return sendPdf(reply, pdf, `certificato-${certificate.kind}-${certificate.code}.pdf`);
  });

  area.get(SELF_PATH, { config: { html: true }, schema: { hide: true } }, async (request, reply) => {
    const tr = citizenT(request.locale);
    const record = await myRecord(deps, request);
    if (!record.person) return sendNoRecord(request, reply, tr('selfTitle'));
    return sendAreaPage(request, reply, tr('selfTitle'), selfDeclarationPage(request, emptyForm()));
  });

  area.post(
    SELF_PATH,
    { config: { html: true }, schema: { hide: true, body: Type.Object({ facts: Type.Optional(Type.Array(Type.String({ maxLength: 40 }), { maxItems: 20 })) }) } },
    async (request, reply) => {
      checkFormCsrf(request, deps.secret);
      const tr = citizenT(request.locale);
      const record = await myRecord(deps, request);
      if (!record.person) return sendNoRecord(request, reply, tr('selfTitle'));
      const facts = many(request.body.facts).filter(isSelfDeclarableFact);
      if (!facts.length) {
        const state: FormState = { values: { facts: '' }, errors: { facts: tr('factsRequired') } };
        return sendAreaPage(request, reply, tr('selfTitle'), selfDeclarationPage(request, state), 400);
      }
      return sendAutocertificazione({ db: deps.db, publicUrl: deps.publicUrl, today: () => todayOf(deps) }, reply, { fiscalCode: record.citizen.fiscalCode, facts });
    },
  );
}
