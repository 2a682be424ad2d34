// The caught messages, in the mail schema: parsed once on arrival, read by the pages and the API.
import { simpleParser, type HeaderLines } from 'mailparser';
import { sql, type Executor } from '../../core/db.ts';
import { sqlMigration } from '../../core/migrations.ts';

export const mailMigrations = [
  sqlMigration(
    '001_messages',
    `create table {schema}.messages (
       id bigserial primary key,
       received_at timestamptz not null default now(),
       envelope_from text,
       envelope_to text[] not null,
       subject text not null,
       sent_at timestamptz,
       message_id text,
       text_body text,
       html_body text,
       headers jsonb not null,
       raw_size integer not null
     )`,
  ),
];

export interface Envelope {
  /** Null for the null sender (MAIL FROM:<>) of bounces. */
  from: string | null;
  to: string[];
}

export interface HeaderField {
  name: string;
  value: string;
}

export interface NewMessage {
  envelope: Envelope;
  subject: string;
  /** The Date header. */
  sentAt: Date | null;
  messageId: string | null;
  text: string | null;
  html: string | null;
  headers: HeaderField[];
  rawSize: number;
}

export interface StoredMessage extends NewMessage {
  id: number;
  receivedAt: Date;
}

export type MessageSummary = Omit<StoredMessage, 'text' | 'html' | 'headers'>;

/** Header lines as written (unfolded), in order, for display. */
export function headerFields(lines: HeaderLines): HeaderField[] {
  return lines.map(({ line }) => {
    const colon = line.indexOf(':');
    return { name: line.slice(0, colon).trim(), value: line.slice(colon + 1).replace(/\r?\n[ \t]+/g, ' ').trim() };
  });
}

export async function parseMessage(raw: Buffer, envelope: Envelope): Promise<NewMessage> {
  const parsed = await simpleParser(raw, { skipTextToHtml: true, skipImageLinks: true });
  return {
    envelope,
    subject: parsed.subject ?? '',
    sentAt: parsed.date ?? null,
    messageId: parsed.messageId ?? null,
    text: parsed.text ?? null,
    html: parsed.html || null,
    headers: headerFields(parsed.headerLines),
    rawSize: raw.length,
  };
}

const table = (schema: string) => sql.table(`${schema}.messages`);

export async function insertMessage(db: Executor, schema: string, message: NewMessage): Promise<number> {
  const { rows } = await sql<{ id: number }>`
    insert into ${table(schema)} (envelope_from, envelope_to, subject, sent_at, message_id, text_body, html_body, headers, raw_size)
    values (${message.envelope.from}, ${message.envelope.to}::text[], ${message.subject}, ${message.sentAt}, ${message.messageId},
            ${message.text}, ${message.html}, ${JSON.stringify(message.headers)}::jsonb, ${message.rawSize})
    returning id`.execute(db);
  return rows[0]!.id;
}

export interface MessageFilter {
  /** Delivered to this address (an envelope recipient, case-insensitive). */
  to?: string;
  /** Received at or after. */
  since?: Date;
}

function filterSql({ to, since }: MessageFilter) {
  const conditions = [sql`true`];
  if (to) conditions.push(sql`lower(${to}) in (select lower(r) from unnest(envelope_to) r)`);
  if (since) conditions.push(sql`received_at >= ${since}`);
  return sql.join(conditions, sql` and `);
}

interface MessageRow {
  id: number;
  received_at: Date;
  envelope_from: string | null;
  envelope_to: string[];
  subject: string;
  sent_at: Date | null;
  message_id: string | null;
  raw_size: number;
  text_body: string | null;
  html_body: string | null;
  headers: HeaderField[];
}

function toSummary(row: MessageRow): MessageSummary {
  return {
    id: row.id,
    receivedAt: row.received_at,
    envelope: { from: row.envelope_from, to: row.envelope_to },
    subject: row.subject,
    sentAt: row.sent_at,
    messageId: row.message_id,
    rawSize: row.raw_size,
  };
}

/** Newest first. */
export async function listMessages(db: Executor, schema: string, filter: MessageFilter, limit: number): Promise<MessageSummary[]> {
  const { rows } = await sql<MessageRow>`
    select id, received_at, envelope_from, envelope_to, subject, sent_at, message_id, raw_size
    from ${table(schema)} where ${filterSql(filter)} order by id desc limit ${limit}`.execute(db);
  return rows.map(toSummary);
}

export async function getMessage(db: Executor, schema: string, id: number): Promise<StoredMessage | undefined> {
  const { rows } = await sql<MessageRow>`select * from ${table(schema)} where id = ${id}`.execute(db);
  const row = rows[0];
  return row && { ...toSummary(row), text: row.text_body, html: row.html_body, headers: row.headers };
}

/** Returns how many were deleted. */
export async function deleteMessages(db: Executor, schema: string, filter: MessageFilter): Promise<number> {
  const result = await sql`delete from ${table(schema)} where ${filterSql(filter)}`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
