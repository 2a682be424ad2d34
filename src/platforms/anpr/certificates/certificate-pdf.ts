// The certificate as a PDF, in Italian (it is the legal document), from its stored content: the same
// content, code, URL and issue instant always give the same bytes (pdf-document.ts).
import { certifiedStatements, bornLine, comuneLabel, fullName, italianDate, relationshipLabel, type CertificateContent } from './content.ts';
import { formatCertificateCode } from './code.ts';
import { PdfWriter } from '../../../core/pdf.ts';
import { stampDutyLine } from './stamp-duty.ts';

export const ISSUER = "Ministero dell'Interno — Anagrafe Nazionale della Popolazione Residente";
/** Every document of the simulator says what it is: it must never pass for a real certificate. */
export const DEMO_NOTICE = 'Documento prodotto dal simulatore ANPR di Sportello (ambiente dimostrativo): privo di valore legale.';
// DPR 445/2000 art. 40 c.1 (as amended by L. 183/2011 art. 15): certificates are valid only between private parties.
export const ARTICLE_40_NOTE = 'Il presente certificato non può essere prodotto agli organi della pubblica amministrazione o ai privati gestori di pubblici servizi.';

export interface CertificatePdfInput {
  content: CertificateContent;
  /** Canonical code (code.ts). */
  code: string;
  /** The public verification page of this certificate. */
  verifyUrl: string;
  issuedAt: Date;
}

export function validityLine(c: CertificateContent): string {
  return c.validUntil
    ? `Il presente certificato ha validità di sei mesi dalla data di rilascio (DPR 445/2000, art. 41): è valido fino al ${italianDate(c.validUntil)}.`
    : 'Il presente certificato attesta dati non soggetti a modificazioni e ha validità illimitata (DPR 445/2000, art. 41).';
}

export async function certificatePdf(input: CertificatePdfInput): Promise<Buffer> {
  const c = input.content;
  const code = formatCertificateCode(input.code);
  const pdf = new PdfWriter({
    title: `${c.title} — ${fullName(c.subject)}`,
    subject: `Certificato anagrafico n. ${code}`,
    author: ISSUER,
    keywords: `ANPR, certificato, ${c.kind}, ${code}`,
    creationDate: input.issuedAt,
  });
  pdf
    .text("Ministero dell'Interno", { bold: true, size: 13, align: 'center', gap: 0.1 })
    .text('Anagrafe Nazionale della Popolazione Residente', { size: 11, align: 'center', gap: 0.1 })
    .text(`Comune di ${comuneLabel(c.comune)}`, { size: 11, align: 'center', gap: 0.6 })
    .rule()
    .text(c.title.toUpperCase(), { tag: 'H1', bold: true, size: 14, align: 'center', gap: 1 })
    .text("Si certifica che, secondo le risultanze dell'Anagrafe Nazionale della Popolazione Residente,", { gap: 0.3 })
    .text(fullName(c.subject), { bold: true, size: 12, gap: 0.1 })
    .text(`${bornLine(c.subject)} — codice fiscale ${c.subject.fiscalCode}`, { gap: 0.6 });
  for (const s of certifiedStatements(c)) pdf.text(s, { gap: 0.4 });
  if (c.family) {
    const header = ['Cognome e nome', 'Luogo di nascita', 'Data di nascita', 'Codice fiscale', ...(c.family.relationships ? ["Rapporto con l'intestatario"] : [])];
    const rows = c.family.members.map((m) => [
      fullName(m),
      m.birthPlace,
      italianDate(m.birthDate),
      m.fiscalCode,
      ...(c.family!.relationships ? [relationshipLabel(m.relationship, m.sex)] : []),
    ]);
    pdf.table(header, rows, c.family.relationships ? [24, 18, 12, 25, 21] : [30, 24, 16, 30]);
  }
  pdf
    .text(stampDutyLine(c.stampDuty), { gap: 0.4 })
    .text(ARTICLE_40_NOTE, { bold: true, gap: 0.4 })
    .text(validityLine(c), { gap: 0.4 })
    .text(`Rilasciato il ${italianDate(c.issuedOn)}.`, { gap: 0.8 })
    .rule();
  await pdf.qr(input.verifyUrl, `Codice QR per verificare il certificato: ${input.verifyUrl}`, [
    { text: `Codice del certificato: ${code}`, bold: true },
    { text: "Verifica l'autenticità e il contenuto del certificato inquadrando il codice QR o all'indirizzo:" },
    { text: input.verifyUrl },
  ]);
  return pdf.finish(DEMO_NOTICE);
}
