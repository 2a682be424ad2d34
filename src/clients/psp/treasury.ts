// The treasury bank's account statement as an institution reads it (the PSP and bank simulator, app `psp`):
// incoming SEPA credit transfers on one of its accounts, amounts in euro cents. A PSP's cumulative transfer
// of a day's payments carries "/PUR/LGPE-RIVERSAMENTO/URI/<identificativoFlusso>" (pagoPA SACI §6, reference §5.1).
import { Type, type Static } from '@sinclair/typebox';
import type { Problem } from '../../core/problem.ts';
import { derivedApiKey } from '../../core/auth/api-keys.ts';
import { ProblemError, readProblem } from '../problem.ts';

export const TREASURY_PREFIX = '/tesoreria/v1';

export const MovementSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  valueDate: Type.String({ format: 'date', description: 'value date of the credit' }),
  amount: Type.Integer({ minimum: 1, description: 'euro cents' }),
  trn: Type.String({ description: 'Transaction Reference Number of the SEPA credit transfer' }),
  remittanceInformation: Type.String({ description: 'unstructured remittance (AT-05)' }),
  debtorName: Type.String(),
  debtorIban: Type.String(),
});
export type Movement = Static<typeof MovementSchema>;

export const MovementsSchema = Type.Object({ movements: Type.Array(MovementSchema) });

/**
 * Demo provisioning only: the simulator's seed and the comune derive an institution's key to its treasury
 * statement from the shared SECRET (holder = the institution's fiscal code); a real ente gets it from its bank.
 */
export const demoTreasuryKey = (secret: string, holderFiscalCode: string): string => derivedApiKey(secret, 'treasury-demo-key', holderFiscalCode);

/** The remittance of a PSP's cumulative transfer for one reporting flow. */
export const cumulativeRemittance = (fdr: string) => `/PUR/LGPE-RIVERSAMENTO/URI/${fdr}`;

export class TreasuryError extends ProblemError {
  constructor(status: number, problem: Problem) {
    super(status, problem, 'The treasury bank');
  }
}

export interface TreasuryClientOptions {
  /** The PSP and bank simulator's URL (or a real treasury gateway's), without a trailing slash. */
  baseUrl: string;
  /** The account holder's key. */
  apiKey: string;
  timeoutMs?: number;
}

export interface TreasuryClient {
  /** Incoming transfers on `iban` with value date between `from` and `to` (YYYY-MM-DD, inclusive), oldest first. */
  movements(iban: string, range?: { from?: string; to?: string }): Promise<Movement[]>;
}

export function treasuryClient(options: TreasuryClientOptions): TreasuryClient {
  return {
    async movements(iban, range = {}) {
      const query = new URLSearchParams(Object.entries(range).filter((entry): entry is [string, string] => entry[1] !== undefined));
      const url = `${options.baseUrl.replace(/\/$/, '')}${TREASURY_PREFIX}/accounts/${encodeURIComponent(iban)}/movements${query.size ? `?${query}` : ''}`;
      const response = await fetch(url, {
        headers: { authorization: `Bearer ${options.apiKey}`, accept: 'application/json' },
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      if (!response.ok) throw new TreasuryError(response.status, await readProblem(response));
      return ((await response.json()) as Static<typeof MovementsSchema>).movements;
    },
  };
}
