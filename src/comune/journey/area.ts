// The citizen's applications in the personal area: "Le mie domande" (list, detail = receipt with the
// timeline, documents, the satisfaction question after the submission and the answer to a request for
// integration, saved in draft and sent later) and "Le mie bozze" (resume, delete; answers in draft).
// Everything is looked up as the citizen: another citizen's application is a 404.
import { randomUUID } from 'node:crypto';
import { formatItalianTime, type Locale } from '../../core/i18n.ts';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { html, type SafeHtml } from '../../core/html.ts';
import type { App } from '../../core/http.ts';
import { transaction } from '../../core/db.ts';
import { dataTable } from '../../core/ui.ts';
import { alert, csrfField, errorSummary, textareaField, type FieldErrors } from '../../core/forms.ts';
import { checkFormCsrf, formCsrfToken, redirectTo } from '../../core/auth/sessions.ts';
import { conflict, invalid, notFound } from '../../core/problem.ts';
import { requireTenant, type CitizenLogin, type ComuneContext } from '../context.ts';
import type { Tenant } from '../tenants/tenants.ts';
import { sendPage } from '../website/routes.ts';
import { areaPage, signedIn } from '../area/page.ts';
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
import { procedurePage } from '../ratings/model.ts';
import { FEEDBACK_ASSETS, ratingWidget, THANKS_QUERY } from '../ratings/widget.ts';
import { applicationPaymentsSection } from '../payments/area.ts';
import { PAYMENTS_AREA_PATH } from '../payments/paths.ts';
import { MESSAGES_AREA_PATH } from '../messaging/paths.ts';
import { messagingT } from '../messaging/messages.ts';
import { paymentsT } from '../payments/messages.ts';

const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const TenantParams = Type.Object({ tenant: Type.String() });
const IdParams = Type.Object({ tenant: Type.String(), id: Type.String({ pattern: UUID }) });
const FileParams = Type.Object({ tenant: Type.String(), id: Type.String({ pattern: UUID }), sha256: Type.String({ pattern: '^[0-9a-f]{64}$' }) });
const NoticeQuery = Type.Object({
  inviata: Type.Optional(Type.Literal('1')),
  integrata: Type.Optional(Type.Literal('1')),
  bozza: Type.Optional(Type.Literal('1')),
  rimosso: Type.Optional(Type.Literal('1')),
  eliminata: Type.Optional(Type.Literal('1')),
  valutazione: Type.Optional(Type.Literal(THANKS_QUERY.valutazione)),
});
/** The answer's idempotency key travels in the form's action: a double click sends the same one twice. */
const AnswerQuery = Type.Object({ k: Type.Optional(Type.String({ pattern: UUID })) });
/** Waiting for the applicant's answer: nothing saved yet, or an answer in draft. */
const ANSWERING: readonly StatusCode[] = [STATUS.requestIntegration, STATUS.draftForIntegration];
const MESSAGE_MAX = 4000;

/** What the answer form's button asks for; a post without one (no button pressed) sends, as before drafts. */
type AnswerAction = { kind: 'save' } | { kind: 'send' } | { kind: 'remove'; sha256: string };
function answerAction(value: unknown): AnswerAction | undefined {
  if (value === undefined || value === 'send') return { kind: 'send' };
  if (value === 'save') return { kind: 'save' };
  const remove = typeof value === 'string' ? /^remove:([0-9a-f]{64})$/.exec(value) : null;
  return remove ? { kind: 'remove', sha256: remove[1]! } : undefined;
}

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
        a.status === STATUS.draftForIntegration
          ? html`${statusLabel(tr, a.status)}<br><a href="${receiptPath(tenant, a.id)}#integration">${tr('journey.resumeIntegration', { service: a.serviceName })}</a>`
          : statusLabel(tr, a.status),
        a.submittedAt ? day(request.locale, a.submittedAt) : '—',
        a.protocol ? `${a.protocol.number}/${a.protocol.year}` : '—',
      ]),
      tr('journey.noApplications'),
    );
    const body = html`<h1>${tr('journey.myApplications')}</h1><p class="lead">${tr('journey.myApplicationsIntro')}</p>${table}
<p><a href="/${tenant.slug}${DRAFTS_PATH}">${tr('journey.myDrafts')}</a></p>`;
    return sendPage(reply, areaPage(request, login, tr('journey.myApplications'), body));
  });

  /** The end-of-service question for the application's online procedure, when its service still takes them. */
  async function procedureRating(request: FastifyRequest, application: Application, thanked: boolean): Promise<SafeHtml | undefined> {
    const tenant = requireTenant(request);
    const service = await deps.services.byId(tenant.id, application.serviceId);
    if (!service?.formId) return undefined;
    return ratingWidget({ locale: request.locale, tenantSlug: tenant.slug, page: procedurePage(service.slug), returnTo: receiptPath(tenant, application.id), thanked });
  }

  async function detailPage(
    request: FastifyRequest,
    login: CitizenLogin,
    id: string,
    form: { notice?: string; errors?: FieldErrors; message?: string; rating?: 'ask' | 'thanked' } = {},
  ): Promise<string> {
    const tenant = requireTenant(request);
    const tr = journeyT(request.locale);
    const actor = citizenActor(login);
    const application = await deps.store.get(actor, id);
    if (application.status === STATUS.draft) throw notFound('A draft has no receipt.');
    const [events, attachments, letter, draft, rating, payments] = await Promise.all([
      deps.store.timeline(actor, id),
      deps.store.attachments(comune.db, id),
      outcomeLetter(comune.db, id),
      application.status === STATUS.draftForIntegration ? deps.store.integrationDraft(actor, id) : undefined,
      form.rating ? procedureRating(request, application, form.rating === 'thanked') : undefined,
      applicationPaymentsSection(comune.db, tenant, id, request.locale),
    ]);
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
${payments}
<section class="mb-4" aria-labelledby="documents"><h2 id="documents" class="h4">${tr('journey.documents')}</h2>
  <ul>
    ${application.pdfSha256 ? html`<li><a href="${base}/domanda.pdf" download>${tr('journey.applicationPdf')}</a></li>` : ''}
    ${letter ? html`<li><a href="${base}/lettera.pdf" download>${letter.protocol ? tr('journey.letter', { number: letter.protocol.number, year: letter.protocol.year }) : tr('journey.letterUnregistered')}</a></li>` : ''}
    ${attachments.filter((a) => a.sha256 !== letter?.sha256).map((a: Attachment) => html`<li><a href="${base}/allegati/${a.sha256}" download>${tr('journey.attachment', { name: a.name })}</a></li>`)}
  </ul>
</section>
${ANSWERING.includes(application.status)
  ? html`<section class="card card-bg shadow-sm mb-4" aria-labelledby="integration"><div class="card-body">
  <h2 id="integration" class="h4">${tr('journey.integration')}</h2>
  <p>${tr('journey.integrationIntro')}</p>
  ${draft ? alert('info', tr('journey.integrationDraftNotice', { date: moment(request.locale, draft.updatedAt) })) : ''}
  <form method="post" action="${base}/integrazione?k=${randomUUID()}" enctype="multipart/form-data" novalidate>
    ${csrfField(formCsrfToken(request, secret))}
    ${textareaField({ name: 'message', label: tr('journey.integrationMessage'), value: form.message ?? draft?.message ?? '', error: errors.message, required: true, rows: 4 })}
    ${draft?.attachments.length
      ? html`<h3 class="h6">${tr('journey.integrationDraftFiles')}</h3>
    <ul class="list-unstyled">
      ${draft.attachments.map(
        (a) => html`<li class="d-flex gap-2 align-items-center mb-2"><a href="${base}/allegati/${a.sha256}" download>${a.name}</a>
        <button type="submit" name="_action" value="remove:${a.sha256}" class="btn btn-outline-danger btn-sm">${tr('journey.integrationRemove', { name: a.name })}</button></li>`,
      )}
    </ul>`
      : ''}
    <div class="form-group mb-4">
      <label for="field-file" class="active">${tr('journey.integrationFile')}</label>
      <input type="file" id="field-file" name="file" class="form-control-file d-block" accept=".pdf,.png,.jpg,.jpeg"${errors.file ? html` aria-invalid="true" aria-describedby="field-file-error"` : ''}>
      ${errors.file ? html`<div id="field-file-error" class="invalid-feedback d-block">${errors.file}</div>` : ''}
    </div>
    <div class="d-flex flex-wrap gap-2">
      <button type="submit" name="_action" value="save" class="btn btn-outline-primary">${tr('journey.integrationSave')}</button>
      <button type="submit" name="_action" value="send" class="btn btn-primary">${tr('journey.integrationSend')}</button>
    </div>
  </form>
</div></section>`
  : ''}
<section class="mb-4" aria-labelledby="timeline"><h2 id="timeline" class="h4">${tr('journey.timeline')}</h2>
  <ol class="list-unstyled">
    ${events.map((e) => html`<li class="mb-2"><time class="small text-secondary d-block" datetime="${e.at.toISOString()}">${moment(request.locale, e.at)}</time>
      ${tr('journey.event', { status: statusLabel(tr, e.to), by: by(e) })}${e.message ? html`<blockquote class="mb-0 small">${e.message}</blockquote>` : ''}</li>`)}
  </ol>
</section>
${rating ?? ''}
<p><a href="/${tenant.slug}${APPLICATIONS_PATH}">${tr('journey.back')}</a></p>`;
    const trail = [{ label: tr('journey.myApplications'), href: `/${tenant.slug}${APPLICATIONS_PATH}` }];
    return areaPage(request, login, tr('journey.applicationTitle', { service: application.serviceName }), body, trail, rating ? [FEEDBACK_ASSETS.script] : undefined);
  }

  app.get(`${APPLICATIONS_PATH}/:id`, { config: { html: true }, schema: { hide: true, params: IdParams, querystring: NoticeQuery } }, async (request, reply) => {
    const login = signedIn(request, reply);
    if (!login) return reply;
    const tr = journeyT(request.locale);
    const { inviata, integrata, bozza, rimosso, valutazione } = request.query;
    const notice = inviata
      ? tr('journey.submittedNotice')
      : integrata
        ? tr('journey.integrationSent')
        : bozza
          ? tr('journey.integrationDraftSaved')
          : rimosso
            ? tr('journey.integrationRemoved')
            : undefined;
    // Designers Italia's end-of-service question, right after the submission (and its thanks once answered).
    const rating = valutazione ? 'thanked' : inviata ? 'ask' : undefined;
    return sendPage(reply, await detailPage(request, login, request.params.id, { notice, rating }));
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
    // Only a document of the citizen's own application (or of their answer in draft): the store's get is the authorization.
    const actor = citizenActor(login);
    const application = await deps.store.get(actor, request.params.id);
    const draft = application.status === STATUS.draftForIntegration ? await deps.store.integrationDraft(actor, application.id) : undefined;
    const attachment = [...(await deps.store.attachments(comune.db, application.id)), ...(draft?.attachments ?? [])].find((a) => a.sha256 === request.params.sha256);
    const bytes = attachment && (await deps.documents.get(attachment.sha256));
    if (!attachment || !bytes) throw notFound('No such document.');
    return sendDownload(reply, bytes, attachment.mime, attachment.name);
  });

  app.post(`${APPLICATIONS_PATH}/:id/integrazione`, { config: { html: true }, schema: { hide: true, params: IdParams, querystring: AnswerQuery } }, async (request, reply) => {
    const login = signedIn(request, reply);
    if (!login) return reply;
    const tenant = requireTenant(request);
    const tr = journeyT(request.locale);
    const actor = citizenActor(login);
    const application = await deps.store.get(actor, request.params.id);
    // The twin of a double-clicked send still reaches the store, which gives back the answer it first made.
    if (!ANSWERING.includes(application.status) && !request.query.k) throw conflict('No integration is requested for this application.');
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
    const action = answerAction(body._action);
    if (!action) throw invalid([{ pointer: '/body/_action', code: 'enum', detail: 'save, send or remove:<sha256>' }]);
    const message = typeof body.message === 'string' ? body.message.trim() : '';
    if (message.length > MESSAGE_MAX) errors.message = tr('journey.integrationTooLong');
    else if (action.kind === 'send' && message.length < 5) errors.message = tr('journey.integrationRequired');
    if (Object.keys(errors).length) return sendPage(reply, await detailPage(request, login, application.id, { errors, message }), 422);
    const documents = await toDocuments(deps, file ? [file] : []);
    const receipt = receiptPath(tenant, application.id);
    if (action.kind === 'send') {
      if (!request.query.k) throw conflict('The form has no submission key: reload the page.');
      await deps.store.answerIntegration(actor, application.id, { message, attachments: documents, idempotencyKey: request.query.k });
      return redirectTo(reply, `${receipt}?integrata=1`);
    }
    // Removing a document (404 with nothing changed if there is no such one) keeps what was typed meanwhile, as saving does.
    if (action.kind === 'remove') await deps.store.removeIntegrationDraftAttachment(actor, application.id, action.sha256);
    await deps.store.saveIntegrationDraft(actor, application.id, { message, attachments: documents });
    return redirectTo(reply, `${receipt}?${action.kind === 'save' ? 'bozza' : 'rimosso'}=1#integration`);
  });

  app.get(DRAFTS_PATH, { config: { html: true }, schema: { hide: true, params: TenantParams, querystring: NoticeQuery } }, async (request, reply) => {
    const login = signedIn(request, reply);
    if (!login) return reply;
    const tenant = requireTenant(request);
    const tr = journeyT(request.locale);
    const token = formCsrfToken(request, secret);
    const [drafts, sent, services] = await Promise.all([deps.mine.list(citizenActor(login), true), deps.mine.list(citizenActor(login), false), deps.services.list(tenant.id)]);
    const answers = sent.filter((a) => a.status === STATUS.draftForIntegration);
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
${answers.length
  ? html`<h2 class="h4 mt-4">${tr('journey.integrationDrafts')}</h2><p>${tr('journey.integrationDraftsIntro')}</p>
${dataTable(
  tr('journey.integrationDrafts'),
  [tr('journey.col.service'), tr('journey.col.status'), tr('journey.col.updated'), tr('journey.col.actions')],
  answers.map((a) => [
    a.serviceName,
    statusLabel(tr, a.status),
    moment(request.locale, a.updatedAt),
    html`<a class="btn btn-primary btn-sm" href="${receiptPath(tenant, a.id)}#integration">${tr('journey.resumeIntegration', { service: a.serviceName })}</a>`,
  ]),
  '',
)}`
  : ''}
<p><a href="/${tenant.slug}${APPLICATIONS_PATH}">${tr('journey.myApplications')}</a></p>`;
    return sendPage(reply, areaPage(request, login, tr('journey.myDrafts'), body));
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
    <li><a href="/${tenant.slug}${PAYMENTS_AREA_PATH}">${paymentsT(locale)('payments.area.title')}</a></li>
    <li><a href="/${tenant.slug}${MESSAGES_AREA_PATH}" id="area-messages-link">${messagingT(locale)('messaging.area.link')}</a></li>
  </ul>
</div></section>`;
}
