// GPD's massive upload: each file as received (its positions kept until processed) with its counters, and the
// outcome of every chunk of it, written in the transaction that creates the chunk's positions.
import { sqlMigration } from '../../../core/migrations.ts';

export const bulkMigration = sqlMigration(
  'pagopa.030_bulk_uploads',
  `create table {schema}.bulk_uploads (
     id uuid primary key default gen_random_uuid(),
     institution_id uuid not null references {schema}.creditor_institutions (id),
     broker_code text not null,
     positions jsonb,
     submitted_item integer not null check (submitted_item > 0),
     processed_item integer not null default 0,
     next_chunk integer not null default 0,
     start_time timestamptz not null default now(),
     end_time timestamptz,
     check (processed_item <= submitted_item)
   )`,
  `create index bulk_uploads_institution on {schema}.bulk_uploads (institution_id, start_time desc)`,
  // outcomes: [{iupd, statusCode, statusMessage, nav[]}] in the order of the file.
  `create table {schema}.bulk_upload_chunks (
     upload_id uuid not null references {schema}.bulk_uploads (id) on delete cascade,
     chunk integer not null,
     outcomes jsonb not null,
     primary key (upload_id, chunk)
   )`,
);

// The file is read back whole by the job, never queried inside: json keeps the text as received, without
// jsonb's parse on the way in and its rendering on the way out.
export const bulkFileAsJsonMigration = sqlMigration('pagopa.031_bulk_upload_file_json', `alter table {schema}.bulk_uploads alter column positions type json`);
