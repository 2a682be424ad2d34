// The PDFs of what an applicant submits, in Italian: the application (the service, the applicant, the
// data as label/value, the attachments with their SHA-256, the submission time) and the answer to a
// request for integration (the message and the new attachments). Tagged (structure tree, language) for
// screen readers; deterministic for the same input, so their SHA-256 can be checked again.
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

export interface IntegrationAnswerPdfInput {
  enteName: string;
  serviceName: string;
  applicant: { name: string; fiscalCode: string };
  applicationId: string;
  /** The application's incoming registration, when it has one. */
  applicationProtocol: { number: number; year: number } | null;
  message: string;
  /** The documents sent with the answer (not those of the application). */
  attachments: readonly { name: string; sha256: string }[];
  submittedAt: Date;
  answerId: string;
}

const italianTime = (at: Date) => formatItalianTime('it-IT', at, 'long', 'medium');

/** The parts both documents share: header, applicant, attachments with their fingerprints. */
function submissionPdf(input: { enteName: string; title: string; subject: string; submittedAt: Date; reference: string; applicant: { name: string; fiscalCode: string } }) {
  const pdf = new PdfWriter({ title: input.title, subject: input.subject, author: input.enteName, creationDate: input.submittedAt });
  const heading = (text: string) => pdf.text(text, { tag: 'H2', bold: true, size: 12.5, gap: 0.4 });
  pdf.text(input.enteName, { bold: true, size: 10, gap: 0.4 });
  pdf.text(input.title, { tag: 'H1', bold: true, size: 16, gap: 0.4 });
  pdf.text(`Presentata il ${italianTime(input.submittedAt)} — ${input.reference}`, { gap: 0.4 });
  heading('Richiedente');
  pdf.text(`${input.applicant.name}, codice fiscale ${input.applicant.fiscalCode}`, { gap: 0.4 });
  const attachments = (list: readonly { name: string; sha256: string }[]) => {
    heading('Allegati');
    if (!list.length) pdf.text('Nessun allegato.', { gap: 0.4 });
    for (const a of list) pdf.text(`${a.name} — impronta SHA-256: ${a.sha256}`, { size: 9, gap: 0.4 });
  };
  return { pdf, heading, attachments };
}

export function applicationPdf(input: ApplicationPdfInput): Promise<Buffer> {
  const title = `Domanda: ${input.serviceName}`;
  const { pdf, heading, attachments } = submissionPdf({ ...input, title, subject: `Domanda ${input.applicationId}`, reference: `identificativo ${input.applicationId}` });
  heading('Dati della domanda');
  for (const field of input.fields) pdf.text(`${field.label}: ${field.value || '—'}`, { gap: 0.4 });
  attachments(input.attachments);
  return pdf.finish(`${input.enteName} — domanda ${input.applicationId}`);
}

export function integrationAnswerPdf(input: IntegrationAnswerPdfInput): Promise<Buffer> {
  const title = `Integrazione della domanda: ${input.serviceName}`;
  const protocol = input.applicationProtocol ? `, protocollo n. ${input.applicationProtocol.number}/${input.applicationProtocol.year}` : '';
  const { pdf, heading, attachments } = submissionPdf({
    ...input,
    title,
    subject: `Integrazione ${input.answerId} della domanda ${input.applicationId}`,
    reference: `identificativo ${input.answerId}, in risposta alla richiesta di integrazione della domanda ${input.applicationId}${protocol}`,
  });
  heading('Risposta');
  pdf.text(input.message, { gap: 0.4 });
  attachments(input.attachments);
  return pdf.finish(`${input.enteName} — integrazione ${input.answerId}`);
}
