// Citizens and accepted messages written straight into IO's tables, as the Services API and the citizen app would,
// for the pipeline's tests and benches.
import { sql, type Executor } from '../../src/core/db.ts';
import { monotonicUlid } from '../../src/core/ulid.ts';

export const newMessageId = monotonicUlid();

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** The n-th of a series of well-formed fiscal codes (the pattern of wire.ts FiscalCode; the check character is not computed). */
export function nthFiscalCode(n: number): string {
  const letters = Array.from({ length: 6 }, (_, i) => LETTERS[Math.floor(n / 26 ** i) % 26]).join('');
  return `${letters}80A01H${String(n % 1000).padStart(3, '0')}Z`;
}

export interface ProfileFixture {
  email?: string | null;
  isEmailValidated?: boolean;
  isEmailEnabled?: boolean;
  isInboxEnabled?: boolean;
  isWebhookEnabled?: boolean;
  mode?: 'LEGACY' | 'AUTO' | 'MANUAL';
  settingsVersion?: number;
  blocked?: Record<string, string[]>;
  preferredLanguages?: string[];
  pushContent?: 'UNSET' | 'FULL' | 'ANONYMOUS';
}

export async function insertProfile(db: Executor, fiscalCode: string, p: ProfileFixture = {}): Promise<void> {
  const mode = p.mode ?? 'AUTO';
  await sql`
    insert into io.profiles (fiscal_code, email, is_email_validated, is_email_enabled, is_inbox_enabled, is_webhook_enabled, accepted_tos_version,
      blocked_inbox_or_channels, service_preferences_mode, service_preferences_version, preferred_languages, push_notifications_content_type)
    values (${fiscalCode}, ${p.email === undefined ? `${fiscalCode.toLowerCase()}@cittadini.example` : p.email}, ${p.isEmailValidated ?? true},
      ${p.isEmailEnabled ?? true}, ${p.isInboxEnabled ?? true}, ${p.isWebhookEnabled ?? true}, 1, ${JSON.stringify(p.blocked ?? {})}::jsonb, ${mode},
      ${mode === 'LEGACY' ? -1 : (p.settingsVersion ?? 0)}, ${p.preferredLanguages ?? ['it_IT']}::text[], ${p.pushContent ?? 'UNSET'})`.execute(db);
}

export async function insertPreference(
  db: Executor,
  fiscalCode: string,
  serviceId: string,
  p: { settingsVersion: number; inbox?: boolean; email?: boolean; webhook?: boolean },
): Promise<void> {
  await sql`
    insert into io.service_preferences (fiscal_code, service_id, settings_version, is_inbox_enabled, is_email_enabled, is_webhook_enabled)
    values (${fiscalCode}, ${serviceId}, ${p.settingsVersion}, ${p.inbox ?? true}, ${p.email ?? true}, ${p.webhook ?? true})`.execute(db);
}

export const MARKDOWN =
  '# Avviso\n\nGentile cittadina, gentile cittadino, la **pratica** è stata accolta. Consulta [il dettaglio](https://comune.example/pratiche/1) ' +
  'o visita https://comune.example per altre informazioni sui servizi del Comune e sugli orari degli uffici aperti al pubblico.';

export interface MessageFixture {
  subject?: string;
  markdown?: string;
  timeToLive?: number;
  /** Seconds ago the message was accepted. */
  age?: number;
  requireSecureChannels?: boolean;
  paymentData?: Record<string, unknown>;
}

/** An ACCEPTED message, as the Services API stores it; its id. */
export async function insertMessage(db: Executor, fiscalCode: string, serviceId: string, m: MessageFixture = {}): Promise<string> {
  const id = newMessageId();
  const content = {
    subject: m.subject ?? 'La tua pratica è stata accolta',
    markdown: m.markdown ?? MARKDOWN,
    ...(m.requireSecureChannels === undefined ? {} : { require_secure_channels: m.requireSecureChannels }),
    ...(m.paymentData ? { payment_data: m.paymentData } : {}),
  };
  await sql`
    insert into io.messages (id, fiscal_code, sender_service_id, time_to_live, content, created_at)
    values (${id}, ${fiscalCode}, ${serviceId}, ${m.timeToLive ?? 3600}, ${JSON.stringify(content)}::jsonb, now() - make_interval(secs => ${m.age ?? 0}))`.execute(db);
  return id;
}

export async function messageRow(db: Executor, id: string) {
  const { rows } = await sql<{ status: string; rejection_reason: string | null; attempts: number; content: any; processed_at: Date | null; last_error: string | null }>`
    select status, rejection_reason, attempts, content, processed_at, last_error from io.messages where id = ${id}`.execute(db);
  return rows[0]!;
}

export async function notificationsOf(db: Executor, id: string) {
  const { rows } = await sql<{ channel: string; status: string | null; attempts: number; last_error: string | null }>`
    select channel, status, attempts, last_error from io.notifications where message_id = ${id} order by channel`.execute(db);
  return rows;
}
