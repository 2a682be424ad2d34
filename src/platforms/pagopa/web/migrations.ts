// The consoles' tables in the pagopa schema: server-side sessions, the login throttle, the back-office
// accounts, the keys of the pagoPA app as a relying party of SPID/CIE; and the indexes of their lookups.
import { sessionMigrations } from '../../../core/auth/sessions.ts';
import { loginThrottleMigrations } from '../../../core/auth/throttle.ts';
import { sqlMigration, type Migration } from '../../../core/migrations.ts';
import { rpKeyMigrations } from '../../../clients/identity/rp-keys.ts';
import { backofficeAccountsMigration } from './accounts.ts';

export const consoleMigrations: Migration[] = [
  ...sessionMigrations,
  ...loginThrottleMigrations,
  backofficeAccountsMigration,
  ...rpKeyMigrations,
  // What the consoles look up beyond one institution's lists: a person's positions and receipts (as debtor or payer)
  // at every institution, an institution's positions of one debtor, and the flow rows of a receipt's IUV.
  sqlMigration(
    'pagopa.web.002_lookups',
    `create index debt_positions_debtor on {schema}.debt_positions (debtor_fiscal_code, institution_id)`,
    `create index receipts_debtor on {schema}.receipts (debtor_fiscal_code)`,
    `create index receipts_payer on {schema}.receipts ((payer -> 'uniqueIdentifier' ->> 'entityUniqueIdentifierValue'))`,
    `create index fdr_payments_iuv on {schema}.fdr_payments (iuv)`,
  ),
];
