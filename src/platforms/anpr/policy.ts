// Who may write which record: one place (tested as a matrix in test/anpr/policy.test.ts).

/** A registry officer (ufficiale d'anagrafe), acting for one comune. */
export interface Officer {
  /** Who (account or API key id), for the audit log. */
  id: string;
  /** ISTAT code of the officer's comune. */
  istatCode: string;
}

/**
 * An officer writes the records of their comune's residents (and of its AIRE registrants) only: the scheda
 * is kept by the comune of residence (DPR 223/1989 art. 1-2; DPCM 194/2014: each comune updates ANPR for its
 * own residents). A deceased resident's record stays with the comune of last residence (for corrections).
 */
export function mayWriteRecord(officer: Officer, record: { comune_istat: string }): boolean {
  return record.comune_istat === officer.istatCode;
}
