// The webhooks tables of the comune schema (issue 5); appended to the comune list in src/comune/migrations.ts.
import { sqlMigration, type Migration } from '../../core/migrations.ts';

export const webhooksMigrations: Migration[] = [
  sqlMigration(
    'webhooks.001_webhooks',
    // OpenCity's Webhook entity: endpoint, trigger ('all', a status code, 'message_created'), filters, headers, active, version.
    `create table {schema}.webhooks (
       id uuid primary key default gen_random_uuid(),
       tenant_id uuid not null references {schema}.tenants(id),
       title text not null,
       endpoint text not null,
       trigger text not null check (trigger ~ '^(all|message_created|[0-9]{4,5})$'),
       service_ids uuid[] not null default '{}',
       headers jsonb not null default '{}',
       secret_sealed text not null,
       version integer not null default 1 check (version in (1, 2)),
       active boolean not null default true,
       created_at timestamptz not null default now(),
       updated_at timestamptz not null default now()
     )`,
    `create index webhooks_tenant on {schema}.webhooks (tenant_id) where active`,
    `create table {schema}.webhook_events (
       id uuid primary key default gen_random_uuid(),
       webhook_id uuid not null references {schema}.webhooks(id),
       application_id uuid not null references {schema}.applications(id),
       status integer not null,
       last_job_id bigint,
       created_at timestamptz not null default now()
     )`,
    `create index webhook_events_by_webhook on {schema}.webhook_events (webhook_id, created_at desc)`,
    `create table {schema}.webhook_deliveries (
       id bigserial primary key,
       event_id uuid not null references {schema}.webhook_events(id),
       job_id bigint not null,
       attempt integer not null,
       outcome text not null check (outcome in ('delivered', 'failed')),
       response_code integer,
       duration_ms integer not null,
       error text,
       at timestamptz not null default now()
     )`,
    `create index webhook_deliveries_by_event on {schema}.webhook_deliveries (event_id, id)`,
  ),
  sqlMigration(
    'webhooks.002_event_kind',
    // A status change or a message from the desk (trigger message_created), named in the delivery's event header.
    `alter table {schema}.webhook_events add column kind text not null default 'status' check (kind in ('status', 'message'))`,
  ),
  sqlMigration(
    'webhooks.003_event_stream',
    // Whether events also go to NATS JetStream: set at each start from NATS_URL, read by the outbox in the event's transaction.
    `create table {schema}.event_streams (
       name text primary key check (name in ('jetstream')),
       enabled boolean not null,
       updated_at timestamptz not null default now()
     )`,
    // One row per event published to the stream (its id is the message's Nats-Msg-Id).
    `create table {schema}.stream_events (
       id uuid primary key default gen_random_uuid(),
       application_id uuid not null references {schema}.applications(id),
       status integer not null,
       kind text not null check (kind in ('status', 'message')),
       created_at timestamptz not null default now()
     )`,
  ),
];
