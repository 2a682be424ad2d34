// The comune's messages to citizens through IO: each ente's IO service (its key sealed), optionally one per
// catalog service, and every message written in the transaction of its cause, with where it got to
// (IO's id and status, the e-mail sent instead), read by the personal area and the operators.
import { sqlMigration, type Migration } from '../../core/migrations.ts';

export const MESSAGE_KINDS = ['status_change', 'payment_notice', 'payment_reminder', 'outcome', 'dues'] as const;
export const MESSAGE_STATES = ['pending', 'submitted', 'processed', 'rejected', 'failed', 'emailed', 'not_configured'] as const;

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

export const messagingMigrations: Migration[] = [
  sqlMigration(
    'messaging.001_io',
    `create table {schema}.io_settings (
       id uuid primary key default gen_random_uuid(),
       tenant_id uuid not null references {schema}.tenants(id),
       service_id uuid references {schema}.services(id),
       io_service_id text not null check (io_service_id ~ '^[0-9A-Za-z]{1,64}$'),
       api_key_sealed text not null,
       io_url text not null,
       reminder_days integer not null default 3 check (reminder_days between 0 and 60),
       enabled boolean not null default true,
       updated_at timestamptz not null default now()
     )`,
    // One default per ente, one override per catalog service.
    `create unique index io_settings_tenant on {schema}.io_settings (tenant_id) where service_id is null`,
    `create unique index io_settings_service on {schema}.io_settings (tenant_id, service_id) where service_id is not null`,
    `create table {schema}.citizen_messages (
       id uuid primary key,
       tenant_id uuid not null references {schema}.tenants(id),
       application_id uuid references {schema}.applications(id) on delete cascade,
       service_id uuid,
       fiscal_code text not null,
       kind text not null check (kind in (${list(MESSAGE_KINDS)})),
       cause text,
       locale text not null check (locale in ('it', 'en', 'de')),
       subject text not null,
       markdown text not null,
       facts jsonb not null default '{}'::jsonb,
       due_date timestamptz,
       payment jsonb,
       position_iupd text,
       state text not null check (state in (${list(MESSAGE_STATES)})),
       io_message_id text,
       io_status text,
       notification jsonb,
       rejection_reason text,
       email_status text,
       attempts integer not null default 0,
       last_error text,
       created_at timestamptz not null default now(),
       submitted_at timestamptz,
       finished_at timestamptz,
       updated_at timestamptz not null default now(),
       read_at timestamptz
     )`,
    // A notice, a reminder, a due: once per cause (a retried job or a re-uploaded file writes nothing twice).
    `create unique index citizen_messages_cause on {schema}.citizen_messages (tenant_id, cause) where cause is not null`,
    `create index citizen_messages_citizen on {schema}.citizen_messages (tenant_id, fiscal_code, created_at desc)`,
    `create index citizen_messages_application on {schema}.citizen_messages (application_id, created_at) where application_id is not null`,
    `create index citizen_messages_trouble on {schema}.citizen_messages (tenant_id, created_at desc) where state in ('failed', 'rejected')`,
  ),
];
