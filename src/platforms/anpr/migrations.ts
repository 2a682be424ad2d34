// The anpr schema. `events` is the record (append-only, see model.ts for the event-sourced, bitemporal
// design); `persons` and `family_members` are projections of it kept in the same transaction, for lookups,
// officers' scoping and "stato di famiglia" at a date; the rest are procedures and the e-service access log.
import { auditMigrations } from '../../core/audit.ts';
import { apiKeyMigrations } from '../../core/auth/api-keys.ts';
import { sessionMigrations } from '../../core/auth/sessions.ts';
import { localAccountsMigration } from '../../core/auth/local-accounts.ts';
import { loginThrottleMigrations } from '../../core/auth/throttle.ts';
import { sqlMigration, type Migration } from '../../core/migrations.ts';
import { rpKeyMigrations } from '../../clients/identity/rp-keys.ts';
import { voucherCallCounterMigrations } from '../../clients/pdnd/voucher.ts';

export const anprMigrations: Migration[] = [
  ...auditMigrations,
  ...apiKeyMigrations,
  ...voucherCallCounterMigrations,
  sqlMigration(
    'anpr.001_events',
    `create table {schema}.events (
       seq bigserial primary key,
       id_anpr text not null,
       type text not null,
       effective_date date not null,
       recorded_at timestamptz not null default now(),
       recorded_by text not null,
       data jsonb not null
     )`,
    `create index events_person on {schema}.events (id_anpr, seq)`,
    `create function {schema}.events_append_only() returns trigger language plpgsql as $$
     begin
       raise exception 'the ANPR record is append-only: % refused (corrections are new events)', tg_op using errcode = 'insufficient_privilege';
     end $$`,
    `create trigger events_no_change before update or delete on {schema}.events
       for each row execute function {schema}.events_append_only()`,
  ),
  sqlMigration(
    'anpr.002_projections',
    `create table {schema}.persons (
       id_anpr text primary key,
       fiscal_code text not null unique,
       family_name text not null,
       given_name text not null,
       sex char(1) not null,
       birth_date date not null,
       status text not null check (status in ('resident', 'aire', 'deceased')),
       comune_istat text not null,
       family_id text,
       death_date date,
       updated_at timestamptz not null default now()
     )`,
    `create index persons_comune on {schema}.persons (comune_istat)`,
    `create index persons_family on {schema}.persons (family_id)`,
    `create table {schema}.family_members (
       family_id text not null,
       id_anpr text not null,
       relationship text not null,
       valid_from date not null,
       valid_to date,
       primary key (family_id, id_anpr, valid_from)
     )`,
    `create index family_members_person on {schema}.family_members (id_anpr)`,
    `create sequence {schema}.person_serial minvalue 0 start 0`,
    `create sequence {schema}.family_serial minvalue 0 start 0`,
  ),
  sqlMigration(
    'anpr.003_procedures',
    `create table {schema}.residence_declarations (
       id uuid primary key default gen_random_uuid(),
       declarant_id text not null,
       istat_code text not null,
       declared_on date not null,
       address jsonb not null,
       movers text[] not null,
       family_id text not null,
       decision text check (decision in ('confirmed', 'rejected')),
       decided_on date,
       reason text,
       decided_by text,
       created_by text not null,
       created_at timestamptz not null default now()
     )`,
    `create index residence_declarations_comune on {schema}.residence_declarations (istat_code, declared_on desc)`,
    `create index residence_declarations_declarant on {schema}.residence_declarations (declarant_id)`,
    `create table {schema}.rectification_requests (
       id uuid primary key default gen_random_uuid(),
       id_anpr text not null,
       istat_code text not null,
       requested_on date not null,
       fields jsonb not null,
       motivation text not null,
       state text not null default 'pending' check (state in ('pending', 'accepted', 'rejected')),
       decided_on date,
       reason text,
       decided_by text,
       created_by text not null,
       created_at timestamptz not null default now()
     )`,
    `create index rectification_requests_person on {schema}.rectification_requests (id_anpr)`,
    `create index rectification_requests_comune on {schema}.rectification_requests (istat_code, state)`,
  ),
  sqlMigration(
    'anpr.004_access_log',
    `create table {schema}.access_log (
       id bigserial primary key,
       at timestamptz not null default now(),
       consumer_id text not null,
       consumer_name text,
       purpose_id text,
       eservice text not null,
       fiscal_code text not null,
       id_anpr text,
       outcome text not null check (outcome in ('found', 'not-found')),
       as_of date,
       request_id text
     )`,
    `create index access_log_person on {schema}.access_log (id_anpr, at desc)`,
    `create index access_log_consumer on {schema}.access_log (consumer_id, at desc)`,
  ),
  // The ANPR pages (citizen area, registry office) keep server-side sessions.
  ...sessionMigrations,
  // Issued certificates (certificates/service.ts): what was certified (a snapshot) and the PDF's hash, for
  // public verification; one contrassegno (marca da bollo) pays for one certificate only.
  sqlMigration(
    'anpr.005_certificates',
    `create table {schema}.certificates (
       code text primary key,
       kind text not null,
       subject_id text not null,
       subject_fiscal_code text not null,
       requester_id text not null,
       requester_fiscal_code text not null,
       exempt_use text,
       bollo_id text,
       issued_on date not null,
       issued_at timestamptz not null,
       reference_date date not null,
       valid_until date,
       content jsonb not null,
       pdf_sha256 text not null,
       check ((exempt_use is null) <> (bollo_id is null))
     )`,
    `create unique index certificates_bollo on {schema}.certificates (bollo_id) where bollo_id is not null`,
    `create index certificates_requester on {schema}.certificates (requester_fiscal_code, issued_at desc)`,
    `create index certificates_subject on {schema}.certificates (subject_id, issued_at desc)`,
  ),
  // The citizen area is a relying party of SPID/CIE: its keys (src/clients/identity/rp-keys.ts).
  ...rpKeyMigrations,
  // Declarations of residence are filed at the registry office or online by the declarant (citizen area);
  // a citizen lists the declarations that moved them, as declarant or mover.
  sqlMigration(
    'anpr.citizen.001_declaration_channel',
    `alter table {schema}.residence_declarations add column channel text not null default 'office' check (channel in ('office', 'online'))`,
    `create index residence_declarations_movers on {schema}.residence_declarations using gin (movers)`,
  ),
  // Registry officers sign in with e-mail, password and TOTP (office/accounts.ts); failed attempts are throttled.
  ...loginThrottleMigrations,
  localAccountsMigration('anpr.office.001_officers', 'officers', 'text', { totp: true }),
];
