// The web console of the bodies (Bootstrap Italia, it/en/de): login, catalog, agreements, purposes,
// clients and keys, and for providers the requests to approve. Every form carries a CSRF token bound
// to the session; every command goes through store.ts, which checks who may act.
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { attr, html, type SafeHtml } from '../../core/html.ts';
import type { App, ErrorPageInput } from '../../core/http.ts';
import { alert } from '../../core/forms.ts';
import { dataTable, platformPage, sendHtml } from '../../core/ui.ts';
import { CSRF_FIELD } from '../../core/auth/csrf.ts';
import { checkFormCsrf, formCsrfToken, redirectTo } from '../../core/auth/sessions.ts';
import type { Executor } from '../../core/db.ts';
import { HttpProblem } from '../../core/problem.ts';
import { audit } from '../../core/audit.ts';
import { checkLogin, type ConsoleLogin } from './accounts.ts';
import { t, type T } from './messages.ts';
import * as store from './store.ts';
import { SCHEMA } from './schema.ts';

export const CONSOLE = '/console';

const loginOf = (request: FastifyRequest) => request.session?.data.pdnd as ConsoleLogin | undefined;
const actorOf = (request: FastifyRequest, login: ConsoleLogin): store.Actor => ({ tenantId: login.tenantId, type: 'tenant_admin', id: login.accountId, requestId: request.id });

const NAV = [
  ['catalog', '/catalogo'],
  ['agreements', '/richieste'],
  ['purposes', '/finalita'],
  ['clients', '/client'],
  ['provider', '/erogazione'],
] as const;

function page(request: FastifyRequest, title: string, main: SafeHtml, secret?: string): string {
  const tr = t(request.locale);
  const login = loginOf(request);
  return platformPage({
    request,
    title,
    main,
    chrome: { brand: tr('brand'), tagline: tr('tagline'), homeHref: CONSOLE, footer: tr('footer'), skipToContent: tr('skipToContent'), languages: tr('languages'), mainNav: tr('mainNav') },
    nav: login ? NAV.map(([key, href]) => ({ label: tr(key), href: CONSOLE + href })) : undefined,
    user: login
      ? html`<form method="post" action="${CONSOLE}/esci" class="d-flex align-items-center gap-2"><span>${tr('signedInAs', { name: login.name, tenant: login.tenantName })}</span>${secret ? csrf(request, secret) : ''}<button type="submit" class="btn btn-outline-primary btn-sm">${tr('signOut')}</button></form>`
      : undefined,
  });
}

function csrf(request: FastifyRequest, secret: string): SafeHtml {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${formCsrfToken(request, secret)}">`;
}

function field(input: { name: string; label: string; type?: string; value?: string; help?: string; autocomplete?: string; error?: string; textarea?: boolean; required?: boolean }): SafeHtml {
  const id = `field-${input.name}`;
  const describedBy = [input.help ? `${id}-help` : '', input.error ? `${id}-error` : ''].filter(Boolean).join(' ') || null;
  const common = html`id="${id}" name="${input.name}" class="form-control${input.error ? ' is-invalid' : ''}"${attr('required', input.required ?? true)}${attr('aria-invalid', input.error ? 'true' : null)}${attr('aria-describedby', describedBy)}${attr('autocomplete', input.autocomplete)}`;
  return html`<div class="form-group">
  <label for="${id}" class="active">${input.label}</label>
  ${input.textarea ? html`<textarea ${common} rows="6">${input.value ?? ''}</textarea>` : html`<input ${common} type="${input.type ?? 'text'}" value="${input.value ?? ''}">`}
  ${input.help ? html`<small id="${id}-help" class="form-text">${input.help}</small>` : ''}
  ${input.error ? html`<div id="${id}-error" class="invalid-feedback d-block">${input.error}</div>` : ''}
</div>`;
}

function select(name: string, label: string, options: { value: string; label: string }[]): SafeHtml {
  return html`<div class="select-wrapper mb-3"><label for="field-${name}">${label}</label><select id="field-${name}" name="${name}" required>${options.map((o) => html`<option value="${o.value}">${o.label}</option>`)}</select></div>`;
}


const table = (tr: T, caption: string, headings: string[], rows: SafeHtml[][]) => dataTable(caption, headings, rows, tr('none'));

const badge = (state: string) => html`<span class="badge ${state === 'Active' || state === 'Published' ? 'bg-success' : state === 'Pending' || state === 'WaitingForApproval' ? 'bg-warning text-dark' : 'bg-secondary'}">${state}</span>`;

function postButton(request: FastifyRequest, secret: string, action: string, label: string, style = 'btn-primary', extra: SafeHtml = html``): SafeHtml {
  return html`<form method="post" action="${action}" class="d-inline-block me-2">${csrf(request, secret)}${extra}<button type="submit" class="btn ${style} btn-sm">${label}</button></form>`;
}

export function consoleErrorPage(request: FastifyRequest, input: ErrorPageInput): string {
  const tr = t(request.locale);
  return page(request, tr('errorTitle', { status: input.status }), html`<h1>${tr('errorTitle', { status: input.status })}</h1>
<p>${input.detail ?? input.title}</p><p class="text-muted">${tr('errorRequestId', { id: input.requestId })}</p><p><a href="${CONSOLE}">${tr('backHome')}</a></p>`);
}

const send = sendHtml;

export interface ConsoleOptions {
  db: Executor;
  secret: string;
  apiUrl: string;
}

const Outcome = Type.Object({ esito: Type.Optional(Type.String({ maxLength: 10 })), lang: Type.Optional(Type.String()) });

export function registerConsole(app: App, options: ConsoleOptions): void {
  const { db, secret } = options;
  const config = { html: true };
  const hidden = { hide: true };

  /** The signed-in login, or a redirect to the login page. */
  function requireLogin(request: FastifyRequest, reply: FastifyReply): ConsoleLogin | undefined {
    const login = loginOf(request);
    if (!login) void redirectTo(reply, `${CONSOLE}/accedi`);
    return login;
  }

  /** Runs a console command: refusals (400/404/409) come back as a message on the page, the rest propagates. */
  async function command(request: FastifyRequest, reply: FastifyReply, back: string, fn: (login: ConsoleLogin) => Promise<unknown>) {
    checkFormCsrf(request, secret);
    const login = requireLogin(request, reply);
    if (!login) return reply;
    try {
      await fn(login);
    } catch (err) {
      if (!(err instanceof HttpProblem) || ![400, 404, 409].includes(err.status)) throw err;
      request.session.set('flash', { kind: 'danger', detail: err.errors?.map((e) => e.detail).join('; ') || err.detail || err.title });
      return redirectTo(reply, `${CONSOLE}${back}`);
    }
    request.session.set('flash', { kind: 'success' });
    return redirectTo(reply, `${CONSOLE}${back}`);
  }

  function flash(request: FastifyRequest, tr: T): SafeHtml {
    const message = request.session.data.flash as { kind: 'success' | 'danger'; detail?: string } | undefined;
    if (!message) return html``;
    request.session.unset('flash');
    return message.kind === 'success' ? alert('success', tr('done')) : alert('danger', tr('refused', { detail: message.detail ?? '' }));
  }

  // --- Login ---------------------------------------------------------------------------------------
  const loginPage = (request: FastifyRequest, message?: string, email = '') => {
    const tr = t(request.locale);
    return page(request, tr('loginTitle'), html`<div class="row"><div class="col-md-6">
<h1>${tr('loginTitle')}</h1>
${message ? alert('danger', message) : ''}
<form method="post" action="${CONSOLE}/accedi" novalidate>
  ${csrf(request, secret)}
  ${field({ name: 'email', label: tr('email'), type: 'email', autocomplete: 'username', value: email })}
  ${field({ name: 'password', label: tr('password'), type: 'password', autocomplete: 'current-password' })}
  <button type="submit" class="btn btn-primary">${tr('signIn')}</button>
</form></div></div>`);
  };

  app.get(`${CONSOLE}/accedi`, { config, schema: hidden }, async (request, reply) => send(reply, loginPage(request)));
  app.post(
    `${CONSOLE}/accedi`,
    { config: { ...config, rateLimit: { max: 20, timeWindow: '1 minute' } }, schema: { ...hidden, body: Type.Object({ email: Type.String({ maxLength: 254 }), password: Type.String({ maxLength: 200 }) }, { additionalProperties: true }) } },
    async (request, reply) => {
      checkFormCsrf(request, secret);
      const tr = t(request.locale);
      const check = await checkLogin(db, request.body.email, request.body.password);
      if (check.outcome === 'throttled') {
        reply.header('retry-after', String(check.retryAfterSeconds));
        return send(reply, loginPage(request, tr('throttled', { seconds: check.retryAfterSeconds }), request.body.email), 429);
      }
      if (check.outcome === 'invalid') return send(reply, loginPage(request, tr('invalidLogin'), request.body.email), 401);
      request.session.rotate();
      request.session.set('pdnd', check.login);
      await audit(db, SCHEMA, { actorType: 'tenant_admin', actorId: check.login.accountId, tenantId: check.login.tenantId, action: 'console.login', targetType: 'account', targetId: check.login.accountId, requestId: request.id });
      return redirectTo(reply, CONSOLE);
    },
  );
  app.post(`${CONSOLE}/esci`, { config, schema: hidden }, async (request, reply) => {
    checkFormCsrf(request, secret);
    request.session.destroy();
    return redirectTo(reply, `${CONSOLE}/accedi`);
  });

  // --- Home ----------------------------------------------------------------------------------------
  app.get(CONSOLE, { config, schema: hidden }, async (request, reply) => {
    const login = requireLogin(request, reply);
    if (!login) return reply;
    const tr = t(request.locale);
    return send(reply, page(request, tr('home'), html`<h1>${login.tenantName}</h1><p>${tr('homeIntro')}</p>
<ul>${NAV.map(([key, href]) => html`<li><a href="${CONSOLE}${href}">${tr(key)}</a></li>`)}</ul>`, secret));
  });

  // --- Catalog -------------------------------------------------------------------------------------
  app.get(`${CONSOLE}/catalogo`, { config, schema: { ...hidden, querystring: Outcome } }, async (request, reply) => {
    const login = requireLogin(request, reply);
    if (!login) return reply;
    const tr = t(request.locale);
    const eservices = await store.listEservices(db, login.tenantId);
    const mine = await store.listAgreements(db, login.tenantId, { role: 'consumer' });
    const body = eservices.map((e) => {
      const live = mine.find((a) => a.eserviceId === e.id && ['Pending', 'Active', 'Suspended'].includes(a.state));
      return html`<section class="card-wrapper card-space mb-4" aria-labelledby="es-${e.id}"><div class="card card-bg"><div class="card-body">
<h2 class="h4" id="es-${e.id}">${e.name}</h2>
<p>${e.description}</p><p><strong>${tr('producer')}:</strong> ${e.producerName}</p>
${table(tr, e.name, [tr('version'), tr('state'), tr('audience'), tr('voucherLifespan'), tr('thresholds'), tr('approvalPolicy'), tr('openapi')],
  e.descriptors.map((d) => [html`${d.version}`, badge(d.state), html`<code>${d.audience.join(', ')}</code>`, html`${d.voucherLifespan}`, html`${d.dailyCallsPerConsumer} / ${d.dailyCallsTotal}`,
    html`${tr(d.agreementApprovalPolicy === 'Automatic' ? 'policyAutomatic' : 'policyManual')}`,
    d.hasInterface ? html`<a href="${CONSOLE}/catalogo/${e.id}/${d.id}/openapi.json">${tr('openapi')} <span class="visually-hidden">${e.name} v${d.version}</span></a>` : html``]))}
${e.producerId !== login.tenantId && !live && e.descriptors.some((d) => d.state === 'Published')
  ? postButton(request, secret, `${CONSOLE}/catalogo/${e.id}/richiedi`, tr('requestAgreement'))
  : live ? html`<p>${tr('agreements')}: ${badge(live.state)}</p>` : ''}
</div></div></section>`;
    });
    return send(reply, page(request, tr('catalog'), html`<h1>${tr('catalog')}</h1><p>${tr('catalogIntro')}</p>${flash(request, tr)}${body}`, secret));
  });
  app.get(`${CONSOLE}/catalogo/:eserviceId/:descriptorId/openapi.json`, { schema: { ...hidden, params: Type.Object({ eserviceId: Type.String(), descriptorId: Type.String() }) } }, async (request, reply) => {
    const login = loginOf(request);
    if (!login) throw new HttpProblem(401, { detail: 'Sign in to the console first' });
    return reply.type('application/json').send(await store.getInterface(db, login.tenantId, request.params.eserviceId, request.params.descriptorId));
  });
  app.post(`${CONSOLE}/catalogo/:eserviceId/richiedi`, { config, schema: { ...hidden, params: Type.Object({ eserviceId: Type.String() }) } }, async (request, reply) =>
    command(request, reply, '/richieste', (login) => store.requestAgreement(db, actorOf(request, login), { eserviceId: request.params.eserviceId })),
  );

  // --- Agreements ------------------------------------------------------------------------------------
  app.get(`${CONSOLE}/richieste`, { config, schema: hidden }, async (request, reply) => {
    const login = requireLogin(request, reply);
    if (!login) return reply;
    const tr = t(request.locale);
    const agreements = await store.listAgreements(db, login.tenantId, { role: 'consumer' });
    return send(reply, page(request, tr('agreements'), html`<h1>${tr('agreements')}</h1>${flash(request, tr)}
${table(tr, tr('agreements'), [tr('eservice'), tr('producer'), tr('version'), tr('state')],
  agreements.map((a) => [html`${a.eserviceName}`, html`${a.producerName}`, html`${a.descriptorVersion}`, html`${badge(a.state)}${a.rejectionReason ? html` <small>${a.rejectionReason}</small>` : ''}`]))}`, secret));
  });

  // --- Purposes --------------------------------------------------------------------------------------
  app.get(`${CONSOLE}/finalita`, { config, schema: hidden }, async (request, reply) => {
    const login = requireLogin(request, reply);
    if (!login) return reply;
    const tr = t(request.locale);
    const purposes = await store.listPurposes(db, login.tenantId, { role: 'consumer' });
    const active = (await store.listAgreements(db, login.tenantId, { role: 'consumer', states: ['Active'] }));
    const form = active.length
      ? html`<form method="post" action="${CONSOLE}/finalita" class="mt-4" novalidate><h2 class="h4">${tr('createPurpose')}</h2>${csrf(request, secret)}
  ${select('eserviceId', tr('eservice'), active.map((a) => ({ value: a.eserviceId, label: a.eserviceName })))}
  ${field({ name: 'title', label: tr('purposeTitle') })}
  ${field({ name: 'description', label: tr('purposeDescription') })}
  ${field({ name: 'dailyCalls', label: tr('dailyCalls'), type: 'number', help: tr('dailyCallsHelp') })}
  <button type="submit" class="btn btn-primary">${tr('create')}</button></form>`
      : html`<p>${tr('noActiveAgreement')}</p>`;
    return send(reply, page(request, tr('purposes'), html`<h1>${tr('purposes')}</h1>${flash(request, tr)}
${table(tr, tr('purposes'), ['purposeId', tr('purposeTitle'), tr('eservice'), tr('dailyCalls'), tr('state')],
  purposes.map((p) => [html`<code>${p.id}</code>`, html`${p.title}`, html`${p.eserviceName}`, html`${p.currentVersion?.dailyCalls ?? p.versions.at(-1)?.dailyCalls ?? ''}${p.waitingVersion ? html` → ${p.waitingVersion.dailyCalls} ${badge('WaitingForApproval')}` : ''}`, badge(p.state)]))}
${form}`, secret));
  });
  app.post(
    `${CONSOLE}/finalita`,
    { config, schema: { ...hidden, body: Type.Object({ eserviceId: Type.Optional(Type.String({ maxLength: 40 })), title: Type.Optional(Type.String({ maxLength: 60 })), description: Type.Optional(Type.String({ maxLength: 250 })), dailyCalls: Type.Optional(Type.String({ maxLength: 12 })) }, { additionalProperties: true }) } },
    async (request, reply) =>
      command(request, reply, '/finalita', async (login) => {
        const tr = t(request.locale);
        const { eserviceId = '', title = '', description = '' } = request.body;
        const dailyCalls = Number(request.body.dailyCalls);
        const errors = [
          ...(!eserviceId ? [{ pointer: '/body/eserviceId', detail: `${tr('eservice')}: ${tr('required')}` }] : []),
          ...(title.trim().length < 5 ? [{ pointer: '/body/title', detail: `${tr('purposeTitle')}: ${tr('required')}` }] : []),
          ...(description.trim().length < 10 ? [{ pointer: '/body/description', detail: `${tr('purposeDescription')}: ${tr('required')}` }] : []),
          ...(!Number.isInteger(dailyCalls) || dailyCalls < 1 ? [{ pointer: '/body/dailyCalls', detail: `${tr('dailyCalls')}: ${tr('notANumber')}` }] : []),
        ];
        if (errors.length) throw new HttpProblem(400, { detail: tr('formErrors'), errors });
        return store.createPurpose(db, actorOf(request, login), { eserviceId, title, description, dailyCalls });
      }),
  );

  // --- Clients ---------------------------------------------------------------------------------------
  app.get(`${CONSOLE}/client`, { config, schema: hidden }, async (request, reply) => {
    const login = requireLogin(request, reply);
    if (!login) return reply;
    const tr = t(request.locale);
    const clients = await store.listClients(db, login.tenantId);
    const purposes = (await store.listPurposes(db, login.tenantId, { role: 'consumer' })).filter((p) => p.state !== 'Archived');
    const sections = clients.map((c) => html`<section class="card-wrapper card-space mb-4" aria-labelledby="cl-${c.id}"><div class="card card-bg"><div class="card-body">
<h2 class="h4" id="cl-${c.id}">${c.name}</h2>
<p>${tr('clientId')}: <code>${c.id}</code></p>
<h3 class="h5">${tr('keys')}</h3>
${table(tr, `${tr('keys')} ${c.name}`, ['kid', tr('keyName')], c.keys.map((k) => [html`<code>${k.kid}</code>`, html`${k.name}`]))}
<h3 class="h5">${tr('purposes')}</h3>
<ul>${c.purposes.map((id) => html`<li>${purposes.find((p) => p.id === id)?.title ?? id} (<code>${id}</code>)</li>`)}</ul>
<form method="post" action="${CONSOLE}/client/${c.id}/chiavi" novalidate>${csrf(request, secret)}
  <h3 class="h5">${tr('addKey')}</h3>
  ${field({ name: `pem`, label: tr('keyPem'), textarea: true, help: tr('keyPemHelp') })}
  ${field({ name: 'name', label: tr('keyName') })}
  <button type="submit" class="btn btn-primary btn-sm">${tr('upload')}</button></form>
${purposes.length ? html`<form method="post" action="${CONSOLE}/client/${c.id}/finalita" class="mt-3">${csrf(request, secret)}
  ${select('purposeId', tr('addPurpose'), purposes.map((p) => ({ value: p.id, label: `${p.title} — ${p.eserviceName}` })))}
  <button type="submit" class="btn btn-outline-primary btn-sm">${tr('associate')}</button></form>` : ''}
</div></div></section>`);
    return send(reply, page(request, tr('clients'), html`<h1>${tr('clients')}</h1>${flash(request, tr)}${sections.length ? sections : html`<p>${tr('none')}</p>`}
<form method="post" action="${CONSOLE}/client" novalidate><h2 class="h4">${tr('createClient')}</h2>${csrf(request, secret)}
  ${field({ name: 'name', label: tr('clientName') })}
  ${field({ name: 'description', label: tr('clientDescription'), required: false })}
  <button type="submit" class="btn btn-primary">${tr('create')}</button></form>`, secret));
  });
  app.post(`${CONSOLE}/client`, { config, schema: { ...hidden, body: Type.Object({ name: Type.String({ maxLength: 60 }), description: Type.Optional(Type.String({ maxLength: 250 })) }, { additionalProperties: true }) } }, async (request, reply) =>
    command(request, reply, '/client', async (login) => {
      if (request.body.name.trim().length < 3) throw new HttpProblem(400, { errors: [{ pointer: '/body/name', detail: `${t(request.locale)('clientName')}: ${t(request.locale)('required')}` }] });
      return store.createClient(db, actorOf(request, login), request.body);
    }),
  );
  app.post(`${CONSOLE}/client/:clientId/chiavi`, { config, schema: { ...hidden, params: Type.Object({ clientId: Type.String() }), body: Type.Object({ pem: Type.String({ maxLength: 10_000 }), name: Type.String({ maxLength: 60 }) }, { additionalProperties: true }) } }, async (request, reply) =>
    command(request, reply, '/client', (login) => store.addClientKey(db, actorOf(request, login), request.params.clientId, { key: request.body.pem, name: request.body.name.trim() || 'chiave' })),
  );
  app.post(`${CONSOLE}/client/:clientId/finalita`, { config, schema: { ...hidden, params: Type.Object({ clientId: Type.String() }), body: Type.Object({ purposeId: Type.String() }, { additionalProperties: true }) } }, async (request, reply) =>
    command(request, reply, '/client', (login) => store.addClientPurpose(db, actorOf(request, login), request.params.clientId, request.body.purposeId)),
  );

  // --- Provider: approvals -------------------------------------------------------------------------------
  app.get(`${CONSOLE}/erogazione`, { config, schema: hidden }, async (request, reply) => {
    const login = requireLogin(request, reply);
    if (!login) return reply;
    const tr = t(request.locale);
    const agreements = await store.listAgreements(db, login.tenantId, { role: 'producer', states: ['Pending'] });
    const purposes = await store.listPurposes(db, login.tenantId, { role: 'producer', waitingForApproval: true });
    const rejectForm = (action: string) =>
      html`<form method="post" action="${action}" class="d-inline-flex gap-2 align-items-end">${csrf(request, secret)}<div class="form-group mb-0"><label for="reason-${action}" class="active">${tr('reason')}</label><input id="reason-${action}" name="reason" class="form-control" required></div><button type="submit" class="btn btn-outline-danger btn-sm">${tr('reject')}</button></form>`;
    return send(reply, page(request, tr('provider'), html`<h1>${tr('provider')}</h1>${flash(request, tr)}
<h2 class="h4">${tr('pendingAgreements')}</h2>
${table(tr, tr('pendingAgreements'), [tr('eservice'), tr('consumer'), tr('actions')],
  agreements.map((a) => [html`${a.eserviceName}`, html`${a.consumerName}`, html`${postButton(request, secret, `${CONSOLE}/erogazione/richieste/${a.id}/approve`, tr('approve'))}${rejectForm(`${CONSOLE}/erogazione/richieste/${a.id}/reject`)}`]))}
<h2 class="h4 mt-4">${tr('waitingPurposes')}</h2>
${table(tr, tr('waitingPurposes'), [tr('purposeTitle'), tr('eservice'), tr('consumer'), tr('dailyCalls'), tr('actions')],
  purposes.map((p) => [html`${p.title}`, html`${p.eserviceName}`, html`${p.consumerName}`, html`${p.waitingVersion!.dailyCalls}`, html`${postButton(request, secret, `${CONSOLE}/erogazione/finalita/${p.id}/approve`, tr('approve'))}${rejectForm(`${CONSOLE}/erogazione/finalita/${p.id}/reject`)}`]))}`, secret));
  });
  const Decision = { params: Type.Object({ id: Type.String(), decision: Type.Union([Type.Literal('approve'), Type.Literal('reject')]) }), body: Type.Object({ reason: Type.Optional(Type.String({ maxLength: 1000 })) }, { additionalProperties: true }) };
  app.post(`${CONSOLE}/erogazione/richieste/:id/:decision`, { config, schema: { ...hidden, ...Decision } }, async (request, reply) =>
    command(request, reply, '/erogazione', (login) => store.changeAgreement(db, actorOf(request, login), request.params.id, request.params.decision, request.body?.reason)),
  );
  app.post(`${CONSOLE}/erogazione/finalita/:id/:decision`, { config, schema: { ...hidden, ...Decision } }, async (request, reply) =>
    command(request, reply, '/erogazione', (login) => store.changePurpose(db, actorOf(request, login), request.params.id, request.params.decision, request.body?.reason)),
  );
}
