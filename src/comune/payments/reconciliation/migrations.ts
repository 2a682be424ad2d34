// The outcome of the last reconciliation of each ente's pagoPA payments (domain/pagopa/reconciliation.ts): one row per
// receipt (by IUV), per flow row without a receipt and per treasury credit that matches nothing; replaced at every run.
import { sqlMigration, type Migration } from '../../../core/migrations.ts';

export const paymentReconciliationMigrations: Migration[] = [
  sqlMigration(
    'payments.020_reconciliation',
    `create table {schema}.payment_reconciliation (
       tenant_id uuid not null references {schema}.tenants(id),
       item_key text not null,
       iuv text,
       iur text,
       psp_id text,
       amount bigint not null,
       paid_at timestamptz,
       fdr text,
       fdr_revision integer,
       movement_id text,
       state text not null check (state in ('paid', 'reported', 'reconciled', 'anomaly')),
       issues text[] not null default '{}',
       primary key (tenant_id, item_key)
     )`,
    `create index payment_reconciliation_state on {schema}.payment_reconciliation (tenant_id, state, paid_at desc nulls last)`,
    `create table {schema}.payment_reconciliation_runs (
       tenant_id uuid primary key references {schema}.tenants(id),
       ran_at timestamptz not null,
       receipts integer not null,
       flows integer not null,
       movements integer not null
     )`,
  ),
];
