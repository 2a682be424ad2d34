// The job of an upload of dues: the debts an earlier upload created are marked as already there; the others go
// to pagoPA's massive upload in files of 10,000 (each file's upload id kept, so a retry reads its report
// instead of sending it again, and a file sent twice creates nothing twice: pagoPA answers 409 per IUPD);
// the report gives each row its outcome and notice numbers.
import { sql, type Executor } from '../../../core/db.ts';
import type { JobHandler } from '../../../core/jobs.ts';
import type { AppContext } from '../../../core/runtime.ts';
import { dateInItaly } from '../../../domain/dates.ts';
import { bulkClient, type BulkClient, type UploadReport } from '../../../clients/pagopa/bulk.ts';
import { GpdError } from '../../../clients/pagopa/index.ts';
import type { PaymentPositionBody } from '../../../clients/pagopa/wire.ts';
import { pagopaKeyOf, paymentSettingsOf, type BudgetChapter, type PaymentSettings } from '../settings.ts';
import { splitInstallments } from './csv.ts';
import { DUES_UPLOAD_JOB } from './store.ts';
import { enqueueDuesNotices } from '../../messaging/store.ts';

export { DUES_UPLOAD_JOB };

/** How often the job asks pagoPA how far a file has got. */
const POLL_MS = 200;
/** Files of one upload in flight at once: pagoPA works on the first ones while the next are built and sent. */
const FILES_IN_FLIGHT = 4;
/** How long a file may take on pagoPA before the attempt gives up (the job retries later and reads the same upload). */
const FILE_TIMEOUT_MS = 10 * 60 * 1000;
/** GPD's limit for a payment option's description and a transfer's remittance information. */
const MAX_DESCRIPTION = 140;

/** The last second of a day in Italy, as an instant (the due date of a payment option). */
export function endOfDayInItaly(day: string): Date {
  // 23:59:59 in Rome is 22:59:59Z in winter (UTC+1) and 21:59:59Z in summer (UTC+2).
  const winter = new Date(`${day}T22:59:59Z`);
  return dateInItaly(winter) === day ? winter : new Date(`${day}T21:59:59Z`);
}

export interface PendingRow {
  iupd: string;
  debtor_type: 'F' | 'G';
  fiscal_code: string;
  full_name: string;
  email: string | null;
  amount_cents: number;
  reason: string;
  due_date: string;
  installments: number;
  chapter: string;
}

/** The due instants of the days of one file: its rows share a few due dates, and Intl's formatting was half the time of building a position. */
function dueInstants(): (day: string) => string {
  const known = new Map<string, string>();
  return (day) => {
    let instant = known.get(day);
    if (instant === undefined) known.set(day, (instant = endOfDayInItaly(day).toISOString()));
    return instant;
  };
}

/** The debt position of a row: one option, or monthly installments, each crediting the chapter's IBAN. */
export function positionOf(row: PendingRow, companyName: string, chapter: BudgetChapter, dueInstant = dueInstants()): PaymentPositionBody {
  const parts = splitInstallments(row.amount_cents, row.installments, row.due_date);
  return {
    iupd: row.iupd,
    type: row.debtor_type,
    fiscalCode: row.fiscal_code,
    fullName: row.full_name,
    ...(row.email ? { email: row.email } : {}),
    switchToExpired: false,
    companyName: companyName.slice(0, MAX_DESCRIPTION),
    paymentOption: parts.map((part, i) => {
      const suffix = parts.length > 1 ? ` - rata ${i + 1}/${parts.length}` : '';
      const description = `${row.reason.slice(0, MAX_DESCRIPTION - suffix.length)}${suffix}`;
      return {
        amount: part.amountCents,
        description,
        isPartialPayment: parts.length > 1,
        dueDate: dueInstant(part.dueDate),
        transfer: [{ idTransfer: '1' as const, amount: part.amountCents, remittanceInformation: description, category: chapter.taxonomy, iban: chapter.iban }],
      };
    }),
  };
}

/** The broker in the upload path: the intermediary of the station, or the ente itself when it connects directly. */
const brokerOf = (settings: PaymentSettings) => (settings.intermediary.kind === 'intermediary' ? settings.intermediary.station.split('_')[0]! : settings.creditorFiscalCode);

async function finishedReport(client: BulkClient, uploadId: string): Promise<UploadReport> {
  const deadline = Date.now() + FILE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const status = await client.status(uploadId);
    if (status.endTime) return client.report(uploadId);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`pagoPA has not finished the upload ${uploadId} yet`);
}

/** Each row of the file gets pagoPA's answer: 201 created, 409 already there (with its notice numbers), otherwise refused. */
async function applyReport(db: Executor, uploadId: string, batch: number, report: UploadReport): Promise<void> {
  const navs = new Map(report.notices.map((n) => [n.iupd, n.nav]));
  const answers = report.responses.flatMap((r) =>
    r.requestIDs.map((iupd) => {
      const nav = navs.get(iupd) ?? [];
      const outcome = r.statusCode === 201 ? 'created' : r.statusCode === 409 && nav.length ? 'existing' : 'failed';
      return { iupd, outcome, nav: nav.length ? nav : null, message: outcome === 'failed' ? r.statusMessage : null };
    }),
  );
  await markRows(db, uploadId, batch, answers);
}

async function markRows(db: Executor, uploadId: string, batch: number, answers: { iupd: string; outcome: string; nav: string[] | null; message: string | null }[]): Promise<void> {
  await sql`
    update comune.dues_rows r set outcome = u.outcome, navs = u.nav, message = u.message
    from json_to_recordset(${JSON.stringify(answers)}::json) as u(iupd text, outcome text, nav text[], message text)
    where r.upload_id = ${uploadId} and r.batch = ${batch} and r.iupd = u.iupd and r.outcome = 'pending'`.execute(db);
}

export function duesUploadHandler(app: Pick<AppContext, 'secret'> & { db: Executor }): JobHandler<{ uploadId: string }> {
  const { db } = app;
  return async ({ uploadId }, job) => {
    const { rows: uploads } = await sql<{ tenant_id: string; state: string; tenant_name: string }>`
      select u.tenant_id, u.state, t.name as tenant_name from comune.dues_uploads u join comune.tenants t on t.id = u.tenant_id where u.id = ${uploadId}`.execute(db);
    const upload = uploads[0];
    if (!upload || upload.state !== 'processing') return;
    const settings = await paymentSettingsOf(db, upload.tenant_id);
    if (!settings?.hasGpdKey) {
      // The settings were removed after the upload: its rows are refused, and the upload ends, rather than waiting for ever.
      await job.transaction(async (tx) => {
        await sql`update comune.dues_rows set outcome = 'failed', message = 'pagoPA is not configured for the ente' where upload_id = ${uploadId} and outcome = 'pending'`.execute(tx);
        await sql`update comune.dues_uploads set state = 'done', finished_at = now() where id = ${uploadId}`.execute(tx);
      });
      return;
    }
    const client = bulkClient({ pagopaUrl: settings.pagopaUrl, subscriptionKey: pagopaKeyOf(app, settings), brokerCode: brokerOf(settings), organizationFiscalCode: settings.creditorFiscalCode });
    const chapters = new Map(settings.chapters.map((c) => [c.code, c]));

    // Debts an earlier upload created: already there, with their notice numbers.
    await sql`
      update comune.dues_rows r set outcome = 'existing', navs = c.navs
      from comune.dues_rows c
      where r.upload_id = ${uploadId} and r.outcome = 'pending' and c.tenant_id = r.tenant_id and c.iupd = r.iupd and c.outcome = 'created'`.execute(db);

    const { rows: batches } = await sql<{ batch: number; pagopa_upload_id: string | null }>`
      select batch, pagopa_upload_id from comune.dues_batches where upload_id = ${uploadId} order by batch`.execute(db);
    const queue = [...batches];
    const sendNext = async (): Promise<void> => {
      for (let next = queue.shift(); next; next = queue.shift()) await send(next);
    };
    const send = async ({ batch, pagopa_upload_id }: (typeof batches)[number]): Promise<void> => {
      const { rows } = await sql<PendingRow>`
        select iupd, debtor_type, fiscal_code, full_name, email, amount_cents, reason, due_date, installments, chapter from comune.dues_rows
        where upload_id = ${uploadId} and batch = ${batch} and outcome = 'pending' order by line`.execute(db);
      if (!rows.length) return;
      let pagopaUploadId = pagopa_upload_id;
      if (!pagopaUploadId) {
        // A chapter deactivated since the upload still books the debts the file asked for; a removed one cannot.
        const orphans = rows.filter((row) => !chapters.has(row.chapter));
        if (orphans.length) await markRows(db, uploadId, batch, orphans.map((r) => ({ iupd: r.iupd, outcome: 'failed', nav: null, message: `budget chapter ${r.chapter} no longer exists` })));
        const dueInstant = dueInstants();
        const positions = rows.filter((row) => chapters.has(row.chapter)).map((row) => positionOf(row, upload.tenant_name, chapters.get(row.chapter)!, dueInstant));
        if (!positions.length) return;
        try {
          pagopaUploadId = await client.upload(positions);
        } catch (err) {
          // pagoPA refused the whole file (not a row of it): every row of it is refused with the reason.
          if (!(err instanceof GpdError) || err.status !== 400) throw err;
          await markRows(db, uploadId, batch, rows.map((r) => ({ iupd: r.iupd, outcome: 'failed', nav: null, message: err.message })));
          return;
        }
        await sql`update comune.dues_batches set pagopa_upload_id = ${pagopaUploadId} where upload_id = ${uploadId} and batch = ${batch}`.execute(db);
      }
      await applyReport(db, uploadId, batch, await finishedReport(client, pagopaUploadId));
    };
    await Promise.all(Array.from({ length: FILES_IN_FLIGHT }, sendNext));
    await job.transaction(async (tx) => {
      await sql`update comune.dues_uploads set state = 'done', finished_at = now() where id = ${uploadId}`.execute(tx);
      // Each debtor hears of the new due through IO, when the ente sends through it (messaging outbox, same transaction).
      await enqueueDuesNotices(tx, uploadId);
    });
  };
}
