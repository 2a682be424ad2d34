// Reporting flows (FdR, reference §5.3): one row per revision of a PSP's flow, its payment rows in euro cents.
// A PSP has at most one revision of a flow being written; the published ones stay, the latest one counts.
import { sqlMigration } from '../../../core/migrations.ts';

export const reportingMigration = sqlMigration(
  'pagopa.020_reporting',
  `create table {schema}.fdr_flows (
     id uuid primary key default gen_random_uuid(),
     psp_id text not null check (length(psp_id) between 1 and 35),
     fdr text not null check (fdr ~ '^[a-zA-Z0-9_-]{1,35}$'),
     revision integer not null check (revision >= 1),
     status text not null check (status in ('CREATED', 'INSERTED', 'PUBLISHED')),
     fdr_date timestamptz not null,
     sender jsonb not null,
     receiver jsonb not null,
     organization_id text not null,
     regulation text not null,
     regulation_date timestamptz not null,
     bic_code_pouring_bank text,
     tot_payments integer not null check (tot_payments >= 1),
     sum_cents bigint not null check (sum_cents >= 1),
     created timestamptz not null default now(),
     updated timestamptz not null default now(),
     published timestamptz,
     unique (psp_id, fdr, revision),
     check ((status = 'PUBLISHED') = (published is not null))
   )`,
  `create unique index fdr_flows_open on {schema}.fdr_flows (psp_id, fdr) where status <> 'PUBLISHED'`,
  `create index fdr_flows_received on {schema}.fdr_flows (organization_id, published desc) where status = 'PUBLISHED'`,
  `create table {schema}.fdr_payments (
     flow_id uuid not null references {schema}.fdr_flows (id) on delete cascade,
     row_index integer not null check (row_index >= 1),
     iuv text not null,
     iur text not null,
     id_transfer smallint not null check (id_transfer between 1 and 5),
     pay_cents bigint not null check (pay_cents >= 1),
     pay_status text not null check (pay_status in ('EXECUTED', 'REVOKED', 'NO_RPT')),
     pay_date timestamptz not null,
     primary key (flow_id, row_index)
   )`,
);
