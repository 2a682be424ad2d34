// A tagged, accessible A4 PDF with pdfkit (structure tree, language, title shown by viewers, built-in
// Helvetica), and the blocks documents are made of (certificates, applications, letters). Output is
// deterministic for the same input (the creation date is given, not read from the clock), so a document
// rendered again from its stored content has the same SHA-256.
import { createHash } from 'node:crypto';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';

export interface PdfMetadata {
  title: string;
  subject: string;
  author: string;
  keywords?: string;
  creationDate: Date;
}

type AfmFont = Record<string, unknown> & { parse(contents: string): void; getKernPair(left: string, right?: string): number; kernPairs: Record<string, number>; kerning?: Map<string, Map<string, number>> };
const afmMetrics = new Map<string, Record<string, unknown>>();
// pdfkit parses a standard font's AFM metrics for every document (StandardFont → AFMFont), about 4 ms of
// each application's submit: parsed once per process instead, the parsed tables shared read-only.
const afmFont = (new PDFDocument() as unknown as { _font?: { font?: AfmFont } })._font?.font;
if (afmFont) {
  const afm = Object.getPrototypeOf(afmFont) as AfmFont;
  const parse = afm.parse;
  afm.parse = function (this: AfmFont, contents: string) {
    const known = afmMetrics.get(contents);
    if (known) return void Object.assign(this, known);
    parse.call(this, contents);
    afmMetrics.set(contents, { attributes: this.attributes, glyphWidths: this.glyphWidths, boundingBoxes: this.boundingBoxes, kernPairs: this.kernPairs, kerning: kerningOf(this.kernPairs) });
  };
  // pdfkit looks a pair up by a new 'left\0right' string for every character laid out (a fifth of a PDF's
  // time): the same values by glyph, then by the next glyph, without building a string.
  afm.getKernPair = function (this: AfmFont, left: string, right?: string) {
    return (this.kerning ??= kerningOf(this.kernPairs)).get(left)?.get(right!) ?? 0;
  };
}

function kerningOf(pairs: Record<string, number>): Map<string, Map<string, number>> {
  const kerning = new Map<string, Map<string, number>>();
  for (const [pair, value] of Object.entries(pairs)) {
    const [left, right] = pair.split('\0') as [string, string];
    if (!kerning.has(left)) kerning.set(left, new Map());
    kerning.get(left)!.set(right, value);
  }
  return kerning;
}

/** How many standard fonts' metrics have been parsed (each once per process). */
export const parsedFontMetrics = (): number => afmMetrics.size;

const MARGIN = 56;
const FONT = 'Helvetica';
const BOLD = 'Helvetica-Bold';
const GREY = '#555555';

export class PdfWriter {
  readonly doc: PDFKit.PDFDocument;
  private readonly root: PDFKit.PDFStructureElement;
  private readonly done: Promise<Buffer>;

  constructor(meta: PdfMetadata) {
    this.doc = new PDFDocument({
      size: 'A4',
      margin: MARGIN,
      pdfVersion: '1.7',
      tagged: true,
      lang: 'it-IT',
      displayTitle: true,
      font: FONT,
      bufferPages: true, // the footer is drawn on every page at the end
      info: { Title: meta.title, Subject: meta.subject, Author: meta.author, Keywords: meta.keywords ?? '', Creator: 'Sportello', Producer: 'Sportello (pdfkit)', CreationDate: meta.creationDate },
    });
    const chunks: Buffer[] = [];
    this.doc.on('data', (c: Buffer) => chunks.push(c));
    this.done = new Promise((resolve, reject) => {
      this.doc.on('end', () => resolve(Buffer.concat(chunks)));
      this.doc.on('error', reject);
    });
    this.root = this.doc.struct('Document');
    this.doc.addStructure(this.root);
  }

  get contentWidth(): number {
    return this.doc.page.width - 2 * MARGIN;
  }

  /** A block of text as one structure element (P, H1, H2...). */
  text(text: string, options: { tag?: string; bold?: boolean; size?: number; align?: 'left' | 'center' | 'right' | 'justify'; gap?: number; color?: string } = {}): this {
    const { doc } = this;
    this.root.add(
      doc.struct(options.tag ?? 'P', {}, () => {
        doc.font(options.bold ? BOLD : FONT).fontSize(options.size ?? 10.5).fillColor(options.color ?? 'black');
        doc.text(text, MARGIN, doc.y, { width: this.contentWidth, align: options.align ?? 'left' });
      }),
    );
    doc.moveDown(options.gap ?? 0.5);
    return this;
  }

  /** A bulleted list (L > LI > LBody). */
  list(items: readonly string[]): this {
    const { doc } = this;
    const list = doc.struct('L');
    this.root.add(list);
    for (const item of items) {
      const li = doc.struct('LI');
      list.add(li);
      li.add(
        doc.struct('LBody', {}, () => {
          doc.font(FONT).fontSize(10.5).fillColor('black');
          doc.text(`•  ${item}`, MARGIN + 8, doc.y, { width: this.contentWidth - 8, indent: 0 });
        }),
      );
      li.end();
      doc.moveDown(0.3);
    }
    list.end();
    doc.moveDown(0.4);
    return this;
  }

  /** A table with one header row (TH, column scope) and text cells. */
  table(header: readonly string[], rows: readonly (readonly string[])[], widths: readonly number[]): this {
    const { doc } = this;
    doc.font(FONT).fontSize(9).fillColor('black');
    const total = widths.reduce((a, b) => a + b, 0);
    doc.table({
      position: { x: MARGIN, y: doc.y },
      columnStyles: widths.map((w) => (w / total) * this.contentWidth),
      defaultStyle: { border: 0.5, borderColor: '#999999', padding: [3, 4, 3, 4] },
      data: [header.map((text) => ({ text, type: 'TH' as const, font: { src: BOLD }, scope: 'column', backgroundColor: '#eeeeee' })), ...rows.map((r) => [...r])],
      structParent: this.root,
    } as PDFKit.Mixins.TableOptionsWithData);
    doc.x = MARGIN;
    doc.moveDown(0.8);
    return this;
  }

  /** Decoration a screen reader skips (rules between blocks). */
  rule(): this {
    const { doc } = this;
    doc.markContent('Artifact', { type: 'Layout' });
    doc.moveTo(MARGIN, doc.y).lineTo(MARGIN + this.contentWidth, doc.y).lineWidth(0.5).strokeColor('#999999').stroke();
    doc.endMarkedContent();
    doc.moveDown(0.8);
    return this;
  }

  /** A QR code of `url` (PNG), a figure with its alternative text, with lines of text beside it. */
  async qr(url: string, alt: string, beside: readonly { text: string; bold?: boolean }[]): Promise<this> {
    const { doc } = this;
    const png = await QRCode.toBuffer(url, { type: 'png', errorCorrectionLevel: 'M', margin: 1, scale: 4 });
    const size = 96;
    if (doc.y + size > doc.page.height - MARGIN - 30) doc.addPage();
    const top = doc.y;
    this.root.add(doc.struct('Figure', { alt }, () => doc.image(png, MARGIN, top, { width: size, height: size })));
    doc.y = top;
    for (const line of beside) {
      this.root.add(
        doc.struct('P', {}, () => {
          doc.font(line.bold ? BOLD : FONT).fontSize(9.5).fillColor('black');
          doc.text(line.text, MARGIN + size + 14, doc.y, { width: this.contentWidth - size - 14 });
        }),
      );
      doc.moveDown(0.3);
    }
    doc.x = MARGIN;
    doc.y = Math.max(doc.y, top + size) + 12;
    return this;
  }

  /** A small grey line at the foot of every page, outside the structure (page furniture). */
  private footer(text: string): void {
    const { doc } = this;
    const range = doc.bufferedPageRange();
    for (let i = range.start; i < range.start + range.count; i++) {
      doc.switchToPage(i);
      doc.markContent('Artifact', { type: 'Pagination' });
      const bottom = doc.page.margins.bottom;
      doc.page.margins.bottom = 0;
      doc.font(FONT).fontSize(7.5).fillColor(GREY).text(text, MARGIN, doc.page.height - MARGIN + 16, { width: this.contentWidth, align: 'center', lineBreak: false });
      doc.page.margins.bottom = bottom;
      doc.endMarkedContent();
    }
  }

  /** Ends the document with the footer on each page; the PDF bytes. */
  async finish(footer: string): Promise<Buffer> {
    this.footer(footer);
    this.root.end();
    this.doc.end();
    return this.done;
  }
}

export const sha256Hex = (data: Buffer) => createHash('sha256').update(data).digest('hex');
