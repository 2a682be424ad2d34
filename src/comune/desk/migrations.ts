// The desk's tables of the comune schema: who handles an application, the operators' internal notes,
// the outcome letters, the legal due dates; appended to the comune list in src/comune/migrations.ts.
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
  sqlMigration(
    'desk.002_deadlines',
    // The legal due date of each application (store.ts refreshDeadlines computes it with deadline.ts): a row is
    // stale while computed_version lags version, which the triggers below bump in the transaction of every
    // status event and of every change of a service's days to answer.
    `create table {schema}.desk_deadlines (
       application_id uuid primary key references {schema}.applications(id) on delete cascade,
       version integer not null default 1,
       computed_version integer,
       due_on date,
       resumes_on date
     )`,
    `create index desk_deadlines_stale on {schema}.desk_deadlines (application_id) where computed_version is distinct from version`,
    `create index desk_deadlines_due on {schema}.desk_deadlines (due_on)`,
    `create function {schema}.desk_deadline_event() returns trigger language plpgsql as $$
     begin
       insert into {schema}.desk_deadlines (application_id) values (new.application_id)
         on conflict (application_id) do update set version = {schema}.desk_deadlines.version + 1;
       return null;
     end $$`,
    `create trigger application_events_desk_deadline after insert on {schema}.application_events
       for each row execute function {schema}.desk_deadline_event()`,
    `create function {schema}.desk_deadline_rule() returns trigger language plpgsql as $$
     begin
       update {schema}.desk_deadlines set version = version + 1
         where application_id in (select id from {schema}.applications where service_id = new.id);
       return null;
     end $$`,
    `create trigger services_desk_deadline after update of deadline_days on {schema}.services
       for each row when (old.deadline_days is distinct from new.deadline_days) execute function {schema}.desk_deadline_rule()`,
    // The backfill: every existing application starts stale and is computed on the desk's first read.
    `insert into {schema}.desk_deadlines (application_id) select id from {schema}.applications`,
  ),
  sqlMigration(
    'desk.letter_protocol_by_job',
    // A letter of an ente with an external protocol system is issued at once and numbered by a job later (desk/letter.ts).
    `alter table {schema}.desk_letters alter column protocol_id drop not null, alter column protocol_number drop not null,
       alter column protocol_year drop not null,
       add constraint desk_letters_protocol_complete check ((protocol_id is null) = (protocol_number is null) and (protocol_id is null) = (protocol_year is null))`,
  ),
];
