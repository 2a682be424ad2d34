// Registry officers' accounts (ufficiali d'anagrafe): e-mail, password and a mandatory TOTP second factor,
// since they read and write the registry of a whole comune. One comune (ISTAT code) per account.
import { randomBytes } from 'node:crypto';
import { CommandError } from '../../../core/cli.ts';
import { LocalAccounts } from '../../../core/auth/local-accounts.ts';
import { generateTotpSecret } from '../../../core/auth/totp.ts';
import type { Executor } from '../../../core/db.ts';
import type { AppContext, DemoAccount } from '../../../core/runtime.ts';
import { BUGLIANO, municipalityByIstat } from '../../../domain/municipalities.ts';
import { SCHEMA } from '../schema.ts';

export const OFFICERS_TABLE = 'officers';

export const officerAccounts = (db: Executor, secret: string) => new LocalAccounts(db, { schema: SCHEMA, table: OFFICERS_TABLE, totpSealKey: secret });

export interface DemoOfficer {
  istatCode: string;
  email: string;
  name: string;
  password: string;
  /** Base32, documented so a person can add it to an authenticator app. */
  totpSecret: string;
}

export const DEMO_OFFICERS: readonly DemoOfficer[] = [
  { istatCode: BUGLIANO.istatCode, email: 'anagrafe@comune.bugliano.pi.it', name: 'Paola Conti', password: 'Bugliano-Anagrafe-2026', totpSecret: 'BUGLIANOANAGRAFE' },
  { istatCode: '050038', email: 'anagrafe@demo.comune.vicopisano.example', name: 'Roberto Fontana', password: 'Vicopisano-Anagrafe-2026', totpSecret: 'VICOPISANOUFFICI' },
];

export async function seedDemoOfficers(db: Executor, secret: string): Promise<void> {
  for (const o of DEMO_OFFICERS) await officerAccounts(db, secret).upsert({ tenantId: o.istatCode, email: o.email, name: o.name, password: o.password, totpSecret: o.totpSecret });
}

export function anprDemoAccounts(ctx: AppContext): DemoAccount[] {
  return DEMO_OFFICERS.map((o) => ({
    who: `ANPR registry officer — ${municipalityByIstat(o.istatCode)!.name} (${o.istatCode})`,
    login: `${ctx.config.urls.anpr}/ufficio/accedi  ${o.email}`,
    secret: `${o.password}  (TOTP ${o.totpSecret})`,
  }));
}

/** Creates (or resets) an officer of a comune with a fresh password and TOTP secret, returned to show once. */
export async function createOfficer(db: Executor, secret: string, input: { istatCode: string; email: string; name: string }): Promise<{ password: string; totpSecret: string }> {
  if (!municipalityByIstat(input.istatCode)) throw new RangeError(`No comune has ISTAT code ${input.istatCode}`);
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(input.email)) throw new RangeError(`Not an e-mail address: ${input.email}`);
  if (!input.name.trim()) throw new RangeError('The officer needs a name');
  const password = randomBytes(15).toString('base64url');
  const totpSecret = generateTotpSecret();
  await officerAccounts(db, secret).upsert({ tenantId: input.istatCode, email: input.email, name: input.name.trim(), password, totpSecret });
  return { password, totpSecret };
}

export const ANPR_USAGE = `Usage:
  officer create <istat code> <e-mail> <name...>   a registry officer of the comune (password and TOTP secret shown once)`;

/** The `sportello anpr` command; returns the lines to print. Throws on bad usage. */
export async function runAnprCommand(db: Executor, secret: string, args: string[]): Promise<string[]> {
  const [command, sub, istatCode, email, ...name] = args;
  if (command !== 'officer' || sub !== 'create' || !istatCode || !email || !name.length) throw new CommandError(ANPR_USAGE);
  const created = await createOfficer(db, secret, { istatCode, email, name: name.join(' ') });
  return [
    `Registry officer ${email.trim().toLowerCase()} of ${municipalityByIstat(istatCode)!.name} (${istatCode}); shown only now:`,
    `  password     ${created.password}`,
    `  TOTP secret  ${created.totpSecret}  (add it to an authenticator app)`,
  ];
}
