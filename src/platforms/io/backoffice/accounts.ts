// Back-office accounts: a public body's developers and technical referents (tenant = the body's fiscal code) or
// the platform's operators (tenant OPERATOR_TENANT: every body, and the onboarding of new ones). E-mail, password
// and a TOTP second factor, since a key read here sends messages to any citizen.
import { LocalAccounts, localAccountsMigration } from '../../../core/auth/local-accounts.ts';
import type { Executor } from '../../../core/db.ts';
import type { DemoAccount } from '../../../core/runtime.ts';
import { DEMO_IO_SERVICES } from '../../../clients/io/demo.ts';
import { SCHEMA } from '../schema.ts';

/** The tenant of the platform operators' accounts (a body's fiscal code is 11 digits, so it never collides). */
export const OPERATOR_TENANT = 'io';

export const backofficeAccountsMigration = localAccountsMigration('io.backoffice.001_accounts', 'backoffice_accounts', 'text', { totp: true });

export const backofficeAccounts = (db: Executor, secret: string) => new LocalAccounts(db, { schema: SCHEMA, table: 'backoffice_accounts', totpSealKey: secret });

const [bugliano] = DEMO_IO_SERVICES;

export const DEMO_IO_STAFF = [
  { tenant: OPERATOR_TENANT, email: 'io-operatore@pagopa.example', name: 'Operatore IO', password: 'Operatore-IO-2026', totpSecret: 'OPERATOREIOPAGOP' },
  { tenant: bugliano.organizationFiscalCode, email: 'io@comune.bugliano.pi.it', name: 'Marta Conti', password: 'Bugliano-IO-2026', totpSecret: 'BUGLIANOIOSERVIZ' },
] as const;

export async function seedBackofficeAccounts(db: Executor, secret: string): Promise<void> {
  const accounts = backofficeAccounts(db, secret);
  for (const s of DEMO_IO_STAFF) await accounts.upsert({ tenantId: s.tenant, email: s.email, name: s.name, password: s.password, totpSecret: s.totpSecret });
}

export function backofficeDemoAccounts(ioUrl: string): DemoAccount[] {
  return DEMO_IO_STAFF.map((s) => ({
    who: `IO back-office — ${s.tenant === OPERATOR_TENANT ? 'platform operator' : bugliano.organizationName}`,
    login: `${ioUrl}/backoffice/accedi  ${s.email}`,
    secret: `${s.password}  (TOTP ${s.totpSecret})`,
  }));
}
