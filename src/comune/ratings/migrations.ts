// The page ratings table of the comune schema; appended to the comune list in src/comune/migrations.ts.
import { sqlMigration, type Migration } from '../../core/migrations.ts';

export const ratingsMigrations: Migration[] = [
  // Anonymous by design: no citizen, session or address is stored with a rating.
  sqlMigration(
    'ratings.001_page_ratings',
    `create table {schema}.page_ratings (
       id uuid primary key default gen_random_uuid(),
       tenant_id uuid not null references {schema}.tenants(id),
       page text not null,
       stars smallint not null check (stars between 1 and 5),
       reason text,
       comment text check (char_length(comment) <= 200),
       locale text not null check (locale in ('it', 'en', 'de')),
       created_at timestamptz not null default now()
     )`,
    `create index page_ratings_tenant_page_idx on {schema}.page_ratings (tenant_id, page, created_at)`,
  ),
];
