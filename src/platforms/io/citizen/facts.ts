// What the delivery rules read of io.profiles and io.service_preferences (rules/delivery.ts ProfileFacts and
// PreferenceFacts): the row mappers the citizen store builds on, and the one query that getProfile of the Services
// API and ProcessMessage ask for (citizen, service) pairs.
import type { PreferredLanguage } from '../../../clients/io/wire.ts';
import { executePrepared, sql, type Executor } from '../../../core/db.ts';
import type { Channel, PreferenceFacts, PreferenceMode, ProfileFacts } from '../rules/delivery.ts';
import { SCHEMA } from '../schema.ts';

/** The columns of io.profiles behind ProfileFacts. */
export interface ProfileFactsRow {
  email: string | null;
  is_email_validated: boolean;
  is_email_enabled: boolean;
  is_inbox_enabled: boolean;
  is_webhook_enabled: boolean;
  blocked_inbox_or_channels: Record<string, Channel[]>;
  service_preferences_mode: PreferenceMode;
  service_preferences_version: number;
}

/** The columns of io.service_preferences behind PreferenceFacts. */
export interface PreferenceFactsRow {
  settings_version: number;
  is_inbox_enabled: boolean;
  is_email_enabled: boolean;
  is_webhook_enabled: boolean;
}

export const profileFacts = (row: ProfileFactsRow): ProfileFacts => ({
  isInboxEnabled: row.is_inbox_enabled,
  isEmailEnabled: row.is_email_enabled,
  isEmailValidated: row.is_email_validated,
  isWebhookEnabled: row.is_webhook_enabled,
  email: row.email,
  mode: row.service_preferences_mode,
  settingsVersion: row.service_preferences_version,
  blockedInboxOrChannels: row.blocked_inbox_or_channels,
});

export const preferenceFacts = (row: PreferenceFactsRow): PreferenceFacts => ({
  settingsVersion: row.settings_version,
  isInboxEnabled: row.is_inbox_enabled,
  isEmailEnabled: row.is_email_enabled,
  isWebhookEnabled: row.is_webhook_enabled,
});

/** A citizen's profile and their preference for one service, saved under the profile's current settings version. */
export interface DeliveryFacts {
  profile: ProfileFacts;
  preference: PreferenceFacts | undefined;
  preferredLanguages: PreferredLanguage[];
}

export interface Recipient {
  fiscalCode: string;
  serviceId: string;
}

/** The key of a (citizen, service) pair in deliveryFacts' answer. */
export const recipientKey = (recipient: Recipient) => `${recipient.fiscalCode}/${recipient.serviceId}`;

interface DeliveryFactsRow extends ProfileFactsRow {
  fiscal_code: string;
  service_id: string;
  preferred_languages: PreferredLanguage[];
  pref_version: number | null;
  pref_inbox: boolean | null;
  pref_email: boolean | null;
  pref_webhook: boolean | null;
}

/** The delivery facts of each (citizen, service) pair, in one query; a citizen without a profile is missing. */
export async function deliveryFacts(db: Executor, recipients: readonly Recipient[]): Promise<Map<string, DeliveryFacts>> {
  const { rows } = await executePrepared(
    db,
    sql<DeliveryFactsRow>`select k.fiscal_code, k.service_id, p.email, p.is_email_validated, p.is_email_enabled, p.is_inbox_enabled, p.is_webhook_enabled,
        p.blocked_inbox_or_channels, p.service_preferences_mode, p.service_preferences_version, p.preferred_languages,
        sp.settings_version as pref_version, sp.is_inbox_enabled as pref_inbox, sp.is_email_enabled as pref_email, sp.is_webhook_enabled as pref_webhook
      from unnest(${recipients.map((r) => r.fiscalCode)}::text[], ${recipients.map((r) => r.serviceId)}::text[]) as k (fiscal_code, service_id)
      join ${sql.table(`${SCHEMA}.profiles`)} p on p.fiscal_code = k.fiscal_code
      left join ${sql.table(`${SCHEMA}.service_preferences`)} sp
        on sp.fiscal_code = k.fiscal_code and sp.service_id = k.service_id and sp.settings_version = p.service_preferences_version`,
  );
  return new Map(
    rows.map((row) => [
      recipientKey({ fiscalCode: row.fiscal_code, serviceId: row.service_id }),
      {
        profile: profileFacts(row),
        preference:
          row.pref_version === null
            ? undefined
            : preferenceFacts({ settings_version: row.pref_version, is_inbox_enabled: row.pref_inbox!, is_email_enabled: row.pref_email!, is_webhook_enabled: row.pref_webhook! }),
        preferredLanguages: row.preferred_languages,
      },
    ]),
  );
}
