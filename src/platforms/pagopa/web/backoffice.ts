// The institutions' back-office under /backoffice: after sign-in (backoffice-login.ts), the institutions the
// staff member may see (their own; every one for a platform operator), and per institution its debt positions
// (filters and paging in SQL, search by notice number or debtor), a position with options, transfers, notice
// and receipts, the receipts with their reporting state, and the reporting flows received. Another
// institution's pages answer 404, as if they did not exist.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { redirectTo } from '../../../core/auth/sessions.ts';
import { requireTenantStaff } from '../../../core/auth/staff-login.ts';
import { alert, selectField, textField } from '../../../core/forms.ts';
import { html, type SafeHtml } from '../../../core/html.ts';
import type { App } from '../../../core/http.ts';
import { notFound } from '../../../core/problem.ts';
import { dataTable, pageOf, pagination, type NavLink } from '../../../core/ui.ts';
import { formatNoticeNumber, parseNoticeNumber } from '../../../domain/pagopa/notice-number.ts';
import type { Receipt } from '../../../clients/pagopa/nodo-wire.ts';
import { institutionByFiscalCode, listInstitutions, type Institution } from '../institutions.ts';
import { getByNoticeNumber, getPosition, listPositions, type DebtPosition } from '../positions.ts';
import { listReceipts, receiptByIuv } from '../nodo/receipts.ts';
import { getReceived, listReceived, receivedPayments } from '../reporting/flows.ts';
import { DEBT_POSITION_STATUSES, type DebtPositionStatus } from '../rules.ts';
import { backofficeAccounts, OPERATOR_TENANT } from './accounts.ts';
import { registerBackofficeLogin, type BackofficeDeps } from './backoffice-login.ts';
import { BACKOFFICE, dataRow, day, dayTime, euro, hasNotice, sendNoticePdf, sendPage, sendReceiptPdf, staffOf, statusBadge, unlessNotFound, type StaffSession } from './layout.ts';
import { consoleT, type ConsoleKey, type ConsoleT } from './messages.ts';
import { positionsOfDebtor, reportingOf, type ReportedIn } from './queries.ts';

export type { BackofficeDeps } from './backoffice-login.ts';

const PAGE_SIZE = 20;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DEBTOR = /^[A-Z0-9]{11,16}$/;

const institutionPath = (cf: string) => `${BACKOFFICE}/enti/${cf}`;
const positionPath = (cf: string, iupd: string) => `${institutionPath(cf)}/posizioni/${encodeURIComponent(iupd)}`;
const receiptPath = (cf: string, iuv: string) => `${institutionPath(cf)}/ricevute/${encodeURIComponent(iuv)}`;
const flowPath = (cf: string, f: { pspId: string; fdr: string; revision: number }) => `${institutionPath(cf)}/flussi/${encodeURIComponent(f.pspId)}/${encodeURIComponent(f.fdr)}/${f.revision}`;

/** Whether this staff member may see this institution: their own, or any for the platform's operators. */
export const maySee = (staff: StaffSession, fiscalCode: string): boolean => staff.tenant === OPERATOR_TENANT || staff.tenant === fiscalCode;

function navOf(tr: ConsoleT, staff: StaffSession, cf?: string): NavLink[] {
  const links: NavLink[] = staff.tenant === OPERATOR_TENANT ? [{ label: tr('navInstitutions'), href: BACKOFFICE }] : [];
  if (cf) {
    links.push(
      { label: tr('navPositions'), href: `${institutionPath(cf)}/posizioni` },
      { label: tr('navReceipts'), href: `${institutionPath(cf)}/ricevute` },
      { label: tr('navFlows'), href: `${institutionPath(cf)}/flussi` },
    );
  }
  return links;
}

/** The page asked for (from 1) of a list paged in SQL, or its last page when asked beyond it (read again only then). */
async function pageWithin<T>(asked: string | undefined, read: (page: number) => Promise<T>, totalOf: (result: T) => number): Promise<{ result: T; page: number; pages: number }> {
  const first = Math.max(1, Math.trunc(Number(asked ?? '1')) || 1);
  let result = await read(first);
  const { page, pages } = pageOf(totalOf(result), first, PAGE_SIZE);
  if (page !== first) result = await read(page);
  return { result, page, pages };
}

const paginationLabels = (tr: ConsoleT) => ({ nav: tr('paginationNav'), previous: tr('previous'), next: tr('next'), page: (page: number, pages: number) => tr('pageOf', { page, pages }) });

/** The sum a position asks for: its single payment, else the sum of its installments. */
function amountOf(position: DebtPosition): number {
  const single = position.paymentOption.find((o) => !o.isPartialPayment);
  return single ? single.amount : position.paymentOption.reduce((sum, o) => sum + o.amount, 0);
}

const earliestDue = (position: DebtPosition): Date | null =>
  position.paymentOption.reduce<Date | null>((min, o) => (!min || o.dueDate < min ? o.dueDate : min), null);

function reportingText(tr: ConsoleT, locale: string, cf: string, reported: ReportedIn | undefined): SafeHtml {
  return reported ? html`<a href="${flowPath(cf, reported)}">${tr('reportedIn', { flow: reported.fdr, date: day(locale, reported.published) })}</a>` : html`${tr('notReported')}`;
}

const pageQuery = Type.Object({ pagina: Type.Optional(Type.String({ maxLength: 9 })) }, { additionalProperties: true });
const PositionsQuery = Type.Object({
  stato: Type.Optional(Type.String({ maxLength: 20 })),
  scadenza_dal: Type.Optional(Type.String({ maxLength: 10 })),
  scadenza_al: Type.Optional(Type.String({ maxLength: 10 })),
  avviso: Type.Optional(Type.String({ maxLength: 60 })),
  debitore: Type.Optional(Type.String({ maxLength: 40 })),
  pagina: Type.Optional(Type.String({ maxLength: 9 })),
});
const CfParams = Type.Object({ cf: Type.String({ maxLength: 16 }) });
const hidden = { hide: true };

export function backofficePages(deps: BackofficeDeps): (pages: App) => Promise<void> {
  return async (pages) => {
    registerBackofficeLogin(pages, deps);
    const db = deps.db;
    await pages.register(async (instance: FastifyInstance) => {
      const area = instance as App;
      // The area only reads (GET): no form of it changes anything, so it needs no CSRF check.
      area.addHook('onRequest', requireTenantStaff({ base: BACKOFFICE, accounts: backofficeAccounts(deps.db, deps.secret), sessionKey: 'pagopaStaff' }));

      /** The institution of the URL, if this staff member may see it; anything else is not found. */
      async function institutionFor(request: FastifyRequest, cf: string): Promise<Institution> {
        const institution = maySee(staffOf(request)!, cf) ? await institutionByFiscalCode(db, cf) : undefined;
        if (!institution) throw notFound();
        return institution;
      }

      function send(request: FastifyRequest, reply: FastifyReply, input: { title: string; main: SafeHtml; institution?: Institution; crumbs?: { label: string; href?: string }[] }, status = 200) {
        const tr = consoleT(request.locale);
        const staff = staffOf(request)!;
        const breadcrumb = [
          { label: tr('navInstitutions'), href: BACKOFFICE },
          ...(input.institution ? [{ label: input.institution.companyName, href: `${institutionPath(input.institution.fiscalCode)}/posizioni` }] : []),
          ...(input.crumbs ?? []),
          { label: input.title },
        ];
        return sendPage(reply, request, { title: input.title, main: input.main, breadcrumb, nav: navOf(tr, staff, input.institution?.fiscalCode) }, status);
      }

      area.get(BACKOFFICE, { config: { html: true }, schema: hidden }, async (request, reply) => {
        const tr = consoleT(request.locale);
        const staff = staffOf(request)!;
        const visible = (await listInstitutions(db)).filter((i) => maySee(staff, i.fiscalCode));
        const rows = visible.map((i) => [html`<a href="${institutionPath(i.fiscalCode)}/posizioni">${i.companyName}</a>`, i.fiscalCode, i.stationId]);
        const main = html`<h1>${tr('institutionsTitle')}</h1>${dataTable(tr('institutionsTitle'), [tr('colInstitution'), tr('colFiscalCode'), tr('colStation')], rows, '—')}`;
        return sendPage(reply, request, { title: tr('institutionsTitle'), main, nav: navOf(tr, staff, staff.tenant === OPERATOR_TENANT ? undefined : staff.tenant) });
      });

      area.get(`${BACKOFFICE}/enti/:cf`, { config: { html: true }, schema: { ...hidden, params: CfParams } }, async (request, reply) => {
        const institution = await institutionFor(request, request.params.cf);
        return redirectTo(reply, `${institutionPath(institution.fiscalCode)}/posizioni`);
      });

      area.get(`${BACKOFFICE}/enti/:cf/posizioni`, { config: { html: true }, schema: { ...hidden, params: CfParams, querystring: PositionsQuery } }, async (request, reply) => {
        const tr = consoleT(request.locale);
        const institution = await institutionFor(request, request.params.cf);
        const cf = institution.fiscalCode;
        const q = request.query;
        const errors: Record<string, string> = {};
        let message: string | undefined;

        // A notice number goes straight to its position; a malformed one says what is wrong with it.
        if (q.avviso?.trim()) {
          const parsed = parseNoticeNumber(q.avviso);
          if (!parsed.ok) errors.avviso = tr('noticeMalformed', { reason: tr(`nav_${parsed.reason}` as ConsoleKey, { length: q.avviso.replace(/\s+/g, '').length }) });
          else {
            const found = await unlessNotFound(getByNoticeNumber(db, institution, parsed.value.noticeNumber));
            if (found) return redirectTo(reply, `${positionPath(cf, found.position.iupd)}#avviso-${found.option.nav}`);
            message = tr('noticeNotFound', { nav: formatNoticeNumber(parsed.value.noticeNumber) });
          }
        }
        const debtor = q.debitore?.trim().toUpperCase();
        if (debtor && !DEBTOR.test(debtor)) errors.debitore = tr('debtorMalformed');
        const status = DEBT_POSITION_STATUSES.includes(q.stato as DebtPositionStatus) ? (q.stato as DebtPositionStatus) : undefined;
        for (const field of ['scadenza_dal', 'scadenza_al'] as const) {
          const value = q[field];
          if (value && (!DAY.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)))) errors[field] = tr('invalidDate');
        }

        const invalidInput = Object.keys(errors).length > 0;
        const read = (n: number) =>
          invalidInput || message
            ? Promise.resolve({ positions: [] as DebtPosition[], itemsFound: 0 })
            : debtor
              ? positionsOfDebtor(db, institution, debtor, { page: n - 1, limit: PAGE_SIZE })
              : listPositions(db, institution, { limit: PAGE_SIZE, page: n - 1, status, dueDateFrom: q.scadenza_dal || undefined, dueDateTo: q.scadenza_al || undefined, orderBy: 'INSERTED_DATE', ordering: 'DESC' });
        const { result, page, pages } = await pageWithin(q.pagina, read, (r) => r.itemsFound);
        const { positions, itemsFound } = result;
        const kept = Object.entries({ stato: status, scadenza_dal: q.scadenza_dal, scadenza_al: q.scadenza_al, debitore: debtor }).filter(([, v]) => v) as [string, string][];
        const link = (n: number) => `?${new URLSearchParams([...kept, ['pagina', String(n)]]).toString()}`;

        const statusOptions = [{ value: '', label: tr('allStatuses') }, ...DEBT_POSITION_STATUSES.map((s) => ({ value: s, label: tr(`st_${s}` as ConsoleKey) }))];
        const rows = positions.map((p) => [
          html`<a href="${positionPath(cf, p.iupd)}">${p.iupd}</a>`,
          html`${p.fullName}<br><span class="small">${p.fiscalCode}</span>`,
          p.paymentOption[0]?.description ?? '',
          statusBadge(tr, p.status),
          day(request.locale, earliestDue(p)),
          euro(request.locale, amountOf(p)),
        ]);
        const main = html`<h1>${tr('positionsTitle')} — ${institution.companyName}</h1>
<div class="row">
<section class="col-lg-6" aria-labelledby="search-title"><h2 id="search-title" class="h4">${tr('searchTitle')}</h2>
<form method="get" action="${institutionPath(cf)}/posizioni" novalidate>
  ${textField({ name: 'avviso', label: tr('searchNotice'), help: tr('searchNoticeHelp'), value: q.avviso, error: errors.avviso, inputmode: 'numeric' })}
  ${textField({ name: 'debitore', label: tr('searchDebtor'), value: q.debitore, error: errors.debitore })}
  <button type="submit" class="btn btn-primary">${tr('search')}</button>
</form></section>
<section class="col-lg-6" aria-labelledby="filters-title"><h2 id="filters-title" class="h4">${tr('filtersTitle')}</h2>
<form method="get" action="${institutionPath(cf)}/posizioni" novalidate>
  ${selectField({ name: 'stato', label: tr('filterStatus'), options: statusOptions, value: status ?? '' })}
  ${textField({ name: 'scadenza_dal', label: tr('dueFrom'), type: 'date', value: q.scadenza_dal, error: errors.scadenza_dal })}
  ${textField({ name: 'scadenza_al', label: tr('dueTo'), type: 'date', value: q.scadenza_al, error: errors.scadenza_al })}
  <button type="submit" class="btn btn-primary">${tr('applyFilters')}</button>
</form></section>
</div>
<section aria-labelledby="results-title" class="mt-4">
<h2 id="results-title" class="h4">${tr('positionsFound', { count: itemsFound })}</h2>
${message ? alert('warning', message) : ''}
${dataTable(tr('positionsTitle'), [tr('colIupd'), tr('colDebtor'), tr('colDescription'), tr('colStatus'), tr('colDue'), tr('colAmount')], rows, tr('noPositions'))}
${pagination(paginationLabels(tr), page, pages, link)}
</section>`;
        return send(request, reply, { title: tr('positionsTitle'), main, institution }, invalidInput ? 400 : message ? 404 : 200);
      });

      area.get(
        `${BACKOFFICE}/enti/:cf/posizioni/:iupd`,
        { config: { html: true }, schema: { ...hidden, params: Type.Object({ ...CfParams.properties, iupd: Type.String({ maxLength: 100 }) }) } },
        async (request, reply) => {
          const tr = consoleT(request.locale);
          const locale = request.locale;
          const institution = await institutionFor(request, request.params.cf);
          const cf = institution.fiscalCode;
          const position = await getPosition(db, institution, request.params.iupd);
          const receipts = new Map<string, Receipt>();
          for (const o of position.paymentOption) {
            const receipt = o.status === 'PO_UNPAID' ? undefined : await receiptByIuv(db, institution, o.iuv);
            if (receipt) receipts.set(o.iuv, receipt);
          }
          const address = [position.streetName, position.civicNumber, position.postalCode, position.city, position.province].filter(Boolean).join(' ');
          const optionRows = position.paymentOption.map((o) => [
            o.isPartialPayment ? tr('installment') : tr('singlePayment'),
            o.description,
            html`<span id="avviso-${o.nav}">${formatNoticeNumber(o.nav)}</span>`,
            o.iuv,
            euro(locale, o.amount),
            day(locale, o.dueDate),
            statusBadge(tr, o.status),
            receipts.has(o.iuv) ? html`<a href="${receiptPath(cf, o.iuv)}">${receipts.get(o.iuv)!.receiptId}</a>` : '—',
          ]);
          const transfers = position.paymentOption.map(
            (o) => html`<h3 class="h5 mt-4">${tr('transfersTitle', { nav: formatNoticeNumber(o.nav) })}</h3>
${dataTable(
  tr('transfersTitle', { nav: o.nav }),
  [tr('colTransfer'), tr('colBeneficiary'), tr('colAmount'), tr('colIban'), tr('colCategory'), tr('colRemittance'), tr('colStatus')],
  o.transfer.map((t) => [t.idTransfer, t.companyName ?? t.organizationFiscalCode, euro(locale, t.amount), t.iban ?? tr('stamp'), t.category, t.remittanceInformation, statusBadge(tr, t.status)]),
  '—',
)}`,
          );
          const main = html`<h1>${tr('positionTitle', { iupd: position.iupd })}</h1>
<p>${statusBadge(tr, position.status)}</p>
${hasNotice(institution, position) ? html`<p><a class="btn btn-outline-primary" href="${positionPath(cf, position.iupd)}/avviso">${tr('printedNotice')}</a></p>` : ''}
<div class="row">
<section class="col-lg-6" aria-labelledby="debtor-title"><h2 id="debtor-title" class="h4">${tr('debtorTitle')}</h2><dl>
  ${dataRow(tr('fullName'), position.fullName)}${dataRow(tr('fiscalCode'), position.fiscalCode)}
  ${address ? dataRow(tr('address'), address) : ''}${position.email ? dataRow(tr('emailShort'), position.email) : ''}
</dl></section>
<section class="col-lg-6" aria-labelledby="position-title"><h2 id="position-title" class="h4">${tr('positionData')}</h2><dl>
  ${dataRow(tr('companyName'), position.companyName)}${position.officeName ? dataRow(tr('officeName'), position.officeName) : ''}
  ${dataRow(tr('insertedDate'), dayTime(locale, position.insertedDate))}${dataRow(tr('publishDate'), dayTime(locale, position.publishDate))}
  ${dataRow(tr('validityDate'), dayTime(locale, position.validityDate))}${dataRow(tr('paymentDate'), dayTime(locale, position.paymentDate))}
</dl></section>
</div>
<section aria-labelledby="options-title" class="mt-4"><h2 id="options-title" class="h4">${tr('optionsTitle')}</h2>
${dataTable(tr('optionsTitle'), [tr('colKind'), tr('colDescription'), tr('colNotice'), tr('colIuv'), tr('colAmount'), tr('colDue'), tr('colStatus'), tr('navReceipts')], optionRows, '—')}
${transfers}
</section>`;
          return send(request, reply, { title: tr('positionTitle', { iupd: position.iupd }), main, institution, crumbs: [{ label: tr('navPositions'), href: `${institutionPath(cf)}/posizioni` }] });
        },
      );

      area.get(
        `${BACKOFFICE}/enti/:cf/posizioni/:iupd/avviso`,
        { config: { html: true }, schema: { ...hidden, params: Type.Object({ ...CfParams.properties, iupd: Type.String({ maxLength: 100 }) }) } },
        async (request, reply) => {
          const institution = await institutionFor(request, request.params.cf);
          return sendNoticePdf(reply, institution, await getPosition(db, institution, request.params.iupd));
        },
      );

      area.get(
        `${BACKOFFICE}/enti/:cf/ricevute`,
        { config: { html: true }, schema: { ...hidden, params: CfParams, querystring: pageQuery } },
        async (request, reply) => {
          const tr = consoleT(request.locale);
          const institution = await institutionFor(request, request.params.cf);
          const cf = institution.fiscalCode;
          const { result, page, pages } = await pageWithin(request.query.pagina, (n) => listReceipts(db, institution, { page: n - 1, limit: PAGE_SIZE }), (r) => r.itemsFound);
          const { receipts } = result;
          const reported = await reportingOf(db, cf, receipts.map((r) => ({ iuv: r.creditorReferenceId, iur: r.receiptId })));
          const rows = receipts.map((r) => [
            html`<a href="${receiptPath(cf, r.creditorReferenceId)}">${formatNoticeNumber(r.noticeNumber)}</a>`,
            html`${r.debtor.fullName}<br><span class="small">${r.debtor.uniqueIdentifier.entityUniqueIdentifierValue}</span>`,
            euro(request.locale, r.paymentAmount),
            dayTime(request.locale, new Date(r.paymentDateTime)),
            r.PSPCompanyName,
            reportingText(tr, request.locale, cf, reported.get(r.creditorReferenceId)),
          ]);
          const main = html`<h1>${tr('receiptsTitle')} — ${institution.companyName}</h1>
${dataTable(tr('receiptsTitle'), [tr('colNotice'), tr('colDebtor'), tr('colAmount'), tr('colPaidAt'), tr('colPsp'), tr('colReporting')], rows, tr('noReceipts'))}
${pagination(paginationLabels(tr), page, pages, (n) => `?pagina=${n}`)}`;
          return send(request, reply, { title: tr('receiptsTitle'), main, institution });
        },
      );

      const ReceiptParams = Type.Object({ ...CfParams.properties, iuv: Type.String({ maxLength: 35 }) });

      area.get(`${BACKOFFICE}/enti/:cf/ricevute/:iuv`, { config: { html: true }, schema: { ...hidden, params: ReceiptParams } }, async (request, reply) => {
        const tr = consoleT(request.locale);
        const locale = request.locale;
        const institution = await institutionFor(request, request.params.cf);
        const cf = institution.fiscalCode;
        const r = await receiptByIuv(db, institution, request.params.iuv);
        if (!r) throw notFound();
        const reported = (await reportingOf(db, cf, [{ iuv: r.creditorReferenceId, iur: r.receiptId }])).get(r.creditorReferenceId);
        const party = (p: Receipt['debtor']) => `${p.fullName} (${p.uniqueIdentifier.entityUniqueIdentifierValue})`;
        const main = html`<h1>${tr('receiptTitle', { id: r.receiptId })}</h1>
<dl>
  ${dataRow(tr('colNotice'), formatNoticeNumber(r.noticeNumber))}${dataRow(tr('colIuv'), r.creditorReferenceId)}
  ${dataRow(tr('colIupd'), html`<a href="${positionPath(cf, r.iupd)}">${r.iupd}</a>`)}
  ${dataRow(tr('colDescription'), r.description)}${dataRow(tr('colAmount'), euro(locale, r.paymentAmount))}${dataRow(tr('colFee'), euro(locale, r.fee))}
  ${dataRow(tr('colPaidAt'), dayTime(locale, new Date(r.paymentDateTime)))}${dataRow(tr('colPsp'), `${r.PSPCompanyName} (${r.idPSP})`)}${dataRow(tr('colMethod'), r.paymentMethod)}
  ${dataRow(tr('colDebtor'), party(r.debtor))}${r.payer ? dataRow(tr('colPayer'), party(r.payer)) : ''}
  ${dataRow(tr('colReporting'), reportingText(tr, locale, cf, reported))}
</dl>
<p><a class="btn btn-outline-primary" href="${receiptPath(cf, r.creditorReferenceId)}/pdf">${tr('receiptPdf')}</a></p>
<h2 class="h4 mt-4">${tr('transfersTitle', { nav: formatNoticeNumber(r.noticeNumber) })}</h2>
${dataTable(
  tr('transfersTitle', { nav: r.noticeNumber }),
  [tr('colTransfer'), tr('colBeneficiary'), tr('colAmount'), tr('colIban'), tr('colCategory'), tr('colRemittance')],
  r.transferList.map((t) => [t.idTransfer, t.fiscalCodePA, euro(locale, t.transferAmount), t.IBAN ?? tr('stamp'), t.transferCategory, t.remittanceInformation]),
  '—',
)}`;
        return send(request, reply, { title: tr('receiptTitle', { id: r.receiptId }), main, institution, crumbs: [{ label: tr('navReceipts'), href: `${institutionPath(cf)}/ricevute` }] });
      });

      area.get(`${BACKOFFICE}/enti/:cf/ricevute/:iuv/pdf`, { config: { html: true }, schema: { ...hidden, params: ReceiptParams } }, async (request, reply) => {
        const receipt = await receiptByIuv(db, await institutionFor(request, request.params.cf), request.params.iuv);
        if (!receipt) throw notFound();
        return sendReceiptPdf(reply, receipt);
      });

      area.get(`${BACKOFFICE}/enti/:cf/flussi`, { config: { html: true }, schema: { ...hidden, params: CfParams, querystring: pageQuery } }, async (request, reply) => {
        const tr = consoleT(request.locale);
        const institution = await institutionFor(request, request.params.cf);
        const cf = institution.fiscalCode;
        const { result: flows, page, pages } = await pageWithin(request.query.pagina, (n) => listReceived(db, cf, { page: n, size: PAGE_SIZE }), (r) => r.count);
        const rows = flows.data.map((f) => [html`<a href="${flowPath(cf, f)}">${f.fdr}</a>`, f.pspId, f.revision, dayTime(request.locale, new Date(f.published))]);
        const main = html`<h1>${tr('flowsTitle')} — ${institution.companyName}</h1>
${dataTable(tr('flowsTitle'), [tr('colFlow'), tr('colPsp'), tr('colRevision'), tr('colPublished')], rows, tr('noFlows'))}
${pagination(paginationLabels(tr), page, pages, (n) => `?pagina=${n}`)}`;
        return send(request, reply, { title: tr('flowsTitle'), main, institution });
      });

      area.get(
        `${BACKOFFICE}/enti/:cf/flussi/:psp/:fdr/:revision`,
        {
          config: { html: true },
          schema: {
            ...hidden,
            params: Type.Object({ ...CfParams.properties, psp: Type.String({ maxLength: 35 }), fdr: Type.String({ maxLength: 35 }), revision: Type.Integer({ minimum: 1 }) }),
            querystring: pageQuery,
          },
        },
        async (request, reply) => {
          const tr = consoleT(request.locale);
          const locale = request.locale;
          const institution = await institutionFor(request, request.params.cf);
          const cf = institution.fiscalCode;
          const { psp, fdr, revision } = request.params;
          const flow = await getReceived(db, cf, fdr, revision, psp);
          const { page, pages } = pageOf(flow.computedTotPayments, Number(request.query.pagina ?? '1'), PAGE_SIZE);
          const payments = await receivedPayments(db, cf, fdr, revision, psp, { page, size: PAGE_SIZE });
          const cents = (euros: number) => Math.round(euros * 100);
          const rows = payments.data.map((p) => [
            p.index,
            html`<a href="${receiptPath(cf, p.iuv)}">${p.iuv}</a>`,
            p.iur,
            p.idTransfer,
            euro(locale, cents(p.pay)),
            p.payStatus,
            dayTime(locale, new Date(p.payDate)),
          ]);
          const main = html`<h1>${tr('flowTitle', { flow: flow.fdr })}</h1>
<dl>
  ${dataRow(tr('colPsp'), `${flow.sender.pspName} (${flow.sender.pspId})`)}${dataRow(tr('colRevision'), String(flow.revision))}
  ${dataRow(tr('colPublished'), dayTime(locale, flow.published ? new Date(flow.published) : null))}
  ${dataRow(tr('colRegulation'), flow.regulation)}${dataRow(tr('colRegulationDate'), day(locale, new Date(flow.regulationDate)))}
  ${dataRow(tr('colPayments'), String(flow.totPayments))}${dataRow(tr('colTotal'), euro(locale, cents(flow.sumPayments)))}
</dl>
<h2 class="h4 mt-4">${tr('flowRows')}</h2>
${dataTable(tr('flowRows'), ['#', tr('colIuv'), tr('colIur'), tr('colTransfer'), tr('colAmount'), tr('colPayStatus'), tr('colPayDate')], rows, '—')}
${pagination(paginationLabels(tr), page, pages, (n) => `?pagina=${n}`)}`;
          return send(request, reply, { title: tr('flowTitle', { flow: flow.fdr }), main, institution, crumbs: [{ label: tr('navFlows'), href: `${institutionPath(cf)}/flussi` }] });
        },
      );
    });
  };
}
