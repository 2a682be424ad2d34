// The ANPR e-services PDND publishes (producer: Ministero dell'Interno), named after the real ones.
// Verified names (PDND catalogue statistics and public integration code, 2024-2025): C015, C018,
// C019, C020, C021, C030 as below; real ones exist also as "<name>-approvazione_automatica".
// Real base URL: https://modipa(-val).anpr.interno.it/govway/rest/in/MinInternoPortaANPR-PDND/<CODE>-<name>/v1
// and the voucher audience is that URL. Ours: `${ANPR_URL}/<CODE>-<name>/v1`, one audience per e-service;
// the operation is POST <audience>/anpr-service-e002 (reference §6).

export interface AnprEservice {
  code: 'C015' | 'C018' | 'C019' | 'C020' | 'C021' | 'C030';
  /** The e-service name in the PDND catalogue, e.g. "C015-servizioAccertamentoGeneralita". */
  name: string;
  description: string;
  /** Path of the e-service on the ANPR app, also the end of its audience: "/C015-servizioAccertamentoGeneralita/v1". */
  path: string;
  /** Suggested daily calls of one comune's purpose in the demo. */
  demoDailyCalls: number;
}

const service = (code: AnprEservice['code'], base: string, description: string, demoDailyCalls: number): AnprEservice => ({
  code,
  name: `${code}-${base}`,
  description,
  path: `/${code}-${base}/v1`,
  demoDailyCalls,
});

export const ANPR_ESERVICES: readonly AnprEservice[] = [
  service('C030', 'servizioAccertamentoIdUnicoNazionale', "Dal codice fiscale all'identificativo unico nazionale ANPR (idANPR).", 2000),
  service('C015', 'servizioAccertamentoGeneralita', 'Accertamento delle generalità di una persona iscritta in ANPR.', 1000),
  service('C020', 'servizioAccertamentoResidenza', "Accertamento della residenza (con l'eventuale dato di decesso).", 1000),
  service('C021', 'servizioAccertamentoStatoFamiglia', 'Accertamento dello stato di famiglia.', 500),
  service('C019', 'servizioAccertamentoEsistenzaVita', "Accertamento dell'esistenza in vita.", 500),
  service('C018', 'servizioAccertamentoCittadinanza', 'Accertamento della cittadinanza.', 500),
];

/** The voucher audience of an ANPR e-service, from the ANPR app's public URL. */
export function anprAudience(anprUrl: string, eservice: AnprEservice | AnprEservice['code']): string {
  const found = typeof eservice === 'string' ? ANPR_ESERVICES.find((e) => e.code === eservice) : eservice;
  if (!found) throw new Error(`Unknown ANPR e-service ${String(eservice)}`);
  return `${anprUrl.replace(/\/+$/, '')}${found.path}`;
}
