// The pdnd schema: tenants (aderenti) and their console accounts and API keys, the e-service catalog
// with versioned descriptors, agreements, purposes with versions, clients with keys, the platform's
// signing keys, single-use assertion ids and the record of every voucher issued.
// Names and enums after pagopa/interop-be-monorepo packages/models (eservice, agreement, purpose, client).
import { auditMigrations } from '../../core/audit.ts';
import { apiKeyMigrations } from '../../core/auth/api-keys.ts';
import { sessionMigrations } from '../../core/auth/sessions.ts';
import { loginThrottleMigrations } from '../../core/auth/throttle.ts';
import { sqlMigration, type Migration } from '../../core/migrations.ts';

export const pdndMigrations: Migration[] = [
  ...auditMigrations,
  ...apiKeyMigrations,
  ...sessionMigrations,
  ...loginThrottleMigrations,
  sqlMigration(
    'pdnd.001_tenants',
    `create table {schema}.tenants (
       id uuid primary key default gen_random_uuid(),
       name text not null,
       ipa_code text not null unique check (ipa_code ~ '^[A-Za-z0-9_]{2,40}$'),
       kind text not null default 'PA' check (kind in ('PA', 'GSP', 'PRIVATE')),
       created_at timestamptz not null default now()
     )`,
    `create table {schema}.accounts (
       id uuid primary key default gen_random_uuid(),
       tenant_id uuid not null references {schema}.tenants (id),
       email text not null unique,
       name text not null,
       password_hash text not null,
       active boolean not null default true,
       created_at timestamptz not null default now()
     )`,
  ),
  sqlMigration(
    'pdnd.002_catalog',
    `create table {schema}.eservices (
       id uuid primary key default gen_random_uuid(),
       producer_id uuid not null references {schema}.tenants (id),
       name text not null,
       description text not null,
       technology text not null default 'Rest' check (technology in ('Rest', 'Soap')),
       mode text not null default 'Deliver' check (mode in ('Receive', 'Deliver')),
       created_at timestamptz not null default now(),
       unique (producer_id, name)
     )`,
    `create table {schema}.descriptors (
       id uuid primary key default gen_random_uuid(),
       eservice_id uuid not null references {schema}.eservices (id),
       version integer not null check (version > 0),
       description text,
       state text not null default 'Draft'
         check (state in ('Draft', 'Published', 'Deprecated', 'Suspended', 'Archived', 'WaitingForApproval')),
       audience text[] not null check (cardinality(audience) > 0),
       voucher_lifespan integer not null check (voucher_lifespan between 60 and 86400),
       daily_calls_per_consumer integer not null check (daily_calls_per_consumer > 0),
       daily_calls_total integer not null check (daily_calls_total >= daily_calls_per_consumer),
       agreement_approval_policy text not null check (agreement_approval_policy in ('Manual', 'Automatic')),
       server_urls text[] not null default '{}',
       interface jsonb,
       created_at timestamptz not null default now(),
       published_at timestamptz,
       suspended_at timestamptz,
       deprecated_at timestamptz,
       archived_at timestamptz,
       unique (eservice_id, version)
     )`,
  ),
  sqlMigration(
    'pdnd.003_agreements_purposes',
    `create table {schema}.agreements (
       id uuid primary key default gen_random_uuid(),
       eservice_id uuid not null references {schema}.eservices (id),
       descriptor_id uuid not null references {schema}.descriptors (id),
       producer_id uuid not null references {schema}.tenants (id),
       consumer_id uuid not null references {schema}.tenants (id),
       state text not null check (state in ('Draft', 'Pending', 'Active', 'Suspended', 'Archived', 'MissingCertifiedAttributes', 'Rejected')),
       suspended_by_consumer boolean not null default false,
       suspended_by_producer boolean not null default false,
       rejection_reason text,
       consumer_notes text,
       created_at timestamptz not null default now(),
       updated_at timestamptz not null default now()
     )`,
    `create index agreements_consumer on {schema}.agreements (consumer_id, eservice_id)`,
    `create index agreements_producer on {schema}.agreements (producer_id, state)`,
    // One live agreement per consumer and e-service (interop: agreementAlreadyExists).
    `create unique index agreements_one_live on {schema}.agreements (consumer_id, eservice_id)
       where state in ('Draft', 'Pending', 'Active', 'Suspended', 'MissingCertifiedAttributes')`,
    `create table {schema}.purposes (
       id uuid primary key default gen_random_uuid(),
       eservice_id uuid not null references {schema}.eservices (id),
       consumer_id uuid not null references {schema}.tenants (id),
       title text not null,
       description text not null,
       is_free_of_charge boolean not null default true,
       suspended_by_consumer boolean not null default false,
       suspended_by_producer boolean not null default false,
       created_at timestamptz not null default now()
     )`,
    `create index purposes_consumer on {schema}.purposes (consumer_id, eservice_id)`,
    `create table {schema}.purpose_versions (
       id uuid primary key default gen_random_uuid(),
       purpose_id uuid not null references {schema}.purposes (id),
       state text not null check (state in ('Draft', 'WaitingForApproval', 'Active', 'Suspended', 'Archived', 'Rejected')),
       daily_calls integer not null check (daily_calls > 0),
       rejection_reason text,
       created_at timestamptz not null default now(),
       updated_at timestamptz not null default now(),
       first_activation_at timestamptz
     )`,
    `create index purpose_versions_purpose on {schema}.purpose_versions (purpose_id, created_at)`,
  ),
  sqlMigration(
    'pdnd.004_clients',
    `create table {schema}.clients (
       id uuid primary key default gen_random_uuid(),
       consumer_id uuid not null references {schema}.tenants (id),
       name text not null,
       description text not null default '',
       kind text not null default 'Consumer' check (kind in ('Consumer', 'Api')),
       created_at timestamptz not null default now()
     )`,
    `create table {schema}.client_purposes (
       client_id uuid not null references {schema}.clients (id),
       purpose_id uuid not null references {schema}.purposes (id),
       created_at timestamptz not null default now(),
       primary key (client_id, purpose_id)
     )`,
    `create table {schema}.client_keys (
       client_id uuid not null references {schema}.clients (id),
       kid text not null,
       name text not null,
       public_jwk jsonb not null,
       pem text not null,
       created_at timestamptz not null default now(),
       primary key (client_id, kid)
     )`,
  ),
  sqlMigration(
    'pdnd.005_tokens',
    `create table {schema}.signing_keys (
       kid text primary key,
       private_jwk jsonb not null,
       created_at timestamptz not null default now()
     )`,
    `create table {schema}.used_assertions (
       client_id uuid not null,
       jti text not null,
       expires_at timestamptz not null,
       primary key (client_id, jti)
     )`,
    `create index used_assertions_expires on {schema}.used_assertions (expires_at)`,
    // The token-generation audit (interop: GeneratedTokenAuditDetails), one row per voucher.
    `create table {schema}.issued_vouchers (
       jti uuid primary key,
       issued_at timestamptz not null,
       expires_at timestamptz not null,
       client_id uuid not null,
       client_kid text not null,
       assertion_jti text not null,
       purpose_id uuid not null,
       purpose_version_id uuid not null,
       agreement_id uuid not null,
       eservice_id uuid not null,
       descriptor_id uuid not null,
       consumer_id uuid not null,
       producer_id uuid not null,
       audience text[] not null,
       request_id text
     )`,
    `create index issued_vouchers_purpose on {schema}.issued_vouchers (purpose_id, issued_at desc)`,
  ),
];
