// The pagopa schema: creditor institutions (enti creditori) with their station's IUV generation point and
// IBANs, their subscription keys, and GPD debt positions → payment options → transfers.
// Names and enums after pagopa/pagopa-debt-position (PaymentPosition, PaymentOption, Transfer).
import { auditMigrations } from '../../core/audit.ts';
import { apiKeyMigrations } from '../../core/auth/api-keys.ts';
import { jobMigrations } from '../../core/jobs.ts';
import { sqlMigration, type Migration } from '../../core/migrations.ts';
import { reportingMigration } from './reporting/migrations.ts';
import { nodoMigration, receiptsByPspMigration } from './nodo/migrations.ts';
import { checkoutMigration } from './checkout/store.ts';
import { bulkFileAsJsonMigration, bulkMigration } from './bulk/migrations.ts';
import { consoleMigrations } from './web/migrations.ts';

export const pagopaMigrations: Migration[] = [
  ...auditMigrations,
  ...apiKeyMigrations,
  sqlMigration(
    'pagopa.001_creditor_institutions',
    // aux digit 3 with a segregation code, 0 with an application code, 2 with neither (SACI §2).
    `create table {schema}.creditor_institutions (
       id uuid primary key default gen_random_uuid(),
       fiscal_code text not null unique check (fiscal_code ~ '^[0-9]{11}$'),
       company_name text not null check (length(company_name) between 1 and 140),
       office_name text check (length(office_name) <= 140),
       aux_digit smallint not null check (aux_digit in (0, 2, 3)),
       segregation_code text check (segregation_code ~ '^[0-9]{2}$'),
       application_code text check (application_code ~ '^[0-9]{2}$'),
       station_id text not null check (station_id ~ '^[0-9]{11}_[0-9]{2}$'),
       cbill_code text check (cbill_code ~ '^[A-Z0-9]{5}$'),
       enabled boolean not null default true,
       created_at timestamptz not null default now(),
       check ((aux_digit = 3) = (segregation_code is not null)),
       check ((aux_digit = 0) = (application_code is not null))
     )`,
    `create table {schema}.institution_ibans (
       institution_id uuid not null references {schema}.creditor_institutions (id),
       iban text not null check (iban ~ '^[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}$'),
       postal boolean not null default false,
       description text not null default '',
       created_at timestamptz not null default now(),
       primary key (institution_id, iban)
     )`,
  ),
  sqlMigration(
    'pagopa.002_debt_positions',
    `create table {schema}.debt_positions (
       id uuid primary key default gen_random_uuid(),
       institution_id uuid not null references {schema}.creditor_institutions (id),
       iupd text not null,
       type text not null check (type in ('F', 'G')),
       debtor_fiscal_code text not null,
       full_name text not null,
       street_name text, civic_number text, postal_code text, city text, province text, region text, country text,
       email text, phone text,
       switch_to_expired boolean not null default false,
       pay_stand_in boolean not null default true,
       company_name text not null,
       office_name text,
       validity_date timestamptz,
       status text not null check (status in ('DRAFT', 'PUBLISHED', 'VALID', 'INVALID', 'EXPIRED', 'PARTIALLY_PAID', 'PAID', 'REPORTED')),
       inserted_date timestamptz not null default now(),
       publish_date timestamptz,
       last_updated_date timestamptz not null default now(),
       payment_date timestamptz,
       max_due_date timestamptz not null,
       unique (institution_id, iupd)
     )`,
    `create index debt_positions_list on {schema}.debt_positions (institution_id, inserted_date desc)`,
    `create index debt_positions_status on {schema}.debt_positions (institution_id, status)`,
    // What the sweeper looks at: PUBLISHED awaiting validity, VALID that may expire.
    `create index debt_positions_published on {schema}.debt_positions (validity_date) where status = 'PUBLISHED'`,
    `create index debt_positions_expiring on {schema}.debt_positions (max_due_date) where status = 'VALID' and switch_to_expired`,
    `create table {schema}.payment_options (
       id uuid primary key default gen_random_uuid(),
       position_id uuid not null references {schema}.debt_positions (id) on delete cascade,
       institution_id uuid not null references {schema}.creditor_institutions (id),
       iuv text not null,
       nav text not null check (nav ~ '^[0-9]{18}$'),
       amount bigint not null check (amount between 1 and 99999999999),
       description text not null,
       is_partial_payment boolean not null,
       due_date timestamptz not null,
       retention_date timestamptz,
       fee bigint not null default 0 check (fee >= 0),
       status text not null default 'PO_UNPAID' check (status in ('PO_UNPAID', 'PO_PAID', 'PO_PARTIALLY_REPORTED', 'PO_REPORTED')),
       payment_date timestamptz,
       payment_method text,
       psp_company text,
       id_receipt text,
       metadata jsonb not null default '[]',
       position_index smallint not null,
       inserted_date timestamptz not null default now(),
       last_updated_date timestamptz not null default now(),
       unique (institution_id, iuv),
       unique (institution_id, nav)
     )`,
    `create index payment_options_position on {schema}.payment_options (position_id, position_index)`,
    `create index payment_options_due on {schema}.payment_options (institution_id, due_date)`,
    `create table {schema}.transfers (
       option_id uuid not null references {schema}.payment_options (id) on delete cascade,
       id_transfer text not null check (id_transfer in ('1', '2', '3', '4', '5')),
       amount bigint not null check (amount >= 1),
       organization_fiscal_code text not null check (organization_fiscal_code ~ '^[0-9]{11}$'),
       company_name text,
       remittance_information text not null,
       category text not null,
       iban text,
       postal_iban text,
       stamp jsonb,
       status text not null default 'T_UNREPORTED' check (status in ('T_UNREPORTED', 'T_REPORTED')),
       metadata jsonb not null default '[]',
       inserted_date timestamptz not null default now(),
       last_updated_date timestamptz not null default now(),
       primary key (option_id, id_transfer),
       check ((iban is null) <> (stamp is null))
     )`,
    // An IUV identifies one debt for ever, even after its position is deleted or rewritten (SACI §2).
    `create table {schema}.issued_iuvs (
       institution_id uuid not null references {schema}.creditor_institutions (id),
       iuv text not null,
       iupd text not null,
       issued_at timestamptz not null default now(),
       primary key (institution_id, iuv)
     )`,
  ),
  ...jobMigrations,
  nodoMigration,
  reportingMigration,
  bulkMigration,
  bulkFileAsJsonMigration,
  checkoutMigration,
  ...consoleMigrations,
  receiptsByPspMigration,
];
