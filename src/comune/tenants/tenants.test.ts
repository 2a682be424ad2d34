import { expect, it } from 'vitest';
import { siteLocale } from './tenants.ts';

it("speaks the language asked for only if the ente offers it, else the browser's best offered one, else Italian", () => {
  expect(siteLocale(['it', 'en', 'de'], 'de')).toBe('de');
  expect(siteLocale(['it', 'en'], 'de', 'de-AT,de;q=0.9,en;q=0.5')).toBe('en');
  expect(siteLocale(['it', 'en'], 'de', 'de')).toBe('it');
  expect(siteLocale(['it'], 'en', 'en')).toBe('it');
  expect(siteLocale(['it', 'en'], 'de')).toBe('it');
});
