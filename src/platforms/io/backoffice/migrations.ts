// The back-office's tables in the io schema (its sessions are the app's, in ioMigrations): the login throttle and
// the staff accounts.
import { loginThrottleMigrations } from '../../../core/auth/throttle.ts';
import type { Migration } from '../../../core/migrations.ts';
import { backofficeAccountsMigration } from './accounts.ts';

export const backofficeMigrations: Migration[] = [...loginThrottleMigrations, backofficeAccountsMigration];
