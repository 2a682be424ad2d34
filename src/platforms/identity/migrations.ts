// The identity schema: people who can log in, onboarded relying parties, OP keys and OIDC state.
import { auditMigrations } from '../../core/audit.ts';
import { loginThrottleMigrations } from '../../core/auth/throttle.ts';
import { sqlMigration, type Migration } from '../../core/migrations.ts';

export const identityMigrations: Migration[] = [
  ...loginThrottleMigrations,
  ...auditMigrations,
  sqlMigration(
    'identity.001_users',
    `create table {schema}.users (
       id uuid primary key default gen_random_uuid(),
       username text not null unique,
       fiscal_code text not null unique check (fiscal_code ~ '^[A-Z0-9]{16}$'),
       given_name text not null,
       family_name text not null,
       sex char(1) not null check (sex in ('M', 'F')),
       birth_date date not null,
       birthplace_code text not null,
       birth_province text,
       email text not null,
       phone text not null,
       password_hash text not null,
       totp_secret text not null,
       card_number text unique check (card_number ~ '^[A-Z]{2}[0-9]{5}[A-Z]{2}$'),
       pin_hash text,
       created_at timestamptz not null default now()
     )`,
  ),
  sqlMigration(
    'identity.002_relying_parties',
    `create table {schema}.relying_parties (
       entity_id text primary key check (entity_id ~ '^https?://[^?#]+/$'),
       organization_name text not null,
       onboarded_at timestamptz not null default now(),
       active boolean not null default true
     )`,
  ),
  sqlMigration(
    'identity.003_signing_keys',
    `create table {schema}.signing_keys (
       op text not null,
       kid text not null,
       private_jwk jsonb not null,
       created_at timestamptz not null default now(),
       primary key (op, kid)
     )`,
  ),
  sqlMigration(
    'identity.004_oidc_models',
    `create table {schema}.oidc_models (
       model text not null,
       id text not null,
       payload jsonb not null,
       grant_id text,
       uid text,
       user_code text,
       expires_at timestamptz,
       consumed_at timestamptz,
       primary key (model, id)
     )`,
    'create index oidc_models_uid on {schema}.oidc_models (model, uid) where uid is not null',
    'create index oidc_models_user_code on {schema}.oidc_models (model, user_code) where user_code is not null',
    'create index oidc_models_grant_id on {schema}.oidc_models (grant_id) where grant_id is not null',
    'create index oidc_models_expires_at on {schema}.oidc_models (expires_at)',
  ),
];
