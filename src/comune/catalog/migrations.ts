// The catalog tables of the comune schema (issue 5); appended to the comune list in src/comune/migrations.ts.
import { sqlMigration, type Migration } from '../../core/migrations.ts';

export const catalogMigrations: Migration[] = [
  sqlMigration(
    'catalog.001_catalog',
    `create table {schema}.service_categories (
       id uuid primary key default gen_random_uuid(),
       tenant_id uuid not null references {schema}.tenants(id),
       slug text not null check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
       names jsonb not null,
       descriptions jsonb not null default '{}'::jsonb,
       position integer not null default 0,
       unique (tenant_id, slug)
     )`,
    `create table {schema}.offices (
       id uuid primary key default gen_random_uuid(),
       tenant_id uuid not null references {schema}.tenants(id),
       name text not null,
       email text,
       phone text,
       address text,
       opening_hours text,
       created_at timestamptz not null default now()
     )`,
    `create index offices_tenant_idx on {schema}.offices (tenant_id)`,
    `create table {schema}.office_members (
       office_id uuid not null references {schema}.offices(id) on delete cascade,
       staff_user_id uuid not null references {schema}.staff_users(id),
       primary key (office_id, staff_user_id)
     )`,
    `create index office_members_staff_idx on {schema}.office_members (staff_user_id)`,
    `create table {schema}.services (
       id uuid primary key default gen_random_uuid(),
       tenant_id uuid not null references {schema}.tenants(id),
       slug text not null check (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
       category_id uuid references {schema}.service_categories(id),
       status text not null check (status in ('draft', 'active', 'suspended', 'hidden')),
       active_from date,
       active_to date,
       access_level text not null check (access_level in ('anonymous', 'spid-l1', 'spid-l2', 'spid-l3')),
       office_id uuid references {schema}.offices(id),
       deadline_days integer not null check (deadline_days between 1 and 365),
       protocol_required boolean not null default true,
       form_id uuid,
       content jsonb not null,
       topics text[] not null default '{}',
       life_events text[] not null default '{}',
       channels text[] not null default '{}',
       created_at timestamptz not null default now(),
       updated_at timestamptz not null default now(),
       unique (tenant_id, slug),
       check (active_from is null or active_to is null or active_from <= active_to)
     )`,
    `create index services_tenant_category_idx on {schema}.services (tenant_id, category_id)`,
  ),
];
