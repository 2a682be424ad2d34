import { describe, expect, it } from 'vitest';
import { blockedChannels, decideDelivery, senderAllowed, type PreferenceFacts, type ProfileFacts } from './delivery.ts';

const SERVICE = '01JB00000000000000000SERVA';
const profile = (over: Partial<ProfileFacts> = {}): ProfileFacts => ({
  isInboxEnabled: true,
  isEmailEnabled: true,
  isEmailValidated: true,
  isWebhookEnabled: true,
  email: 'mario.rossi@example.org',
  mode: 'AUTO',
  settingsVersion: 1,
  blockedInboxOrChannels: {},
  ...over,
});
const preference = (over: Partial<PreferenceFacts> = {}): PreferenceFacts => ({ settingsVersion: 1, isInboxEnabled: true, isEmailEnabled: true, isWebhookEnabled: true, ...over });
const plain = { requireSecureChannels: false, expired: false };
const everyChannel = { outcome: 'PROCESSED', notify: { email: 'mario.rossi@example.org', webhook: true } };

describe('decideDelivery (reference io.md §3.3, §4.2)', () => {
  it('rejects an unknown citizen and a closed inbox', () => {
    expect(decideDelivery(undefined, SERVICE, undefined, plain)).toEqual({ outcome: 'REJECTED', reason: 'USER_NOT_FOUND' });
    expect(decideDelivery(profile({ isInboxEnabled: false }), SERVICE, undefined, plain)).toEqual({ outcome: 'REJECTED', reason: 'SERVICE_NOT_ALLOWED' });
  });

  it('LEGACY: the service’s blocked channels', () => {
    const legacy = (blocked: ProfileFacts['blockedInboxOrChannels']) => profile({ mode: 'LEGACY', settingsVersion: -1, blockedInboxOrChannels: blocked });
    expect(decideDelivery(legacy({ [SERVICE]: ['INBOX'] }), SERVICE, undefined, plain)).toEqual({ outcome: 'REJECTED', reason: 'SERVICE_NOT_ALLOWED' });
    expect(decideDelivery(legacy({ [SERVICE]: ['EMAIL', 'WEBHOOK'] }), SERVICE, undefined, plain)).toEqual({ outcome: 'PROCESSED', notify: { email: null, webhook: false } });
    expect(decideDelivery(legacy({ another: ['INBOX'] }), SERVICE, undefined, plain)).toEqual(everyChannel);
  });

  it('AUTO lets a service in until the citizen opts out; MANUAL keeps it out until enabled', () => {
    expect(decideDelivery(profile(), SERVICE, undefined, plain)).toEqual(everyChannel);
    expect(decideDelivery(profile(), SERVICE, preference({ isInboxEnabled: false }), plain)).toEqual({ outcome: 'REJECTED', reason: 'SERVICE_NOT_ALLOWED' });
    expect(decideDelivery(profile({ mode: 'MANUAL' }), SERVICE, undefined, plain)).toEqual({ outcome: 'REJECTED', reason: 'SERVICE_NOT_ALLOWED' });
    expect(decideDelivery(profile({ mode: 'MANUAL' }), SERVICE, preference(), plain)).toEqual(everyChannel);
  });

  it('ignores a preference saved under an older settings version', () => {
    const stale = preference({ settingsVersion: 0, isInboxEnabled: false });
    expect(decideDelivery(profile(), SERVICE, stale, plain)).toEqual(everyChannel);
    expect(decideDelivery(profile({ mode: 'MANUAL' }), SERVICE, preference({ settingsVersion: 0 }), plain)).toEqual({ outcome: 'REJECTED', reason: 'SERVICE_NOT_ALLOWED' });
  });

  it('e-mails only a validated, enabled address, not blocked, without secure channels, before the time to live', () => {
    const emailOf = (p: ProfileFacts, pref?: PreferenceFacts, message = plain) => {
      const decision = decideDelivery(p, SERVICE, pref, message);
      return decision.outcome === 'PROCESSED' ? decision.notify.email : 'rejected';
    };
    expect(emailOf(profile({ isEmailValidated: false }))).toBeNull();
    expect(emailOf(profile({ isEmailEnabled: false }))).toBeNull();
    expect(emailOf(profile({ email: null }))).toBeNull();
    expect(emailOf(profile(), preference({ isEmailEnabled: false }))).toBeNull();
    expect(emailOf(profile(), undefined, { requireSecureChannels: true, expired: false })).toBeNull();
    expect(emailOf(profile(), undefined, { requireSecureChannels: false, expired: true })).toBeNull();
    expect(emailOf(profile())).toBe('mario.rossi@example.org');
  });

  it('calls the webhook only when enabled, not blocked and before the time to live', () => {
    const webhookOf = (p: ProfileFacts, pref?: PreferenceFacts, message = plain) => {
      const decision = decideDelivery(p, SERVICE, pref, message);
      return decision.outcome === 'PROCESSED' && decision.notify.webhook;
    };
    expect(webhookOf(profile({ isWebhookEnabled: false }))).toBe(false);
    expect(webhookOf(profile(), preference({ isWebhookEnabled: false }))).toBe(false);
    expect(webhookOf(profile(), undefined, { requireSecureChannels: false, expired: true })).toBe(false);
    expect(webhookOf(profile(), undefined, { requireSecureChannels: true, expired: false })).toBe(true);
  });
});

describe('blockedChannels and senderAllowed', () => {
  it('list every channel switched off in the current preference', () => {
    expect(blockedChannels(profile(), SERVICE, preference({ isInboxEnabled: false, isEmailEnabled: false, isWebhookEnabled: false }))).toEqual(['INBOX', 'EMAIL', 'WEBHOOK']);
    expect(senderAllowed(profile(), SERVICE, undefined)).toBe(true);
    expect(senderAllowed(profile({ isInboxEnabled: false }), SERVICE, undefined)).toBe(false);
    expect(senderAllowed(profile({ mode: 'MANUAL' }), SERVICE, undefined)).toBe(false);
  });
});
