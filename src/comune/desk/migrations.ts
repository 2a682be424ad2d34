// The desk's tables of the comune schema: who handles an application, the operators' internal notes,
// the outcome letters; appended to the comune list in src/comune/migrations.ts.
import { sqlMigration, type Migration } from '../../core/migrations.ts';

export const deskMigrations: Migration[] = [
  sqlMigration(
    'desk.001_assignments_notes_letters',
    `create table {schema}.desk_assignments (
       application_id uuid primary key references {schema}.applications(id),
       staff_user_id uuid not null references {schema}.staff_users(id),
       assigned_by uuid not null references {schema}.staff_users(id),
       assigned_at timestamptz not null default now()
     )`,
    `create index desk_assignments_by_staff on {schema}.desk_assignments (staff_user_id)`,
    // Internal: never shown to the applicant (their messages are timeline events).
    `create table {schema}.desk_notes (
       id bigserial primary key,
       application_id uuid not null references {schema}.applications(id),
       author_id uuid not null references {schema}.staff_users(id),
       body text not null check (length(body) between 1 and 4000),
       at timestamptz not null default now()
     )`,
    `create index desk_notes_by_application on {schema}.desk_notes (application_id, id)`,
    `create table {schema}.desk_letters (
       application_id uuid primary key references {schema}.applications(id),
       outcome integer not null check (outcome in (7000, 9000)),
       motivation text not null,
       sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
       file_name text not null,
       signed boolean not null default false,
       protocol_id text not null,
       protocol_number integer not null,
       protocol_year integer not null,
       created_by uuid not null references {schema}.staff_users(id),
       created_at timestamptz not null default now()
     )`,
  ),
];
