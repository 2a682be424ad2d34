import { expect, it } from 'vitest';
import { missingTranslations } from '../../../core/i18n.ts';
import { duesMessages } from './messages.ts';

it('has every string of the dues pages in it, en and de', () => {
  expect(missingTranslations(duesMessages)).toEqual([]);
});
