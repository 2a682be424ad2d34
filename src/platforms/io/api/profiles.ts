// getProfile of the Services API (io-functions-services utils/profile.ts, reference io.md §1.3): may this service
// write to the citizen? The profile and the service's current preference in one query, decided by rules/delivery.ts.
import { executePrepared, sql, type Executor } from '../../../core/db.ts';
import { notFound } from '../../../core/problem.ts';
import type { LimitedProfile, PreferredLanguage } from '../../../clients/io/wire.ts';
import { senderAllowed, type Channel, type PreferenceMode } from '../rules/delivery.ts';
import { SCHEMA } from '../schema.ts';
import type { Service } from '../services/store.ts';
import { assertRecipientAllowed } from '../messages/submit.ts';

interface ProfileRow {
  email: string | null;
  is_email_validated: boolean;
  is_email_enabled: boolean;
  is_inbox_enabled: boolean;
  is_webhook_enabled: boolean;
  blocked_inbox_or_channels: Record<string, Channel[]>;
  service_preferences_mode: PreferenceMode;
  service_preferences_version: number;
  preferred_languages: PreferredLanguage[];
  pref_version: number | null;
  pref_inbox: boolean | null;
  pref_email: boolean | null;
  pref_webhook: boolean | null;
}

/** 403 for a test-mode service and a recipient it may not write to, 404 with no profile or the inbox off. */
export async function limitedProfile(db: Executor, service: Service, fiscalCode: string): Promise<LimitedProfile> {
  // Before any read: a sandbox key must not learn whether a fiscal code is on IO (§1.3 step 1).
  assertRecipientAllowed(service, fiscalCode);
  const { rows } = await executePrepared(
    db,
    sql<ProfileRow>`select p.email, p.is_email_validated, p.is_email_enabled, p.is_inbox_enabled, p.is_webhook_enabled, p.blocked_inbox_or_channels,
        p.service_preferences_mode, p.service_preferences_version, p.preferred_languages,
        sp.settings_version as pref_version, sp.is_inbox_enabled as pref_inbox, sp.is_email_enabled as pref_email, sp.is_webhook_enabled as pref_webhook
      from ${sql.table(`${SCHEMA}.profiles`)} p
      left join ${sql.table(`${SCHEMA}.service_preferences`)} sp
        on sp.fiscal_code = p.fiscal_code and sp.service_id = ${service.serviceId} and sp.settings_version = p.service_preferences_version
      where p.fiscal_code = ${fiscalCode}`,
  );
  const row = rows[0];
  if (!row || !row.is_inbox_enabled) throw notFound('Profile not found');
  const profile = {
    isInboxEnabled: row.is_inbox_enabled,
    isEmailEnabled: row.is_email_enabled,
    isEmailValidated: row.is_email_validated,
    isWebhookEnabled: row.is_webhook_enabled,
    email: row.email,
    mode: row.service_preferences_mode,
    settingsVersion: row.service_preferences_version,
    blockedInboxOrChannels: row.blocked_inbox_or_channels,
  };
  const preference =
    row.pref_version === null ? undefined : { settingsVersion: row.pref_version, isInboxEnabled: row.pref_inbox!, isEmailEnabled: row.pref_email!, isWebhookEnabled: row.pref_webhook! };
  return { sender_allowed: senderAllowed(profile, service.serviceId, preference), preferred_languages: row.preferred_languages };
}
