// Back-office › Interoperabilità PDND, for the ente's administrators: the connection's status, the
// connect form (only the PDND API key), what was discovered, the public key, and a check against ANPR.
import { formatItalianTime } from '../../core/i18n.ts';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { html, type SafeHtml } from '../../core/html.ts';
import type { App } from '../../core/http.ts';
import { checkFormCsrf, formCsrfToken, redirectTo } from '../../core/auth/sessions.ts';
import { alert, csrfField, errorSummary, textField, type FieldErrors } from '../../core/forms.ts';
import { validateFiscalCode } from '../../domain/fiscal-code.ts';
import { ANPR_ESERVICES } from '../../clients/pdnd/index.ts';
import { requireTenant, type ComuneContext, type StaffLogin } from '../context.ts';
import type { CommandActor } from '../commands.ts';
import { sendPage } from '../website/routes.ts';
import { desk, guard } from '../backoffice/routes.ts';
import { PdndConnectError } from './connect.ts';
import { interopT, type InteropT } from './messages.ts';
import type { ConnectionStatus } from './store.ts';
import type { VerifyOutcome } from './service.ts';

export const INTEROP_PATH = '/backoffice/interoperabilita';

const TenantParams = Type.Object({ tenant: Type.String() });
const ConnectBody = Type.Object({ apiKey: Type.String({ maxLength: 500 }) }, { additionalProperties: true });
const VerifyBody = Type.Object({ fiscalCode: Type.String({ maxLength: 32 }) }, { additionalProperties: true });

/** What the last POST did, shown once after the redirect (post/redirect/get). */
type Flash = { action: 'connect'; ok: true; count: number } | { action: 'connect'; ok: false; code: string } | { action: 'verify'; outcome: VerifyOutcome };
const FLASH = 'interopFlash';

const BADGE: Record<ConnectionStatus, string> = { 'not-configured': 'bg-secondary', connected: 'bg-success', error: 'bg-danger' };

/** The reason of an error code, in the admin's language ("anpr-429" → ANPR answered 429). */
function reason(tr: InteropT, code: string): string {
  const anpr = /^anpr-(\d{3})$/.exec(code);
  if (anpr) return tr('interop.error.anpr', { status: anpr[1]! });
  const key = `interop.error.${code}` as Parameters<InteropT>[0];
  return tr(key) === key ? tr('interop.error.pdnd-error') : tr(key);
}

function flashAlert(tr: InteropT, flash: Flash | undefined): SafeHtml | '' {
  if (!flash) return '';
  if (flash.action === 'connect') return flash.ok ? alert('success', tr('interop.connected', { count: flash.count })) : alert('danger', tr('interop.connectFailed', { reason: reason(tr, flash.code) }));
  const o = flash.outcome;
  if (o.kind === 'found') return alert('success', tr('interop.verifyFound', { idAnpr: o.idAnpr }));
  if (o.kind === 'not-found') return alert('info', tr('interop.verifyNotFound'));
  return alert('danger', tr('interop.verifyFailed', { reason: reason(tr, o.code) }));
}

const actorOfStaff = (staff: StaffLogin, request: FastifyRequest): CommandActor => ({ type: staff.role, id: staff.id, requestId: request.id });

export function registerInteropRoutes(app: App, comune: ComuneContext): void {
  async function page(request: FastifyRequest, staff: StaffLogin, errors: FieldErrors = {}, values: Record<string, string> = {}): Promise<string> {
    const tenant = requireTenant(request);
    const tr = interopT(request.locale);
    const token = formCsrfToken(request, comune.app.secret);
    const connection = await comune.interop.connections.get(tenant.id);
    const status = connection?.status ?? 'not-configured';
    const flash = request.session.data[FLASH] as Flash | undefined;
    if (flash) request.session.unset(FLASH);
    const when = (d: Date) => formatItalianTime(request.locale, d, 'medium', 'short');
    const base = `/${tenant.slug}${INTEROP_PATH}`;
    const content = html`${flashAlert(tr, flash)}
${errorSummary(errors, tr('area.errorSummary', { count: Object.keys(errors).length }))}
<p>${tr('interop.intro')}</p>
<h2 class="h4">${tr('interop.status')}</h2>
<p><span class="badge ${BADGE[status]}" id="pdnd-status" data-status="${status}">${tr(`interop.status.${status}`)}</span></p>
${status === 'error' && connection?.lastErrorCode
  ? html`<div class="alert alert-danger" role="status"><p class="mb-1">${reason(tr, connection.lastErrorCode)}</p>${connection.lastError ? html`<p class="small mb-0">${tr('interop.errorDetail', { detail: connection.lastError })}</p>` : ''}</div>`
  : ''}
${connection?.checkedAt ? html`<p class="small">${tr('interop.checkedAt', { when: when(connection.checkedAt) })}</p>` : ''}
${connection?.clientId
  ? html`<h2 class="h4 mt-4">${tr('interop.connection')}</h2>
<dl class="row">
  <dt class="col-sm-4">${tr('interop.clientId')}</dt><dd class="col-sm-8"><code>${connection.clientId}</code></dd>
  <dt class="col-sm-4">${tr('interop.kid')}</dt><dd class="col-sm-8"><code>${connection.kid ?? '—'}</code></dd>
</dl>
<div class="table-responsive"><table class="table">
  <caption class="visually-hidden">${tr('interop.connection')}</caption>
  <thead><tr><th scope="col">${tr('interop.eservice')}</th><th scope="col">${tr('interop.purpose')}</th></tr></thead>
  <tbody>${ANPR_ESERVICES.map((e) => html`<tr><td>${e.name}</td><td>${connection.purposes[e.code] ? html`<code>${connection.purposes[e.code]}</code>` : tr('interop.noPurpose')}</td></tr>`)}</tbody>
</table></div>`
  : ''}
${connection?.publicKeyPem
  ? html`<h2 class="h4 mt-4">${tr('interop.publicKey')}</h2>
<p id="public-key-help">${tr('interop.publicKeyHelp')}</p>
<pre class="border rounded p-3 small" tabindex="0" aria-describedby="public-key-help" id="public-key">${connection.publicKeyPem}</pre>`
  : ''}
<h2 class="h4 mt-4">${status === 'connected' ? tr('interop.reconnect') : tr('interop.connect')}</h2>
<p>${tr('interop.connectHelp')}</p>
<form method="post" action="${base}/collega" novalidate>
  ${csrfField(token)}
  ${textField({ name: 'apiKey', label: tr('interop.apiKey'), type: 'password', autocomplete: 'off', help: tr('interop.apiKeyHelp'), error: errors.apiKey, required: true })}
  <button type="submit" class="btn btn-primary">${status === 'connected' ? tr('interop.reconnect') : tr('interop.connect')}</button>
</form>
<h2 class="h4 mt-5">${tr('interop.verify')}</h2>
<p>${tr('interop.verifyHelp')}</p>
<form method="post" action="${base}/verifica" novalidate>
  ${csrfField(token)}
  ${textField({ name: 'fiscalCode', label: tr('interop.fiscalCode'), value: values.fiscalCode, autocomplete: 'off', error: errors.fiscalCode, required: true })}
  <button type="submit" class="btn btn-outline-primary">${tr('interop.verify')}</button>
</form>`;
    return desk(request, staff, tr('interop.title'), content, comune);
  }

  app.get(INTEROP_PATH, { config: { html: true }, schema: { hide: true, params: TenantParams } }, async (request, reply) => {
    const tenant = requireTenant(request);
    const staff = guard(request, reply, { type: 'tenant.manageInteroperability', tenantId: tenant.id });
    if (!staff) return reply;
    return sendPage(reply, await page(request, staff));
  });

  app.post(`${INTEROP_PATH}/collega`, { config: { html: true }, schema: { hide: true, params: TenantParams, body: ConnectBody } }, async (request, reply) => {
    const tenant = requireTenant(request);
    checkFormCsrf(request, comune.app.secret);
    const staff = guard(request, reply, { type: 'tenant.manageInteroperability', tenantId: tenant.id });
    if (!staff) return reply;
    const apiKey = request.body.apiKey.trim();
    if (!apiKey || /\s/.test(apiKey)) return sendPage(reply, await page(request, staff, { apiKey: interopT(request.locale)('interop.apiKeyRequired') }), 400);
    let flash: Flash;
    try {
      const connection = await comune.interop.connect(tenant, { apiKey }, actorOfStaff(staff, request));
      flash = { action: 'connect', ok: true, count: Object.keys(connection.purposes).length };
    } catch (err) {
      if (!(err instanceof PdndConnectError)) throw err;
      flash = { action: 'connect', ok: false, code: err.code };
    }
    request.session.set(FLASH, flash);
    return redirectTo(reply, `/${tenant.slug}${INTEROP_PATH}`);
  });

  app.post(`${INTEROP_PATH}/verifica`, { config: { html: true }, schema: { hide: true, params: TenantParams, body: VerifyBody } }, async (request, reply) => {
    const tenant = requireTenant(request);
    checkFormCsrf(request, comune.app.secret);
    const staff = guard(request, reply, { type: 'tenant.manageInteroperability', tenantId: tenant.id });
    if (!staff) return reply;
    const cf = validateFiscalCode(request.body.fiscalCode, { requireKnownBirthplace: false });
    if (!cf.ok) {
      const error = interopT(request.locale)('interop.fiscalCodeInvalid', { detail: cf.message });
      return sendPage(reply, await page(request, staff, { fiscalCode: error }, { fiscalCode: request.body.fiscalCode }), 400);
    }
    const outcome = await comune.interop.verify(tenant, cf.value.fiscalCode, actorOfStaff(staff, request));
    request.session.set(FLASH, { action: 'verify', outcome } satisfies Flash);
    return redirectTo(reply, `/${tenant.slug}${INTEROP_PATH}`);
  });
}
