// The counters of the demo PSPs on the Nodo (src/clients/pagopa/demo.ts): a bank branch, a post office, a
// tobacconist; each collects as its PSP, with the PSP's fee, and settles from the PSP's own account.
import { DEMO_PSPS } from '../../clients/pagopa/demo.ts';

export type CounterKind = 'bank' | 'post' | 'tobacconist';

export interface Counter {
  idPSP: string;
  idBrokerPSP: string;
  idChannel: string;
  /** The PSP's name (receipts, reporting flows, credit transfers). */
  pspName: string;
  /** The counter's own name, e.g. "Tabaccheria …". */
  name: string;
  kind: CounterKind;
  /** What the payer pays the PSP on top of the notice, in cents. */
  feeCents: number;
  /** The PSP's account its credit transfers to the institutions leave from. */
  iban: string;
}

// Fictional counters and settlement accounts (valid Italian IBANs) of the demo PSPs, by idPSP.
const COUNTERS: Record<(typeof DEMO_PSPS)[number]['idPSP'], { name: string; kind: CounterKind; iban: string }> = {
  BDEBITM1XXX: { name: 'Banca della Valdera — filiale di Bugliano', kind: 'bank', iban: 'IT92X0856271130000000012345' },
  PSTDITRRXXX: { name: 'Ufficio postale di Vicopisano', kind: 'post', iban: 'IT66Y0760114000000000099887' },
  TABDITM1XXX: { name: 'Tabaccheria Ricevitoria n. 12 di Bugliano', kind: 'tobacconist', iban: 'IT51K0306970950000000045678' },
};

export const COUNTERS_LIST: readonly Counter[] = DEMO_PSPS.map((psp) => ({
  idPSP: psp.idPSP,
  idBrokerPSP: psp.idBrokerPSP,
  idChannel: psp.idChannel,
  pspName: psp.companyName,
  feeCents: psp.fee,
  ...COUNTERS[psp.idPSP],
}));

export function counterOf(idPSP: string): Counter | undefined {
  return COUNTERS_LIST.find((c) => c.idPSP === idPSP);
}
