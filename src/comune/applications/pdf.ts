// The PDF of a submitted application, in Italian: the service, the applicant, the data as label/value,
// the attachments with their SHA-256 and the submission time. Tagged (structure tree, language) for
// screen readers; deterministic for the same input, so its SHA-256 can be checked again.
import { formatItalianTime } from '../../core/i18n.ts';
import { PdfWriter } from '../../core/pdf.ts';

export interface ApplicationPdfInput {
  enteName: string;
  serviceName: string;
  applicant: { name: string; fiscalCode: string };
  /** Form answers already as label/value, in form order. */
  fields: readonly { label: string; value: string }[];
  attachments: readonly { name: string; sha256: string }[];
  submittedAt: Date;
  applicationId: string;
}

const italianTime = (at: Date) => formatItalianTime('it-IT', at, 'long', 'medium');

export function applicationPdf(input: ApplicationPdfInput): Promise<Buffer> {
  const title = `Domanda: ${input.serviceName}`;
  const pdf = new PdfWriter({ title, subject: `Domanda ${input.applicationId}`, author: input.enteName, creationDate: input.submittedAt });
  const heading = (text: string) => pdf.text(text, { tag: 'H2', bold: true, size: 12.5, gap: 0.4 });
  pdf.text(input.enteName, { bold: true, size: 10, gap: 0.4 });
  pdf.text(title, { tag: 'H1', bold: true, size: 16, gap: 0.4 });
  pdf.text(`Presentata il ${italianTime(input.submittedAt)} — identificativo ${input.applicationId}`, { gap: 0.4 });
  heading('Richiedente');
  pdf.text(`${input.applicant.name}, codice fiscale ${input.applicant.fiscalCode}`, { gap: 0.4 });
  heading('Dati della domanda');
  for (const field of input.fields) pdf.text(`${field.label}: ${field.value || '—'}`, { gap: 0.4 });
  heading('Allegati');
  if (!input.attachments.length) pdf.text('Nessun allegato.', { gap: 0.4 });
  for (const a of input.attachments) pdf.text(`${a.name} — impronta SHA-256: ${a.sha256}`, { size: 9, gap: 0.4 });
  return pdf.finish(`${input.enteName} — domanda ${input.applicationId}`);
}
