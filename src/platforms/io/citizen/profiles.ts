// Citizens' profiles and per-service preferences (reference io.md §3): optimistic concurrency on the profile's
// `version`, the preference mode (LEGACY/AUTO/MANUAL) whose settings version binds every per-service preference,
// LEGACY's blocked channels, and the subscriptions feed (who joined IO, who enabled or disabled a service).
import { createHash } from 'node:crypto';
import { sql, transaction, type Executor } from '../../../core/db.ts';
import type { PreferredLanguage } from '../../../clients/io/wire.ts';
import { conflict, invalid, notFound } from '../../../core/problem.ts';
import { blockedChannels, type Channel, type PreferenceMode, type ProfileFacts } from '../rules/delivery.ts';
import { SCHEMA } from '../schema.ts';
import { preferenceFacts, profileFacts, type PreferenceFactsRow, type ProfileFactsRow } from './facts.ts';

/** The terms of use the onboarding asks to accept (io-functions-commons: accepted_tos_version ≥ 1). */
export const TOS_VERSION = 1;
export const REMINDER_STATUSES = ['ENABLED', 'DISABLED'] as const;
export const PUSH_CONTENT_TYPES = ['FULL', 'ANONYMOUS'] as const;

export interface Profile extends ProfileFacts {
  fiscalCode: string;
  acceptedTosVersion: number | null;
  preferredLanguages: PreferredLanguage[];
  reminderStatus: 'UNSET' | 'ENABLED' | 'DISABLED';
  pushNotificationsContentType: 'UNSET' | 'FULL' | 'ANONYMOUS';
  isTestProfile: boolean;
  /** Optimistic concurrency: every update carries the version it read. */
  version: number;
}

/** A per-service preference as the app shows it (the saved one, or the mode's default). */
export interface ServicePreference {
  isInboxEnabled: boolean;
  isEmailEnabled: boolean;
  isWebhookEnabled: boolean;
  settingsVersion: number;
  canAccessMessageReadStatus: 'UNKNOWN' | 'ALLOW' | 'DENY';
}

/** What a citizen may change of their profile (POST /profile, the profile page). */
export interface ProfileChanges {
  email?: string;
  isEmailEnabled?: boolean;
  isInboxEnabled?: boolean;
  isWebhookEnabled?: boolean;
  preferredLanguages?: PreferredLanguage[];
  reminderStatus?: 'ENABLED' | 'DISABLED';
  pushNotificationsContentType?: 'FULL' | 'ANONYMOUS';
  acceptedTosVersion?: number;
  blockedInboxOrChannels?: Record<string, readonly Channel[]>;
  mode?: PreferenceMode;
}

const profiles = sql.table(`${SCHEMA}.profiles`);
const preferences = sql.table(`${SCHEMA}.service_preferences`);
const events = sql.table(`${SCHEMA}.subscription_events`);

interface ProfileRow extends ProfileFactsRow {
  fiscal_code: string;
  accepted_tos_version: number | null;
  preferred_languages: PreferredLanguage[];
  reminder_status: Profile['reminderStatus'];
  push_notifications_content_type: Profile['pushNotificationsContentType'];
  is_test_profile: boolean;
  version: number;
}

const toProfile = (r: ProfileRow): Profile => ({
  ...profileFacts(r),
  fiscalCode: r.fiscal_code,
  acceptedTosVersion: r.accepted_tos_version,
  preferredLanguages: r.preferred_languages,
  reminderStatus: r.reminder_status,
  pushNotificationsContentType: r.push_notifications_content_type,
  isTestProfile: r.is_test_profile,
  version: r.version,
});

/** The subscriptions feed's key of a citizen: SHA-256 hex of the upper-case fiscal code (Services API §1.6). */
export const fiscalCodeHash = (fiscalCode: string) => createHash('sha256').update(fiscalCode.toUpperCase()).digest('hex');

/** Records a subscription change of today (UTC); service '' is IO itself. */
export async function recordSubscription(db: Executor, fiscalCode: string, serviceId: string, kind: 'SUBSCRIBED' | 'UNSUBSCRIBED'): Promise<void> {
  await sql`insert into ${events} (day, service_id, fiscal_code_hash, kind)
    values ((now() at time zone 'UTC')::date, ${serviceId}, ${fiscalCodeHash(fiscalCode)}, ${kind})
    on conflict do nothing`.execute(db);
}

export async function getProfile(db: Executor, fiscalCode: string, forUpdate = false): Promise<Profile | undefined> {
  const { rows } = await sql<ProfileRow>`select * from ${profiles} where fiscal_code = ${fiscalCode} ${forUpdate ? sql`for update` : sql``}`.execute(db);
  return rows[0] && toProfile(rows[0]);
}

export async function profileExists(db: Executor, fiscalCode: string): Promise<boolean> {
  const { rows } = await sql`select 1 from ${profiles} where fiscal_code = ${fiscalCode}`.execute(db);
  return rows.length > 0;
}

export interface NewProfile {
  fiscalCode: string;
  email?: string;
  preferredLanguage: PreferredLanguage;
}

/** The profile of a citizen who accepted the terms: AUTO, inbox on, the e-mail (if any) still to validate. Idempotent. */
export async function createProfile(db: Executor, input: NewProfile): Promise<Profile> {
  return transaction(db, async (tx) => {
    const { rows } = await sql<ProfileRow>`
      insert into ${profiles} (fiscal_code, email, is_email_validated, accepted_tos_version, service_preferences_mode, service_preferences_version, preferred_languages)
      values (${input.fiscalCode}, ${input.email ?? null}, false, ${TOS_VERSION}, 'AUTO', 0, ${[input.preferredLanguage]}::text[])
      on conflict (fiscal_code) do nothing returning *`.execute(tx);
    if (!rows[0]) return (await getProfile(tx, input.fiscalCode))!;
    await recordSubscription(tx, input.fiscalCode, '', 'SUBSCRIBED');
    return toProfile(rows[0]);
  });
}

/**
 * Applies the changes if `version` is still the profile's (else 409): version + 1; a new e-mail is not validated;
 * a change of mode moves the settings version on (AUTO/MANUAL only; LEGACY is never chosen, only kept).
 */
export async function updateProfile(db: Executor, fiscalCode: string, version: number, changes: ProfileChanges): Promise<Profile> {
  return transaction(db, async (tx) => {
    const current = await getProfile(tx, fiscalCode, true);
    if (!current) throw notFound('No profile for this citizen.');
    if (current.version !== version) throw conflict(`The profile is at version ${current.version}, not ${version}: read it again.`);
    if (changes.blockedInboxOrChannels && current.mode !== 'LEGACY') throw conflict('blocked_inbox_or_channels is used only in LEGACY mode.');
    let mode = current.mode;
    let settingsVersion = current.settingsVersion;
    if (changes.mode && changes.mode !== current.mode) {
      if (changes.mode === 'LEGACY') throw invalid([{ pointer: '/body/service_preferences_settings/mode', detail: 'LEGACY cannot be chosen again', code: 'enum' }]);
      mode = changes.mode;
      // From LEGACY (−1) to 0, then one more at every change: older per-service preferences stop counting.
      settingsVersion = current.settingsVersion + 1;
    }
    const emailChanged = changes.email !== undefined && changes.email !== current.email;
    const { rows } = await sql<ProfileRow>`
      update ${profiles} set
        email = ${changes.email ?? current.email},
        is_email_validated = ${emailChanged ? false : current.isEmailValidated},
        is_email_enabled = ${changes.isEmailEnabled ?? current.isEmailEnabled},
        is_inbox_enabled = ${changes.isInboxEnabled ?? current.isInboxEnabled},
        is_webhook_enabled = ${changes.isWebhookEnabled ?? current.isWebhookEnabled},
        preferred_languages = ${changes.preferredLanguages ?? current.preferredLanguages}::text[],
        reminder_status = ${changes.reminderStatus ?? current.reminderStatus},
        push_notifications_content_type = ${changes.pushNotificationsContentType ?? current.pushNotificationsContentType},
        accepted_tos_version = ${Math.max(changes.acceptedTosVersion ?? 0, current.acceptedTosVersion ?? 0) || null},
        blocked_inbox_or_channels = ${JSON.stringify(changes.blockedInboxOrChannels ?? current.blockedInboxOrChannels)}::jsonb,
        service_preferences_mode = ${mode},
        service_preferences_version = ${settingsVersion},
        version = version + 1,
        updated_at = now()
      where fiscal_code = ${fiscalCode}
      returning *`.execute(tx);
    if (changes.isInboxEnabled !== undefined && changes.isInboxEnabled !== current.isInboxEnabled) {
      await recordSubscription(tx, fiscalCode, '', changes.isInboxEnabled ? 'SUBSCRIBED' : 'UNSUBSCRIBED');
    }
    return toProfile(rows[0]!);
  });
}

/** Switches AUTO ⇄ MANUAL (the profile page's and POST /profile's service_preferences_settings). */
export const setPreferenceMode = (db: Executor, fiscalCode: string, version: number, mode: 'AUTO' | 'MANUAL') => updateProfile(db, fiscalCode, version, { mode });

/** LEGACY: the channels blocked for one service (none: the service's entry goes). */
export async function setLegacyBlockedChannels(db: Executor, fiscalCode: string, version: number, serviceId: string, blocked: Channel[]): Promise<Profile> {
  const profile = await getProfile(db, fiscalCode);
  if (!profile) throw notFound('No profile for this citizen.');
  const { [serviceId]: _previous, ...others } = profile.blockedInboxOrChannels;
  return updateProfile(db, fiscalCode, version, { blockedInboxOrChannels: blocked.length ? { ...others, [serviceId]: blocked } : others });
}

interface PreferenceRow extends PreferenceFactsRow {
  can_access_message_read_status: ServicePreference['canAccessMessageReadStatus'];
}

const toPreference = (r: PreferenceRow): ServicePreference => ({ ...preferenceFacts(r), canAccessMessageReadStatus: r.can_access_message_read_status });

async function savedPreferences(db: Executor, profile: Profile, serviceIds: readonly string[]): Promise<Map<string, ServicePreference>> {
  if (profile.mode === 'LEGACY' || !serviceIds.length) return new Map();
  const { rows } = await sql<PreferenceRow & { service_id: string }>`select * from ${preferences}
    where fiscal_code = ${profile.fiscalCode} and service_id in (${sql.join([...serviceIds])}) and settings_version = ${profile.settingsVersion}`.execute(db);
  return new Map(rows.map((r) => [r.service_id, toPreference(r)]));
}

/** The channels the citizen lets each service use, in any mode (LEGACY from the blocked channels): what the pages show. */
export async function effectivePreferences(db: Executor, profile: Profile, serviceIds: readonly string[]): Promise<Map<string, ServicePreference>> {
  const saved = await savedPreferences(db, profile, serviceIds);
  return new Map(
    serviceIds.map((serviceId) => {
      const blocked = blockedChannels(profile, serviceId, undefined);
      const preference = saved.get(serviceId) ?? {
        isInboxEnabled: !blocked.includes('INBOX'),
        isEmailEnabled: !blocked.includes('EMAIL') && !blocked.includes('INBOX'),
        isWebhookEnabled: !blocked.includes('WEBHOOK') && !blocked.includes('INBOX'),
        settingsVersion: profile.settingsVersion,
        canAccessMessageReadStatus: 'UNKNOWN' as const,
      };
      return [serviceId, preference];
    }),
  );
}

export async function effectivePreference(db: Executor, profile: Profile, serviceId: string): Promise<ServicePreference> {
  return (await effectivePreferences(db, profile, [serviceId])).get(serviceId)!;
}

/** GET /services/{id}/preferences: the saved preference or the mode's default; 409 in LEGACY (io-backend). */
export async function getServicePreference(db: Executor, profile: Profile, serviceId: string): Promise<ServicePreference> {
  if (profile.mode === 'LEGACY') throw conflict('The profile is in LEGACY mode: per-service preferences need AUTO or MANUAL.');
  return effectivePreference(db, profile, serviceId);
}

export interface PreferenceUpsert {
  isInboxEnabled: boolean;
  isEmailEnabled: boolean;
  isWebhookEnabled: boolean;
  settingsVersion: number;
  canAccessMessageReadStatus?: 'UNKNOWN' | 'ALLOW' | 'DENY';
}

/**
 * POST /services/{id}/preferences: 409 when the profile is LEGACY or `settingsVersion` is not the profile's
 * (io-functions-app UpsertServicePreferences). Turning the inbox off or on is recorded in the subscriptions feed.
 */
export async function upsertServicePreference(db: Executor, fiscalCode: string, serviceId: string, input: PreferenceUpsert): Promise<ServicePreference> {
  // A preference with the inbox off cannot let the service read the read status (io-functions-commons).
  if (!input.isInboxEnabled && input.canAccessMessageReadStatus === 'ALLOW') {
    throw invalid([{ pointer: '/body/can_access_message_read_status', detail: 'cannot be ALLOW with the inbox disabled', code: 'inbox-disabled' }]);
  }
  return transaction(db, async (tx) => {
    const profile = await getProfile(tx, fiscalCode, true);
    if (!profile) throw notFound('No profile for this citizen.');
    if (profile.mode === 'LEGACY') throw conflict('The profile is in LEGACY mode: per-service preferences need AUTO or MANUAL.');
    if (input.settingsVersion !== profile.settingsVersion) throw conflict(`settings_version is ${profile.settingsVersion}, not ${input.settingsVersion}.`);
    const before = await effectivePreference(tx, profile, serviceId);
    const readStatus = input.canAccessMessageReadStatus ?? (input.isInboxEnabled ? before.canAccessMessageReadStatus : 'DENY');
    await sql`insert into ${preferences} (fiscal_code, service_id, settings_version, is_inbox_enabled, is_email_enabled, is_webhook_enabled, can_access_message_read_status)
      values (${fiscalCode}, ${serviceId}, ${profile.settingsVersion}, ${input.isInboxEnabled}, ${input.isEmailEnabled}, ${input.isWebhookEnabled}, ${readStatus === 'ALLOW' && !input.isInboxEnabled ? 'DENY' : readStatus})
      on conflict (fiscal_code, service_id, settings_version) do update set
        is_inbox_enabled = excluded.is_inbox_enabled, is_email_enabled = excluded.is_email_enabled,
        is_webhook_enabled = excluded.is_webhook_enabled, can_access_message_read_status = excluded.can_access_message_read_status, updated_at = now()`.execute(tx);
    if (before.isInboxEnabled !== input.isInboxEnabled) await recordSubscription(tx, fiscalCode, serviceId, input.isInboxEnabled ? 'SUBSCRIBED' : 'UNSUBSCRIBED');
    return (await savedPreferences(tx, profile, [serviceId])).get(serviceId)!;
  });
}
