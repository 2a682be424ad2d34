// The consoles' tables in the pagopa schema: server-side sessions, the login throttle, the back-office
// accounts, and the keys of the pagoPA app as a relying party of SPID/CIE.
import { sessionMigrations } from '../../../core/auth/sessions.ts';
import { loginThrottleMigrations } from '../../../core/auth/throttle.ts';
import type { Migration } from '../../../core/migrations.ts';
import { rpKeyMigrations } from '../../../clients/identity/rp-keys.ts';
import { backofficeAccountsMigration } from './accounts.ts';

export const consoleMigrations: Migration[] = [...sessionMigrations, ...loginThrottleMigrations, backofficeAccountsMigration, ...rpKeyMigrations];
