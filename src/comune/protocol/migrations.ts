// The protocol tables of the comune schema (issue 5); appended to the comune list in src/comune/migrations.ts.
import type { Migration } from '../../core/migrations.ts';

export const protocolMigrations: Migration[] = [];
