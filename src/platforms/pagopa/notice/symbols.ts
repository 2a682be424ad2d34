// The two-dimensional symbols of a notice as module matrices, drawn as vector rectangles (the guide asks for a
// vector, monochrome QR code): the QR code of §2.2 (version 4, ECC M) and the Poste Data Matrix (ECC 200).
import QRCode from 'qrcode';
import { encodeDataMatrix } from './data-matrix.ts';

export interface Modules {
  size: number;
  dark(row: number, column: number): boolean;
}

/** The QR code of a notice: ISO/IEC 18004, version 4 (33×33 modules), error correction level M. */
export function noticeQrModules(payload: string): Modules {
  const { modules } = QRCode.create(payload, { version: 4, errorCorrectionLevel: 'M' });
  return { size: modules.size, dark: (row, column) => modules.get(row, column) === 1 };
}

/** A square ECC 200 Data Matrix (ISO/IEC 16022) of `payload`. */
export function dataMatrixModules(payload: string): Modules {
  const { size, modules } = encodeDataMatrix(payload);
  return { size, dark: (row, column) => modules[row * size + column] === 1 };
}

/** Draws the dark modules as one filled path (a rectangle per horizontal run), `width` points wide. */
export function drawModules(doc: PDFKit.PDFDocument, modules: Modules, x: number, y: number, width: number): void {
  // In module units: small integers make a short content stream, quick to write and to compress.
  doc.save().transform(width / modules.size, 0, 0, width / modules.size, x, y);
  doc.fillColor('black'); // before the path: a colour operator inside a path is not allowed
  for (let row = 0; row < modules.size; row++) {
    for (let column = 0; column < modules.size; ) {
      if (!modules.dark(row, column)) {
        column++;
        continue;
      }
      const start = column;
      while (column < modules.size && modules.dark(row, column)) column++;
      doc.rect(start, row, column - start, 1);
    }
  }
  doc.fill().restore();
}
