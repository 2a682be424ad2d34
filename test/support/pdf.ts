// Reads generated PDFs in tests with pdf.js (legacy build for Node): text per page, metadata, images drawn,
// and the tagged structure (roles, alternative texts).
import path from 'node:path';
import { createRequire } from 'node:module';
import * as pdfjs from 'pdfjs-dist/legacy/build/pdf.mjs';
import jsqr from 'jsqr';

const require = createRequire(import.meta.url);
const STANDARD_FONTS = `${path.join(path.dirname(require.resolve('pdfjs-dist/package.json')), 'standard_fonts')}/`;

export interface StructNode {
  role: string;
  alt?: string;
  children?: (StructNode | { type: string })[];
}

export interface ReadPdf {
  pages: number;
  /** Text of each page, lines joined by "\n". */
  text: string[];
  /** All the text with whitespace collapsed to single spaces (for phrases broken across lines). */
  flat: string;
  info: Record<string, unknown>;
  /** Images painted on each page. */
  images: number[];
  /** The structure tree of each page (tagged PDF). */
  structure: (StructNode | null)[];
  /** What the QR codes drawn in the document say, decoded from their pixels. */
  qrCodes: string[];
}

interface PdfImage {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

/** pdf.js decodes images to 1 (grey), 3 (RGB) or 4 (RGBA) bytes per pixel; jsQR wants RGBA. */
function toRgba(image: PdfImage): Uint8ClampedArray {
  const pixels = image.width * image.height;
  const channels = image.data.length / pixels;
  if (channels === 4) return new Uint8ClampedArray(image.data);
  const rgba = new Uint8ClampedArray(pixels * 4);
  for (let i = 0; i < pixels; i++) {
    const [r, g, b] = channels === 3 ? [image.data[i * 3]!, image.data[i * 3 + 1]!, image.data[i * 3 + 2]!] : [image.data[i]!, image.data[i]!, image.data[i]!];
    rgba.set([r, g, b, 255], i * 4);
  }
  return rgba;
}

// jsqr is CommonJS with a `default` property typed as the export: take whichever is the function.
const jsQR = (typeof jsqr === 'function' ? jsqr : jsqr.default) as typeof jsqr.default;

function decodeQr(image: PdfImage): string | undefined {
  if (!image?.data || image.data.length % (image.width * image.height) !== 0) return undefined;
  return jsQR(toRgba(image), image.width, image.height)?.data;
}

export async function readPdf(data: Buffer): Promise<ReadPdf> {
  const doc = await pdfjs.getDocument({ data: new Uint8Array(data), standardFontDataUrl: STANDARD_FONTS, verbosity: 0 }).promise;
  const text: string[] = [];
  const images: number[] = [];
  const structure: (StructNode | null)[] = [];
  const qrCodes: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const page = await doc.getPage(i);
    const content = await page.getTextContent();
    text.push(content.items.map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : '') : '')).join(''));
    const ops = await page.getOperatorList();
    const painted = ops.fnArray.flatMap((fn, at) => (fn === pdfjs.OPS.paintImageXObject ? [ops.argsArray[at][0] as string] : []));
    images.push(painted.length + ops.fnArray.filter((fn) => fn === pdfjs.OPS.paintInlineImageXObject).length);
    for (const name of painted) {
      const image = (await new Promise((resolve) => page.objs.get(name, resolve))) as PdfImage;
      const decoded = decodeQr(image);
      if (decoded) qrCodes.push(decoded);
    }
    structure.push((await page.getStructTree()) as unknown as StructNode | null);
  }
  const { info } = await doc.getMetadata();
  await doc.destroy();
  return { pages: doc.numPages, text, flat: text.join(' ').replace(/\s+/g, ' '), info: info as Record<string, unknown>, images, structure, qrCodes };
}

/** Every role in a structure tree, depth first, with its alternative text when it has one. */
export function structRoles(node: StructNode | null): { role: string; alt?: string }[] {
  if (!node) return [];
  const kids = (node.children ?? []).filter((c): c is StructNode => 'role' in c);
  return [{ role: node.role, ...(node.alt ? { alt: node.alt } : {}) }, ...kids.flatMap(structRoles)];
}
