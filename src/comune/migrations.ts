// The comune schema: tenants, staff accounts, citizens' profiles per tenant, the RP's keys.
import { sqlMigration, type Migration } from '../core/migrations.ts';
import { sessionMigrations } from '../core/auth/sessions.ts';
import { loginThrottleMigrations } from '../core/auth/throttle.ts';
import { auditMigrations } from '../core/audit.ts';
import { apiKeyMigrations } from '../core/auth/api-keys.ts';
import { jobMigrations } from '../core/jobs.ts';
import { catalogMigrations } from './catalog/migrations.ts';
import { formsMigrations } from './forms/migrations.ts';
import { protocolMigrations } from './protocol/migrations.ts';
import { applicationsMigrations } from './applications/migrations.ts';
import { deskMigrations } from './desk/migrations.ts';
import { webhooksMigrations } from './webhooks/migrations.ts';
import { ratingsMigrations } from './ratings/migrations.ts';
import { paymentsMigrations } from './payments/migrations.ts';
import { paymentReconciliationMigrations } from './payments/reconciliation/migrations.ts';
import { duesMigrations } from './payments/dues/migrations.ts';
import { messagingMigrations } from './messaging/migrations.ts';

export const comuneMigrations: Migration[] = [
  ...sessionMigrations,
  ...loginThrottleMigrations,
  ...auditMigrations,
  ...apiKeyMigrations,
  ...jobMigrations,
  sqlMigration(
    '001_tenants',
    `create table {schema}.tenants (
       id uuid primary key default gen_random_uuid(),
       slug text not null unique check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
       name text not null,
       ipa_code text not null unique,
       fiscal_code text not null,
       istat_code text not null,
       primary_color text not null default '#0066cc',
       logo_svg text,
       languages text[] not null default array['it'],
       email text,
       pec text,
       phone text,
       website text,
       street text,
       postcode text,
       accessibility_url text,
       parent_entity text,
       active boolean not null default true,
       created_at timestamptz not null default now()
     )`,
  ),
  sqlMigration(
    '002_staff',
    `create table {schema}.staff_users (
       id uuid primary key default gen_random_uuid(),
       tenant_id uuid references {schema}.tenants(id),
       role text not null check (role in ('operator', 'tenant_admin', 'platform_admin')),
       email text not null unique,
       given_name text not null,
       family_name text not null,
       password_hash text not null,
       totp_secret text,
       active boolean not null default true,
       created_at timestamptz not null default now(),
       created_by text,
       check ((role = 'platform_admin') = (tenant_id is null))
     )`,
    `create index staff_users_tenant_idx on {schema}.staff_users (tenant_id)`,
  ),
  sqlMigration(
    '003_citizens',
    `create table {schema}.citizens (
       id uuid primary key default gen_random_uuid(),
       tenant_id uuid not null references {schema}.tenants(id),
       fiscal_code text not null,
       given_name text not null,
       family_name text not null,
       birthdate date,
       email text,
       phone text,
       locale text not null default 'it' check (locale in ('it', 'en', 'de')),
       first_login_at timestamptz not null default now(),
       last_login_at timestamptz not null default now(),
       last_acr text,
       unique (tenant_id, fiscal_code)
     )`,
  ),
  sqlMigration(
    '004_rp_keys',
    `create table {schema}.rp_keys (
       purpose text primary key check (purpose in ('federation', 'core')),
       private_jwk jsonb not null,
       public_jwk jsonb not null,
       created_at timestamptz not null default now()
     )`,
  ),
  sqlMigration('005_citizen_email_verified', 'alter table {schema}.citizens add column email_verified_at timestamptz'),
  // Each ente's connection to PDND as a consumer (src/comune/interop): secrets sealed with core/secrets.
  sqlMigration(
    '006_pdnd_connections',
    `create table {schema}.pdnd_connections (
       tenant_id uuid primary key references {schema}.tenants(id),
       api_key_sealed text,
       client_id text,
       kid text,
       private_jwk_sealed text,
       public_key_pem text,
       purposes jsonb not null default '{}'::jsonb,
       status text not null default 'not-configured' check (status in ('not-configured', 'connected', 'error')),
       last_error_code text,
       last_error text,
       checked_at timestamptz,
       connected_at timestamptz,
       updated_at timestamptz not null default now()
     )`,
  ),
  // The services engine, in dependency order: services → forms → protocol register → applications.
  ...catalogMigrations,
  ...formsMigrations,
  ...protocolMigrations,
  ...applicationsMigrations,
  ...deskMigrations,
  ...webhooksMigrations,
  ...ratingsMigrations,
  ...paymentsMigrations,
  ...paymentReconciliationMigrations,
  ...duesMigrations,
  ...messagingMigrations,
];
