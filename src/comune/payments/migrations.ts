// The payments tables of the comune schema (issue 6); appended to the comune list in src/comune/migrations.ts.
import { sqlMigration, type Migration } from '../../core/migrations.ts';

export const paymentsMigrations: Migration[] = [
  sqlMigration(
    'payments.001_settings',
    // One row per ente: its creditor identity on pagoPA; the keys sealed with the app secret (core/secrets.ts).
    `create table {schema}.payment_settings (
       tenant_id uuid primary key references {schema}.tenants(id),
       creditor_fiscal_code text not null check (creditor_fiscal_code ~ '^[0-9]{11}$'),
       pagopa_url text not null check (pagopa_url ~ '^https?://'),
       gpd_key_sealed text,
       intermediary_name text,
       intermediary_station text,
       treasury_iban text,
       postal_iban text,
       cbill text check (cbill is null or cbill ~ '^[A-Z0-9]{5}$'),
       treasury_key_sealed text,
       updated_at timestamptz not null default now(),
       check ((intermediary_name is null) = (intermediary_station is null))
     )`,
    `create unique index payment_settings_creditor on {schema}.payment_settings (creditor_fiscal_code)`,
    // Capitoli di bilancio: where each part of a payment is booked, with its pagoPA taxonomy code and IBAN.
    `create table {schema}.budget_chapters (
       tenant_id uuid not null references {schema}.tenants(id),
       code text not null check (code ~ '^[A-Za-z0-9./_-]{1,32}$'),
       description text not null,
       taxonomy text not null check (taxonomy ~ '^9/[0-9]{7}[A-Z]{2}/$'),
       iban text not null,
       active boolean not null default true,
       primary key (tenant_id, code)
     )`,
  ),
  sqlMigration(
    'payments.002_service_payments',
    `create table {schema}.service_payments (
       service_id uuid primary key references {schema}.services(id),
       tenant_id uuid not null references {schema}.tenants(id),
       mode text not null check (mode in ('none', 'immediate', 'deferred', 'optional')),
       amount jsonb not null,
       split jsonb not null default '[]',
       installments jsonb,
       reason text not null default '',
       due_days integer not null default 30 check (due_days between 1 and 365),
       updated_at timestamptz not null default now()
     )`,
  ),
  sqlMigration(
    'payments.003_application_payments',
    `alter table {schema}.applications drop constraint applications_status_check`,
    `alter table {schema}.applications add constraint applications_status_check
       check (status in (1000, 1500, 1510, 1520, 1900, 2000, 3000, 4000, 4100, 4200, 4300, 4400, 4500, 7000, 9000, 20000, 50000))`,
    // One debt position per payment asked of an application; its options (NAV, IUV, installments) as GPD answered.
    `create table {schema}.application_payments (
       id uuid primary key default gen_random_uuid(),
       tenant_id uuid not null references {schema}.tenants(id),
       application_id uuid not null references {schema}.applications(id),
       kind text not null check (kind in ('immediate', 'deferred', 'optional')),
       creditor_fiscal_code text not null,
       iupd text not null,
       debtor_fiscal_code text not null,
       amount_cents integer not null check (amount_cents > 0),
       reason text not null,
       status text not null check (status in ('unpaid', 'paid', 'cancelled')),
       -- The position as asked of GPD (retried as is until GPD has it), then its options as GPD answered.
       position jsonb not null,
       published boolean not null default false,
       options jsonb not null default '[]',
       resume_status integer,
       last_checked_at timestamptz,
       requested_by text,
       paid_at timestamptz,
       psp_company text,
       receipt_id text,
       created_at timestamptz not null default now(),
       updated_at timestamptz not null default now(),
       unique (creditor_fiscal_code, iupd)
     )`,
    `create index application_payments_by_application on {schema}.application_payments (application_id)`,
    `create index application_payments_debtor on {schema}.application_payments (tenant_id, debtor_fiscal_code)`,
    `create index application_payments_unpaid on {schema}.application_payments (status) where status = 'unpaid'`,
    // paSendRT pushes seen, by receiptId: a retried push is answered OK and not acted upon twice.
    `create table {schema}.payment_receipts_seen (
       receipt_id text primary key,
       creditor_fiscal_code text not null,
       notice_number text,
       received_at timestamptz not null default now()
     )`,
  ),
  sqlMigration(
    'payments.004_one_fee_per_application',
    // The service's fee is asked once per application, however many times the submission is retried.
    `create unique index application_payments_one_fee on {schema}.application_payments (application_id) where kind in ('immediate', 'optional')`,
  ),
];
