// A service's developer tools: its two keys (masked, shown on request, regenerated one at a time after a
// confirmation, reference io.md §7 "rotate keys one at a time") with a curl example, the authorized recipients of
// test mode, a test message submitted as the Services API would, a message's status, and the usage chart.
import { randomUUID } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { redirectTo } from '../../../core/auth/sessions.ts';
import { sql, type Executor } from '../../../core/db.ts';
import { alert, errorSummary, textareaField, textField, type FieldErrors } from '../../../core/forms.ts';
import { html, type SafeHtml } from '../../../core/html.ts';
import type { App } from '../../../core/http.ts';
import { HttpProblem, notFound } from '../../../core/problem.ts';
import { dataTable } from '../../../core/ui.ts';
import { dateInItaly, isIsoDate } from '../../../domain/dates.ts';
import { normalizeFiscalCode, validateFiscalCode } from '../../../domain/fiscal-code.ts';
import type { IoKeyType } from '../../../clients/io/demo.ts';
import { FISCAL_CODE_PATTERN, IO_API_PREFIX, SANDBOX_FISCAL_CODE, MAX_PAYMENT_AMOUNT, MESSAGE_LIMITS, SUBSCRIPTION_KEY_HEADER, type MessageContent, type NewMessage } from '../../../clients/io/wire.ts';
import { messageStatus } from '../messages/status.ts';
import { acceptMessage } from '../messages/submit.ts';
import { SCHEMA } from '../schema.ts';
import { KEY_TYPES, regenerateServiceKey, serviceKeys, updateService, type Service } from '../services/store.ts';
import { formAlert, hidden, IdParams, problemErrors, send, serviceFor, servicePath, text } from './area.ts';
import { csrf, dataRow, dayTime } from './layout.ts';
import { backofficeT, type BackofficeKey, type BackofficeT } from './messages.ts';
import { euroToCents, listOf, stateBadges } from './pages.ts';
import { messagesPerDay, usageChart } from './usage.ts';

const KeyParams = Type.Object({ id: Type.String({ maxLength: 40 }), keyType: Type.Union(KEY_TYPES.map((k) => Type.Literal(k))) });
const FISCAL_CODE = new RegExp(FISCAL_CODE_PATTERN);
const MESSAGE_ID = /^[0-9A-Z]{26}$/;

/** All but the last four characters hidden, for a key shown on screen. */
const masked = (key: string) => `${'•'.repeat(12)}${key.slice(-4)}`;

/** The instant a due date typed as a day stands for: the last second of that day in Italy. */
function endOfItalianDay(day: string): string {
  const [summer, winter] = [`${day}T21:59:59Z`, `${day}T22:59:59Z`].map((at) => new Date(at));
  return (dateInItaly(winter!) === day ? winter! : summer!).toISOString();
}

const messagePath = (service: Service, fiscalCode: string, id: string) => `${servicePath(service.serviceId)}/messaggi/${fiscalCode}/${id}`;

function curlExample(baseUrl: string, key: string): string {
  const body = JSON.stringify({ fiscal_code: 'AAAAAA00A00A000A', content: { subject: 'Promemoria: scadenza TARI', markdown: 'Gentile cittadino, ti ricordiamo che la rata della TARI scade il 30 del mese. Trovi i dettagli nella tua area personale.' } });
  return `curl -X POST '${baseUrl}${IO_API_PREFIX}/messages' \\\n  -H '${SUBSCRIPTION_KEY_HEADER}: ${key}' \\\n  -H 'Content-Type: application/json' \\\n  -d '${body}'`;
}

/** The times the status page shows beyond the API's answer: processing and each channel's sending. */
async function deliveryTimes(db: Executor, fiscalCode: string, id: string) {
  const { rows } = await sql<{ processed_at: Date | null; channel: string | null; status: string | null; sent_at: Date | null; attempts: number | null }>`
    select m.processed_at, n.channel, n.status, n.sent_at, n.attempts
    from ${sql.table(`${SCHEMA}.messages`)} m left join ${sql.table(`${SCHEMA}.notifications`)} n on n.message_id = m.id
    where m.fiscal_code = ${fiscalCode} and m.id = ${id} order by n.channel`.execute(db);
  return { processedAt: rows[0]?.processed_at ?? null, notifications: rows.filter((r) => r.channel) };
}

const TestMessageForm = Type.Object(
  { fiscal_code: text(40), subject: text(500), markdown: text(20_000), due_date: text(10), notice_number: text(40), amount: text(20), invio: text(36) },
  { additionalProperties: true },
);
type TestMessageValues = Partial<Record<keyof typeof TestMessageForm.properties, string>>;

/**
 * The message of the form, or its errors: the Services API's schema bounds (the wire's limits, so the form and the
 * API agree); the checks beyond the schema are acceptMessage's own.
 */
function newMessageOf(tr: BackofficeT, v: TestMessageValues): { message?: NewMessage; fiscalCode: string; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const fiscalCode = normalizeFiscalCode(v.fiscal_code ?? '');
  if (!FISCAL_CODE.test(fiscalCode)) errors.fiscal_code = tr('errFiscalCodePattern');
  const subject = (v.subject ?? '').trim();
  const markdown = (v.markdown ?? '').trim();
  const within = (s: string, { min, max }: { min: number; max: number }) => s.length >= min && s.length <= max;
  if (!within(subject, MESSAGE_LIMITS.subject)) errors.subject = tr('errSubject', MESSAGE_LIMITS.subject);
  if (!within(markdown, MESSAGE_LIMITS.markdown)) errors.markdown = tr('errMarkdown', { ...MESSAGE_LIMITS.markdown, length: markdown.length });
  const content: MessageContent = { subject, markdown };
  if (v.due_date) {
    if (isIsoDate(v.due_date)) content.due_date = endOfItalianDay(v.due_date);
    else errors.due_date = tr('errDate');
  }
  const notice = (v.notice_number ?? '').replace(/\s/g, '');
  if (notice || v.amount?.trim()) {
    const cents = euroToCents(v.amount ?? '');
    if (!/^[0123][0-9]{17}$/.test(notice)) errors.notice_number = tr('errNoticeNumber');
    if (cents === undefined || cents < 1 || cents > MAX_PAYMENT_AMOUNT) errors.amount = tr('errPaymentAmount');
    if (cents) content.payment_data = { notice_number: notice, amount: cents };
  }
  return Object.keys(errors).length ? { fiscalCode, errors } : { message: { fiscal_code: fiscalCode, content }, fiscalCode, errors };
}

export function registerServiceTools(area: App, db: Executor, secret: string, publicUrl: string): void {
  area.get(`${servicePath(':id')}/chiavi`, { config: { html: true }, schema: { ...hidden, params: IdParams, querystring: Type.Object({ rigenerata: text(10) }) } }, async (request, reply) => {
    const tr = backofficeT(request.locale);
    const service = await serviceFor(db, request, request.params.id);
    const keys = await serviceKeys(db, secret, service.serviceId);
    const regenerated = KEY_TYPES.find((k) => k === request.query.rigenerata);
    const keyRow = (keyType: IoKeyType, key: string) =>
      html`<section class="mb-4" aria-labelledby="key-${keyType}"><h2 id="key-${keyType}" class="h5">${tr(keyType === 'primary' ? 'primaryKey' : 'secondaryKey')}</h2>
<p><code aria-label="${tr('maskedKey')}">${masked(key)}</code></p>
<details class="mb-2"><summary>${tr('showKey')}</summary><p class="mt-2"><code data-key="${keyType}">${key}</code></p></details>
<a class="btn btn-outline-danger btn-sm" href="${servicePath(service.serviceId)}/chiavi/${keyType}/rigenera">${tr('regenerate')}</a></section>`;
    const main = html`<h1>${tr('keysTitle')}</h1>
${regenerated ? alert('success', tr('keyRegenerated', { key: tr(regenerated === 'primary' ? 'primaryKey' : 'secondaryKey') })) : ''}
<p>${tr('keysIntro')}</p>
${keyRow('primary', keys.primary_key)}${keyRow('secondary', keys.secondary_key)}
<section aria-labelledby="curl-title"><h2 id="curl-title" class="h5">${tr('curlTitle')}</h2><p>${tr('curlIntro')}</p>
<details><summary>${tr('showCurl')}</summary><pre class="mt-2 p-3 bg-light border"><code>${curlExample(publicUrl, keys.primary_key)}</code></pre></details></section>`;
    return send(request, reply, { title: tr('keysTitle'), main, service });
  });

  function confirmPage(request: FastifyRequest, service: Service, keyType: IoKeyType): SafeHtml {
    const tr = backofficeT(request.locale);
    const name = tr(keyType === 'primary' ? 'primaryKey' : 'secondaryKey');
    return html`<h1>${tr('regenerateTitle', { key: name })}</h1>
${alert('warning', tr('regenerateWarning', { key: name }))}
<form method="post" action="${servicePath(service.serviceId)}/chiavi/${keyType}/rigenera">${csrf(request)}
<button type="submit" class="btn btn-danger me-2">${tr('regenerateConfirm')}</button>
<a class="btn btn-outline-primary" href="${servicePath(service.serviceId)}/chiavi">${tr('cancel')}</a></form>`;
  }

  area.get(`${servicePath(':id')}/chiavi/:keyType/rigenera`, { config: { html: true }, schema: { ...hidden, params: KeyParams } }, async (request, reply) => {
    const service = await serviceFor(db, request, request.params.id);
    return send(request, reply, { title: backofficeT(request.locale)('regenerate'), main: confirmPage(request, service, request.params.keyType), service });
  });

  area.post(`${servicePath(':id')}/chiavi/:keyType/rigenera`, { config: { html: true }, schema: { ...hidden, params: KeyParams } }, async (request, reply) => {
    const service = await serviceFor(db, request, request.params.id);
    await regenerateServiceKey(db, secret, service.serviceId, request.params.keyType);
    return redirectTo(reply, `${servicePath(service.serviceId)}/chiavi?rigenerata=${request.params.keyType}`);
  });

  function recipientsPage(request: FastifyRequest, service: Service, value: string, errors: FieldErrors, saved = false): SafeHtml {
    const tr = backofficeT(request.locale);
    return html`<h1>${tr('recipientsTitle')}</h1>
${saved ? alert('success', tr('recipientsSaved')) : ''}
<p>${stateBadges(tr, service)}</p><p>${tr('recipientsIntro')}</p>
${errorSummary(errors, tr('errorSummary'))}
<form method="post" action="${servicePath(service.serviceId)}/destinatari" novalidate>${csrf(request)}
${textareaField({ name: 'authorized_recipients', label: tr('authorizedRecipients'), value, error: errors.authorized_recipients, help: tr('authorizedRecipientsHelp'), rows: 6 })}
<button type="submit" class="btn btn-primary">${tr('save')}</button></form>`;
  }

  area.get(`${servicePath(':id')}/destinatari`, { config: { html: true }, schema: { ...hidden, params: IdParams, querystring: Type.Object({ salvato: text(1) }) } }, async (request, reply) => {
    const service = await serviceFor(db, request, request.params.id);
    const main = recipientsPage(request, service, service.authorizedRecipients.join('\n'), {}, !!request.query.salvato);
    return send(request, reply, { title: backofficeT(request.locale)('recipientsTitle'), main, service });
  });

  area.post(
    `${servicePath(':id')}/destinatari`,
    { config: { html: true }, schema: { ...hidden, params: IdParams, body: Type.Object({ authorized_recipients: text(20_000) }, { additionalProperties: true }) } },
    async (request, reply) => {
      const tr = backofficeT(request.locale);
      const service = await serviceFor(db, request, request.params.id);
      const codes = listOf(request.body.authorized_recipients).map(normalizeFiscalCode);
      // The same check of the fiscal code as the Services API's (DM 23/12/1976 check character, coded birth date).
      const wrong = codes.filter((fc) => fc !== SANDBOX_FISCAL_CODE && !validateFiscalCode(fc, { requireKnownBirthplace: false }).ok);
      if (wrong.length) {
        const errors = { authorized_recipients: tr('errRecipients', { codes: wrong.join(', ') }) };
        return send(request, reply, { title: tr('recipientsTitle'), main: recipientsPage(request, service, request.body.authorized_recipients ?? '', errors), service }, 400);
      }
      await updateService(db, service.serviceId, { authorizedRecipients: [...new Set(codes)] });
      return redirectTo(reply, `${servicePath(service.serviceId)}/destinatari?salvato=1`);
    },
  );

  function testMessagePage(request: FastifyRequest, service: Service, values: TestMessageValues, errors: FieldErrors): SafeHtml {
    const tr = backofficeT(request.locale);
    const field = (name: keyof TestMessageValues, label: BackofficeKey, extra: { type?: 'date'; help?: string; required?: boolean; inputmode?: string } = {}) =>
      textField({ name, label: tr(label), value: values[name], error: errors[name], ...extra });
    return html`<h1>${tr('testMessageTitle')}</h1>
<p>${service.isTestMode ? tr('testMessageIntroTest') : tr('testMessageIntroProduction')}</p>
${errorSummary(Object.fromEntries(Object.entries(errors).filter(([k]) => k !== '_form')), tr('errorSummary'))}${formAlert(errors)}
<form method="post" action="${servicePath(service.serviceId)}/messaggio-di-prova" novalidate>${csrf(request)}
${field('fiscal_code', 'recipientFiscalCode', { required: true, help: tr('recipientFiscalCodeHelp') })}
${field('subject', 'subject', { required: true, help: tr('subjectHelp', MESSAGE_LIMITS.subject) })}
${textareaField({ name: 'markdown', label: tr('markdown'), value: values.markdown, error: errors.markdown, help: tr('markdownHelp', MESSAGE_LIMITS.markdown), rows: 8, required: true })}
${field('due_date', 'dueDate', { type: 'date' })}
<fieldset class="mb-3"><legend class="h6">${tr('paymentLegend')}</legend><p class="small">${tr('paymentHelp')}</p>
${field('notice_number', 'noticeNumber', { inputmode: 'numeric' })}
${field('amount', 'paymentAmount', { help: tr('paymentAmountHelp') })}
</fieldset>
<input type="hidden" name="invio" value="${values.invio ?? randomUUID()}">
<button type="submit" class="btn btn-primary">${tr('send')}</button></form>`;
  }

  area.get(`${servicePath(':id')}/messaggio-di-prova`, { config: { html: true }, schema: { ...hidden, params: IdParams } }, async (request, reply) => {
    const service = await serviceFor(db, request, request.params.id);
    const values = { fiscal_code: service.isTestMode ? service.authorizedRecipients[0] : undefined };
    return send(request, reply, { title: backofficeT(request.locale)('testMessageTitle'), main: testMessagePage(request, service, values, {}), service });
  });

  area.post(`${servicePath(':id')}/messaggio-di-prova`, { config: { html: true }, schema: { ...hidden, params: IdParams, body: TestMessageForm } }, async (request, reply) => {
    const tr = backofficeT(request.locale);
    const service = await serviceFor(db, request, request.params.id);
    const values: TestMessageValues = request.body;
    const { message, fiscalCode, errors } = newMessageOf(tr, values);
    // A disabled service is refused by the Services API (403) before anything else.
    if (service.isDisabled) errors._form = tr('errServiceDisabled');
    else if (message) {
      try {
        // The form's one-off id as the Idempotency-Key: a second click or a resubmission sends nothing twice.
        const accepted = await acceptMessage(db, service, { fiscalCode, message, idempotencyKey: values.invio && `backoffice:${values.invio}` });
        return redirectTo(reply, messagePath(service, fiscalCode, accepted.id));
      } catch (err) {
        if (!(err instanceof HttpProblem) || ![400, 403, 409].includes(err.status)) throw err;
        if (err.status === 409) values.invio = undefined; // sent already with other content: the next submission is a new message
        Object.assign(errors, err.status === 403 ? { fiscal_code: tr('errRecipientForbidden') } : err.status === 409 ? { _form: tr('errAlreadySent') } : problemErrors(tr, err));
      }
    }
    return send(request, reply, { title: tr('testMessageTitle'), main: testMessagePage(request, service, values, errors), service }, service.isDisabled ? 403 : 400);
  });

  const LookupQuery = Type.Object({ codice_fiscale: text(40), id: text(40) });

  function lookupForm(request: FastifyRequest, service: Service, values: { codice_fiscale?: string; id?: string }, errors: FieldErrors): SafeHtml {
    const tr = backofficeT(request.locale);
    return html`${errorSummary(errors, tr('errorSummary'))}<form method="get" action="${servicePath(service.serviceId)}/messaggi" novalidate>
${textField({ name: 'codice_fiscale', label: tr('recipientFiscalCode'), value: values.codice_fiscale, error: errors.codice_fiscale, required: true })}
${textField({ name: 'id', label: tr('messageId'), value: values.id, error: errors.id, required: true })}
<button type="submit" class="btn btn-primary">${tr('lookup')}</button></form>`;
  }

  area.get(`${servicePath(':id')}/messaggi`, { config: { html: true }, schema: { ...hidden, params: IdParams, querystring: LookupQuery } }, async (request, reply) => {
    const tr = backofficeT(request.locale);
    const service = await serviceFor(db, request, request.params.id);
    const q = request.query;
    const errors: FieldErrors = {};
    let status = 200;
    if (q.codice_fiscale !== undefined || q.id !== undefined) {
      const fiscalCode = normalizeFiscalCode(q.codice_fiscale ?? '');
      const id = (q.id ?? '').trim().toUpperCase();
      if (!FISCAL_CODE.test(fiscalCode)) errors.codice_fiscale = tr('errFiscalCodePattern');
      if (!MESSAGE_ID.test(id)) errors.id = tr('errMessageId');
      if (!Object.keys(errors).length) {
        if (await messageStatus(db, service, fiscalCode, id)) return redirectTo(reply, messagePath(service, fiscalCode, id));
        errors.id = tr('messageNotFound');
        status = 404;
      } else status = 400;
    }
    const main = html`<h1>${tr('lookupTitle')}</h1><p>${tr('lookupIntro')}</p>${lookupForm(request, service, q, errors)}`;
    return send(request, reply, { title: tr('lookupTitle'), main, service }, status);
  });

  area.get(
    `${servicePath(':id')}/messaggi/:fiscalCode/:messageId`,
    { config: { html: true }, schema: { ...hidden, params: Type.Object({ ...IdParams.properties, fiscalCode: Type.String({ maxLength: 16 }), messageId: Type.String({ maxLength: 26 }) }) } },
    async (request, reply) => {
      const tr = backofficeT(request.locale);
      const locale = request.locale;
      const service = await serviceFor(db, request, request.params.id);
      const { fiscalCode, messageId } = request.params;
      const found = await messageStatus(db, service, fiscalCode, messageId);
      if (!found) throw notFound();
      const times = await deliveryTimes(db, fiscalCode, messageId);
      const content = found.message.content;
      const channel = (c: 'email' | 'webhook') => {
        const row = times.notifications.find((n) => n.channel === c.toUpperCase());
        const status = found.notification?.[c];
        return [tr(c === 'email' ? 'channelEmail' : 'channelWebhook'), status ? tr(`nst_${status}`) : row ? tr('nst_PENDING') : tr('nst_NONE'), dayTime(locale, row?.sent_at), String(row?.attempts ?? 0)];
      };
      const main = html`<h1>${tr('messageTitle')}</h1>
<dl>
  ${dataRow(tr('messageId'), html`<code>${found.message.id}</code>`)}
  ${dataRow(tr('recipientFiscalCode'), found.message.fiscal_code)}
  ${dataRow(tr('subject'), content.subject)}
  ${dataRow(tr('messageStatus'), html`<strong>${tr(`mst_${found.status}`)}</strong> <span class="small text-muted">(${found.status})</span>`)}
  ${found.rejection_reason ? dataRow(tr('rejectionReason'), `${tr(`rej_${found.rejection_reason}`)} (${found.rejection_reason})`) : ''}
  ${dataRow(tr('createdAt'), dayTime(locale, found.message.created_at))}
  ${dataRow(tr('processedAt'), dayTime(locale, times.processedAt))}
  ${content.due_date ? dataRow(tr('dueDate'), dayTime(locale, content.due_date)) : ''}
  ${content.payment_data ? dataRow(tr('noticeNumber'), content.payment_data.notice_number) : ''}
</dl>
<h2 class="h4 mt-4">${tr('notificationsTitle')}</h2>
${dataTable(tr('notificationsTitle'), [tr('colChannel'), tr('colState'), tr('colSentAt'), tr('colAttempts')], [channel('email'), channel('webhook')], '—')}
<p><a class="btn btn-outline-primary" href="${servicePath(service.serviceId)}/messaggi">${tr('lookupAnother')}</a> <a class="btn btn-outline-primary" href="${servicePath(service.serviceId)}/messaggio-di-prova">${tr('sendAnother')}</a></p>`;
      return send(request, reply, { title: tr('messageTitle'), main, service });
    },
  );

  area.get(`${servicePath(':id')}/utilizzo`, { config: { html: true }, schema: { ...hidden, params: IdParams } }, async (request, reply) => {
    const tr = backofficeT(request.locale);
    const service = await serviceFor(db, request, request.params.id);
    const days = await messagesPerDay(db, service.serviceId);
    const total = (d: (typeof days)[number]) => d.processed + d.rejected + d.other;
    const chart = usageChart('usage-chart-title', days, {
      title: tr('usageChartTitle', { service: service.serviceName }),
      processed: tr('mst_PROCESSED'),
      rejected: tr('mst_REJECTED'),
      other: tr('usageOther'),
      bar: (d) => tr('usageBar', { day: d.day, processed: d.processed, rejected: d.rejected, other: d.other }),
    });
    const rows = days.filter((d) => total(d) > 0).map((d) => [d.day, d.processed, d.rejected, d.other, total(d)]);
    const sum = days.reduce((s, d) => s + total(d), 0);
    const main = html`<h1>${tr('usageTitle')}</h1><p>${tr('usageIntro', { total: sum })}</p>
<div class="row"><div class="col-xl-7">${chart}</div>
<div class="col-xl-5">${dataTable(tr('usageTableCaption'), [tr('colDay'), tr('mst_PROCESSED'), tr('mst_REJECTED'), tr('usageOther'), tr('colTotal')], rows, tr('usageEmpty'))}</div></div>`;
    return send(request, reply, { title: tr('usageTitle'), main, service });
  });
}
