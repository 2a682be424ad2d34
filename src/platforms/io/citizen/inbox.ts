// A citizen's messages as the app reads them (reference io.md §4.3): only PROCESSED ones, newest first (ids are
// ULIDs), a page at a time below a `maximum_id` cursor, enriched with the sender service and body; reading cannot be
// undone, archiving can. Every query carries the citizen's fiscal code: someone else's message is simply not found.
import { sql, type Executor } from '../../../core/db.ts';
import { notFound } from '../../../core/problem.ts';
import type { MessageContent } from '../../../clients/io/wire.ts';
import { SCHEMA } from '../schema.ts';

const messages = sql.table(`${SCHEMA}.messages`);
const services = sql.table(`${SCHEMA}.services`);
const organizations = sql.table(`${SCHEMA}.organizations`);

export interface InboxMessage {
  id: string;
  fiscalCode: string;
  senderServiceId: string;
  serviceName: string;
  organizationName: string;
  organizationFiscalCode: string;
  content: MessageContent;
  createdAt: Date;
  isRead: boolean;
  isArchived: boolean;
}

interface MessageRow {
  id: string;
  fiscal_code: string;
  sender_service_id: string;
  service_name: string | null;
  organization_name: string | null;
  organization_fiscal_code: string | null;
  content: MessageContent;
  created_at: Date;
  is_read: boolean;
  is_archived: boolean;
}

const toMessage = (r: MessageRow): InboxMessage => ({
  id: r.id,
  fiscalCode: r.fiscal_code,
  senderServiceId: r.sender_service_id,
  serviceName: r.service_name ?? r.sender_service_id,
  organizationName: r.organization_name ?? '',
  organizationFiscalCode: r.organization_fiscal_code ?? '',
  content: r.content,
  createdAt: r.created_at,
  isRead: r.is_read,
  isArchived: r.is_archived,
});

const selectMessages = sql`select m.id, m.fiscal_code, m.sender_service_id, s.service_name, o.name as organization_name, s.organization_fiscal_code,
    m.content, m.created_at, m.is_read, m.is_archived
  from ${messages} m
  left join ${services} s on s.service_id = m.sender_service_id
  left join ${organizations} o on o.fiscal_code = s.organization_fiscal_code`;

export interface InboxPage {
  items: InboxMessage[];
  /** The `maximum_id` of the next (older) page, when there is one. */
  next?: string;
}

export const PAGE_SIZE = { min: 1, max: 100, default: 25 } as const;

export async function listMessages(db: Executor, fiscalCode: string, query: { archived?: boolean; pageSize?: number; maximumId?: string } = {}): Promise<InboxPage> {
  const size = query.pageSize ?? PAGE_SIZE.default;
  const { rows } = await sql<MessageRow>`${selectMessages}
    where m.fiscal_code = ${fiscalCode} and m.status = 'PROCESSED' and m.is_archived = ${query.archived ?? false}
      ${query.maximumId ? sql`and m.id < ${query.maximumId}` : sql``}
    order by m.id desc limit ${size + 1}`.execute(db);
  const items = rows.slice(0, size).map(toMessage);
  return rows.length > size ? { items, next: items[items.length - 1]!.id } : { items };
}

/** The citizen's own processed message; 404 for any other. */
export async function getMessage(db: Executor, fiscalCode: string, id: string): Promise<InboxMessage> {
  const { rows } = await sql<MessageRow>`${selectMessages} where m.fiscal_code = ${fiscalCode} and m.id = ${id} and m.status = 'PROCESSED'`.execute(db);
  if (!rows[0]) throw notFound('No such message.');
  return toMessage(rows[0]);
}

/** io-backend MessageStatusChange: reading (only to true), archiving, or both at once. */
export type MessageStatusChange = { changeType: 'reading' } | { changeType: 'archiving'; isArchived: boolean } | { changeType: 'bulk'; isArchived: boolean };

export async function changeMessageStatus(db: Executor, fiscalCode: string, id: string, change: MessageStatusChange): Promise<{ isRead: boolean; isArchived: boolean }> {
  const read = change.changeType !== 'archiving';
  const archived = change.changeType === 'reading' ? undefined : change.isArchived;
  const { rows } = await sql<{ is_read: boolean; is_archived: boolean }>`update ${messages} set
      is_read = ${read ? sql`true` : sql`is_read`},
      read_at = ${read ? sql`coalesce(read_at, now())` : sql`read_at`},
      is_archived = ${archived === undefined ? sql`is_archived` : sql`${archived}`}
    where fiscal_code = ${fiscalCode} and id = ${id} and status = 'PROCESSED'
    returning is_read, is_archived`.execute(db);
  if (!rows[0]) throw notFound('No such message.');
  return { isRead: rows[0].is_read, isArchived: rows[0].is_archived };
}
