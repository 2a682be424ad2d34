// The citizen's applications in the personal area: "Le mie domande" (list, detail = receipt with the
// timeline, documents and the answer to a request for integration) and "Le mie bozze" (resume, delete).
// Everything is looked up as the citizen: another citizen's application is a 404.
import { formatItalianTime, type Locale } from '../../core/i18n.ts';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { html, type SafeHtml } from '../../core/html.ts';
import type { App } from '../../core/http.ts';
import { transaction } from '../../core/db.ts';
import { dataTable } from '../../core/ui.ts';
import { alert, csrfField, errorSummary, textareaField, type FieldErrors } from '../../core/forms.ts';
import { checkFormCsrf, formCsrfToken, redirectTo } from '../../core/auth/sessions.ts';
import { conflict, notFound } from '../../core/problem.ts';
import { citizenLogin, requireTenant, type CitizenLogin, type ComuneContext } from '../context.ts';
import type { Tenant } from '../tenants/tenants.ts';
import { renderPage } from '../website/layout.ts';
import { sendPage } from '../website/routes.ts';
import { applicationPath } from '../catalog/pages.ts';
import { STATUS, statusName, type StatusCode } from '../applications/states.ts';
import type { Application, ApplicationEvent, Attachment } from '../applications/store.ts';
import type { StoredFile } from '../forms/files.ts';
import { citizenActor, journeyDeps, readFormPost, uploadErrorCode, type JourneyDeps } from './http.ts';
import { toDocuments } from './documents.ts';
import { outcomeLetter } from '../desk/store.ts';
import { formsT, type FormsKey } from '../forms/messages.ts';
import { audit } from '../../core/audit.ts';
import { journeyT, type JourneyT } from './messages.ts';

const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const TenantParams = Type.Object({ tenant: Type.String() });
const IdParams = Type.Object({ tenant: Type.String(), id: Type.String({ pattern: UUID }) });
const FileParams = Type.Object({ tenant: Type.String(), id: Type.String({ pattern: UUID }), sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }) });
const NoticeQuery = Type.Object({ inviata: Type.Optional(Type.Literal('1')), integrata: Type.Optional(Type.Literal('1')), eliminata: Type.Optional(Type.Literal('1')) });

export const APPLICATIONS_PATH = '/area-personale/domande';
export const DRAFTS_PATH = '/area-personale/bozze';
export const receiptPath = (tenant: Pick<Tenant, 'slug'>, id: string) => `/${tenant.slug}${APPLICATIONS_PATH}/${id}`;

export const statusLabel = (tr: JourneyT, status: StatusCode) => tr(`status.${statusName(status)}`);
const day = (locale: Locale, at: Date) => formatItalianTime(locale, at, 'long');
const moment = (locale: Locale, at: Date) => formatItalianTime(locale, at, 'long', 'short');

/** "n. 12/2026 del 3 marzo 2026", or what stands in for it while the protocol job runs. */
function protocolText(tr: JourneyT, locale: Locale, app: Pick<Application, 'status' | 'protocol'>): string {
  if (app.protocol) return tr('journey.protocolNumber', { number: app.protocol.number, year: app.protocol.year, date: day(locale, app.protocol.registeredAt) });
  return app.status === STATUS.submitted ? tr('journey.protocolPending') : tr('journey.protocolNone');
}

/** A download with a name the browser keeps as given (RFC 6266 filename*). */
function sendDownload(reply: FastifyReply, bytes: Buffer, mime: string, name: string) {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return reply
    .type(mime)
    .header('content-disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`)
    .header('x-content-type-options', 'nosniff')
    .send(bytes);
}

export function registerApplicationArea(app: App, comune: ComuneContext): void {
  const deps: JourneyDeps = journeyDeps(comune);
  const secret = comune.app.secret;

  /** The signed-in citizen, or the reply (to the login page) already sent. */
  function signedIn(request: FastifyRequest, reply: FastifyReply): CitizenLogin | undefined {
    const login = citizenLogin(request);
    if (login) return login;
    request.session.set('returnTo', request.url);
    redirectTo(reply, `/${requireTenant(request).slug}/accedi`);
    return undefined;
  }

  function page(request: FastifyRequest, login: CitizenLogin, title: string, body: SafeHtml, trail: { label: string; href?: string }[] = []): string {
    const tenant = requireTenant(request);
    const tr = journeyT(request.locale);
    return renderPage({
      request,
      tenant,
      title,
      body,
      breadcrumb: [{ label: tr('area.title'), href: `/${tenant.slug}/area-personale` }, ...trail, { label: title }],
      signedInAs: `${login.givenName} ${login.familyName}`,
    });
  }

  app.get(APPLICATIONS_PATH, { config: { html: true }, schema: { hide: true, params: TenantParams } }, async (request, reply) => {
    const login = signedIn(request, reply);
    if (!login) return reply;
    const tenant = requireTenant(request);
    const tr = journeyT(request.locale);
    const items = await deps.mine.list(citizenActor(login), false);
    const table = dataTable(
      tr('journey.myApplications'),
      [tr('journey.col.service'), tr('journey.col.status'), tr('journey.col.submitted'), tr('journey.col.protocol')],
      items.map((a) => [
        html`<a href="${receiptPath(tenant, a.id)}">${a.serviceName}</a>`,
        statusLabel(tr, a.status),
        a.submittedAt ? day(request.locale, a.submittedAt) : '—',
        a.protocol ? `${a.protocol.number}/${a.protocol.year}` : '—',
      ]),
      tr('journey.noApplications'),
    );
    const body = html`<h1>${tr('journey.myApplications')}</h1><p class="lead">${tr('journey.myApplicationsIntro')}</p>${table}
<p><a href="/${tenant.slug}${DRAFTS_PATH}">${tr('journey.myDrafts')}</a></p>`;
    return sendPage(reply, page(request, login, tr('journey.myApplications'), body));
  });

  async function detailPage(request: FastifyRequest, login: CitizenLogin, id: string, form: { notice?: string; errors?: FieldErrors; message?: string } = {}): Promise<string> {
    const tenant = requireTenant(request);
    const tr = journeyT(request.locale);
    const actor = citizenActor(login);
    const application = await deps.store.get(actor, id);
    if (application.status === STATUS.draft) throw notFound('A draft has no receipt.');
    const [events, attachments, letter] = await Promise.all([deps.store.timeline(actor, id), deps.store.attachments(comune.db, id), outcomeLetter(comune.db, id)]);
    const base = receiptPath(tenant, id);
    const errors = form.errors ?? {};
    const row = (label: string, value: string) => html`<div class="col-12 col-md-6 mb-3"><dt class="small text-secondary">${label}</dt><dd class="fw-semibold mb-0">${value}</dd></div>`;
    const by = (e: ApplicationEvent) => tr(`journey.event.${e.actorType}`);
    const body = html`<h1>${tr('journey.applicationTitle', { service: application.serviceName })}</h1>
${form.notice ? alert('success', form.notice) : ''}
${errorSummary(errors, tr('area.errorSummary', { count: Object.keys(errors).length }))}
<dl class="row">
  ${row(tr('journey.applicationId'), application.id)}
  ${row(tr('journey.status'), statusLabel(tr, application.status))}
  ${row(tr('journey.submittedAt'), application.submittedAt ? moment(request.locale, application.submittedAt) : '—')}
  ${row(tr('journey.protocol'), protocolText(tr, request.locale, application))}
</dl>
<section class="mb-4" aria-labelledby="documents"><h2 id="documents" class="h4">${tr('journey.documents')}</h2>
  <ul>
    ${application.pdfSha256 ? html`<li><a href="${base}/domanda.pdf" download>${tr('journey.applicationPdf')}</a></li>` : ''}
    ${letter ? html`<li><a href="${base}/lettera.pdf" download>${letter.protocol ? tr('journey.letter', { number: letter.protocol.number, year: letter.protocol.year }) : tr('journey.letterUnregistered')}</a></li>` : ''}
    ${attachments.filter((a) => a.sha256 !== letter?.sha256).map((a: Attachment) => html`<li><a href="${base}/allegati/${a.sha256}" download>${tr('journey.attachment', { name: a.name })}</a></li>`)}
  </ul>
</section>
${application.status === STATUS.requestIntegration
  ? html`<section class="card card-bg shadow-sm mb-4" aria-labelledby="integration"><div class="card-body">
  <h2 id="integration" class="h4">${tr('journey.integration')}</h2>
  <p>${tr('journey.integrationIntro')}</p>
  <form method="post" action="${base}/integrazione" enctype="multipart/form-data" novalidate>
    ${csrfField(formCsrfToken(request, secret))}
    ${textareaField({ name: 'message', label: tr('journey.integrationMessage'), value: form.message ?? '', error: errors.message, required: true, rows: 4 })}
    <div class="form-group mb-4">
      <label for="field-file" class="active">${tr('journey.integrationFile')}</label>
      <input type="file" id="field-file" name="file" class="form-control-file d-block" accept=".pdf,.png,.jpg,.jpeg"${errors.file ? html` aria-invalid="true" aria-describedby="field-file-error"` : ''}>
      ${errors.file ? html`<div id="field-file-error" class="invalid-feedback d-block">${errors.file}</div>` : ''}
    </div>
    <button type="submit" class="btn btn-primary">${tr('journey.integrationSend')}</button>
  </form>
</div></section>`
  : ''}
<section class="mb-4" aria-labelledby="timeline"><h2 id="timeline" class="h4">${tr('journey.timeline')}</h2>
  <ol class="list-unstyled">
    ${events.map((e) => html`<li class="mb-2"><time class="small text-secondary d-block" datetime="${e.at.toISOString()}">${moment(request.locale, e.at)}</time>
      ${tr('journey.event', { status: statusLabel(tr, e.to), by: by(e) })}${e.message ? html`<blockquote class="mb-0 small">${e.message}</blockquote>` : ''}</li>`)}
  </ol>
</section>
<p><a href="/${tenant.slug}${APPLICATIONS_PATH}">${tr('journey.back')}</a></p>`;
    return page(request, login, tr('journey.applicationTitle', { service: application.serviceName }), body, [{ label: tr('journey.myApplications'), href: `/${tenant.slug}${APPLICATIONS_PATH}` }]);
  }

  app.get(`${APPLICATIONS_PATH}/:id`, { config: { html: true }, schema: { hide: true, params: IdParams, querystring: NoticeQuery } }, async (request, reply) => {
    const login = signedIn(request, reply);
    if (!login) return reply;
    const tr = journeyT(request.locale);
    const notice = request.query.inviata ? tr('journey.submittedNotice') : request.query.integrata ? tr('journey.integrationSent') : undefined;
    return sendPage(reply, await detailPage(request, login, request.params.id, { notice }));
  });

  app.get(`${APPLICATIONS_PATH}/:id/domanda.pdf`, { config: { html: true }, schema: { hide: true, params: IdParams } }, async (request, reply) => {
    const login = signedIn(request, reply);
    if (!login) return reply;
    const application = await deps.store.get(citizenActor(login), request.params.id);
    const bytes = application.pdfSha256 ? await deps.documents.get(application.pdfSha256) : undefined;
    if (!bytes) throw notFound('This application has no PDF.');
    return sendDownload(reply, bytes, 'application/pdf', `domanda-${application.id}.pdf`);
  });

  app.get(`${APPLICATIONS_PATH}/:id/lettera.pdf`, { config: { html: true }, schema: { hide: true, params: IdParams } }, async (request, reply) => {
    const login = signedIn(request, reply);
    if (!login) return reply;
    // The store's get is the authorization: only the letter of the citizen's own application.
    const application = await deps.store.get(citizenActor(login), request.params.id);
    const letter = await outcomeLetter(comune.db, application.id);
    const bytes = letter && (await deps.documents.get(letter.sha256));
    if (!letter || !bytes) throw notFound('This application has no outcome letter.');
    return sendDownload(reply, bytes, 'application/pdf', letter.fileName);
  });

  app.get(`${APPLICATIONS_PATH}/:id/allegati/:sha256`, { config: { html: true }, schema: { hide: true, params: FileParams } }, async (request, reply) => {
    const login = signedIn(request, reply);
    if (!login) return reply;
    // Only a document of the citizen's own application: the store's get is the authorization.
    await deps.store.get(citizenActor(login), request.params.id);
    const attachment = (await deps.store.attachments(comune.db, request.params.id)).find((a) => a.sha256 === request.params.sha256);
    const bytes = attachment && (await deps.documents.get(attachment.sha256));
    if (!attachment || !bytes) throw notFound('No such document.');
    return sendDownload(reply, bytes, attachment.mime, attachment.name);
  });

  app.post(`${APPLICATIONS_PATH}/:id/integrazione`, { config: { html: true }, schema: { hide: true, params: IdParams } }, async (request, reply) => {
    const login = signedIn(request, reply);
    if (!login) return reply;
    const tenant = requireTenant(request);
    const tr = journeyT(request.locale);
    const actor = citizenActor(login);
    const application = await deps.store.get(actor, request.params.id);
    if (application.status !== STATUS.requestIntegration) throw conflict('No integration is requested for this application.');
    const errors: FieldErrors = {};
    let file: StoredFile | undefined;
    const body = await readFormPost(request, secret, async (field, filename, stream) => {
      if (field !== 'file') return;
      try {
        file = await deps.uploads.put({ tenantId: tenant.id, owner: login.fiscalCode, formId: null, filename, body: stream });
      } catch (err) {
        errors.file = formsT(request.locale)(`forms.error.${uploadErrorCode(err)}` as FormsKey, { label: tr('journey.integrationFile') });
      }
    });
    const message = typeof body.message === 'string' ? body.message.trim() : '';
    if (message.length < 5 || message.length > 4000) errors.message = tr('journey.integrationRequired');
    if (Object.keys(errors).length) return sendPage(reply, await detailPage(request, login, application.id, { errors, message }), 422);
    const documents = await toDocuments(deps, file ? [file] : []);
    await deps.store.answerIntegration(actor, application.id, { message, attachments: documents });
    return redirectTo(reply, `${receiptPath(tenant, application.id)}?integrata=1`);
  });

  app.get(DRAFTS_PATH, { config: { html: true }, schema: { hide: true, params: TenantParams, querystring: NoticeQuery } }, async (request, reply) => {
    const login = signedIn(request, reply);
    if (!login) return reply;
    const tenant = requireTenant(request);
    const tr = journeyT(request.locale);
    const token = formCsrfToken(request, secret);
    const [drafts, services] = await Promise.all([deps.mine.list(citizenActor(login), true), deps.services.list(tenant.id)]);
    const slugs = new Map(services.map((s) => [s.id, s.slug]));
    const table = dataTable(
      tr('journey.myDrafts'),
      [tr('journey.col.service'), tr('journey.col.updated'), tr('journey.col.actions')],
      drafts.map((d) => {
        const slug = slugs.get(d.serviceId);
        return [
          d.serviceName,
          moment(request.locale, d.updatedAt),
          html`<div class="d-flex gap-2 align-items-center">
  ${slug ? html`<a class="btn btn-primary btn-sm" href="${applicationPath(tenant, { slug })}/${d.id}">${tr('journey.resume', { service: d.serviceName })}</a>` : ''}
  <form method="post" action="/${tenant.slug}${DRAFTS_PATH}/${d.id}/elimina">${csrfField(token)}<button type="submit" class="btn btn-outline-danger btn-sm">${tr('journey.delete', { service: d.serviceName })}</button></form>
</div>`,
        ];
      }),
      tr('journey.noDrafts'),
    );
    const body = html`<h1>${tr('journey.myDrafts')}</h1>
${request.query.eliminata ? alert('success', tr('journey.deleted')) : ''}
<p class="lead">${tr('journey.myDraftsIntro')}</p>${table}
<p><a href="/${tenant.slug}${APPLICATIONS_PATH}">${tr('journey.myApplications')}</a></p>`;
    return sendPage(reply, page(request, login, tr('journey.myDrafts'), body));
  });

  app.post(`${DRAFTS_PATH}/:id/elimina`, { config: { html: true }, schema: { hide: true, params: IdParams } }, async (request, reply) => {
    checkFormCsrf(request, secret);
    const login = signedIn(request, reply);
    if (!login) return reply;
    const tenant = requireTenant(request);
    const deleted = await transaction(comune.db, async (tx) => {
      if (!(await deps.store.deleteDraft(citizenActor(login), request.params.id, tx))) return false;
      await audit(tx, 'comune', { actorType: 'citizen', actorId: login.fiscalCode, tenantId: tenant.id, action: 'application.draft.delete', targetType: 'application', targetId: request.params.id, requestId: request.id });
      return true;
    });
    if (!deleted) throw notFound('No such draft.');
    return redirectTo(reply, `/${tenant.slug}${DRAFTS_PATH}?eliminata=1`);
  });
}

/** The personal area's links to the citizen's applications and drafts (area/routes.ts shows them). */
export function applicationLinks(tenant: Pick<Tenant, 'slug'>, locale: Locale): SafeHtml {
  const tr = journeyT(locale);
  return html`<section class="card card-bg shadow-sm mb-4" aria-labelledby="my-applications"><div class="card-body">
  <h2 id="my-applications" class="h4">${tr('journey.links')}</h2>
  <ul class="mb-0">
    <li><a href="/${tenant.slug}${APPLICATIONS_PATH}">${tr('journey.myApplications')}</a></li>
    <li><a href="/${tenant.slug}${DRAFTS_PATH}">${tr('journey.myDrafts')}</a></li>
  </ul>
</div></section>`;
}
