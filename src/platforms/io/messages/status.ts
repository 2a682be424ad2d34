// getMessage of the Services API: a message of the calling service, its processing status (with the rejection
// reason), each channel's notification status and, for ADVANCED messages, read and payment status (reference io.md §1.5).
import { executePrepared, sql, type Executor } from '../../../core/db.ts';
import type { ExternalMessageResponseWithContent, MessageContent, MessageStatusValue, NotificationChannelStatusValue } from '../../../clients/io/wire.ts';
import { SCHEMA } from '../schema.ts';
import type { Service } from '../services/store.ts';
import { effectivePreference, getProfile } from '../citizen/profiles.ts';
import { isNoticePaid } from '../payments/store.ts';

interface StatusRow {
  id: string;
  fiscal_code: string;
  sender_service_id: string;
  time_to_live: number;
  feature_level_type: 'STANDARD' | 'ADVANCED';
  content: MessageContent;
  status: MessageStatusValue;
  rejection_reason: ExternalMessageResponseWithContent['rejection_reason'] | null;
  created_at: Date;
  is_read: boolean;
  notifications: Partial<Record<'EMAIL' | 'WEBHOOK', NotificationChannelStatusValue>> | null;
}

/** The message as its sender sees it, or undefined when there is none or another service sent it. */
export async function messageStatus(db: Executor, service: Pick<Service, 'serviceId' | 'organizationFiscalCode'>, fiscalCode: string, id: string): Promise<ExternalMessageResponseWithContent | undefined> {
  const { rows } = await executePrepared(
    db,
    sql<StatusRow>`select m.id, m.fiscal_code, m.sender_service_id, m.time_to_live, m.feature_level_type, m.content, m.status, m.rejection_reason, m.created_at, m.is_read,
        (select json_object_agg(n.channel, n.status) from ${sql.table(`${SCHEMA}.notifications`)} n where n.message_id = m.id and n.status is not null) as notifications
      from ${sql.table(`${SCHEMA}.messages`)} m where m.fiscal_code = ${fiscalCode} and m.id = ${id} and m.sender_service_id = ${service.serviceId}`,
  );
  const row = rows[0];
  if (!row) return undefined;
  const notification = { ...(row.notifications?.EMAIL ? { email: row.notifications.EMAIL } : {}), ...(row.notifications?.WEBHOOK ? { webhook: row.notifications.WEBHOOK } : {}) };
  return {
    message: {
      id: row.id,
      fiscal_code: row.fiscal_code,
      time_to_live: row.time_to_live,
      created_at: row.created_at.toISOString(),
      content: row.content,
      sender_service_id: row.sender_service_id,
      feature_level_type: row.feature_level_type,
    },
    status: row.status,
    ...(row.status === 'REJECTED' && row.rejection_reason ? { rejection_reason: row.rejection_reason } : {}),
    ...(Object.keys(notification).length ? { notification } : {}),
    ...(row.feature_level_type === 'ADVANCED' ? await advancedStatus(db, service, row) : {}),
  };
}

/** Reference io.md §1.5: read_status (UNAVAILABLE once the citizen denies it to the service) and, for a payment, payment_status. */
async function advancedStatus(db: Executor, service: Pick<Service, 'serviceId' | 'organizationFiscalCode'>, row: StatusRow): Promise<Pick<ExternalMessageResponseWithContent, 'read_status' | 'payment_status'>> {
  const profile = await getProfile(db, row.fiscal_code);
  const denied = profile !== undefined && (await effectivePreference(db, profile, service.serviceId)).canAccessMessageReadStatus === 'DENY';
  const payment = row.content.payment_data;
  // The pipeline fills in the payee (the sender's organization by default) once processed.
  const paid = payment && (await isNoticePaid(db, payment.payee?.fiscal_code ?? service.organizationFiscalCode, payment.notice_number));
  return { read_status: denied ? 'UNAVAILABLE' : row.is_read ? 'READ' : 'UNREAD', ...(payment ? { payment_status: paid ? 'PAID' : 'NOT_PAID' } : {}) };
}
