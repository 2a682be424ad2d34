// The forms tables of the comune schema (issue 5); appended to the comune list in src/comune/migrations.ts.
import { sqlMigration, type Migration } from '../../core/migrations.ts';

export const formsMigrations: Migration[] = [
  // A form keeps its id across versions: services point at the id, applications at (id, version).
  sqlMigration(
    'forms.001_forms',
    `create table {schema}.forms (
       id uuid not null,
       version integer not null check (version > 0),
       tenant_id uuid not null references {schema}.tenants(id),
       name text not null,
       schema jsonb not null,
       created_at timestamptz not null default now(),
       created_by text,
       primary key (id, version)
     )`,
    `create index forms_tenant_idx on {schema}.forms (tenant_id, name)`,
  ),
  // Uploaded files' metadata; the bytes live content-addressed under DATA_DIR/uploads (forms/files.ts).
  sqlMigration(
    'forms.002_uploaded_files',
    `create table {schema}.uploaded_files (
       id uuid primary key default gen_random_uuid(),
       tenant_id uuid not null references {schema}.tenants(id),
       owner text not null,
       form_id uuid,
       sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
       size bigint not null check (size > 0),
       mime text not null,
       original_name text not null,
       created_at timestamptz not null default now()
     )`,
    `create index uploaded_files_owner_idx on {schema}.uploaded_files (tenant_id, owner, form_id)`,
  ),
];
