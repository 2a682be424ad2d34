// The paper notice "avviso di pagamento pagoPA" (A4) after the modules of the "Guida tecnica sugli avvisi di
// pagamento pagoPA" (shared/reference/pagopa.md §2.1): Intestazione on every page, Ente creditore, Destinatario,
// "QUANTO E QUANDO PAGARE?", "DOVE PAGARE?", then the Rata unica and the Rate multiple (2 or 3 to a row), each
// with its "Banche e altri canali" portion (QR code, CBILL) and, with a postal account, its Bollettino Postale PA
// (Data Matrix). Pure: the same data gives the same bytes.
import { PdfWriter } from '../../../core/pdf.ts';
import { formatNoticeNumber } from '../../../domain/pagopa/notice-number.ts';
import { noticeQrPayload } from '../../../domain/pagopa/qr-code.ts';
import { posteDataMatrixPayload } from '../../../domain/pagopa/poste-data-matrix.ts';
import { formatDueDate, formatEuro, installmentRows, type NoticeData, type NoticeOption } from './model.ts';
import { dataMatrixModules, drawModules, noticeQrModules } from './symbols.ts';

const M = 28; // page margin, about 10 mm
const PAGE_WIDTH = 595.28;
const W = PAGE_WIDTH - 2 * M;
const MM = 72 / 25.4;
const QR_SIZE = 25 * MM; // AVVISO.QRCODE: 25×25 mm
const DATA_MATRIX_SIZE = 20 * MM;
const BLUE = '#0066CC'; // pagoPA blue
const LABEL = '#5C6F82';
const FONT = 'Helvetica';
const BOLD = 'Helvetica-Bold';

type Role = 'H1' | 'H2' | 'H3' | 'P';
interface TextStyle {
  width?: number;
  size?: number;
  bold?: boolean;
  color?: string;
  align?: 'left' | 'center' | 'right';
  /** At most this height: longer text ends with an ellipsis. */
  height?: number;
}

const dueText = (option: NoticeOption) => (option.dueDate ? `entro il ${formatDueDate(option.dueDate)}` : 'senza scadenza');

class NoticeWriter {
  private readonly pdf: PdfWriter;
  private readonly doc: PDFKit.PDFDocument;
  private readonly section: PDFKit.PDFStructureElement;

  constructor(private readonly data: NoticeData) {
    this.pdf = new PdfWriter({
      title: `Avviso di pagamento pagoPA — ${data.subject}`,
      subject: `${data.creditor.name} — ${data.debtor.name}`,
      author: data.creditor.name,
      keywords: ['avviso di pagamento', 'pagoPA', ...[data.single, ...data.installments].flatMap((o) => (o ? [o.nav] : []))].join(', '),
      creationDate: data.issuedAt,
    });
    this.doc = this.pdf.doc;
    this.section = this.doc.struct('Sect');
    this.doc.addStructure(this.section);
  }

  private write(text: string, x: number, y: number, style: TextStyle): void {
    this.doc.font(style.bold ? BOLD : FONT).fontSize(style.size ?? 9).fillColor(style.color ?? 'black');
    this.doc.text(text, x, y, { width: style.width ?? W, align: style.align ?? 'left', ...(style.height ? { height: style.height, ellipsis: true } : {}) });
  }

  /** A tagged block of text at (x, y); the y below it. */
  text(role: Role, text: string, x: number, y: number, style: TextStyle = {}): number {
    this.section.add(this.doc.struct(role, {}, () => this.write(text, x, y, style)));
    return this.doc.y;
  }

  /** A label in small grey letters and its value below, read as one paragraph. */
  field(label: string, value: string, x: number, y: number, width: number, valueStyle: TextStyle = {}): number {
    this.section.add(
      this.doc.struct('P', {}, () => {
        this.write(label, x, y, { width, size: 7, color: LABEL });
        this.write(value, x, this.doc.y + 1, { width, size: 9, bold: true, height: 22, ...valueStyle });
      }),
    );
    return this.doc.y + 4;
  }

  /** Boxes and bands: decoration a screen reader skips. */
  artifact(draw: (doc: PDFKit.PDFDocument) => void): void {
    this.doc.markContent('Artifact', { type: 'Layout' });
    draw(this.doc);
    this.doc.endMarkedContent();
  }

  /** A full-width blue band with a heading in white. */
  band(text: string, y: number): number {
    this.artifact((doc) => doc.rect(M, y, W, 18).fill(BLUE));
    this.text('H2', text, M + 6, y + 5, { width: W - 12, size: 9.5, bold: true, color: 'white', height: 12 });
    return y + 22;
  }

  box(x: number, y: number, width: number, height: number): void {
    this.artifact((doc) => doc.roundedRect(x, y, width, height, 4).lineWidth(0.75).strokeColor(BLUE).stroke());
  }

  figure(alt: string, draw: (doc: PDFKit.PDFDocument) => void): void {
    this.section.add(this.doc.struct('Figure', { alt }, () => draw(this.doc)));
  }

  /** Intestazione: subject, institution's logo, pagoPA wordmark, "AVVISO DI PAGAMENTO"; tagged on the first page only. */
  header(first: boolean): number {
    const { doc, data } = this;
    const draw = () => {
      doc.font(BOLD).fontSize(15).fillColor('black').text(data.subject, M, M + 4, { width: W - 190, height: 40, ellipsis: true });
      if (data.creditor.logo) doc.image(data.creditor.logo, M + W - 190, M, { fit: [44, 44] });
      doc.roundedRect(M + W - 120, M, 120, 26, 13).fill(BLUE);
      doc.font(BOLD).fontSize(15).fillColor('white').text('pagoPA', M + W - 120, M + 6.5, { width: 120, align: 'center', lineBreak: false });
      doc.font(BOLD).fontSize(10).fillColor(BLUE).text('AVVISO DI PAGAMENTO', M + W - 140, M + 33, { width: 140, align: 'right', lineBreak: false });
      doc.moveTo(M, M + 54).lineTo(M + W, M + 54).lineWidth(1).strokeColor(BLUE).stroke();
    };
    if (first) {
      this.section.add(doc.struct('H1', {}, draw));
    } else {
      doc.markContent('Artifact', { type: 'Pagination' });
      draw();
      doc.endMarkedContent();
    }
    return M + 64;
  }

  /** Ente creditore and Destinatario dell'avviso side by side. */
  parties(y: number): number {
    const { creditor, debtor } = this.data;
    const half = (W - 20) / 2;
    let left = this.text('H2', 'ENTE CREDITORE', M, y, { width: half, size: 8, bold: true, color: BLUE });
    left = this.text('P', creditor.name, M, left + 2, { width: half, size: 11, bold: true, height: 28 });
    if (creditor.office) left = this.text('P', creditor.office, M, left + 1, { width: half, height: 22 });
    left = this.text('P', `Codice fiscale ${creditor.fiscalCode}`, M, left + 1, { width: half });
    const contacts = creditor.contacts ?? {};
    const lines = [contacts.web, contacts.email && `Email ${contacts.email}`, contacts.pec && `PEC ${contacts.pec}`, contacts.phone && `Telefono ${contacts.phone}`].filter(Boolean);
    if (lines.length) left = this.text('P', lines.join('\n'), M, left + 1, { width: half, size: 8 });
    const x = M + half + 20;
    let right = this.text('H2', 'DESTINATARIO DELL’AVVISO', x, y, { width: half, size: 8, bold: true, color: BLUE });
    right = this.text('P', debtor.name, x, right + 2, { width: half, size: 11, bold: true, height: 28 });
    right = this.text('P', `Codice fiscale ${debtor.fiscalCode}`, x, right + 1, { width: half });
    if (debtor.address.length) right = this.text('P', debtor.address.join('\n'), x, right + 1, { width: half });
    return Math.max(left, right) + 14;
  }

  /** "QUANTO E QUANDO PAGARE?" and "DOVE PAGARE?". */
  howMuchAndWhere(y: number): number {
    const { single, installments } = this.data;
    const half = (W - 20) / 2;
    let left = this.text('H2', 'QUANTO E QUANDO PAGARE?', M, y, { width: half, size: 11, bold: true });
    const first = single ?? installments[0]!;
    const total = single ? single.amountCents : installments.reduce((sum, o) => sum + o.amountCents, 0);
    const when = single ? dueText(single) : first.dueDate ? `in ${installments.length} rate, la prima entro il ${formatDueDate(first.dueDate)}` : `in ${installments.length} rate, senza scadenza`;
    left = this.text('P', `${formatEuro(total)} Euro ${when}`, M, left + 4, { width: half, size: 13, bold: true });
    const choice = single && installments.length ? `Puoi pagare in un’unica soluzione o in ${installments.length} rate. ` : !single && installments.length > 1 ? `L’importo è suddiviso in ${installments.length} rate. ` : '';
    const note =
      `${choice}L’importo può cambiare nel tempo, per esempio per riduzioni, interessi, sanzioni o spese di notifica: ` +
      'il canale che userai potrebbe quindi chiederti una cifra diversa da quella qui indicata, già aggiornata.';
    left = this.text('P', note, M, left + 4, { width: half, size: 8 });
    const x = M + half + 20;
    let right = this.text('H2', 'DOVE PAGARE?', x, y, { width: half, size: 11, bold: true });
    right = this.text(
      'P',
      'Online: sul sito o con l’app dell’ente, con l’app IO, con l’home banking della tua banca (anche con il codice CBILL), ' +
        'con Poste Italiane e con gli altri prestatori di servizi di pagamento aderenti a pagoPA, usando carta, conto o altri strumenti.',
      x,
      right + 4,
      { width: half, size: 8 },
    );
    right = this.text(
      'P',
      'Sul territorio: in banca e agli sportelli ATM, negli uffici postali, dai tabaccai, nelle ricevitorie, nei supermercati e negli altri punti abilitati a pagoPA, in contanti o con carta.',
      x,
      right + 4,
      { width: half, size: 8 },
    );
    right = this.text('P', 'L’elenco dei canali di pagamento è su www.pagopa.gov.it.', x, right + 4, { width: half, size: 8, bold: true });
    return Math.max(left, right) + 14;
  }

  qr(option: NoticeOption, x: number, y: number, label: string): void {
    const payload = noticeQrPayload({ noticeNumber: option.nav, fiscalCode: this.data.creditor.fiscalCode, amountCents: option.amountCents });
    this.figure(`Codice QR pagoPA ${label}: avviso ${formatNoticeNumber(option.nav)}, ${formatEuro(option.amountCents)} euro`, (doc) => drawModules(doc, noticeQrModules(payload), x, y, QR_SIZE));
  }

  /** "Banche e altri canali" of the single payment: QR code beside the payment data. */
  bankSingle(option: NoticeOption, y: number): number {
    const { creditor, debtor, subject } = this.data;
    const height = 150;
    this.box(M, y, W, height);
    this.text('H3', 'BANCHE E ALTRI CANALI', M + 10, y + 8, { width: 200, size: 9, bold: true, color: BLUE });
    this.text('P', 'Qui accanto trovi il codice QR e il codice interbancario CBILL per pagare dalla tua banca e dagli altri canali abilitati.', M + 10, y + 22, { width: 200, size: 7.5 });
    this.qr(option, M + 10 + (200 - QR_SIZE) / 2, y + 60, 'rata unica');
    const x = M + 230;
    const width = W - 240;
    const col = (width - 10) / 2;
    let top = this.field('Destinatario', debtor.name, x, y + 8, width);
    top = this.field('Ente creditore', creditor.name, x, top, width);
    top = this.field('Oggetto del pagamento', subject, x, top, width);
    this.field('Codice CBILL', (creditor.cbillCode ?? '—').toUpperCase(), x, top, col);
    top = this.field('Codice avviso', formatNoticeNumber(option.nav), x + col + 10, top, col);
    this.field('Cod. fiscale ente creditore', creditor.fiscalCode, x, top, col);
    this.field('Euro', `${formatEuro(option.amountCents)} ${option.dueDate ? `entro il ${formatDueDate(option.dueDate)}` : '(senza scadenza)'}`, x + col + 10, top, col);
    return y + height + 8;
  }

  /** "Banche e altri canali" of one row of installments: a column each with its own QR code and notice code. */
  bankRow(options: readonly { option: NoticeOption; n: number }[], y: number): number {
    const { creditor, debtor, subject } = this.data;
    const height = 205;
    this.box(M, y, W, height);
    this.text('H3', 'BANCHE E ALTRI CANALI', M + 10, y + 8, { width: W - 20, size: 9, bold: true, color: BLUE });
    this.text('P', `Destinatario: ${debtor.name} — Ente creditore: ${creditor.name} (cod. fiscale ${creditor.fiscalCode}) — Codice CBILL: ${(creditor.cbillCode ?? '—').toUpperCase()} — Oggetto: ${subject}`, M + 10, y + 22, {
      width: W - 20,
      size: 7.5,
      height: 20,
    });
    const width = (W - 20) / options.length;
    options.forEach(({ option, n }, i) => {
      const x = M + 10 + i * width;
      let top = this.text('H3', `RATA ${n} ${dueText(option)}`, x, y + 48, { width: width - 10, size: 9, bold: true });
      this.qr(option, x, top + 9, `rata ${n}`); // a quiet zone of 4 modules around the symbol
      top += QR_SIZE + 20;
      top = this.field('Euro', formatEuro(option.amountCents), x, top, width - 10, { size: 11 });
      this.field('Codice avviso', formatNoticeNumber(option.nav), x, top, width - 10);
    });
    return y + height + 8;
  }

  /** Bollettino Postale PA: the postal slip of one option, with the Poste Data Matrix. */
  postalSlip(option: NoticeOption, label: string, y: number): number {
    const postal = this.data.postal;
    if (!postal) return y;
    const { creditor, debtor, subject } = this.data;
    const height = 132;
    this.box(M, y, W, height);
    this.text('H3', `BOLLETTINO POSTALE PA — ${label}`, M + 10, y + 8, { width: W - 20, size: 9, bold: true, color: BLUE });
    this.text('P', 'BancoPosta', M + W - 110, y + 8, { width: 100, size: 9, bold: true, align: 'right' });
    const x = M + 10;
    const width = W - DATA_MATRIX_SIZE - 40;
    const col = (width - 20) / 3;
    let top = y + 24;
    this.field('Sul C/C n.', postal.account, x, top, col);
    this.field('Euro', formatEuro(option.amountCents), x + col + 10, top, col);
    top = this.field('Scadenza', option.dueDate ? formatDueDate(option.dueDate) : 'senza scadenza', x + 2 * (col + 10), top, col);
    top = this.field('Intestato a', postal.holder, x, top, width, { height: 11 });
    this.field('Destinatario', debtor.name, x, top, (width - 10) / 2, { height: 11 });
    top = this.field('Oggetto del pagamento', subject, x + (width - 10) / 2 + 10, top, (width - 10) / 2, { height: 11 });
    this.field('Codice avviso', formatNoticeNumber(option.nav), x, top, col);
    this.field('Tipo', 'P1', x + col + 10, top, col / 3);
    this.field('Cod. fiscale ente creditore', creditor.fiscalCode, x + col + 10 + col / 3, top, col + (2 * col) / 3);
    const payload = posteDataMatrixPayload({
      nav: option.nav,
      account: postal.account,
      amountCents: option.amountCents,
      creditorFiscalCode: creditor.fiscalCode,
      debtorFiscalCode: debtor.fiscalCode,
      debtorName: debtor.name,
      subject,
    });
    this.figure(`Data Matrix del bollettino postale: avviso ${formatNoticeNumber(option.nav)}`, (doc) => drawModules(doc, dataMatrixModules(payload), M + W - DATA_MATRIX_SIZE - 14, y + 36, DATA_MATRIX_SIZE));
    return y + height + 8;
  }

  async render(): Promise<Buffer> {
    const { data, doc } = this;
    let y = this.header(true);
    y = this.parties(y);
    y = this.howMuchAndWhere(y);
    if (data.single) {
      y = this.band(`RATA UNICA ${dueText(data.single)}`, y);
      y = this.bankSingle(data.single, y);
      this.postalSlip(data.single, 'rata unica', y);
    }
    let next = 0;
    for (const count of installmentRows(data.installments.length)) {
      const row = data.installments.slice(next, next + count).map((option, i) => ({ option, n: next + i + 1 }));
      next += count;
      doc.addPage();
      y = this.header(false);
      y = this.band(`RATE MULTIPLE — ${row.length === 1 ? `rata ${row[0]!.n}` : `rate da ${row[0]!.n} a ${row.at(-1)!.n}`} di ${data.installments.length}`, y);
      y = this.bankRow(row, y);
      for (const { option, n } of row) y = this.postalSlip(option, `rata ${n}`, y);
    }
    this.section.end();
    return this.pdf.finish(`Avviso di pagamento pagoPA emesso da ${data.creditor.name} il ${formatDueDate(data.issuedAt)}`);
  }
}

/** The notice as PDF bytes; the data need a single payment or at least one installment. */
export function renderNoticePdf(data: NoticeData): Promise<Buffer> {
  if (!data.single && !data.installments.length) throw new RangeError('a notice needs a single payment or installments');
  return new NoticeWriter(data).render();
}
