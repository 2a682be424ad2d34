import { describe, expect, it } from 'vitest';
import { missingTranslations } from '../../src/core/i18n.ts';
import { messages } from '../../src/platforms/identity/messages.ts';
import { isEntityId } from '../../src/platforms/identity/onboarding.ts';
import { base32, demoTotpSecret, identityDemoUsers, DEMO_PASSWORD, DEMO_PIN } from '../../src/platforms/identity/users.ts';
import { totpCode, verifyTotp } from '../../src/core/auth/totp.ts';
import { demoPeople } from '../../src/domain/demo-people.ts';

describe('demo credentials', () => {
  it('encodes base32 as RFC 4648', () => {
    // RFC 4648 section 10 test vectors, without padding.
    expect(['', 'f', 'fo', 'foo', 'foob', 'fooba', 'foobar'].map((s) => base32(Buffer.from(s)))).toEqual(['', 'MY', 'MZXQ', 'MZXW6', 'MZXW6YQ', 'MZXW6YTB', 'MZXW6YTBOI']);
  });

  it('lists one documented login per demo person, with a working deterministic TOTP secret', () => {
    const users = identityDemoUsers();
    expect(users).toHaveLength(demoPeople.length);
    expect(users[0]).toMatchObject({ username: 'marco.bianchi', password: DEMO_PASSWORD, pin: DEMO_PIN, cardNumber: 'CA00001AA' });
    expect(new Set(users.map((u) => u.username)).size).toBe(users.length);
    for (const user of users) {
      expect(user.totpSecret).toMatch(/^[A-Z2-7]{32}$/);
      expect(user.totpSecret).toBe(demoTotpSecret(user.fiscalCode));
      expect(verifyTotp(user.totpSecret, totpCode(user.totpSecret))).toBe(true);
      expect(user.pin).toMatch(/^\d{8}$/);
      expect(user.cardNumber).toMatch(/^[A-Z]{2}\d{5}[A-Z]{2}$/);
    }
  });
});

describe('entity ids', () => {
  it('are http(s) URLs ending with a slash, without query or fragment', () => {
    expect(isEntityId('http://localhost:3000/')).toBe(true);
    expect(isEntityId('https://comune.example.it/oidc/rp/')).toBe(true);
    expect(isEntityId('http://localhost:3000')).toBe(false);
    expect(isEntityId('https://x.it/?a=1/')).toBe(false);
    expect(isEntityId('ftp://x.it/')).toBe(false);
    expect(isEntityId('not a url/')).toBe(false);
  });
});

describe('messages', () => {
  it('translate every key in it, en and de', () => {
    expect(missingTranslations(messages)).toEqual([]);
  });
});
