// Bulk dues: each uploaded CSV (its hash, default chapter, state), every row of it with its outcome (the debt
// created with its notice numbers, already there, rejected with the reason, refused by pagoPA), and the files
// sent to pagoPA's massive upload for it, so a retried job reads the answer instead of sending them again.
import { sqlMigration, type Migration } from '../../../core/migrations.ts';

export const duesMigrations: Migration[] = [
  sqlMigration(
    'payments.010_dues',
    `create table {schema}.dues_uploads (
       id uuid primary key default gen_random_uuid(),
       tenant_id uuid not null references {schema}.tenants(id),
       uploaded_by uuid references {schema}.staff_users(id),
       file_name text not null,
       file_sha256 text not null check (file_sha256 ~ '^[0-9a-f]{64}$'),
       default_chapter text not null,
       total_rows integer not null check (total_rows >= 0),
       state text not null check (state in ('processing', 'done')),
       created_at timestamptz not null default now(),
       finished_at timestamptz
     )`,
    `create index dues_uploads_tenant on {schema}.dues_uploads (tenant_id, created_at desc)`,
    `create table {schema}.dues_rows (
       upload_id uuid not null references {schema}.dues_uploads(id) on delete cascade,
       tenant_id uuid not null references {schema}.tenants(id),
       line integer not null,
       outcome text not null check (outcome in ('pending', 'created', 'existing', 'rejected', 'failed')),
       batch integer,
       iupd text,
       debtor_type text check (debtor_type in ('F', 'G')),
       fiscal_code text,
       full_name text,
       email text,
       amount_cents bigint check (amount_cents > 0),
       reason text,
       due_date date,
       installments smallint check (installments > 0),
       chapter text,
       navs text[],
       error_code text,
       error_value text,
       message text,
       raw jsonb,
       primary key (upload_id, line),
       check ((outcome = 'rejected') = (iupd is null))
     )`,
    `create index dues_rows_outcome on {schema}.dues_rows (upload_id, outcome)`,
    // A debt is created once per ente: the IUPD comes from its content, so a file uploaded again finds it here.
    `create unique index dues_rows_created on {schema}.dues_rows (tenant_id, iupd) where outcome = 'created'`,
    `create table {schema}.dues_batches (
       upload_id uuid not null references {schema}.dues_uploads(id) on delete cascade,
       batch integer not null,
       pagopa_upload_id text,
       primary key (upload_id, batch)
     )`,
  ),
];
