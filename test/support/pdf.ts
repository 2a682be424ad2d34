// Reads generated PDFs in tests with pdf.js (legacy build for Node): text per page, metadata, images drawn,
// and the tagged structure (roles, alternative texts).
import path from 'node:path';
import { createRequire } from 'node:module';
import * as pdfjs from 'pdfjs-dist/legacy/build/pdf.mjs';

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
}

export async function readPdf(data: Buffer): Promise<ReadPdf> {
  const doc = await pdfjs.getDocument({ data: new Uint8Array(data), standardFontDataUrl: STANDARD_FONTS, verbosity: 0 }).promise;
  const text: string[] = [];
  const images: number[] = [];
  const structure: (StructNode | null)[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const page = await doc.getPage(i);
    const content = await page.getTextContent();
    text.push(content.items.map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : '') : '')).join(''));
    const ops = await page.getOperatorList();
    images.push(ops.fnArray.filter((fn) => fn === pdfjs.OPS.paintImageXObject || fn === pdfjs.OPS.paintInlineImageXObject).length);
    structure.push((await page.getStructTree()) as unknown as StructNode | null);
  }
  const { info } = await doc.getMetadata();
  await doc.destroy();
  return { pages: doc.numPages, text, flat: text.join(' ').replace(/\s+/g, ' '), info: info as Record<string, unknown>, images, structure };
}

/** Every role in a structure tree, depth first, with its alternative text when it has one. */
export function structRoles(node: StructNode | null): { role: string; alt?: string }[] {
  if (!node) return [];
  const kids = (node.children ?? []).filter((c): c is StructNode => 'role' in c);
  return [{ role: node.role, ...(node.alt ? { alt: node.alt } : {}) }, ...kids.flatMap(structRoles)];
}
