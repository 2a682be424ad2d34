// What a printed pagoPA notice says, and the small rules that shape it: Italian amounts and dates, installments
// grouped 2 or 3 to a row, the postal account of a BancoPosta IBAN.
// Source: PagoPA S.p.A., "Guida tecnica sugli avvisi di pagamento pagoPA" (shared/reference/pagopa.md §2).
import { dateInItaly } from '../../../domain/dates.ts';
import { parseItalianIban } from '../../../domain/iban.ts';

export interface NoticeCreditor {
  name: string;
  /** Sector or office issuing the notice. */
  office?: string;
  fiscalCode: string;
  cbillCode?: string;
  contacts?: { web?: string; email?: string; pec?: string; phone?: string };
  /** PNG or JPEG of the institution's logo. */
  logo?: Buffer;
}

export interface NoticeDebtor {
  name: string;
  fiscalCode: string;
  /** Address lines (street and number; postal code, city and province). */
  address: string[];
}

export interface NoticeOption {
  amountCents: number;
  /** Absent: a notice without due date ("senza scadenza"). */
  dueDate?: Date;
  nav: string;
  iuv: string;
}

export interface NoticeData {
  /** AVVISO.OGGETTO: what the payment is for, in plain words. */
  subject: string;
  creditor: NoticeCreditor;
  debtor: NoticeDebtor;
  /** The single payment (rata unica), when the debtor may pay everything at once. */
  single?: NoticeOption;
  installments: NoticeOption[];
  /** Bollettino Postale PA: the institution's postal current account, when it has one. */
  postal?: { account: string; holder: string };
  /** When the notice was issued: the PDF's creation date, so the same data gives the same bytes. */
  issuedAt: Date;
}

/** Euro cents as printed on the notice: 123456 → "1.234,56" (Italian grouping also for four digits). */
export function formatEuro(cents: number): string {
  const euros = Math.trunc(cents / 100);
  return `${String(euros).replace(/\B(?=(\d{3})+$)/g, '.')},${String(cents % 100).padStart(2, '0')}`;
}

/** A due date as printed on the notice: dd/mm/yyyy of the day in Italy. */
export function formatDueDate(at: Date): string {
  const [year, month, day] = dateInItaly(at).split('-');
  return `${day}/${month}/${year}`;
}

/** Installments per row: all 3s, else all 2s, else 3s then 2s when the count is divisible by neither ("Rate multiple"). */
export function installmentRows(count: number): number[] {
  if (count <= 3) return count ? [count] : [];
  if (count % 3 === 0) return Array<number>(count / 3).fill(3);
  if (count % 2 === 0) return Array<number>(count / 2).fill(2);
  const twos = 3 - (count % 3);
  return [...Array<number>((count - 2 * twos) / 3).fill(3), ...Array<number>(twos).fill(2)];
}

/** ABI of Poste Italiane (BancoPosta): its IBANs end with the 12-digit postal current account number. */
const BANCOPOSTA_ABI = '07601';

/** The postal current account ("C/C n.") of a BancoPosta IBAN; undefined for any other IBAN. */
export function postalAccountOfIban(iban: string): string | undefined {
  const parsed = parseItalianIban(iban);
  return parsed.ok && parsed.value.countryCode === 'IT' && parsed.value.abi === BANCOPOSTA_ABI && /^\d{12}$/.test(parsed.value.conto) ? parsed.value.conto : undefined;
}
