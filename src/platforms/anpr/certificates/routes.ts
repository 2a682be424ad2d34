// Public verification of certificates: GET /verifica (a form), GET /verifica/:code (the QR code's target:
// what was certified, or a friendly "not authentic" page), GET /api/v1/certificati/:code (JSON). All
// rate-limited: the codes are not guessable (95 bits), and the limit keeps anyone from trying. Also the
// route-level helpers the citizen pages call to hand out a certificate or a self-declaration as a PDF.
import { formatCalendarDate, type Translate } from '../../../core/i18n.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Executor } from '../../../core/db.ts';
import { alert, textField } from '../../../core/forms.ts';
import { html, type SafeHtml } from '../../../core/html.ts';
import type { App } from '../../../core/http.ts';
import { notFound } from '../../../core/problem.ts';
import { dataTable } from '../../../core/ui.ts';
import { todayUtc, type IsoDate } from '../../../domain/dates.ts';
import { toProblem } from '../backoffice.ts';
import { idByFiscalCode, readFamilyAsOf, readPersonAsOf } from '../store.ts';
import { sendPage } from '../web/layout.ts';
import { autocertificazionePdf, type SelfDeclarableFact } from './autocertificazione.ts';
import { formatCertificateCode, parseCertificateCode } from './code.ts';
import { bornLine, certifiedStatements, comuneLabel, fullName, italianDate, relationshipLabel } from './content.ts';
import { ARTICLE_40_NOTE, validityLine } from './certificate-pdf.ts';
import { certificateT, kindName, type CertificateMessageKey } from './messages.ts';
import { findCertificate, issueCertificate, type IssueCertificateInput, type IssuedCertificate } from './service.ts';
import { stampDutyLine } from './stamp-duty.ts';

export interface CertificateRouteDeps {
  db: Executor;
  /** The ANPR app's public URL (the QR codes link to its /verifica pages). */
  publicUrl: string;
  /** The issue date (tests); default today, UTC. */
  today?: () => IsoDate;
}

export const VERIFY_PATH = '/verifica';
// Enough for people checking documents by hand or by QR; far too few to walk the code space.
const VERIFY_RATE_LIMIT = { max: 30, timeWindow: '1 minute' };

const CertificateJson = Type.Object(
  {
    code: Type.String({ description: 'canonical code, 20 symbols' }),
    formattedCode: Type.String(),
    kind: Type.String(),
    title: Type.String(),
    issuedOn: Type.String({ format: 'date' }),
    issuedAt: Type.String({ format: 'date-time' }),
    referenceDate: Type.String({ format: 'date' }),
    validUntil: Type.Union([Type.String({ format: 'date' }), Type.Null()], { description: 'null: unlimited validity' }),
    expired: Type.Boolean({ description: 'validUntil is before today' }),
    comune: Type.Object({ istatCode: Type.String(), name: Type.String(), province: Type.String() }),
    subject: Type.Object({ familyName: Type.String(), givenName: Type.String(), fiscalCode: Type.String(), birthDate: Type.String({ format: 'date' }), birthPlace: Type.String() }),
    statements: Type.Array(Type.String(), { description: 'the certified facts, in Italian, as printed' }),
    content: Type.Any({ description: 'the snapshot of what was certified at issue time' }),
    pdfSha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  },
  { $id: 'VerifiedCertificate' },
);

const expiredOn = (c: IssuedCertificate, today: IsoDate) => (c.validUntil && c.validUntil < today ? c.validUntil : null);

function verifyForm(t: Translate<CertificateMessageKey>, value = ''): SafeHtml {
  return html`<form method="get" action="${VERIFY_PATH}" class="mt-4" novalidate>
  ${textField({ name: 'codice', label: t('codeLabel'), value, help: t('codeHelp'), required: true, autocomplete: 'off' })}
  <button type="submit" class="btn btn-primary">${t('verifySubmit')}</button>
</form>`;
}

function row(label: string, value: SafeHtml | string): SafeHtml {
  return html`<div class="row border-bottom py-2"><dt class="col-sm-4">${label}</dt><dd class="col-sm-8 mb-0">${value}</dd></div>`;
}

function authenticPage(request: FastifyRequest, c: IssuedCertificate, today: IsoDate): SafeHtml {
  const t = certificateT(request.locale);
  const content = c.content;
  const date = (d: IsoDate) => formatCalendarDate(request.locale, d);
  const expired = expiredOn(c, today);
  const family = content.family;
  return html`<h1>${t('authenticTitle')}</h1>
${alert('success', t('authenticLead', { code: formatCertificateCode(c.code) }))}
${expired ? alert('warning', t('expired', { date: date(expired) })) : ''}
<h2 class="h4 mt-4">${t('detailsHeading')}</h2>
<dl class="mb-4">
  ${row(t('fieldKind'), request.locale === 'it' ? content.title : html`${kindName(t, c.kind)} <span lang="it">(${content.title})</span>`)}
  ${row(t('fieldSubject'), fullName(content.subject))}
  ${row(t('fieldFiscalCode'), content.subject.fiscalCode)}
  ${row(t('fieldComune'), comuneLabel(content.comune))}
  ${row(t('fieldIssuedOn'), date(c.issuedOn))}
  ${content.historical ? row(t('fieldReferenceDate'), date(c.referenceDate)) : ''}
  ${row(t('fieldValidUntil'), c.validUntil ? date(c.validUntil) : t('validUnlimited'))}
  ${row(t('fieldStampDuty'), html`<span lang="it">${stampDutyLine(content.stampDuty)}</span>`)}
  ${row(t('fieldHash'), html`<code class="text-break">${c.pdfSha256}</code><br><small>${t('hashHelp')}</small>`)}
</dl>
<h2 class="h4">${t('certifiedHeading')}</h2>
<p class="small text-muted">${t('certifiedNote')}</p>
<div lang="it" class="border rounded p-3 mb-4">
  <p class="mb-1"><strong>${content.title.toUpperCase()}</strong></p>
  <p class="mb-1">Si certifica che <strong>${fullName(content.subject)}</strong>, ${bornLine(content.subject)}, codice fiscale ${content.subject.fiscalCode},</p>
  ${certifiedStatements(content).map((s) => html`<p class="mb-1">${s}</p>`)}
  ${
    family
      ? dataTable(
          t('familyCaption'),
          [t('columnName'), t('columnBirth'), t('columnFiscalCode'), ...(family.relationships ? [t('columnRelationship')] : [])],
          family.members.map((m) => [fullName(m), `${m.birthPlace}, ${italianDate(m.birthDate)}`, m.fiscalCode, ...(family.relationships ? [relationshipLabel(m.relationship, m.sex)] : [])]),
          '',
        )
      : ''
  }
  <p class="mb-1 mt-2">${ARTICLE_40_NOTE}</p>
  <p class="mb-0">${validityLine(content)}</p>
</div>
<p><a href="${VERIFY_PATH}">${t('anotherCode')}</a></p>`;
}

export function registerCertificateRoutes(app: App, deps: CertificateRouteDeps): void {
  const today = deps.today ?? todayUtc;

  app.get(
    VERIFY_PATH,
    { config: { html: true, rateLimit: VERIFY_RATE_LIMIT }, schema: { hide: true, querystring: Type.Object({ codice: Type.Optional(Type.String({ maxLength: 100 })) }) } },
    async (request, reply) => {
      const typed = request.query.codice?.trim();
      // A code typed in the form goes to its page, in canonical form when it is one.
      if (typed) return reply.redirect(`${VERIFY_PATH}/${encodeURIComponent(parseCertificateCode(typed) ?? typed)}`, 303);
      const t = certificateT(request.locale);
      return sendPage(reply, request, { title: t('verifyTitle'), breadcrumb: [{ label: t('verifyTitle') }], main: html`<h1>${t('verifyTitle')}</h1><p class="lead">${t('verifyIntro')}</p>${verifyForm(t)}` });
    },
  );

  app.get(
    `${VERIFY_PATH}/:code`,
    { config: { html: true, rateLimit: VERIFY_RATE_LIMIT }, schema: { hide: true, params: Type.Object({ code: Type.String({ maxLength: 100 }) }) } },
    async (request, reply) => {
      const t = certificateT(request.locale);
      const breadcrumb = [{ label: t('verifyTitle'), href: VERIFY_PATH }, { label: request.params.code }];
      const certificate = await findCertificate(deps.db, request.params.code);
      if (!certificate) {
        const main = html`<h1>${t('notFoundTitle')}</h1>${alert('danger', t('notFoundLead', { code: request.params.code }))}<p>${t('notFoundHelp')}</p>${verifyForm(t, request.params.code)}`;
        return sendPage(reply, request, { title: t('notFoundTitle'), breadcrumb, main }, 404);
      }
      return sendPage(reply, request, { title: t('authenticTitle'), breadcrumb, main: authenticPage(request, certificate, today()) });
    },
  );

  app.get(
    '/api/v1/certificati/:code',
    {
      config: { rateLimit: VERIFY_RATE_LIMIT },
      schema: {
        tags: ['certificati'],
        summary: 'Verify a certificate by its code: what it certified when issued, and the SHA-256 of its PDF',
        operationId: 'verifyCertificate',
        params: Type.Object({ code: Type.String({ maxLength: 100, description: 'as printed (dashes optional) or canonical' }) }),
        response: { 200: CertificateJson, 404: { $ref: 'Problem#' }, 429: { $ref: 'Problem#' } },
      },
    },
    async (request) => {
      const c = await findCertificate(deps.db, request.params.code);
      if (!c) throw notFound('No certificate issued by ANPR has this code: it is wrong, or the document is not authentic.');
      const s = c.content.subject;
      return {
        code: c.code,
        formattedCode: formatCertificateCode(c.code),
        kind: c.kind,
        title: c.content.title,
        issuedOn: c.issuedOn,
        issuedAt: c.issuedAt,
        referenceDate: c.referenceDate,
        validUntil: c.validUntil,
        expired: !!expiredOn(c, today()),
        comune: c.content.comune,
        subject: { familyName: s.familyName, givenName: s.givenName, fiscalCode: s.fiscalCode, birthDate: s.birthDate, birthPlace: s.birthPlace },
        statements: certifiedStatements(c.content),
        content: c.content,
        pdfSha256: c.pdfSha256,
      };
    },
  );
}

// --- For the citizen pages ---------------------------------------------------------------------------------

/** Sends a PDF as a download that is never cached (it carries personal data). */
export function sendPdf(reply: FastifyReply, pdf: Buffer, filename: string): FastifyReply {
  return reply
    .type('application/pdf')
    .header('content-disposition', `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`)
    .header('cache-control', 'no-store')
    .send(pdf);
}

/**
 * Issues a certificate for the signed-in citizen and sends its PDF (header x-certificate-code: the code).
 * Refusals become problems (404, 403, 422 naming the field), rendered as pages on HTML routes.
 */
export async function sendIssuedCertificate(
  deps: CertificateRouteDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  input: Omit<IssueCertificateInput, 'publicUrl' | 'today' | 'requestId'>,
): Promise<FastifyReply> {
  try {
    const { code, pdf } = await issueCertificate(deps.db, { ...input, publicUrl: deps.publicUrl, today: (deps.today ?? todayUtc)(), requestId: request.id });
    return sendPdf(reply.header('x-certificate-code', code), pdf, `certificato-${input.kind}-${code}.pdf`);
  } catch (err) {
    throw toProblem(err);
  }
}

/** Sends the prefilled self-declaration of a citizen (themselves: the declarant signs it) with these facts. */
export async function sendAutocertificazione(deps: CertificateRouteDeps, reply: FastifyReply, input: { fiscalCode: string; facts: readonly SelfDeclarableFact[] }): Promise<FastifyReply> {
  const today = (deps.today ?? todayUtc)();
  const id = await idByFiscalCode(deps.db, input.fiscalCode);
  const person = id ? await readPersonAsOf(deps.db, id, today) : undefined;
  if (!person || person.status === 'deceased') throw notFound('No living person in ANPR with this fiscal code.');
  const family = person.family ? await readFamilyAsOf(deps.db, person.family.familyId, today) : [];
  return sendPdf(reply, await autocertificazionePdf(person, family, input.facts, { date: today }), `autocertificazione-${person.fiscalCode}.pdf`);
}
