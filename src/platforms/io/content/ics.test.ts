import { describe, expect, it } from 'vitest';
import { escapeIcsText, foldLine, messageIcs } from './ics.ts';

const MESSAGE = {
  id: '01HZX8Q2W3E4R5T6Y7U8I9O0PA',
  subject: 'TARI 2026: prima rata, scadenza; pagamento',
  dueDate: '2026-12-16T23:00:00.000Z',
  serviceName: 'Tributi',
  organizationName: 'Comune di Bugliano',
  url: 'https://io.example.it/app/messaggi/01HZX8Q2W3E4R5T6Y7U8I9O0PA',
};

describe('messageIcs', () => {
  const ics = messageIcs(MESSAGE, new Date('2026-11-24T10:00:00Z'));
  const unfolded = ics.replace(/\r\n /g, '');

  it('is a VCALENDAR with one VEVENT on the Italian day of the due date, and a reminder the day before', () => {
    expect(ics.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n')).toBe(true);
    expect(ics.endsWith('END:VEVENT\r\nEND:VCALENDAR\r\n')).toBe(true);
    expect(unfolded).toContain('\r\nUID:01HZX8Q2W3E4R5T6Y7U8I9O0PA-due@io.example.it\r\n');
    expect(unfolded).toContain('\r\nDTSTAMP:20261124T100000Z\r\n');
    // 23:00 UTC on the 16th is the 17th in Italy.
    expect(unfolded).toContain('\r\nDTSTART;VALUE=DATE:20261217\r\nDTEND;VALUE=DATE:20261218\r\n');
    expect(unfolded).toContain('\r\nSUMMARY:TARI 2026: prima rata\\, scadenza\\; pagamento\r\n');
    expect(unfolded).toContain(`DESCRIPTION:Comune di Bugliano — Tributi\\n${MESSAGE.url}\r\n`);
    expect(unfolded).toMatch(/BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:[^\r]+\r\nTRIGGER:-PT15H\r\nEND:VALARM/);
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('folds every line at 75 octets', () => {
    for (const line of ics.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
  });

  it('folds without splitting a UTF-8 character, and escapes text values', () => {
    const folded = foldLine(`SUMMARY:${'è'.repeat(60)}`);
    for (const line of folded.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    expect(folded.replace(/\r\n /g, '')).toBe(`SUMMARY:${'è'.repeat(60)}`);
    expect(escapeIcsText('a\\b;c,d\ne')).toBe('a\\\\b\\;c\\,d\\ne');
  });
});
