// Back-office accounts: staff of a creditor institution (tenant = its fiscal code) or the platform's operators
// (tenant OPERATOR_TENANT, who see every institution). E-mail, password and a TOTP second factor, since they
// read whole institutions' debtors and payments.
import { LocalAccounts, localAccountsMigration } from '../../../core/auth/local-accounts.ts';
import type { Executor } from '../../../core/db.ts';
import type { DemoAccount } from '../../../core/runtime.ts';
import { DEMO_CREDITOR_INSTITUTIONS } from '../../../clients/pagopa/demo.ts';
import { SCHEMA } from '../schema.ts';

/** The tenant of the platform operators' accounts (a fiscal code is 11 digits, so it never collides). */
export const OPERATOR_TENANT = 'pagopa';

export const backofficeAccountsMigration = localAccountsMigration('pagopa.web.001_backoffice_accounts', 'backoffice_accounts', 'text', { totp: true });

export const backofficeAccounts = (db: Executor, secret: string) => new LocalAccounts(db, { schema: SCHEMA, table: 'backoffice_accounts', totpSealKey: secret });

export interface DemoStaff {
  tenant: string;
  email: string;
  name: string;
  password: string;
  /** Base32, documented so a person can add it to an authenticator app. */
  totpSecret: string;
}

const [bugliano, vicopisano] = DEMO_CREDITOR_INSTITUTIONS;

export const DEMO_STAFF = [
  { tenant: bugliano.fiscalCode, email: 'pagopa@comune.bugliano.pi.it', name: 'Sara Galli', password: 'Bugliano-PagoPA-2026', totpSecret: 'BUGLIANOPAGOPAEC' },
  { tenant: vicopisano.fiscalCode, email: 'pagopa@demo.comune.vicopisano.example', name: 'Luca Moretti', password: 'Vicopisano-PagoPA-2026', totpSecret: 'VICOPISANOPAGOPA' },
  { tenant: OPERATOR_TENANT, email: 'operatore@pagopa.demo.example', name: 'Operatore pagoPA', password: 'Operatore-PagoPA-2026', totpSecret: 'OPERATOREPAGOPAX' },
] as const satisfies readonly DemoStaff[];

export async function seedBackofficeAccounts(db: Executor, secret: string): Promise<void> {
  const accounts = backofficeAccounts(db, secret);
  for (const s of DEMO_STAFF) await accounts.upsert({ tenantId: s.tenant, email: s.email, name: s.name, password: s.password, totpSecret: s.totpSecret });
}

export function backofficeDemoAccounts(pagopaUrl: string): DemoAccount[] {
  return DEMO_STAFF.map((s) => ({
    who: `pagoPA back-office — ${DEMO_CREDITOR_INSTITUTIONS.find((d) => d.fiscalCode === s.tenant)?.companyName ?? 'platform operator'}`,
    login: `${pagopaUrl}/backoffice/accedi  ${s.email}`,
    secret: `${s.password}  (TOTP ${s.totpSecret})`,
  }));
}
