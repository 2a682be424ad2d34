// The demo citizens on IO (src/domain/demo-people.ts): who has a profile, in which mode, with which e-mail; Salvatore
// is not on IO, so a message to him is rejected USER_NOT_FOUND. Idempotent: an existing profile is left as it is.
import { sql, transaction, type Executor } from '../../../core/db.ts';
import { demoPeople } from '../../../domain/demo-people.ts';
import type { PreferenceMode } from '../rules/delivery.ts';
import { SCHEMA } from '../schema.ts';
import { recordSubscription, TOS_VERSION } from './profiles.ts';

export interface DemoProfile {
  fiscalCode: string;
  mode: PreferenceMode;
  isEmailValidated: boolean;
  /** What the demo shows with it. */
  note: string;
}

export const DEMO_PROFILES: readonly DemoProfile[] = [
  { fiscalCode: 'BNCMRC78C14G702E', mode: 'AUTO', isEmailValidated: true, note: 'every service, e-mail forwarding on a validated address' },
  { fiscalCode: 'RMNGLI92L63H501O', mode: 'AUTO', isEmailValidated: false, note: 'every service, e-mail not validated (no forwarding)' },
  { fiscalCode: 'FRRLSN65S02F205E', mode: 'MANUAL', isEmailValidated: true, note: 'no service enabled: every message rejected SERVICE_NOT_ALLOWED' },
  { fiscalCode: 'CLMCHR54P48L219V', mode: 'LEGACY', isEmailValidated: true, note: 'a pre-2021 profile: blocked channels per service' },
  { fiscalCode: 'MRTLNE99T71A944N', mode: 'AUTO', isEmailValidated: false, note: 'every service' },
  { fiscalCode: 'GRCMTN83H45Z600R', mode: 'AUTO', isEmailValidated: false, note: 'every service' },
];

/** Not on IO: no profile (messages to him are USER_NOT_FOUND). */
export const DEMO_NOT_ON_IO = 'LMBSVT49B27G273V';

const profiles = sql.table(`${SCHEMA}.profiles`);

export async function seedDemoProfiles(db: Executor): Promise<void> {
  for (const demo of DEMO_PROFILES) {
    const person = demoPeople.find((p) => p.fiscalCode === demo.fiscalCode);
    if (!person) throw new Error(`${demo.fiscalCode} is not a demo person`);
    // LEGACY has settings version −1; MANUAL was chosen once, after the first AUTO (0 → 1).
    const settingsVersion = demo.mode === 'LEGACY' ? -1 : demo.mode === 'MANUAL' ? 1 : 0;
    await transaction(db, async (tx) => {
      const { rows } = await sql`insert into ${profiles} (fiscal_code, email, is_email_validated, accepted_tos_version, service_preferences_mode, service_preferences_version, preferred_languages)
        values (${demo.fiscalCode}, ${person.email}, ${demo.isEmailValidated}, ${TOS_VERSION}, ${demo.mode}, ${settingsVersion}, ${['it_IT']}::text[])
        on conflict (fiscal_code) do nothing returning fiscal_code`.execute(tx);
      if (rows.length) await recordSubscription(tx, demo.fiscalCode, '', 'SUBSCRIBED');
    });
  }
}
