// The io schema: public bodies and their services (keys, test mode, payment cap), messages (hash-partitioned by
// fiscal code, the largest table: DESIGN "Beyond one machine"), citizens' profiles and per-service preferences,
// notifications per channel, browser installations for Web Push, payments made in the app, the back-office staff.
// Names and enums after pagopa/io-functions-commons (Service, Profile, ServicePreference) and io-functions-services.
import { auditMigrations } from '../../core/audit.ts';
import { apiKeyMigrations } from '../../core/auth/api-keys.ts';
import { sessionMigrations } from '../../core/auth/sessions.ts';
import { jobMigrations } from '../../core/jobs.ts';
import { sqlMigration, type Migration } from '../../core/migrations.ts';
import { rpKeyMigrations } from '../../clients/identity/rp-keys.ts';
import { backofficeMigrations } from './backoffice/migrations.ts';

/** Messages are spread over this many hash partitions of the fiscal code. */
export const MESSAGE_PARTITIONS = 8;

const messagePartitions = Array.from(
  { length: MESSAGE_PARTITIONS },
  (_, i) => `create table {schema}.messages_p${i} partition of {schema}.messages for values with (modulus ${MESSAGE_PARTITIONS}, remainder ${i})`,
);

export const ioMigrations: Migration[] = [
  ...auditMigrations,
  ...apiKeyMigrations,
  ...jobMigrations,
  // The sessions of the app's pages (citizen app, back-office) and its keys as a relying party of SPID/CIE.
  ...sessionMigrations,
  ...rpKeyMigrations,
  sqlMigration(
    'io.001_services',
    `create table {schema}.organizations (
       fiscal_code text primary key check (fiscal_code ~ '^[0-9]{11}$'),
       name text not null check (length(name) between 1 and 200),
       department_name text not null default '',
       created_at timestamptz not null default now()
     )`,
    // service_metadata holds scope, description, web/privacy/tos URLs, contacts, address, cta, category, topic.
    `create table {schema}.services (
       service_id text primary key check (service_id ~ '^[0-9A-Z]{26}$'),
       organization_fiscal_code text not null references {schema}.organizations (fiscal_code),
       service_name text not null check (length(service_name) between 1 and 200),
       department_name text not null check (length(department_name) between 1 and 200),
       version integer not null default 1,
       is_visible boolean not null default false,
       is_test_mode boolean not null default true,
       is_disabled boolean not null default false,
       require_secure_channels boolean not null default false,
       max_allowed_payment_amount bigint not null default 0 check (max_allowed_payment_amount between 0 and 9999999999),
       authorized_recipients text[] not null default '{}',
       authorized_cidrs text[] not null default '{}',
       rate_limit_per_second integer not null default 5000 check (rate_limit_per_second > 0),
       service_metadata jsonb not null default '{"scope": "LOCAL"}',
       created_at timestamptz not null default now(),
       updated_at timestamptz not null default now()
     )`,
    `create index services_by_organization on {schema}.services (organization_fiscal_code)`,
    // The two keys of a service (both valid at once, for rotation): the hash lives in api_keys, the key sealed here
    // so the back-office can show it again, as IO's GET /manage/services/{id}/keys does.
    `create table {schema}.service_keys (
       service_id text not null references {schema}.services (service_id),
       key_type text not null check (key_type in ('primary', 'secondary')),
       api_key_id uuid not null,
       sealed_key text not null,
       created_at timestamptz not null default now(),
       primary key (service_id, key_type)
     )`,
  ),
  sqlMigration(
    'io.002_messages',
    // The message row is the pipeline's durable work item: status ACCEPTED/THROTTLED rows are due at next_attempt_at,
    // a worker leases them (locked_until), so a process killed mid-pipeline loses nothing.
    `create table {schema}.messages (
       id text not null check (id ~ '^[0-9A-Z]{26}$'),
       fiscal_code text not null,
       sender_service_id text not null,
       idempotency_key text,
       request_hash text,
       time_to_live integer not null check (time_to_live between 3600 and 604800),
       feature_level_type text not null default 'STANDARD' check (feature_level_type in ('STANDARD', 'ADVANCED')),
       content jsonb not null,
       require_secure_channels boolean not null default false,
       status text not null default 'ACCEPTED' check (status in ('ACCEPTED', 'THROTTLED', 'FAILED', 'PROCESSED', 'REJECTED')),
       rejection_reason text check (rejection_reason in ('SERVICE_NOT_ALLOWED', 'USER_NOT_FOUND', 'UNKNOWN')),
       attempts integer not null default 0,
       next_attempt_at timestamptz not null default now(),
       locked_until timestamptz,
       last_error text,
       created_at timestamptz not null default now(),
       processed_at timestamptz,
       is_read boolean not null default false,
       read_at timestamptz,
       is_archived boolean not null default false,
       primary key (fiscal_code, id)
     ) partition by hash (fiscal_code)`,
    ...messagePartitions,
    `create unique index messages_idempotency on {schema}.messages (fiscal_code, sender_service_id, idempotency_key) where idempotency_key is not null`,
    `create index messages_due on {schema}.messages (next_attempt_at) where status in ('ACCEPTED', 'THROTTLED')`,
    `create index messages_by_service on {schema}.messages (sender_service_id, created_at desc)`,
    `create index messages_inbox on {schema}.messages (fiscal_code, is_archived, id desc) where status = 'PROCESSED'`,
  ),
  sqlMigration(
    'io.003_profiles',
    `create table {schema}.profiles (
       fiscal_code text primary key check (fiscal_code ~ '^[A-Z0-9]{16}$'),
       email text,
       is_email_validated boolean not null default false,
       is_email_enabled boolean not null default true,
       is_inbox_enabled boolean not null default true,
       is_webhook_enabled boolean not null default true,
       accepted_tos_version integer check (accepted_tos_version >= 1),
       blocked_inbox_or_channels jsonb not null default '{}',
       service_preferences_mode text not null default 'AUTO' check (service_preferences_mode in ('LEGACY', 'AUTO', 'MANUAL')),
       service_preferences_version integer not null default 0,
       preferred_languages text[] not null default '{it_IT}',
       reminder_status text not null default 'UNSET' check (reminder_status in ('UNSET', 'ENABLED', 'DISABLED')),
       push_notifications_content_type text not null default 'UNSET' check (push_notifications_content_type in ('UNSET', 'FULL', 'ANONYMOUS')),
       is_test_profile boolean not null default false,
       version integer not null default 0,
       created_at timestamptz not null default now(),
       updated_at timestamptz not null default now(),
       check ((service_preferences_mode = 'LEGACY') = (service_preferences_version = -1))
     )`,
    // Bound to the profile's settings version: a change of mode makes older preferences stale (io-functions-commons).
    `create table {schema}.service_preferences (
       fiscal_code text not null references {schema}.profiles (fiscal_code) on delete cascade,
       service_id text not null,
       settings_version integer not null check (settings_version >= 0),
       is_inbox_enabled boolean not null,
       is_email_enabled boolean not null,
       is_webhook_enabled boolean not null,
       can_access_message_read_status text not null default 'UNKNOWN' check (can_access_message_read_status in ('UNKNOWN', 'ALLOW', 'DENY')),
       updated_at timestamptz not null default now(),
       primary key (fiscal_code, service_id, settings_version)
     )`,
    `create table {schema}.email_validations (
       token_hash text primary key,
       fiscal_code text not null references {schema}.profiles (fiscal_code) on delete cascade,
       email text not null,
       expires_at timestamptz not null,
       used_at timestamptz,
       created_at timestamptz not null default now()
     )`,
    // The subscriptions feed: who joined IO (service_id '') or enabled/disabled a service, per UTC day, hashed.
    `create table {schema}.subscription_events (
       day date not null,
       service_id text not null default '',
       fiscal_code_hash text not null check (fiscal_code_hash ~ '^[0-9a-f]{64}$'),
       kind text not null check (kind in ('SUBSCRIBED', 'UNSUBSCRIBED')),
       at timestamptz not null default now(),
       primary key (day, service_id, fiscal_code_hash, kind)
     )`,
  ),
  sqlMigration(
    'io.004_notifications',
    // One row per message and channel; status null until the first attempt (then SENT, THROTTLED, EXPIRED, FAILED).
    `create table {schema}.notifications (
       message_id text not null,
       fiscal_code text not null,
       channel text not null check (channel in ('EMAIL', 'WEBHOOK')),
       status text check (status in ('SENT', 'THROTTLED', 'EXPIRED', 'FAILED')),
       attempts integer not null default 0,
       next_attempt_at timestamptz not null default now(),
       locked_until timestamptz,
       expires_at timestamptz not null,
       last_error text,
       created_at timestamptz not null default now(),
       updated_at timestamptz not null default now(),
       sent_at timestamptz,
       primary key (message_id, channel)
     )`,
    `create index notifications_due on {schema}.notifications (channel, next_attempt_at) where status is null or status = 'THROTTLED'`,
    // Browsers registered for Web Push (RFC 8030/8291) by the citizen app.
    `create table {schema}.installations (
       id text primary key check (length(id) between 1 and 128),
       fiscal_code text not null,
       endpoint text not null,
       p256dh text not null,
       auth text not null,
       user_agent text,
       created_at timestamptz not null default now(),
       updated_at timestamptz not null default now(),
       last_error text,
       disabled_at timestamptz
     )`,
    `create index installations_by_citizen on {schema}.installations (fiscal_code) where disabled_at is null`,
    // The platform's VAPID key pair (RFC 8292), made once: the private key sealed with the app secret.
    `create table {schema}.vapid_keys (
       id smallint primary key check (id = 1),
       public_key text not null,
       sealed_private_key text not null,
       created_at timestamptz not null default now()
     )`,
  ),
  sqlMigration(
    'io.005_payments',
    // Payments started from a message in the app (pagoPA model 1) and the receipt kept once paid.
    `create table {schema}.payments (
       id uuid primary key default gen_random_uuid(),
       fiscal_code text not null,
       message_id text,
       payee_fiscal_code text not null check (payee_fiscal_code ~ '^[0-9]{11}$'),
       notice_number text not null check (notice_number ~ '^[0-9]{18}$'),
       amount bigint not null check (amount > 0),
       description text not null default '',
       status text not null default 'PENDING' check (status in ('PENDING', 'PAID', 'CANCELLED', 'FAILED')),
       cart_url text,
       receipt jsonb,
       paid_at timestamptz,
       created_at timestamptz not null default now(),
       updated_at timestamptz not null default now()
     )`,
    `create index payments_by_citizen on {schema}.payments (fiscal_code, created_at desc)`,
    `create unique index payments_paid_once on {schema}.payments (payee_fiscal_code, notice_number) where status = 'PAID'`,
  ),
  ...backofficeMigrations,
  // IO's ApiMessageWriteAdvanced group: may the service send ADVANCED messages (reference io.md §1.4).
  sqlMigration('io.006_allow_advanced', `alter table {schema}.services add column allow_advanced boolean not null default false`),
];
