import { describe, expect, it } from 'vitest';
import { parsedFontMetrics, PdfWriter } from './pdf.ts';

const render = (subject: string) => {
  const pdf = new PdfWriter({ title: 'Prova', subject, author: 'Comune di Bugliano', creationDate: new Date('2026-11-23T10:00:00Z') });
  pdf.text('Comune di Bugliano', { bold: true });
  pdf.text('Richiedente: Mario Rossi, àèìòù — 1234567890');
  return pdf.finish('Comune di Bugliano — prova');
};

describe('PdfWriter', () => {
  it('parses each standard font once per process, and the same input still gives the same bytes', async () => {
    const first = await render('uno');
    expect(await render('uno')).toEqual(first);
    expect(await render('due')).not.toEqual(first);
    // Helvetica and Helvetica-Bold, however many documents.
    expect(parsedFontMetrics()).toBe(2);
  });
});
