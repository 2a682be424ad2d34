import { expect, test } from 'vitest';
import { missingTranslations } from '../i18n.ts';
import { staffLoginMessages } from './staff-login.ts';

test('the staff login is translated in every language', () => {
  expect(missingTranslations(staffLoginMessages)).toEqual([]);
});
