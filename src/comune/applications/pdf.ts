// The PDF of a submitted application, in Italian: the service, the applicant, the data as label/value,
// the attachments with their SHA-256 and the submission time. Tagged (structure tree, language) for
// screen readers; deterministic for the same input, so its SHA-256 can be checked again.
import PDFDocument from 'pdfkit';

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

const MARGIN = 56;
const italianTime = (at: Date) =>
  new Intl.DateTimeFormat('it-IT', { dateStyle: 'long', timeStyle: 'medium', timeZone: 'Europe/Rome' }).format(at);

export function applicationPdf(input: ApplicationPdfInput): Promise<Buffer> {
  const title = `Domanda: ${input.serviceName}`;
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    pdfVersion: '1.7',
    tagged: true,
    lang: 'it-IT',
    displayTitle: true,
    info: { Title: title, Author: input.enteName, Subject: `Domanda ${input.applicationId}`, Creator: 'Sportello', Producer: 'Sportello (pdfkit)', CreationDate: input.submittedAt },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const root = doc.struct('Document');
  doc.addStructure(root);
  const width = doc.page.width - 2 * MARGIN;
  const block = (tag: string, text: string, size = 10.5, bold = false) => {
    root.add(doc.struct(tag, {}, () => doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(size).text(text, MARGIN, doc.y, { width })));
    doc.moveDown(0.4);
  };
  block('P', input.enteName, 10, true);
  block('H1', title, 16, true);
  block('P', `Presentata il ${italianTime(input.submittedAt)} — identificativo ${input.applicationId}`);
  block('H2', 'Richiedente', 12.5, true);
  block('P', `${input.applicant.name}, codice fiscale ${input.applicant.fiscalCode}`);
  block('H2', 'Dati della domanda', 12.5, true);
  for (const field of input.fields) block('P', `${field.label}: ${field.value || '—'}`);
  block('H2', 'Allegati', 12.5, true);
  if (!input.attachments.length) block('P', 'Nessun allegato.');
  for (const a of input.attachments) block('P', `${a.name} — impronta SHA-256: ${a.sha256}`, 9);
  root.end();
  doc.end();
  return done;
}
