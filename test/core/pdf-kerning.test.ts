// core/pdf.ts looks kerning up by glyph in nested maps instead of pdfkit's 'left\0right' strings: the same
// value for every pair of the standard fonts' AFM tables, and 0 for a pair without kerning or at the end.
import PDFDocument from 'pdfkit';
import { expect, it } from 'vitest';
import '../../src/core/pdf.ts';

type Font = { kernPairs: Record<string, number>; getKernPair(left: string, right?: string): number };
const fontOf = (name: string) => (new PDFDocument({ font: name }) as unknown as { _font: { font: Font } })._font.font;

it.each(['Helvetica', 'Helvetica-Bold'])('gives %s every kerning pair as pdfkit tabulates it', (name) => {
  const font = fontOf(name);
  const pairs = Object.entries(font.kernPairs);
  expect(pairs.length).toBeGreaterThan(1000);
  for (const [pair, value] of pairs) {
    const [left, right] = pair.split('\0');
    expect(font.getKernPair(left!, right)).toBe(value);
  }
  expect(font.getKernPair('A', 'V')).toBeLessThan(0);
  expect(font.getKernPair('x', 'x')).toBe(0);
  expect(font.getKernPair('A', undefined)).toBe(0);
});
