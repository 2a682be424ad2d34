// Synthetic files of dues for the tests and the bench: valid codici fiscali (check character computed),
// Italian amounts and dates, every row a different debt.
import { fiscalCodeCheckCharacter } from '../../src/domain/fiscal-code.ts';
import { addDays, dateInItaly } from '../../src/domain/dates.ts';

const MONTHS = 'ABCDEHLMPRST';

/** A valid codice fiscale for each n (born 1940-1999 in Pisa, G702). */
export function fiscalCodeOf(n: number): string {
  const year = String(40 + (n % 60)).padStart(2, '0');
  const month = MONTHS[Math.floor(n / 60) % 12]!;
  const day = String(1 + (Math.floor(n / 720) % 28) + (Math.floor(n / 20160) % 2 ? 40 : 0)).padStart(2, '0');
  const first15 = `RSSMRA${year}${month}${day}G702`;
  return first15 + fiscalCodeCheckCharacter(first15);
}

/** dd/mm/yyyy `days` from today in Italy. */
export function italianDateIn(days: number): string {
  const [y, m, d] = addDays(dateInItaly(new Date()), days).split('-');
  return `${d}/${m}/${y}`;
}

export interface DuesFileOptions {
  rows: number;
  /** Data rows (from 1) made invalid, in turn in each of six ways. */
  bad?: (n: number) => boolean;
  /** Installments of every third row. */
  installments?: number;
  chapter?: string;
}

const BAD_VARIANTS = [
  (cells: string[]) => (cells[0] = `${cells[0]!.slice(0, 15)}X`),
  (cells: string[]) => (cells[3] = '0,00'),
  (cells: string[]) => (cells[3] = 'dieci euro'),
  (cells: string[]) => (cells[5] = '01/01/2020'),
  (cells: string[]) => (cells[5] = '31/02/2027'),
  (cells: string[]) => (cells[6] = 'tre'),
];

/** A file with the Italian header, `;`-separated, CRLF, as Excel writes it. */
export function duesCsv(options: DuesFileOptions): string {
  const due = italianDateIn(40);
  let bad = 0;
  const lines = ['Codice fiscale;Cognome;Nome;Importo;Causale;Scadenza;Rate;Email;Capitolo'];
  for (let n = 1; n <= options.rows; n++) {
    const euros = 50 + (n % 4000);
    const cells = [fiscalCodeOf(n), 'Rossi', 'Mario', `${euros.toLocaleString('it-IT')},${String(n % 100).padStart(2, '0')}`, `TARI 2027 utenza ${n}`, due, n % 3 === 0 ? String(options.installments ?? 3) : '', n % 2 ? `utente${n}@example.it` : '', options.chapter ?? ''];
    if (options.bad?.(n)) BAD_VARIANTS[bad++ % BAD_VARIANTS.length]!(cells);
    lines.push(cells.join(';'));
  }
  return `${lines.join('\r\n')}\r\n`;
}
