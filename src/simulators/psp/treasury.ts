// The treasury bank: the institutions' accounts and the SEPA credit transfers the PSPs send them, and the
// account statement each holder reads with its own key (an account of another holder is not there for it).
import { Type } from '@sinclair/typebox';
import type { App } from '../../core/http.ts';
import { sql, type Executor } from '../../core/db.ts';
import { createApiKey, verifyApiKey } from '../../core/auth/api-keys.ts';
import { notFound, unauthorized } from '../../core/problem.ts';
import { DEMO_CREDITOR_INSTITUTIONS } from '../../clients/pagopa/demo.ts';
import { demoTreasuryKey, MovementsSchema, TREASURY_PREFIX, type Movement } from '../../clients/psp/treasury.ts';
import { SCHEMA } from './schema.ts';

/** Owner type of the account holders' keys in psp.api_keys (owner id: the holder's fiscal code). */
export const ACCOUNT_HOLDER_KEY_OWNER = 'account_holder';

export interface Transfer {
  iban: string;
  valueDate: string;
  amountCents: number;
  trn: string;
  remittanceInformation: string;
  debtorName: string;
  debtorIban: string;
  /** The reporting flow a PSP's cumulative transfer pays. */
  fdr?: string;
}

/** Books an incoming credit transfer; the same TRN twice is one movement. */
export async function bookTransfer(db: Executor, transfer: Transfer): Promise<void> {
  await sql`insert into ${sql.table(`${SCHEMA}.movements`)} (iban, value_date, amount_cents, trn, remittance_information, debtor_name, debtor_iban, fdr)
    values (${transfer.iban}, ${transfer.valueDate}, ${transfer.amountCents}, ${transfer.trn}, ${transfer.remittanceInformation}, ${transfer.debtorName}, ${transfer.debtorIban}, ${transfer.fdr ?? null})
    on conflict (trn) do nothing`.execute(db);
}

export async function accountHolder(db: Executor, iban: string): Promise<string | undefined> {
  const { rows } = await sql<{ holder_fiscal_code: string }>`select holder_fiscal_code from ${sql.table(`${SCHEMA}.treasury_accounts`)} where iban = ${iban}`.execute(db);
  return rows[0]?.holder_fiscal_code;
}

export async function listMovements(db: Executor, iban: string, range: { from?: string; to?: string }): Promise<Movement[]> {
  const { rows } = await sql<{ id: string; value_date: string; amount_cents: number; trn: string; remittance_information: string; debtor_name: string; debtor_iban: string }>`
    select id, value_date, amount_cents, trn, remittance_information, debtor_name, debtor_iban from ${sql.table(`${SCHEMA}.movements`)}
    where iban = ${iban} and value_date >= ${range.from ?? '0001-01-01'}::date and value_date <= ${range.to ?? '9999-12-31'}::date
    order by value_date, created_at, trn`.execute(db);
  return rows.map((r) => ({
    id: r.id,
    valueDate: r.value_date,
    amount: r.amount_cents,
    trn: r.trn,
    remittanceInformation: r.remittance_information,
    debtorName: r.debtor_name,
    debtorIban: r.debtor_iban,
  }));
}

/** The demo institutions' treasury accounts and their holders' keys, derived from SECRET as the comune derives them. */
export async function seedTreasury(db: Executor, secret: string): Promise<void> {
  for (const demo of DEMO_CREDITOR_INSTITUTIONS) {
    await sql`insert into ${sql.table(`${SCHEMA}.treasury_accounts`)} (iban, holder_fiscal_code, holder_name)
      values (${demo.iban}, ${demo.fiscalCode}, ${demo.companyName}) on conflict (iban) do nothing`.execute(db);
    await createApiKey(db, SCHEMA, { ownerType: ACCOUNT_HOLDER_KEY_OWNER, ownerId: demo.fiscalCode, label: `demo: ${demo.companyName}`, key: demoTreasuryKey(secret, demo.fiscalCode) });
  }
}

const DateParam = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', format: 'date' });

export function registerTreasuryApi(app: App, db: Executor): void {
  app.get(
    `${TREASURY_PREFIX}/accounts/:iban/movements`,
    {
      schema: {
        tags: ['tesoreria'],
        summary: 'Incoming credit transfers on an account of the caller (account statement), oldest first',
        security: [{ bearerAuth: [] }],
        params: Type.Object({ iban: Type.String({ pattern: '^[A-Z]{2}[0-9]{2}[A-Z0-9]{1,30}$' }) }),
        querystring: Type.Object({
          from: Type.Optional({ ...DateParam, description: 'first value date, inclusive' }),
          to: Type.Optional({ ...DateParam, description: 'last value date, inclusive' }),
        }),
        response: { 200: MovementsSchema, 401: Type.Ref('Problem'), 404: Type.Ref('Problem') },
      },
    },
    async (request) => {
      const header = request.headers.authorization ?? '';
      const key = header.startsWith('Bearer ') ? await verifyApiKey(db, SCHEMA, header.slice(7)) : undefined;
      if (!key || key.ownerType !== ACCOUNT_HOLDER_KEY_OWNER) throw unauthorized('An account holder’s key is required in Authorization: Bearer.');
      // Another holder's account answers like a missing one: a key does not learn which IBANs the bank keeps.
      if ((await accountHolder(db, request.params.iban)) !== key.ownerId) throw notFound(`No account ${request.params.iban} of yours at this bank`);
      return { movements: await listMovements(db, request.params.iban, request.query) };
    },
  );
}
