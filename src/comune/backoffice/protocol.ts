// Back-office › Protocollo, for the ente's administrators: AOO and register codes, the built-in register
// or an external system over HTTP (address, token sealed by core/secrets.ts), and a connection test.
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { attr, html, type SafeHtml } from '../../core/html.ts';
import type { App } from '../../core/http.ts';
import { audit } from '../../core/audit.ts';
import { transaction, type Executor } from '../../core/db.ts';
import { checkFormCsrf, formCsrfToken } from '../../core/auth/sessions.ts';
import { invalid, type InvalidField } from '../../core/problem.ts';
import { alert, csrfField, errorSummary, problemFieldErrors, runFormCommand, textField, type FieldErrors } from '../../core/forms.ts';
import { requireTenant, type ComuneContext, type StaffLogin } from '../context.ts';
import type { CommandActor } from '../commands.ts';
import { getProtocolSettings, saveProtocolSettings, savedHttpConnection, type ProtocolSettings, type ProtocolSettingsInput } from '../protocol/settings.ts';
import { sendPage } from '../website/routes.ts';
import { consoleT, type ConsoleT } from './messages.ts';
import { desk, guard } from './routes.ts';

export const PROTOCOL_SETTINGS_PATH = '/backoffice/protocollo';

const TenantParams = Type.Object({ tenant: Type.String() });
const ProtocolBody = Type.Object(
  {
    aooCode: Type.String({ maxLength: 100 }),
    registerCode: Type.Optional(Type.String({ maxLength: 100 })),
    adapter: Type.Union([Type.Literal('builtin'), Type.Literal('http')]),
    baseUrl: Type.Optional(Type.String({ maxLength: 500 })),
    token: Type.Optional(Type.String({ maxLength: 2000 })),
    intent: Type.Optional(Type.Union([Type.Literal('save'), Type.Literal('test')])),
  },
  { additionalProperties: true },
);
type ProtocolForm = { aooCode: string; registerCode?: string; adapter: 'builtin' | 'http'; baseUrl?: string; token?: string };

// Same rule as the protocol_settings table's check constraint.
const CODE = /^[A-Za-z0-9_.-]{1,16}$/;
const TEST_TIMEOUT_MS = 5_000;

/**
 * The form → settings, or the invalid fields. An empty token keeps the saved one, but only for the saved
 * address: a new address needs its token typed again, so the sealed one never goes to a server it was not meant for.
 */
export function protocolInput(form: ProtocolForm, saved: { baseUrl: string; token: string } | undefined): { input?: ProtocolSettingsInput; errors: InvalidField[] } {
  const errors: InvalidField[] = [];
  const fail = (field: string, code: string, detail: string) => errors.push({ pointer: `/body/${field}`, code, detail });
  const aooCode = form.aooCode.trim();
  const registerCode = form.registerCode?.trim() || 'PROT_GEN';
  if (!aooCode) fail('aooCode', 'required', 'required');
  else if (!CODE.test(aooCode)) fail('aooCode', 'format', 'code');
  if (!CODE.test(registerCode)) fail('registerCode', 'format', 'code');
  if (form.adapter === 'builtin') return errors.length ? { errors } : { input: { aooCode, registerCode, adapter: 'builtin' }, errors };
  const baseUrl = form.baseUrl?.trim().replace(/\/+$/, '') ?? '';
  if (!baseUrl) fail('baseUrl', 'required', 'required');
  else if (!isHttpUrl(baseUrl)) fail('baseUrl', 'format', 'url');
  const token = form.token?.trim() || (saved && saved.baseUrl === baseUrl ? saved.token : '');
  if (!token) fail('token', 'required', 'required');
  return errors.length ? { errors } : { input: { aooCode, registerCode, adapter: 'http', baseUrl, token }, errors };
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password;
  } catch {
    return false;
  }
}

export type ConnectionCheck = { outcome: 'ok' } | { outcome: 'unauthorized' | 'failed'; status: number } | { outcome: 'unreachable'; reason: string };

/**
 * Asks the external system `GET {baseUrl}/status` with the bearer token: an answer proves address and
 * token without registering anything (the registrations themselves go to `POST {baseUrl}/registrations`).
 */
export async function checkProtocolConnection(baseUrl: string, token: string, doFetch: typeof fetch = fetch): Promise<ConnectionCheck> {
  let response: Response;
  try {
    response = await doFetch(`${baseUrl}/status`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, redirect: 'manual', signal: AbortSignal.timeout(TEST_TIMEOUT_MS) });
  } catch (error) {
    const cause = (error as Error & { cause?: { code?: string } }).cause?.code;
    return { outcome: 'unreachable', reason: cause ?? (error as Error).name };
  }
  await response.body?.cancel();
  if (response.ok) return { outcome: 'ok' };
  return { outcome: response.status === 401 || response.status === 403 ? 'unauthorized' : 'failed', status: response.status };
}

/** Saves the settings with an audit entry naming what changed; never the token itself. */
export async function updateProtocolSettings(db: Executor, secret: string, tenantId: string, input: ProtocolSettingsInput, before: ProtocolSettings | undefined, actor: CommandActor): Promise<void> {
  await transaction(db, async (tx) => {
    await saveProtocolSettings(tx, secret, tenantId, input);
    const http = input.adapter === 'http' ? input : undefined;
    await audit(tx, 'comune', {
      actorType: actor.type,
      actorId: actor.id,
      tenantId,
      action: 'protocol.settings.update',
      targetType: 'tenant',
      targetId: tenantId,
      details: { adapter: input.adapter, aooCode: input.aooCode, registerCode: input.registerCode, baseUrl: http?.baseUrl ?? null, previousAdapter: before?.adapter ?? null },
      requestId: actor.requestId,
    });
  });
}

function connectionAlert(tr: ConsoleT, check: ConnectionCheck): SafeHtml {
  switch (check.outcome) {
    case 'ok':
      return alert('success', tr('protocol.testOk'));
    case 'unauthorized':
      return alert('danger', tr('protocol.testUnauthorized', { status: check.status }));
    case 'failed':
      return alert('danger', tr('protocol.testFailed', { status: check.status }));
    case 'unreachable':
      return alert('danger', tr('protocol.testUnreachable', { reason: check.reason }));
  }
}

export function registerProtocolSettings(app: App, comune: ComuneContext, options: { fetch?: typeof fetch } = {}): void {
  const secret = comune.app.secret;

  async function page(request: FastifyRequest, staff: StaffLogin, extra: { errors?: FieldErrors; values?: ProtocolForm; message?: SafeHtml } = {}) {
    const tenant = requireTenant(request);
    const tr = consoleT(request.locale);
    const saved = await getProtocolSettings(comune.db, tenant.id);
    const v = extra.values ?? { aooCode: saved?.aooCode ?? '', registerCode: saved?.registerCode ?? 'PROT_GEN', adapter: saved?.adapter ?? 'builtin', baseUrl: saved?.baseUrl ?? '' };
    const errors = extra.errors ?? {};
    const radio = (value: 'builtin' | 'http') =>
      html`<div class="form-check"><input id="field-adapter-${value}" type="radio" name="adapter" value="${value}"${attr('checked', v.adapter === value)}><label for="field-adapter-${value}">${tr(`protocol.adapter.${value}`)}</label></div>`;
    const content = html`${extra.message ?? ''}
<p>${tr('protocol.intro')}</p>
${saved ? '' : alert('info', tr('protocol.notConfigured', { ipa: tenant.ipaCode }))}
${errorSummary(errors, tr('area.errorSummary', { count: Object.keys(errors).length }))}
<form method="post" action="/${tenant.slug}${PROTOCOL_SETTINGS_PATH}" novalidate>
  ${csrfField(formCsrfToken(request, secret))}
  ${textField({ name: 'aooCode', label: tr('protocol.aooCode'), value: v.aooCode, error: errors.aooCode, help: tr('protocol.aooHelp'), required: true })}
  ${textField({ name: 'registerCode', label: tr('protocol.registerCode'), value: v.registerCode, error: errors.registerCode, help: tr('protocol.registerHelp') })}
  <fieldset class="mb-3"><legend class="h6" id="field-adapter">${tr('protocol.adapter')}</legend>${radio('builtin')}${radio('http')}</fieldset>
  ${textField({ name: 'baseUrl', label: tr('protocol.baseUrl'), type: 'url', value: v.baseUrl, error: errors.baseUrl, help: tr('protocol.baseUrlHelp') })}
  ${textField({ name: 'token', label: tr('protocol.token'), type: 'password', autocomplete: 'off', error: errors.token, help: saved?.hasToken ? `${tr('protocol.tokenSaved')} ${tr('protocol.tokenHelp')}` : tr('protocol.tokenHelp') })}
  <button type="submit" class="btn btn-primary" name="intent" value="save">${tr('console.save')}</button>
  <button type="submit" class="btn btn-outline-primary" name="intent" value="test" aria-describedby="protocol-test-help">${tr('protocol.test')}</button>
  <p id="protocol-test-help" class="small mt-2">${tr('protocol.testHelp')}</p>
</form>`;
    return desk(request, staff, tr('protocol.title'), content, comune);
  }

  app.get(PROTOCOL_SETTINGS_PATH, { config: { html: true }, schema: { hide: true, params: TenantParams } }, async (request, reply) => {
    const tenant = requireTenant(request);
    const staff = guard(request, reply, { type: 'tenant.manageSettings', tenantId: tenant.id });
    if (!staff) return reply;
    return sendPage(reply, await page(request, staff));
  });

  app.post(PROTOCOL_SETTINGS_PATH, { config: { html: true }, schema: { hide: true, params: TenantParams, body: ProtocolBody } }, async (request, reply) => {
    const tenant = requireTenant(request);
    checkFormCsrf(request, secret);
    const staff = guard(request, reply, { type: 'tenant.manageSettings', tenantId: tenant.id });
    if (!staff) return reply;
    const tr = consoleT(request.locale);
    const values: ProtocolForm = { ...request.body, token: undefined };
    const explain = (field: string, detail: string) =>
      tr(detail === 'required' ? 'protocol.required' : field === 'baseUrl' ? 'protocol.urlFormat' : 'protocol.codeFormat');
    const before = await getProtocolSettings(comune.db, tenant.id);
    const outcome = await runFormCommand(async () => {
      const { input, errors } = protocolInput(request.body, await savedHttpConnection(comune.db, secret, tenant.id));
      if (!input) throw invalid(errors);
      if (request.body.intent === 'test') return input.adapter === 'http' ? await checkProtocolConnection(input.baseUrl, input.token, options.fetch) : undefined;
      await updateProtocolSettings(comune.db, secret, tenant.id, input, before, { type: staff.role, id: staff.id, requestId: request.id });
      return undefined;
    }, (problem) => problemFieldErrors(problem, explain));
    if (!outcome.ok) return sendPage(reply, await page(request, staff, { errors: outcome.errors, values }), outcome.status);
    if (request.body.intent === 'test') {
      const message = outcome.value ? connectionAlert(tr, outcome.value) : alert('info', tr('protocol.testBuiltin'));
      return sendPage(reply, await page(request, staff, { values, message }));
    }
    return sendPage(reply, await page(request, staff, { message: alert('success', tr('console.saved')) }));
  });
}
