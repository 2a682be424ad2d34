import { expect, it } from 'vitest';
import { missingTranslations } from '../../../core/i18n.ts';
import { appMessages } from './messages.ts';

it('the citizen app has every string in it, en and de', () => {
  expect(missingTranslations(appMessages)).toEqual([]);
});
