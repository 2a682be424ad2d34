// The tenant admin's pages of bulk dues: the uploads and the upload form, each upload's progress (a <progress>
// bar, the page refreshing itself by the Refresh header while the job runs, no script) and its report, with
// the rows not turned into dues and the whole report as CSV.
import { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { assertCsrf, CSRF_FIELD } from '../../../core/auth/csrf.ts';
import { formCsrfToken } from '../../../core/auth/sessions.ts';
import { alert, csrfField, errorSummary, selectField, type FieldErrors } from '../../../core/forms.ts';
import { html } from '../../../core/html.ts';
import type { App } from '../../../core/http.ts';
import { formatCalendarDate, formatEuroCents, formatItalianTime } from '../../../core/i18n.ts';
import { invalid, notFound } from '../../../core/problem.ts';
import { dataTable } from '../../../core/ui.ts';
import { dateInItaly } from '../../../domain/dates.ts';
import { requireTenant, type ComuneContext, type StaffLogin } from '../../context.ts';
import { desk, guard } from '../../backoffice/routes.ts';
import { CSV_BOM, csvLine } from '../../desk/model.ts';
import { sendPage } from '../../website/routes.ts';
import { paymentSettingsOf, type PaymentSettings } from '../settings.ts';
import { parseDuesCsv, type FileError } from './csv.ts';
import { duesT, type DuesT } from './messages.ts';
import { createDuesUpload, getDuesUpload, listDuesUploads, problemRows, reportRows, ROW_OUTCOMES, type DuesUpload, type ReportRow } from './store.ts';

export const DUES_PATH = '/backoffice/pagamenti/dovuti';
export const MAX_ROWS = 100_000;
const MAX_FILE_MB = 32;
/** Rejected rows shown on the page; all of them are in the CSV report. */
const PROBLEMS_SHOWN = 200;
/** Seconds between refreshes of an upload still being processed. */
const REFRESH_SECONDS = 3;

const TenantParams = Type.Object({ tenant: Type.String() });
const UploadParams = Type.Object({ tenant: Type.String(), id: Type.String({ maxLength: 64 }) });

function fileErrorText(tr: DuesT, error: FileError): string {
  switch (error.code) {
    case 'encoding':
      return tr(error.windows1252 ? 'dues.error.encoding1252' : 'dues.error.encoding');
    case 'empty':
      return tr('dues.error.empty');
    case 'missing-columns':
      return tr('dues.error.missingColumns', { columns: error.columns.join(', ') });
    case 'too-many-rows':
      return tr('dues.error.tooManyRows', { max: error.max });
  }
}

/** Why a row is not a due: rejected here (by its code) or refused by pagoPA (its message). */
export const rowReason = (tr: DuesT, row: ReportRow) => (row.errorCode ? tr(`dues.rowError.${row.errorCode}` as Parameters<DuesT>[0], { value: row.errorValue ?? '' }) : (row.message ?? ''));

const activeChapters = (settings: PaymentSettings | undefined) => (settings?.hasGpdKey ? settings.chapters.filter((c) => c.active) : []);

export function registerDues(app: App, comune: ComuneContext): void {
  const admin = (request: FastifyRequest, reply: FastifyReply) => guard(request, reply, { type: 'tenant.managePayments', tenantId: requireTenant(request).id });

  async function listPage(request: FastifyRequest, staff: StaffLogin, extra: { errors?: FieldErrors; chapter?: string } = {}): Promise<string> {
    const tenant = requireTenant(request);
    const tr = duesT(request.locale);
    const base = `/${tenant.slug}${DUES_PATH}`;
    const chapters = activeChapters(await paymentSettingsOf(comune.db, tenant.id));
    const uploads = await listDuesUploads(comune.db, tenant.id);
    const errors = extra.errors ?? {};
    const form = chapters.length
      ? html`${errorSummary(errors, tr('area.errorSummary', { count: Object.keys(errors).length }))}
<form method="post" action="${base}" enctype="multipart/form-data" novalidate>
  ${csrfField(formCsrfToken(request, comune.app.secret))}
  ${selectField({ name: 'chapter', label: tr('dues.defaultChapter'), options: chapters.map((c) => ({ value: c.code, label: `${c.code} — ${c.description}` })), value: extra.chapter, error: errors.chapter, help: tr('dues.defaultChapterHelp'), required: true })}
  <div class="mb-3"><label for="field-file" class="form-label">${tr('dues.file')}</label>
    <input id="field-file" class="form-control${errors.file ? ' is-invalid' : ''}" type="file" name="file" accept=".csv,text/csv" required aria-describedby="field-file-help${errors.file ? ' field-file-error' : ''}"${errors.file ? html` aria-invalid="true"` : ''}>
    <small id="field-file-help" class="form-text">${tr('dues.fileHelp', { rows: MAX_ROWS.toLocaleString(request.locale), mb: MAX_FILE_MB })}</small>
    ${errors.file ? html`<div id="field-file-error" class="invalid-feedback d-block">${errors.file}</div>` : ''}
  </div>
  <button type="submit" class="btn btn-primary">${tr('dues.submit')}</button>
</form>`
      : alert('warning', tr('dues.notConfigured'));
    const content = html`<p>${tr('dues.intro')}</p>
<p class="small">${tr('dues.columns')}</p>
<h2 class="h4 mt-4">${tr('dues.upload')}</h2>
${form}
<h2 class="h4 mt-5">${tr('dues.uploads')}</h2>
${dataTable(
  tr('dues.uploads'),
  [tr('dues.when'), tr('dues.fileName'), tr('dues.by'), tr('dues.rows'), tr('dues.outcome.created'), tr('dues.outcome.existing'), tr('dues.outcome.rejected'), tr('dues.state')],
  uploads.map((u) => [
    html`<a href="${base}/${u.id}">${formatItalianTime(request.locale, u.createdAt, 'medium', 'short')}</a>`,
    u.fileName,
    u.uploadedBy ?? '—',
    u.totalRows,
    u.counts.created,
    u.counts.existing,
    u.counts.rejected + u.counts.failed,
    tr(`dues.state.${u.state}`),
  ]),
  tr('dues.noUploads'),
)}`;
    return desk(request, staff, tr('dues.title'), content, comune);
  }

  function detailPage(request: FastifyRequest, staff: StaffLogin, upload: DuesUpload, problems: ReportRow[]): string {
    const tenant = requireTenant(request);
    const tr = duesT(request.locale);
    const base = `/${tenant.slug}${DUES_PATH}`;
    const done = upload.totalRows - upload.counts.pending;
    const notDues = upload.counts.rejected + upload.counts.failed;
    const content = html`<p><a href="${base}">${tr('dues.back')}</a></p>
<dl class="row">
  <dt class="col-sm-4">${tr('dues.fileName')}</dt><dd class="col-sm-8">${upload.fileName}</dd>
  <dt class="col-sm-4">${tr('dues.by')}</dt><dd class="col-sm-8">${upload.uploadedBy ?? '—'}</dd>
  <dt class="col-sm-4">${tr('dues.sha')}</dt><dd class="col-sm-8"><code>${upload.fileSha256}</code></dd>
  <dt class="col-sm-4">${tr('dues.defaultChapter')}</dt><dd class="col-sm-8">${upload.defaultChapter}</dd>
  <dt class="col-sm-4">${tr('dues.state')}</dt><dd class="col-sm-8">${tr(`dues.state.${upload.state}`)}</dd>
</dl>
<h2 class="h4">${tr('dues.progress')}</h2>
<label for="dues-progress">${tr('dues.progressText', { done: done.toLocaleString(request.locale), total: upload.totalRows.toLocaleString(request.locale) })}</label>
<progress id="dues-progress" class="w-100 d-block mb-3" max="${Math.max(upload.totalRows, 1)}" value="${done}">${done} / ${upload.totalRows}</progress>
${upload.state === 'processing' ? html`<p class="small" role="status">${tr('dues.refreshing')}</p>` : ''}
<ul class="list-inline">${ROW_OUTCOMES.map((o) => html`<li class="list-inline-item me-4"><strong>${tr(`dues.outcome.${o}`)}</strong>: <span data-outcome="${o}">${upload.counts[o]}</span></li>`)}</ul>
<p><a class="btn btn-outline-primary" href="${base}/${upload.id}/resoconto.csv" download>${tr('dues.downloadReport')}</a></p>
<h2 class="h4 mt-4">${tr('dues.problems')}</h2>
${dataTable(
  tr('dues.problems'),
  [tr('dues.line'), tr('dues.fiscalCode'), tr('dues.name'), tr('dues.report.outcome'), tr('dues.reason')],
  problems.map((r) => [r.line, r.fiscalCode ?? '', r.fullName ?? '', tr(`dues.outcome.${r.outcome}`), rowReason(tr, r)]),
  tr('dues.noProblems'),
)}
${notDues > problems.length ? html`<p class="small">${tr('dues.problemsMore', { shown: problems.length, total: notDues })}</p>` : ''}`;
    return desk(request, staff, tr('dues.detail', { when: formatItalianTime(request.locale, upload.createdAt, 'medium', 'short') }), content, comune);
  }

  app.get(DUES_PATH, { config: { html: true }, schema: { hide: true, params: TenantParams } }, async (request, reply) => {
    const staff = admin(request, reply);
    if (!staff) return reply;
    return sendPage(reply, await listPage(request, staff));
  });

  app.post(DUES_PATH, { config: { html: true }, schema: { hide: true, params: TenantParams } }, async (request, reply) => {
    const tenant = requireTenant(request);
    const staff = admin(request, reply);
    if (!staff) return reply;
    const tr = duesT(request.locale);
    if (!request.isMultipart()) throw invalid([{ pointer: '/body/file', code: 'multipart', detail: 'send the file as multipart/form-data' }]);
    const file = await request.file({ limits: { fileSize: MAX_FILE_MB * 1024 * 1024, files: 1, fields: 5 } });
    const field = (name: string) => {
      const part = file?.fields[name];
      return part && !Array.isArray(part) && 'value' in part ? String(part.value) : '';
    };
    // The token and the chapter precede the file in the form, so they have arrived by now.
    assertCsrf(comune.app.secret, request.session.data.csrfSeed, field(CSRF_FIELD));
    const chapter = field('chapter');
    const refuse = async (errors: FieldErrors, status = 422) => sendPage(reply, await listPage(request, staff, { errors, chapter }), status);
    let bytes: Buffer;
    try {
      bytes = file ? await file.toBuffer() : Buffer.alloc(0);
    } catch (err) {
      if ((err as { code?: string }).code !== 'FST_REQ_FILE_TOO_LARGE') throw err;
      return refuse({ file: tr('dues.error.fileSize', { mb: MAX_FILE_MB }) }, 413);
    }
    if (!file || !file.filename || bytes.length === 0) return refuse({ file: tr('dues.error.noFile') });
    const chapters = activeChapters(await paymentSettingsOf(comune.db, tenant.id)).map((c) => c.code);
    if (!chapters.includes(chapter)) return refuse({ chapter: tr('dues.error.chapter') });
    const parsed = parseDuesCsv(bytes, { tenantId: tenant.id, today: dateInItaly(new Date()), chapters, defaultChapter: chapter, maxRows: MAX_ROWS });
    if (!parsed.ok) return refuse({ file: fileErrorText(tr, parsed.error) });
    const id = await createDuesUpload(comune.db, { tenantId: tenant.id, staffId: staff.id, fileName: file.filename.slice(0, 200), bytes, defaultChapter: chapter, rows: parsed.rows, rejected: parsed.rejected }, request.id);
    return reply.redirect(`/${tenant.slug}${DUES_PATH}/${id}`, 303);
  });

  async function uploadOf(request: FastifyRequest): Promise<DuesUpload> {
    const upload = await getDuesUpload(comune.db, requireTenant(request).id, (request.params as { id: string }).id);
    if (!upload) throw notFound();
    return upload;
  }

  app.get(`${DUES_PATH}/:id`, { config: { html: true }, schema: { hide: true, params: UploadParams } }, async (request, reply) => {
    const staff = admin(request, reply);
    if (!staff) return reply;
    const upload = await uploadOf(request);
    const problems = await problemRows(comune.db, requireTenant(request).id, upload.id, 0, PROBLEMS_SHOWN);
    // Refresh (the header every browser honours) keeps the progress current without a script.
    if (upload.state === 'processing') reply.header('refresh', String(REFRESH_SECONDS));
    return sendPage(reply, detailPage(request, staff, upload, problems));
  });

  app.get(`${DUES_PATH}/:id/resoconto.csv`, { config: { html: true }, schema: { hide: true, params: UploadParams } }, async (request, reply) => {
    const staff = admin(request, reply);
    if (!staff) return reply;
    const upload = await uploadOf(request);
    const tr = duesT(request.locale);
    const tenantId = requireTenant(request).id;
    async function* lines() {
      yield CSV_BOM +
        csvLine([tr('dues.line'), tr('dues.report.outcome'), tr('dues.fiscalCode'), tr('dues.name'), tr('dues.report.amount'), tr('dues.report.causale'), tr('dues.report.dueDate'), tr('dues.report.installments'), tr('dues.report.iupd'), tr('dues.report.navs'), tr('dues.reason')]);
      for await (const r of reportRows(comune.db, tenantId, upload.id)) {
        const reason = r.outcome === 'rejected' || r.outcome === 'failed' ? rowReason(tr, r) : '';
        yield csvLine([r.line, tr(`dues.outcome.${r.outcome}`), r.fiscalCode, r.fullName, r.amountCents === null ? '' : formatEuroCents(r.amountCents, request.locale), r.reason, r.dueDate ? formatCalendarDate(request.locale, r.dueDate, 'short') : '', r.installments, r.iupd, r.navs.join(' '), reason]);
      }
    }
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="dovuti-${upload.createdAt.toISOString().slice(0, 10)}-${upload.id.slice(0, 8)}.csv"`)
      .send(Readable.from(lines()));
  });
}
