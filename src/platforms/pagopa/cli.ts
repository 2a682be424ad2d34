// Command line of pagoPA, for the platform's operators (same configuration as the apps):
//   npx sportello pagopa operator-key create [label]                  a key of the onboarding API /admin/v1 (shown once)
//   npx sportello pagopa institutions                                 the creditor institutions, their stations and IBANs
//   npx sportello pagopa subscription-key create <fiscal code> [label] a GPD subscription key of an institution (shown once)
import type { Executor } from '../../core/db.ts';
import { createApiKey } from '../../core/auth/api-keys.ts';
import { CommandError } from '../../core/cli.ts';
import { OPERATOR_KEY_OWNER } from './admin.ts';
import { SUBSCRIPTION_KEY_OWNER } from './api.ts';
import { institutionByFiscalCode, listInstitutions } from './institutions.ts';
import { SCHEMA } from './schema.ts';

export const PAGOPA_USAGE = `Usage:
  operator-key create [label]                     a key of the onboarding API /admin/v1 (shown once, stored hashed)
  institutions                                    the creditor institutions with their stations and IBANs
  subscription-key create <fiscal code> [label]   a GPD subscription key of an institution (shown once, stored hashed)`;

/** Runs one command; returns the lines to print. Throws on bad usage. */
export async function runPagopaCommand(db: Executor, args: string[]): Promise<string[]> {
  const [command, sub, ...rest] = args;
  if (command === 'operator-key' && sub === 'create') {
    const { key } = await createApiKey(db, SCHEMA, { ownerType: OPERATOR_KEY_OWNER, ownerId: 'pagopa', label: rest[0] ?? 'cli' });
    return [`Operator key (shown once): ${key}`];
  }
  if (command === 'institutions') {
    return (await listInstitutions(db)).map((i) => {
      const code = i.auxDigit === 3 ? `segregation code ${i.segregationCode}` : i.auxDigit === 0 ? `application code ${i.applicationCode}` : 'aux digit 2';
      return `${i.fiscalCode}  ${i.companyName}  station ${i.stationId}, aux digit ${i.auxDigit}, ${code}  IBAN ${i.ibans.map((b) => b.iban).join(', ') || '-'}`;
    });
  }
  if (command === 'subscription-key' && sub === 'create') {
    const institution = rest[0] ? await institutionByFiscalCode(db, rest[0]) : undefined;
    if (!institution) throw new CommandError(`No creditor institution with fiscal code ${rest[0] ?? '(missing)'} on pagoPA`);
    const { key } = await createApiKey(db, SCHEMA, { ownerType: SUBSCRIPTION_KEY_OWNER, ownerId: institution.id, label: rest[1] ?? 'cli' });
    return [`Subscription key of ${institution.companyName} (shown once): ${key}`];
  }
  throw new CommandError(PAGOPA_USAGE);
}
