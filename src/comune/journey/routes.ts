// The application wizard under /:tenant/servizi/:slug/domanda: login at the service's level, one draft
// per citizen per service (created or resumed), page-by-page posts saved as they come, uploads, the
// summary and the idempotent submit.
import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { html } from '../../core/html.ts';
import type { App } from '../../core/http.ts';
import { sql, transaction } from '../../core/db.ts';
import { alert } from '../../core/forms.ts';
import { formCsrfToken, redirectTo } from '../../core/auth/sessions.ts';
import { conflict, HttpProblem, notFound } from '../../core/problem.ts';
import { acrRank } from '../../clients/identity/index.ts';
import { signInChoices } from '../../clients/identity/sign-in.ts';
import { citizenLogin, requireTenant, type CitizenLogin, type ComuneContext } from '../context.ts';
import type { Tenant } from '../tenants/tenants.ts';
import { renderPage } from '../website/layout.ts';
import { sendPage } from '../website/routes.ts';
import { acceptsApplications, localizedContent, PUBLIC_STATUSES, type Service } from '../catalog/model.ts';
import { dateInItaly } from '../../domain/dates.ts';
import { applicationPath, servicePath, servicesPath } from '../catalog/pages.ts';
import type { FormRecord } from '../forms/forms.ts';
import { parseFileSize } from '../forms/schema.ts';
import { DEFAULT_MAX_BYTES, type StoredFile } from '../forms/files.ts';
import { lockedValues, prefill, type PrefillResult, type PrefillSources } from '../forms/prefill.ts';
import { adjacentPage, applyRowAction, FORMS_SCRIPT, parseFormAction, renderForm, visiblePages } from '../forms/render.ts';
import { formState, parseFormPost, validateSubmission, type FieldError, type ValidationContext } from '../forms/validate.ts';
import { PdndNotConnectedError } from '../interop/service.ts';
import { ApplicationStore, type Application } from '../applications/store.ts';
import { STATUS } from '../applications/states.ts';
import { citizenActor, journeyDeps, readFormPost, uploadErrorCode, type JourneyDeps } from './http.ts';
import { fileFields, fileIds, mergePage, pageOfErrors, requiredRank, summaryFields } from './wizard.ts';
import { toDocuments } from './documents.ts';
import { receiptPath } from './area.ts';
import { journeyT } from './messages.ts';
import { feeAtSubmission, PaymentFlow } from '../payments/flow.ts';
import { paymentPath, paymentsDeps } from '../payments/paths.ts';

const UUID = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const ServiceParams = Type.Object({ tenant: Type.String(), slug: Type.String({ maxLength: 80 }) });
const DraftParams = Type.Object({ tenant: Type.String(), slug: Type.String({ maxLength: 80 }), id: Type.String({ pattern: UUID }) });
const PageQuery = Type.Object({ pagina: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })) });
/** The submit's idempotency key travels in the form's action: a double click sends the same one twice. */
const PostQuery = Type.Object({ k: Type.Optional(Type.String({ pattern: UUID })) });

/** Where the prefill came from: the login and ANPR, the login only (no PDND), or ANPR failing. */
type AnprOutcome = 'ok' | 'not-connected' | 'unavailable';
interface Prefill extends PrefillResult {
  applicationId: string;
  anpr: AnprOutcome;
}

interface Loaded {
  tenant: Tenant;
  service: Service;
  login: CitizenLogin;
  app: Application;
  form: FormRecord;
}

export function registerJourney(app: App, comune: ComuneContext): void {
  const deps: JourneyDeps = journeyDeps(comune);
  const secret = comune.app.secret;
  const payments = new PaymentFlow(paymentsDeps(comune), comune.app.logger);

  /** A public service taking applications online, with a form: 404 otherwise, 409 outside its dates. */
  async function openService(tenant: Tenant, slug: string, locale: FastifyRequest['locale']): Promise<Service> {
    const service = await deps.services.bySlug(tenant.id, slug);
    if (!service || !PUBLIC_STATUSES.includes(service.status) || !service.formId) throw notFound('No such service.');
    if (!acceptsApplications(service, new Date())) throw new HttpProblem(409, { detail: journeyT(locale)('journey.closed') });
    return service;
  }

  /** The citizen signed in at the service's level; otherwise the reply is sent (login, or a higher level) and undefined. */
  function gate(request: FastifyRequest, reply: FastifyReply, tenant: Tenant, service: Service): CitizenLogin | undefined {
    const login = citizenLogin(request);
    if (!login) {
      // Back here after the login (auth/citizen-auth.ts reads it).
      request.session.set('returnTo', request.url);
      redirectTo(reply, `/${tenant.slug}/accedi`);
      return undefined;
    }
    const level = requiredRank(service.accessLevel);
    if (acrRank(login.acr) >= level) return login;
    request.session.set('returnTo', request.url);
    const tr = journeyT(request.locale);
    const body = html`<h1>${tr('journey.higherLevelTitle')}</h1>
<p class="lead">${tr('journey.higherLevel', { level })}</p>
${signInChoices({ locale: request.locale, spidHref: (idp) => `/${tenant.slug}/auth/spid?idp=${idp}&level=${level}`, cieHref: `/${tenant.slug}/auth/cie?level=${level}` })}`;
    sendPage(reply, renderPage({ request, tenant, title: tr('journey.higherLevelTitle'), body, signedInAs: `${login.givenName} ${login.familyName}` }), 403);
    return undefined;
  }

  /** The prefill from the login (and the contacts the citizen gave) and, when the ente is connected to PDND, ANPR. */
  async function computePrefill(request: FastifyRequest, login: CitizenLogin, tenant: Tenant, form: FormRecord): Promise<Omit<Prefill, 'applicationId'>> {
    const citizen = await comune.citizens.byId(login.tenantId, login.citizenId);
    const sources: PrefillSources = {
      login: {
        fiscalCode: login.fiscalCode,
        givenName: login.givenName,
        familyName: login.familyName,
        birthdate: login.birthdate,
        email: citizen?.email ?? undefined,
        phone: citizen?.phone ?? undefined,
        provider: login.provider,
      },
      today: dateInItaly(new Date()),
    };
    let anpr: AnprOutcome = 'ok';
    try {
      sources.anpr = await (await comune.interop.anprClientFor(tenant)).prefillProfile(login.fiscalCode);
    } catch (err) {
      anpr = err instanceof PdndNotConnectedError ? 'not-connected' : 'unavailable';
      if (anpr === 'unavailable') request.log.warn({ err }, 'ANPR prefill failed; prefilling from the login only');
    }
    return { ...prefill(form.schema, sources), anpr };
  }

  /** Kept in the session for the draft being filled: ANPR is asked once per draft and session. */
  async function prefillFor(request: FastifyRequest, loaded: Loaded): Promise<Prefill> {
    const cached = request.session.data.journeyPrefill as Prefill | undefined;
    if (cached?.applicationId === loaded.app.id) return cached;
    const fresh: Prefill = { applicationId: loaded.app.id, ...(await computePrefill(request, loaded.login, loaded.tenant, loaded.form)) };
    request.session.set('journeyPrefill', fresh);
    return fresh;
  }

  /** The citizen's draft for this service, or the reply already sent (login, receipt). */
  async function loadDraft(request: FastifyRequest, params: { slug: string; id: string }, reply: FastifyReply): Promise<Loaded | undefined> {
    const tenant = requireTenant(request);
    const service = await openService(tenant, params.slug, request.locale);
    const login = gate(request, reply, tenant, service);
    if (!login) return undefined;
    const app = await deps.store.get(citizenActor(login), params.id);
    if (app.serviceId !== service.id) throw notFound('No such application.');
    if (app.status !== STATUS.draft) {
      redirectTo(reply, receiptPath(tenant, app.id));
      return undefined;
    }
    const form = app.formId && app.formVersion !== null ? await deps.forms.version(tenant.id, app.formId, app.formVersion) : undefined;
    if (!form) throw notFound('The form of this application is gone.');
    return { tenant, service, login, app, form };
  }

  async function contextOf(loaded: Loaded, locked: Record<string, unknown>, choices: Prefill['choices'] | undefined): Promise<Omit<ValidationContext, 'files'> & { files: StoredFile[] }> {
    const files = await deps.uploads.listFor(loaded.tenant.id, loaded.login.fiscalCode, loaded.form.id);
    return { today: dateInItaly(new Date()), files, locked, choices };
  }

  function wizardPage(request: FastifyRequest, loaded: Loaded, prefilled: Prefill, view: { data: Record<string, unknown>; ctx: ValidationContext; page: number; errors?: FieldError[] }): string {
    const { tenant, service, app, form, login } = loaded;
    const tr = journeyT(request.locale);
    const name = localizedContent(service.content, request.locale).name;
    const fromAnpr = Object.values(prefilled.marks).some((m) => m.origin === 'anpr');
    const notice = prefilled.anpr === 'not-connected' ? 'journey.prefillLoginOnly' : prefilled.anpr === 'unavailable' ? 'journey.prefillUnavailable' : fromAnpr ? 'journey.prefillAnpr' : undefined;
    const body = html`<h1>${tr('journey.applyFor', { service: name })}</h1>
<p class="small">${tr('journey.savedAutomatically')}</p>
${notice ? alert('info', tr(notice)) : ''}
${renderForm({
  schema: form.schema,
  locale: request.locale,
  action: `${applicationPath(tenant, service)}/${app.id}?k=${randomUUID()}`,
  csrfToken: formCsrfToken(request, secret),
  data: view.data,
  errors: view.errors,
  marks: prefilled.marks,
  ctx: view.ctx,
  page: view.page,
})}`;
    return renderPage({
      request,
      tenant,
      title: tr('journey.applyFor', { service: name }),
      body,
      breadcrumb: [{ label: tr('journey.services'), href: servicesPath(tenant) }, { label: name, href: servicePath(tenant, service) }, { label: tr('journey.breadcrumb') }],
      signedInAs: `${login.givenName} ${login.familyName}`,
      scripts: [FORMS_SCRIPT],
    });
  }

  app.get('/servizi/:slug/domanda', { config: { html: true }, schema: { hide: true, params: ServiceParams } }, async (request, reply) => {
    const tenant = requireTenant(request);
    const service = await openService(tenant, request.params.slug, request.locale);
    const login = gate(request, reply, tenant, service);
    if (!login) return reply;
    const actor = citizenActor(login);
    const existing = await deps.mine.openDraft(actor, service.id);
    if (existing) return redirectTo(reply, `${applicationPath(tenant, service)}/${existing}`);
    const form = await deps.forms.latest(tenant.id, service.formId!);
    if (!form) throw notFound('The form of this service is gone.');
    const prefilled = await computePrefill(request, login, tenant, form);
    const id = await transaction(comune.db, async (tx) => {
      // One open draft per citizen per service, even when two tabs start at once.
      await sql`select pg_advisory_xact_lock(hashtext(${`draft|${tenant.id}|${login.fiscalCode}|${service.id}`}))`.execute(tx);
      const again = await deps.mine.openDraft(actor, service.id, tx);
      if (again) return again;
      const draft = await new ApplicationStore(tx, deps.documents).createDraft(actor, tenant.id, {
        service: { id: service.id, name: localizedContent(service.content, 'it').name },
        form: { id: form.id, version: form.version },
        citizen: { id: login.citizenId, fiscalCode: login.fiscalCode, name: `${login.givenName} ${login.familyName}` },
        data: prefilled.data,
      });
      return draft.id;
    });
    request.session.set('journeyPrefill', { applicationId: id, ...prefilled } satisfies Prefill);
    return redirectTo(reply, `${applicationPath(tenant, service)}/${id}`);
  });

  app.get('/servizi/:slug/domanda/:id', { config: { html: true }, schema: { hide: true, params: DraftParams, querystring: PageQuery } }, async (request, reply) => {
    const loaded = await loadDraft(request, request.params, reply);
    if (!loaded) return reply;
    const prefilled = await prefillFor(request, loaded);
    const locked = lockedValues(prefilled);
    const ctx = await contextOf(loaded, locked, prefilled.choices);
    const data = { ...loaded.app.data, ...locked };
    const schema = loaded.form.schema;
    const pages = [...visiblePages(schema, formState(schema, data, ctx)), schema.components.length];
    const page = request.query.pagina !== undefined && pages.includes(request.query.pagina) ? request.query.pagina : pages[0]!;
    return sendPage(reply, wizardPage(request, loaded, prefilled, { data, ctx, page }));
  });

  app.post('/servizi/:slug/domanda/:id', { config: { html: true }, schema: { hide: true, params: DraftParams, querystring: PostQuery } }, async (request, reply) => {
    const loaded = await loadDraft(request, request.params, reply);
    if (!loaded) return reply;
    const { tenant, service, login, app: draft, form } = loaded;
    const schema = form.schema;
    const actor = citizenActor(login);
    const fields = fileFields(schema);
    const uploaded: Record<string, string[]> = {};
    const uploadErrors: FieldError[] = [];
    const body = await readFormPost(request, secret, async (part, filename, stream) => {
      const key = /^_upload\[([^\]]+)\]$/.exec(part)?.[1];
      const component = key ? fields.get(key) : undefined;
      if (!component) return;
      try {
        const maxBytes = Math.min(parseFileSize(component.fileMaxSize ?? '') ?? DEFAULT_MAX_BYTES, DEFAULT_MAX_BYTES);
        const stored = await deps.uploads.put({ tenantId: tenant.id, owner: login.fiscalCode, formId: form.id, filename, body: stream, limits: { maxBytes } });
        (uploaded[component.key] ??= []).push(stored.id);
      } catch (err) {
        uploadErrors.push({ pointer: `/data/${component.key}`, code: uploadErrorCode(err), detail: filename });
      }
    });
    const pageCount = schema.display === 'wizard' ? schema.components.length : 0;
    const page = Math.min(Math.max(Number(body._page) || 0, 0), pageCount);
    const action = parseFormAction(body._action) ?? { kind: 'next' };
    const posted = parseFormPost(body);
    for (const [key, ids] of Object.entries(uploaded)) posted[key] = fields.get(key)!.multiple ? [...fileIds(posted[key]), ...ids] : ids.slice(-1);
    const prefilled = await prefillFor(request, loaded);
    const locked = lockedValues(prefilled);
    let data = { ...mergePage(schema, page, draft.data, posted), ...locked };
    const ctx = await contextOf(loaded, locked, prefilled.choices);
    const base = `${applicationPath(tenant, service)}/${draft.id}`;
    const save = (answers: Record<string, unknown>) => deps.store.saveDraft(actor, draft.id, answers);
    const show = (at: number, errors: FieldError[]) => sendPage(reply, wizardPage(request, loaded, prefilled, { data, ctx, page: at, errors }), 422);

    if (action.kind === 'add' || action.kind === 'remove' || action.kind === 'remove-file') {
      data = applyRowAction(schema, data, action);
      await save(data);
      return redirectTo(reply, `${base}?pagina=${page}`);
    }
    if (action.kind === 'back' || action.kind === 'goto') {
      await save(data);
      return redirectTo(reply, `${base}?pagina=${action.kind === 'goto' ? action.page : adjacentPage(schema, data, ctx, page, -1)}`);
    }
    if (action.kind === 'next' || page < pageCount) {
      // Saved whatever its errors: the draft keeps what the citizen typed.
      await save(data);
      const result = validateSubmission(schema, data, { ...ctx, page });
      const errors = [...uploadErrors, ...(result.ok ? [] : result.errors)];
      if (errors.length) return show(page, errors);
      return redirectTo(reply, `${base}?pagina=${adjacentPage(schema, data, ctx, page, 1)}`);
    }

    const result = validateSubmission(schema, data, ctx);
    if (!result.ok || uploadErrors.length) {
      await save(data);
      const errors = [...uploadErrors, ...(result.ok ? [] : result.errors)];
      return show(pageOfErrors(schema, errors), errors);
    }
    if (!request.query.k) throw conflict('The form has no submission key: reload the page.');
    const chosen = new Set([...fields.keys()].flatMap((key) => fileIds(result.value[key])));
    const attachments = await toDocuments(deps, ctx.files.filter((f) => chosen.has(f.id)));
    // A service with a fee: the draft waits in 1500 for the payment (immediate), or is sent with it (optional).
    const fee = await feeAtSubmission(comune.db, service, result.value);
    const planned = fee && (await payments.planFee(tenant, fee));
    const awaitPayment = fee?.rule.mode === 'immediate';
    try {
      await deps.store.submit(actor, draft.id, { idempotencyKey: request.query.k, data: result.value, summary: summaryFields(schema, result.value, ctx, 'it'), attachments, awaitPayment });
    } catch (err) {
      // The twin of a double click got there first: its application is the one to show.
      if (!(err instanceof HttpProblem && err.status === 409)) throw err;
      const now = await deps.store.get(actor, draft.id);
      if (now.status === STATUS.draft) throw err;
    }
    if (planned) {
      const citizen = await comune.citizens.byId(tenant.id, login.citizenId);
      const payment = await payments.openAtSubmission(tenant, await deps.store.get(actor, draft.id), planned, citizen?.email);
      if (awaitPayment) return redirectTo(reply, paymentPath(tenant, payment.id));
    }
    return redirectTo(reply, `${receiptPath(tenant, draft.id)}?inviata=1`);
  });
}
