// The applications tables of the comune schema (issue 5); appended to the comune list in src/comune/migrations.ts.
import { sqlMigration, type Migration } from '../../core/migrations.ts';

export const applicationsMigrations: Migration[] = [
  sqlMigration(
    'applications.001_applications',
    // service_id and form_id name the catalog's and the forms' rows by id only (their tables, their rules).
    `create table {schema}.applications (
       id uuid primary key default gen_random_uuid(),
       tenant_id uuid not null references {schema}.tenants(id),
       service_id uuid not null,
       service_name text not null,
       classification text not null default '',
       form_id uuid,
       form_version integer,
       citizen_id uuid references {schema}.citizens(id),
       citizen_fiscal_code text not null,
       citizen_name text not null,
       status integer not null check (status in (1000, 1500, 1900, 2000, 3000, 4000, 4100, 4200, 4300, 4400, 4500, 7000, 9000, 20000, 50000)),
       data jsonb not null default '{}',
       idempotency_key text,
       pdf_sha256 text,
       protocol_id text,
       protocol_number integer,
       protocol_year integer,
       protocol_registered_at timestamptz,
       created_at timestamptz not null default now(),
       submitted_at timestamptz,
       updated_at timestamptz not null default now(),
       unique (tenant_id, citizen_fiscal_code, idempotency_key)
     )`,
    `create index applications_citizen on {schema}.applications (tenant_id, citizen_fiscal_code, created_at desc)`,
    `create index applications_service_status on {schema}.applications (tenant_id, service_id, status)`,
    `create table {schema}.application_events (
       id bigserial primary key,
       application_id uuid not null references {schema}.applications(id),
       from_status integer,
       to_status integer not null,
       actor_type text not null check (actor_type in ('citizen', 'operator', 'system')),
       actor_id text not null,
       message text,
       at timestamptz not null default now()
     )`,
    `create index application_events_by_application on {schema}.application_events (application_id, id)`,
    `create table {schema}.application_attachments (
       application_id uuid not null references {schema}.applications(id),
       sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
       name text not null,
       size integer not null check (size >= 0),
       mime text not null,
       created_at timestamptz not null default now(),
       primary key (application_id, sha256)
     )`,
  ),
  sqlMigration(
    'applications.002_integration_answers',
    // Each answer to a request for integration: its own PDF and documents, registered in the protocol by its own job.
    `create table {schema}.application_integrations (
       id uuid primary key,
       application_id uuid not null references {schema}.applications(id),
       message text not null check (length(message) between 1 and 4000),
       pdf_sha256 text not null check (pdf_sha256 ~ '^[0-9a-f]{64}$'),
       documents jsonb not null default '[]',
       submitted_at timestamptz not null,
       protocol_id text,
       protocol_number integer,
       protocol_year integer,
       protocol_registered_at timestamptz
     )`,
    `create index application_integrations_by_application on {schema}.application_integrations (application_id, submitted_at)`,
  ),
  sqlMigration(
    'applications.003_integration_drafts',
    // The applicant's unsent answer (status 4200): at most one per application, gone once it is sent.
    `create table {schema}.application_integration_drafts (
       application_id uuid primary key references {schema}.applications(id),
       message text not null default '' check (length(message) <= 4000),
       documents jsonb not null default '[]',
       updated_at timestamptz not null default now()
     )`,
  ),
];
