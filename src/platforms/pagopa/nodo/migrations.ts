// The Nodo's tables: PSPs (prestatori di servizi di pagamento) registered on the platform, the payment
// sessions their activations open (the token that locks a notice), and the receipts of paid notices, with
// the institutions' station endpoint that receives them. Names after nodeForPsp.xsd / paForNode.xsd.
import { sqlMigration } from '../../../core/migrations.ts';

/** stPaymentMethodFee of the Nodo's catalogue (SANP): the payment types a PSP offers. */
export const PAYMENT_TYPES_SQL = `array['BBT', 'BP', 'AD', 'CP', 'PO', 'OBEP', 'JIF', 'MYBK', 'PPAL']`;

export const nodoMigration = sqlMigration(
  'pagopa.003_nodo',
  `alter table {schema}.creditor_institutions add column receipts_url text check (receipts_url ~ '^https?://')`,
  `create table {schema}.psps (
     id_psp text primary key check (id_psp ~ '^[A-Z0-9_]{1,35}$'),
     id_broker_psp text not null check (id_broker_psp ~ '^[A-Z0-9_]{1,35}$'),
     id_channel text not null check (id_channel ~ '^[A-Za-z0-9_]{1,35}$'),
     company_name text not null check (length(company_name) between 1 and 140),
     fiscal_code text not null check (fiscal_code ~ '^[0-9]{11}$'),
     fee bigint not null check (fee between 0 and 99999999999),
     payment_types text[] not null check (cardinality(payment_types) > 0 and payment_types <@ ${PAYMENT_TYPES_SQL}),
     enabled boolean not null default true,
     created_at timestamptz not null default now()
   )`,
  // One live session per notice is kept by locking the notice's debt position; the token is the IUR.
  `create table {schema}.payment_sessions (
     token text primary key check (length(token) between 1 and 35),
     id_psp text not null references {schema}.psps (id_psp),
     idempotency_key text check (idempotency_key ~ '^[a-zA-Z0-9]{2,18}_[a-zA-Z0-9]{10}$'),
     request_hash text not null,
     institution_id uuid not null references {schema}.creditor_institutions (id),
     nav text not null,
     iuv text not null,
     amount bigint not null,
     response jsonb not null,
     created_at timestamptz not null,
     expires_at timestamptz not null,
     status text not null default 'active' check (status in ('active', 'paid', 'cancelled')),
     outcome_hash text,
     closed_at timestamptz,
     unique (id_psp, idempotency_key)
   )`,
  `create index payment_sessions_notice on {schema}.payment_sessions (institution_id, nav, expires_at) where status = 'active'`,
  // One receipt per notice (institution, IUV): a second payment of the same notice cannot be stored.
  `create table {schema}.receipts (
     receipt_id text primary key,
     institution_id uuid not null references {schema}.creditor_institutions (id),
     nav text not null,
     iuv text not null,
     iupd text not null,
     debtor_fiscal_code text not null,
     debtor jsonb not null,
     payer jsonb,
     amount bigint not null,
     fee bigint not null,
     id_psp text not null references {schema}.psps (id_psp),
     psp_company_name text not null,
     psp_fiscal_code text not null,
     id_channel text not null,
     payment_method text not null,
     payment_channel text not null,
     payment_date_time timestamptz not null,
     application_date date not null,
     transfer_date date not null,
     transfers jsonb not null,
     description text not null,
     company_name text not null,
     office_name text,
     created_at timestamptz not null default now(),
     unique (institution_id, iuv)
   )`,
  `create index receipts_by_date on {schema}.receipts (institution_id, payment_date_time desc)`,
  `create index receipts_by_debtor on {schema}.receipts (institution_id, debtor_fiscal_code, payment_date_time desc)`,
);

// A PSP reads its own receipts of a day (its daily statement) at every day closing.
export const receiptsByPspMigration = sqlMigration(
  'pagopa.005_receipts_by_psp',
  `create index receipts_by_psp on {schema}.receipts (id_psp, payment_date_time)`,
);
