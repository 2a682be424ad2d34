// The psp schema: what the simulated PSPs collected at their counters (payments and their transfers), what the
// Nodo's statements of their days list on every channel, the reporting flows of their day closings, and the treasury bank's ledger of the institutions' accounts.
import { apiKeyMigrations } from '../../core/auth/api-keys.ts';
import { sqlMigration, type Migration } from '../../core/migrations.ts';

export const pspMigrations: Migration[] = [
  ...apiKeyMigrations,
  sqlMigration(
    'psp.001_payments',
    // One row per "Incassa": the idempotency key sent to the Nodo makes a double click one payment.
    `create table {schema}.payments (
       id uuid primary key default gen_random_uuid(),
       id_psp text not null,
       idempotency_key text not null check (idempotency_key ~ '^[a-zA-Z0-9]{2,18}_[a-zA-Z0-9]{10}$'),
       fiscal_code text not null check (fiscal_code ~ '^[0-9]{11}$'),
       notice_number text not null check (notice_number ~ '^[0-9]{18}$'),
       iuv text not null,
       amount_cents bigint not null check (amount_cents > 0),
       fee_cents bigint not null check (fee_cents >= 0),
       payment_method text not null check (payment_method in ('cash', 'creditCard')),
       company_name text,
       description text,
       payment_token text unique,
       status text not null check (status in ('ACTIVATING', 'PAID', 'REFUSED')),
       fault_code text,
       fault_detail text,
       created_at timestamptz not null default now(),
       paid_at timestamptz,
       unique (id_psp, idempotency_key),
       check ((status = 'PAID') = (paid_at is not null and payment_token is not null)),
       check ((status = 'REFUSED') = (fault_code is not null))
     )`,
    `create index payments_psp_paid_idx on {schema}.payments (id_psp, paid_at) where status = 'PAID'`,
    `create table {schema}.flows (
       fdr text primary key check (fdr ~ '^[a-zA-Z0-9_-]{1,35}$'),
       id_psp text not null,
       regulation_date date not null,
       trn text not null unique,
       fiscal_code_pa text not null,
       company_name text not null,
       iban text not null,
       total_payments integer not null check (total_payments > 0),
       sum_cents bigint not null check (sum_cents > 0),
       status text not null check (status in ('TO_REPORT', 'CREATED', 'INSERTED', 'PUBLISHED')),
       created_at timestamptz not null default now(),
       published_at timestamptz
     )`,
    `create sequence {schema}.flow_progressive`,
    // The beneficiary's share of a payment, with the flow that reported it (null: not reported yet).
    `create table {schema}.payment_transfers (
       payment_id uuid not null references {schema}.payments (id),
       id_transfer smallint not null check (id_transfer between 1 and 5),
       amount_cents bigint not null check (amount_cents > 0),
       fiscal_code_pa text not null,
       iban text not null,
       remittance_information text not null,
       transfer_category text not null,
       fdr text references {schema}.flows (fdr),
       primary key (payment_id, id_transfer)
     )`,
    `create index payment_transfers_unreported_idx on {schema}.payment_transfers (fiscal_code_pa) where fdr is null`,
  ),
  sqlMigration(
    'psp.002_treasury',
    `create table {schema}.treasury_accounts (
       iban text primary key check (iban ~ '^[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}$'),
       holder_fiscal_code text not null,
       holder_name text not null,
       created_at timestamptz not null default now()
     )`,
    // Incoming SEPA credit transfers on the institutions' accounts; a PSP's cumulative transfer per flow.
    `create table {schema}.movements (
       id uuid primary key default gen_random_uuid(),
       iban text not null,
       value_date date not null,
       amount_cents bigint not null check (amount_cents > 0),
       trn text not null unique,
       remittance_information text not null,
       debtor_name text not null,
       debtor_iban text not null,
       fdr text unique references {schema}.flows (fdr),
       created_at timestamptz not null default now()
     )`,
    `create index movements_account_idx on {schema}.movements (iban, value_date)`,
  ),
  sqlMigration(
    'psp.003_nodo_statement',
    // What the Nodo's statement of a day says each PSP collected, on every channel (counters, Checkout): one row per
    // share of a receipt paid to an account, with the flow that reported it (null: not reported yet).
    `create table {schema}.receipt_transfers (
       receipt_id text not null,
       id_transfer smallint not null check (id_transfer between 1 and 5),
       id_psp text not null,
       iuv text not null,
       creditor_fiscal_code text not null,
       company_name text not null,
       fiscal_code_pa text not null,
       iban text not null,
       amount_cents bigint not null check (amount_cents > 0),
       paid_at timestamptz not null,
       fdr text references {schema}.flows (fdr),
       primary key (receipt_id, id_transfer)
     )`,
    `create index receipt_transfers_unreported_idx on {schema}.receipt_transfers (id_psp, paid_at) where fdr is null`,
    // The counters' shares known before, with their flows: what was reported is not reported again.
    `insert into {schema}.receipt_transfers (receipt_id, id_transfer, id_psp, iuv, creditor_fiscal_code, company_name, fiscal_code_pa, iban, amount_cents, paid_at, fdr)
     select p.payment_token, t.id_transfer, p.id_psp, p.iuv, p.fiscal_code, coalesce(p.company_name, p.fiscal_code), t.fiscal_code_pa, t.iban, t.amount_cents, p.paid_at, t.fdr
     from {schema}.payment_transfers t join {schema}.payments p on p.id = t.payment_id where p.status = 'PAID' and t.iban <> ''`,
    `alter table {schema}.payment_transfers drop column fdr`,
  ),
];
