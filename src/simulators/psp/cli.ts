// Command line of the PSP simulator (same configuration as the apps; pagoPA reached at PAGOPA_URL):
//   npx sportello psp close-day [YYYY-MM-DD] [idPSP]   the day closing of every demo PSP (or one): FdR published, credit transfers booked
import { CommandError } from '../../core/cli.ts';
import type { AppContext } from '../../core/runtime.ts';
import { pspConnections } from './app.ts';
import { closeDay } from './closing.ts';
import { COUNTERS_LIST } from './counters.ts';
import { romeDay } from './payments.ts';

export const PSP_USAGE = `Usage:
  close-day [YYYY-MM-DD] [idPSP]   closes the operating day (default today, Europe/Rome) of every demo PSP or of one:
                                   one reporting flow per institution published on pagoPA, one credit transfer each`;

/** Runs one command; returns the lines to print. Throws on bad usage. */
export async function runPspCommand(ctx: AppContext, args: string[]): Promise<string[]> {
  const [command, ...rest] = args;
  if (command !== 'close-day') throw new CommandError(PSP_USAGE);
  const day = rest.find((a) => /^\d{4}-\d{2}-\d{2}$/.test(a) && !Number.isNaN(Date.parse(a))) ?? romeDay(new Date());
  const idPSP = rest.find((a) => a !== day);
  const counters = COUNTERS_LIST.filter((c) => !idPSP || c.idPSP === idPSP);
  if (!counters.length) throw new CommandError(`No demo PSP ${idPSP}: ${COUNTERS_LIST.map((c) => c.idPSP).join(', ')}`);
  const connections = pspConnections(ctx);
  const lines: string[] = [];
  for (const counter of counters) {
    const { published } = await closeDay(ctx.database.db, { fdr: connections.fdr(counter), nodo: connections.nodo(counter) }, counter, day);
    lines.push(`${counter.idPSP} ${day}: ${published.length ? `${published.length} flows published and transferred` : 'nothing to report'}`);
    for (const flow of published) lines.push(`  ${flow.fdr}  ${flow.fiscalCodePA}  ${flow.totalPayments} payments  ${(flow.sumCents / 100).toFixed(2)} EUR  TRN ${flow.trn} → ${flow.iban}`);
  }
  return lines;
}
