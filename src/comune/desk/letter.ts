// The outcome letter of an application (provvedimento di accoglimento o di rigetto), in Italian: the ente,
// the addressee, the service, the outcome and its reasons (L. 241/1990 art. 3: every act states its motivation), the date.
import { formatItalianTime } from '../../core/i18n.ts';
import { PdfWriter } from '../../core/pdf.ts';

export interface OutcomeLetterInput {
  enteName: string;
  applicant: { name: string; fiscalCode: string };
  serviceName: string;
  applicationId: string;
  /** The incoming protocol registration of the application, when it has one. */
  applicationProtocol: { number: number; year: number } | null;
  submittedAt: Date | null;
  outcome: 'accepted' | 'rejected';
  motivation: string;
  signedBy: string;
  date: Date;
}

const italianDay = (at: Date) => formatItalianTime('it-IT', at, 'long');

export function outcomeLetterPdf(input: OutcomeLetterInput): Promise<Buffer> {
  const accepted = input.outcome === 'accepted';
  const title = `${accepted ? 'Accoglimento' : 'Rigetto'} della domanda: ${input.serviceName}`;
  const pdf = new PdfWriter({ title, subject: `Esito della domanda ${input.applicationId}`, author: input.enteName, creationDate: input.date });
  pdf.text(input.enteName, { bold: true, size: 12, gap: 0.8 });
  pdf.text(`${input.enteName}, ${italianDay(input.date)}`, { align: 'right', gap: 0.8 });
  pdf.text(`Gentile ${input.applicant.name}`, { gap: 0.1 });
  pdf.text(`Codice fiscale ${input.applicant.fiscalCode}`, { gap: 1 });
  pdf.text(title, { tag: 'H1', bold: true, size: 14, gap: 0.6 });
  const reference = input.applicationProtocol ? `, protocollo n. ${input.applicationProtocol.number}/${input.applicationProtocol.year}` : '';
  const submitted = input.submittedAt ? ` presentata il ${italianDay(input.submittedAt)}` : '';
  pdf.text(`Con riferimento alla Sua domanda${submitted} (identificativo ${input.applicationId}${reference}), La informiamo che la domanda è stata ${accepted ? 'ACCOLTA' : 'RESPINTA'}.`, { gap: 0.8 });
  pdf.text('Motivazione', { tag: 'H2', bold: true, size: 12, gap: 0.4 });
  pdf.text(input.motivation, { gap: 0.8 });
  if (!accepted) {
    // L. 241/1990 art. 3 c.4: the act names the authority and the term to challenge it.
    pdf.text('Contro il presente provvedimento è ammesso ricorso al TAR entro 60 giorni dalla notifica, o ricorso straordinario al Presidente della Repubblica entro 120 giorni.', { size: 9.5, gap: 0.8 });
  }
  pdf.text('Il responsabile del procedimento', { align: 'right', gap: 0.1 });
  pdf.text(input.signedBy, { align: 'right', bold: true });
  return pdf.finish(`${input.enteName} — esito della domanda ${input.applicationId}`);
}
