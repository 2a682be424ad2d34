// The daily protocol register (DPCM 3/12/2013 art. 7 c.5): every registration of one day, produced as an
// immutable PDF for the conservation system. Deterministic: the same day's content gives the same bytes.
import type { Executor } from '../../core/db.ts';
import { PdfWriter, sha256Hex } from '../../core/pdf.ts';
import { addDays, dateInItaly, type IsoDate } from '../../domain/dates.ts';
import { entriesOfDay } from './browse.ts';
import { ente, type ProtocolEntry } from './register.ts';
import type { Correspondent } from './segnatura.ts';

export interface DailyRegister {
  day: IsoDate;
  entries: number;
  pdf: Buffer;
  sha256: string;
}

/** The instant the Italian day `day` ends (midnight in Rome, 23:00 or 22:00 UTC): the register's closing time. */
export function endOfItalianDay(day: IsoDate): Date {
  const next = addDays(day, 1);
  return [`${next}T00:00:00+01:00`, `${next}T00:00:00+02:00`].map((t) => new Date(t)).find((at) => dateInItaly(at) === next && dateInItaly(new Date(at.getTime() - 1)) === day)!;
}

const time = (at: Date) => new Intl.DateTimeFormat('it-IT', { timeZone: 'Europe/Rome', hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(at);
const italianDay = (day: IsoDate) => day.split('-').reverse().join('/');

/** Name and fiscal code, as the register shows the correspondent. */
export const correspondentText = ({ name, fiscalCode }: Correspondent): string => [name, fiscalCode].filter(Boolean).join(' — ') || '—';

function row(entry: ProtocolEntry): string[] {
  const primary = entry.documents[0];
  return [
    `${entry.number}/${entry.year}`,
    time(entry.registeredAt),
    entry.direction === 'incoming' ? 'Entrata' : 'Uscita',
    entry.subject,
    correspondentText(entry.correspondent),
    entry.classification,
    primary ? `${primary.name} (${entry.documents.length} doc.)\nSHA-256 ${primary.sha256}` : '—',
    entry.annulment ? `ANNULLATA il ${italianDay(dateInItaly(entry.annulment.annulledAt))}: ${entry.annulment.reason} (${entry.annulment.authorisedBy})` : '',
  ];
}

/** The daily register of `day` for the ente's AOO, in Italian (the register's language). */
export async function dailyRegister(db: Executor, tenantId: string, day: IsoDate): Promise<DailyRegister> {
  const [who, entries] = await Promise.all([ente(db, tenantId), entriesOfDay(db, tenantId, day)]);
  const aoo = who.aoo_code ?? who.ipa_code;
  const register = who.register_code ?? 'PROT_GEN';
  const title = `Registro giornaliero di protocollo del ${italianDay(day)}`;
  const writer = new PdfWriter({ title, subject: `${who.name} — AOO ${aoo} — registro ${register}`, author: who.name, keywords: `registro giornaliero, protocollo, ${day}`, creationDate: endOfItalianDay(day) });
  writer
    .text(who.name, { tag: 'P', bold: true })
    .text(title, { tag: 'H1', bold: true, size: 16 })
    .text(`Codice IPA ${who.ipa_code} · AOO ${aoo} · Registro ${register} · Codice fiscale ${who.fiscal_code}`)
    .text(
      entries.length
        ? `${entries.length} registrazioni, dal numero ${entries[0]!.number} al numero ${entries.at(-1)!.number}.`
        : 'Nessuna registrazione in questa giornata.',
    )
    .rule();
  if (entries.length) writer.table(['N.', 'Ora', 'Verso', 'Oggetto', 'Corrispondente', 'Classif.', 'Documenti', 'Annullamento'], entries.map(row), [8, 7, 7, 20, 16, 7, 22, 13]);
  writer.text('Registro prodotto da Sportello alla chiusura della giornata per il sistema di conservazione (DPCM 3 dicembre 2013, art. 7, c. 5).', { size: 8.5, color: '#555555' });
  const pdf = await writer.finish(`${who.name} — ${title}`);
  return { day, entries: entries.length, pdf, sha256: sha256Hex(pdf) };
}
