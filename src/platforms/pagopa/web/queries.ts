// What the consoles read beyond one institution's GPD calls: a citizen's positions and receipts across every
// institution (by their fiscal code), an institution's positions of one debtor, and whether a receipt has
// been reported in a published flow (FdR) yet.
import { sql, type Executor } from '../../../core/db.ts';
import type { Receipt } from '../../../clients/pagopa/nodo-wire.ts';
import { institutionById, type Institution } from '../institutions.ts';
import { getPosition, type DebtPosition, type PaymentOption } from '../positions.ts';
import { receiptById } from '../nodo/receipts.ts';
import { payOption } from '../rules.ts';

/** Institutions by id, each read once per page. */
function institutions(db: Executor): (id: string) => Promise<Institution> {
  const cache = new Map<string, Promise<Institution | undefined>>();
  return async (id) => {
    if (!cache.has(id)) cache.set(id, institutionById(db, id));
    return (await cache.get(id))!;
  };
}

export interface PayableNotice {
  institution: Institution;
  position: DebtPosition;
  /** The options that can be paid now (GPD's pay rule): a single payment or the remaining installments. */
  options: PaymentOption[];
}

/** The positions whose debtor is this fiscal code, at every institution, with something payable now; soonest due first. */
export async function payableNoticesOf(db: Executor, fiscalCode: string, now = new Date()): Promise<PayableNotice[]> {
  // Stored states may lag the clock by a sweep: PUBLISHED may already be VALID, VALID may be EXPIRED (filtered below).
  const { rows } = await sql<{ institution_id: string; iupd: string }>`select institution_id, iupd from pagopa.debt_positions
    where debtor_fiscal_code = ${fiscalCode} and status in ('PUBLISHED', 'VALID', 'PARTIALLY_PAID') order by max_due_date, iupd`.execute(db);
  const institution = institutions(db);
  const notices: PayableNotice[] = [];
  for (const row of rows) {
    const owner = await institution(row.institution_id);
    const position = await getPosition(db, owner, row.iupd, now);
    const state = { status: position.status, validityDate: position.validityDate, switchToExpired: position.switchToExpired, options: position.paymentOption };
    const options = position.paymentOption.filter((o) => payOption(state, o.iuv, now).ok);
    if (options.length) notices.push({ institution: owner, position, options });
  }
  return notices;
}

/** The receipts where this fiscal code is the debtor or the payer, at every institution; newest first. */
export async function receiptsOf(db: Executor, fiscalCode: string): Promise<Receipt[]> {
  const { rows } = await sql<{ receipt_id: string }>`select receipt_id from pagopa.receipts
    where debtor_fiscal_code = ${fiscalCode} or payer -> 'uniqueIdentifier' ->> 'entityUniqueIdentifierValue' = ${fiscalCode}
    order by payment_date_time desc, receipt_id`.execute(db);
  const receipts = await Promise.all(rows.map((r) => receiptById(db, r.receipt_id)));
  return receipts.filter((r): r is Receipt => !!r);
}

/** The citizen's own receipt (as debtor or payer); anyone else's is not found. */
export async function receiptOfCitizen(db: Executor, fiscalCode: string, receiptId: string): Promise<Receipt | undefined> {
  const receipt = await receiptById(db, receiptId);
  const own = receipt && (receipt.debtor.uniqueIdentifier.entityUniqueIdentifierValue === fiscalCode || receipt.payer?.uniqueIdentifier.entityUniqueIdentifierValue === fiscalCode);
  return own ? receipt : undefined;
}

/** The institution's positions of one debtor, newest first, a page (from 0) at a time. */
export async function positionsOfDebtor(
  db: Executor,
  institution: Institution,
  debtor: string,
  page: { page: number; limit: number },
  now = new Date(),
): Promise<{ positions: DebtPosition[]; itemsFound: number }> {
  const where = sql`institution_id = ${institution.id} and debtor_fiscal_code = ${debtor}`;
  const { rows: count } = await sql<{ n: number }>`select count(*)::int as n from pagopa.debt_positions where ${where}`.execute(db);
  const { rows } = await sql<{ iupd: string }>`select iupd from pagopa.debt_positions where ${where}
    order by inserted_date desc, id limit ${page.limit} offset ${page.page * page.limit}`.execute(db);
  const positions = [];
  for (const r of rows) positions.push(await getPosition(db, institution, r.iupd, now));
  return { positions, itemsFound: count[0]!.n };
}

export interface ReportedIn {
  fdr: string;
  pspId: string;
  revision: number;
  published: Date;
}

/**
 * For each receipt (IUV and IUR), the published flow of the institution that reports it, if any: only a flow's
 * latest published revision counts (reference §5.3).
 */
export async function reportingOf(db: Executor, organizationFiscalCode: string, receipts: readonly { iuv: string; iur: string }[]): Promise<Map<string, ReportedIn>> {
  const found = new Map<string, ReportedIn>();
  if (!receipts.length) return found;
  const { rows } = await sql<{ iuv: string; iur: string; fdr: string; psp_id: string; revision: number; published: Date }>`
    select distinct on (p.iuv, p.iur) p.iuv, p.iur, f.fdr, f.psp_id, f.revision, f.published
    from pagopa.fdr_payments p join pagopa.fdr_flows f on f.id = p.flow_id
    where f.organization_id = ${organizationFiscalCode} and f.status = 'PUBLISHED' and p.iuv = any(${receipts.map((r) => r.iuv)}::text[])
      and f.revision = (select max(g.revision) from pagopa.fdr_flows g where g.psp_id = f.psp_id and g.fdr = f.fdr and g.status = 'PUBLISHED')
    order by p.iuv, p.iur, f.published desc`.execute(db);
  const wanted = new Set(receipts.map((r) => `${r.iuv}|${r.iur}`));
  for (const r of rows) if (wanted.has(`${r.iuv}|${r.iur}`)) found.set(r.iuv, { fdr: r.fdr, pspId: r.psp_id, revision: r.revision, published: r.published });
  return found;
}
