// Imposta di bollo on certificati anagrafici. A certificate is an act of the administration issued on
// request, so it bears €16 of stamp duty (DPR 642/1972, Tariffa parte I, art. 4; amount since DL 43/2013)
// unless it is issued for a use the law exempts; the exempt use (or the rule) is then written on it
// (Agenzia delle Entrate, ris. 25/E of 25/03/2010). Sources of the table: DPR 642/1972, Tabella allegato B
// ("atti esenti in modo assoluto") and special laws, as the comuni's anagrafe offices list them (Cori,
// Rivoli, Apollosa, Terni, Melegnano pages, 2024–2025); the ANPR online service offers such a list
// [its exact entries unverified]. The most frequent uses only: the full Tabella B is longer.
//
// Paid duty is proven by the 14-digit identifier of the contrassegno (marca da bollo) the citizen bought;
// one contrassegno pays one certificate (DPR 642/1972 art. 19–31 sanction reuse), so issuing refuses an
// identifier already used.

export const STAMP_DUTY_EUR = '16,00'; // DPR 642/1972 Tariffa parte I art. 4, as set by DL 43/2013 art. 7-bis

export interface ExemptUse {
  /** What the citizen will use the certificate for, as printed. */
  readonly label: string;
  /** The rule that exempts it, as printed ("Esente ... ai sensi di ..."). */
  readonly citation: string;
}

const TAB_B = 'DPR 642/1972, Tabella allegato B,';

export const EXEMPT_USES = {
  'elettorale': { label: 'Esercizio dei diritti elettorali', citation: `${TAB_B} art. 1` },
  'giudice-popolare': { label: 'Ufficio di giudice popolare e obblighi militari', citation: `${TAB_B} art. 2` },
  'procedimento-penale': { label: 'Procedimento penale', citation: `${TAB_B} art. 3` },
  'processo-civile': { label: 'Uso processuale (processo civile, amministrativo o tributario)', citation: 'DPR 115/2002, art. 18' },
  'tributi': { label: 'Applicazione delle leggi tributarie (ad es. dichiarazione di successione)', citation: `${TAB_B} art. 5` },
  'sussidi-assistenza': { label: 'Sussidi, assistenza e beneficenza', citation: `${TAB_B} art. 8` },
  'pensione': { label: 'Pensione (anche estera), assegni familiari, assicurazioni sociali obbligatorie', citation: `${TAB_B} art. 9` },
  'scuola': { label: "Scuola dell'obbligo, asilo nido e scuola materna, borse di studio, esonero dalle tasse scolastiche", citation: `${TAB_B} art. 11` },
  'controversie-lavoro': { label: 'Controversie di lavoro, di pensione e di assicurazioni sociali obbligatorie', citation: `${TAB_B} art. 12` },
  'adozione-affidamento': { label: 'Adozione, affidamento e tutela di minori', citation: `${TAB_B} art. 13; L. 184/1983, art. 82` },
  'tutela-incapaci': { label: 'Interdizione, inabilitazione, amministrazione di sostegno', citation: `${TAB_B} art. 13` },
  'ctu-curatore': { label: "Consulente tecnico d'ufficio nominato dal giudice o dal pubblico ministero; curatore fallimentare", citation: `${TAB_B} art. 16` },
  'trasporto': { label: 'Abbonamenti al trasporto pubblico di persone', citation: `${TAB_B} art. 24` },
  'onlus': { label: 'Richiesta da una ONLUS', citation: `${TAB_B} art. 27-bis` },
  'sport': { label: 'Richiesta da federazioni sportive, enti di promozione sportiva, associazioni e società sportive dilettantistiche riconosciuti dal CONI', citation: `${TAB_B} art. 27-bis` },
  'separazione-divorzio': { label: 'Separazione personale e divorzio', citation: 'L. 74/1987, art. 19' },
} as const satisfies Record<string, ExemptUse>;

export type ExemptUseCode = keyof typeof EXEMPT_USES;

export function isExemptUseCode(code: string): code is ExemptUseCode {
  return Object.hasOwn(EXEMPT_USES, code);
}

/** How the duty was settled, as recorded on the certificate. */
export type StampDuty =
  | { readonly type: 'exempt'; readonly use: ExemptUseCode; readonly label: string; readonly citation: string }
  | { readonly type: 'paid'; readonly bolloId: string; readonly amount: string };

/** The 14-digit identifier of a contrassegno (marca da bollo), spaces ignored; undefined when malformed. */
export function parseBolloId(input: string): string | undefined {
  const s = input.replace(/\s+/g, '');
  return /^\d{14}$/.test(s) ? s : undefined;
}

/**
 * The citizen's choice ('bollo' with the contrassegno's identifier, or an exempt use) as recorded on the
 * certificate; a string naming why it is refused otherwise.
 */
export function stampDutyOf(choice: { use: string; bolloId?: string | null }): StampDuty | { refused: 'unknown-use' | 'invalid-bollo-id' | 'bollo-id-not-needed' } {
  if (choice.use === 'bollo') {
    const bolloId = parseBolloId(choice.bolloId ?? '');
    return bolloId ? { type: 'paid', bolloId, amount: STAMP_DUTY_EUR } : { refused: 'invalid-bollo-id' };
  }
  if (!isExemptUseCode(choice.use)) return { refused: 'unknown-use' };
  if (choice.bolloId) return { refused: 'bollo-id-not-needed' };
  const use = EXEMPT_USES[choice.use];
  return { type: 'exempt', use: choice.use, label: use.label, citation: use.citation };
}

/** The line printed on the certificate about the duty. */
export function stampDutyLine(duty: StampDuty): string {
  return duty.type === 'exempt'
    ? `Esente da imposta di bollo ai sensi di ${duty.citation} (uso: ${duty.label}).`
    : `Imposta di bollo di € ${duty.amount} assolta con contrassegno telematico, identificativo ${duty.bolloId} (DPR 642/1972, Tariffa parte I, art. 4).`;
}
