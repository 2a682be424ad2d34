// Who may receive what: the delivery decision of IO's ProcessMessage and the sender-allowed answer of getProfile,
// as pure functions over the profile and the service's preference (reference io.md §1.3, §3.2, §3.3, §4.2).
export const CHANNELS = ['INBOX', 'EMAIL', 'WEBHOOK'] as const;
export type Channel = (typeof CHANNELS)[number];
export const PREFERENCE_MODES = ['LEGACY', 'AUTO', 'MANUAL'] as const;
export type PreferenceMode = (typeof PREFERENCE_MODES)[number];
export type RejectionReason = 'SERVICE_NOT_ALLOWED' | 'USER_NOT_FOUND' | 'UNKNOWN';

/** What the decision reads of a citizen's profile. */
export interface ProfileFacts {
  isInboxEnabled: boolean;
  isEmailEnabled: boolean;
  isEmailValidated: boolean;
  isWebhookEnabled: boolean;
  email: string | null;
  mode: PreferenceMode;
  /** The settings version (−1 in LEGACY). */
  settingsVersion: number;
  /** LEGACY only: channels blocked per service id. */
  blockedInboxOrChannels: Record<string, readonly Channel[]>;
}

/** A per-service preference (AUTO/MANUAL), with the settings version it was saved under. */
export interface PreferenceFacts {
  settingsVersion: number;
  isInboxEnabled: boolean;
  isEmailEnabled: boolean;
  isWebhookEnabled: boolean;
}

/** The channels a citizen blocked for a service; a preference saved under an older settings version does not count. */
export function blockedChannels(profile: ProfileFacts, serviceId: string, preference: PreferenceFacts | undefined): Channel[] {
  if (profile.mode === 'LEGACY') return [...(profile.blockedInboxOrChannels[serviceId] ?? [])];
  const current = preference && preference.settingsVersion === profile.settingsVersion ? preference : undefined;
  // No choice made: AUTO lets every service in, MANUAL keeps every service out until enabled.
  if (!current) return profile.mode === 'AUTO' ? [] : ['INBOX'];
  const blocked: Channel[] = [];
  if (!current.isInboxEnabled) blocked.push('INBOX');
  if (!current.isEmailEnabled) blocked.push('EMAIL');
  if (!current.isWebhookEnabled) blocked.push('WEBHOOK');
  return blocked;
}

/** getProfile's sender_allowed: the service may write to the inbox (§1.3 step 4). */
export function senderAllowed(profile: ProfileFacts, serviceId: string, preference: PreferenceFacts | undefined): boolean {
  return profile.isInboxEnabled && !blockedChannels(profile, serviceId, preference).includes('INBOX');
}

export type DeliveryDecision =
  | { outcome: 'REJECTED'; reason: RejectionReason }
  | { outcome: 'PROCESSED'; notify: { email: string | null; webhook: boolean } };

export interface MessageFacts {
  /** The message's require_secure_channels, or else the service's. */
  requireSecureChannels: boolean;
  /** The message's time to live has passed: no notification is started any more. */
  expired: boolean;
}

/** ProcessMessage + CreateNotification: rejected with the reason, or stored with the channels to notify (§3.3, §4.2). */
export function decideDelivery(profile: ProfileFacts | undefined, serviceId: string, preference: PreferenceFacts | undefined, message: MessageFacts): DeliveryDecision {
  if (!profile) return { outcome: 'REJECTED', reason: 'USER_NOT_FOUND' };
  if (!profile.isInboxEnabled) return { outcome: 'REJECTED', reason: 'SERVICE_NOT_ALLOWED' };
  const blocked = blockedChannels(profile, serviceId, preference);
  if (blocked.includes('INBOX')) return { outcome: 'REJECTED', reason: 'SERVICE_NOT_ALLOWED' };
  const emailAllowed =
    profile.isEmailEnabled && profile.isEmailValidated && profile.email !== null && !blocked.includes('EMAIL') && !message.requireSecureChannels && !message.expired;
  const webhookAllowed = profile.isWebhookEnabled && !blocked.includes('WEBHOOK') && !message.expired;
  return { outcome: 'PROCESSED', notify: { email: emailAllowed ? profile.email : null, webhook: webhookAllowed } };
}
