// The protocol tables of the comune schema (issue 5); appended to the comune list in src/comune/migrations.ts.
import { sqlMigration, type Migration } from '../../core/migrations.ts';

/** A trigger that refuses updates, deletes and truncation of a table: registers are append-only (DPR 445/2000 art. 53 c.3). */
const appendOnly = (table: string) => [
  `create trigger ${table}_no_change before update or delete on {schema}.${table}
     for each row execute function {schema}.protocol_append_only()`,
  `create trigger ${table}_no_truncate before truncate on {schema}.${table}
     for each statement execute function {schema}.protocol_append_only()`,
];

export const protocolMigrations: Migration[] = [
  sqlMigration(
    'protocol.001_register',
    `create function {schema}.protocol_append_only() returns trigger language plpgsql as $$
     begin
       raise exception 'the protocol register is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
     end $$`,
    // One counter row per AOO and year: its row lock serialises numbering, its rollback gives the number back.
    `create table {schema}.protocol_registers (
       tenant_id uuid not null references {schema}.tenants(id),
       year integer not null check (year between 2000 and 9999),
       last_number integer not null check (last_number > 0),
       last_registered_at timestamptz not null,
       primary key (tenant_id, year)
     )`,
    `create table {schema}.protocol_entries (
       id uuid primary key default gen_random_uuid(),
       tenant_id uuid not null references {schema}.tenants(id),
       year integer not null,
       number integer not null check (number > 0),
       registered_at timestamptz not null,
       direction text not null check (direction in ('incoming', 'outgoing')),
       subject text not null check (subject <> ''),
       correspondent jsonb not null,
       classification text not null,
       segnatura_xml text not null,
       unique (tenant_id, year, number)
     )`,
    `create table {schema}.protocol_documents (
       entry_id uuid not null references {schema}.protocol_entries(id),
       position integer not null check (position >= 0),
       name text not null,
       mime text not null,
       size integer not null check (size >= 0),
       sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
       primary key (entry_id, position)
     )`,
    // DPR 445/2000 art. 54: an annulled registration stays readable, with the annulment's date, reason and authorisation.
    `create table {schema}.protocol_annulments (
       entry_id uuid primary key references {schema}.protocol_entries(id),
       annulled_at timestamptz not null default now(),
       reason text not null check (reason <> ''),
       authorised_by text not null check (authorised_by <> '')
     )`,
    ...appendOnly('protocol_entries'),
    ...appendOnly('protocol_documents'),
    ...appendOnly('protocol_annulments'),
  ),
  sqlMigration(
    'protocol.002_settings',
    `create table {schema}.protocol_settings (
       tenant_id uuid primary key references {schema}.tenants(id),
       aoo_code text not null check (aoo_code ~ '^[A-Za-z0-9_.-]{1,16}$'),
       register_code text not null default 'PROT_GEN' check (register_code ~ '^[A-Za-z0-9_.-]{1,16}$'),
       adapter text not null default 'builtin' check (adapter in ('builtin', 'http')),
       http_base_url text,
       http_token_sealed text,
       updated_at timestamptz not null default now(),
       check (adapter = 'builtin' or (http_base_url is not null and http_token_sealed is not null))
     )`,
  ),
  sqlMigration(
    'protocol.003_linked_registration',
    // The earlier registration a document follows up (an integration to its application, a letter to it), in whichever register gave it.
    `alter table {schema}.protocol_entries add column linked_id text, add column linked_number integer, add column linked_year integer,
       add constraint protocol_entries_linked_complete check ((linked_id is null) = (linked_number is null) and (linked_id is null) = (linked_year is null))`,
  ),
  sqlMigration(
    'protocol.004_daily_registers',
    // The daily register kept for conservation (DPCM 3/12/2013 art. 7 c.5): one per ente and day, never changed; the PDF is in the document store by its SHA-256.
    `create table {schema}.protocol_daily_registers (
       tenant_id uuid not null references {schema}.tenants(id),
       day date not null,
       entries integer not null check (entries >= 0),
       sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
       size integer not null check (size > 0),
       produced_at timestamptz not null default now(),
       primary key (tenant_id, day)
     )`,
    ...appendOnly('protocol_daily_registers'),
  ),
];
