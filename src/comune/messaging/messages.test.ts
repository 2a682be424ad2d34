import { expect, it } from 'vitest';
import { missingTranslations } from '../../core/i18n.ts';
import { messagingMessages } from './messages.ts';

it('has every messaging string in Italian, English and German', () => {
  expect(missingTranslations(messagingMessages)).toEqual([]);
});
