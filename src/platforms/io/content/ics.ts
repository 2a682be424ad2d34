// "Aggiungi al calendario" for a message with a due date (shared/reference/io.md §5.3): an iCalendar file
// (RFC 5545) with one all-day event on the due date (its Italian calendar day) and a reminder the day before.
// Lines end in CRLF and are folded at 75 octets (§3.1); text values are escaped (§3.3.11).
import { dateInItaly } from '../../../domain/dates.ts';

export interface DueMessage {
  id: string;
  subject: string;
  /** content.due_date (ISO-8601 UTC). */
  dueDate: Date | string;
  serviceName: string;
  organizationName: string;
  /** The message's page in the citizen app. */
  url: string;
}

const CRLF = '\r\n';
const MAX_OCTETS = 75;

/** TEXT value escaping (RFC 5545 §3.3.11): backslash, semicolon, comma, newline. */
export function escapeIcsText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

/** A content line folded at 75 octets, never inside a UTF-8 character (RFC 5545 §3.1): continuation lines start with a space. */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char);
    // Continuation lines carry the leading space in their 75 octets.
    const limit = parts.length ? MAX_OCTETS - 1 : MAX_OCTETS;
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join(`${CRLF} `);
}

const stamp = (at: Date) => at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
const day = (iso: string) => iso.replaceAll('-', '');

function nextDay(iso: string): string {
  const date = new Date(`${iso}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}

/** The calendar file of a message's due date. */
export function messageIcs(message: DueMessage, now = new Date()): string {
  const due = dateInItaly(new Date(message.dueDate));
  const host = new URL(message.url).hostname;
  const description = `${message.organizationName} — ${message.serviceName}\n${message.url}`;
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Sportello//IO//IT',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    'BEGIN:VEVENT',
    `UID:${message.id}-due@${host}`,
    `DTSTAMP:${stamp(now)}`,
    `DTSTART;VALUE=DATE:${day(due)}`,
    `DTEND;VALUE=DATE:${day(nextDay(due))}`,
    `SUMMARY:${escapeIcsText(message.subject)}`,
    `DESCRIPTION:${escapeIcsText(description)}`,
    `URL:${message.url}`,
    'TRANSP:TRANSPARENT',
    'BEGIN:VALARM',
    'ACTION:DISPLAY',
    `DESCRIPTION:${escapeIcsText(message.subject)}`,
    // The day before the all-day event, at 9:00 (15 hours before its midnight).
    'TRIGGER:-PT15H',
    'END:VALARM',
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return lines.map(foldLine).join(CRLF) + CRLF;
}
