import { expect, it } from 'vitest';
import { missingTranslations } from '../../core/i18n.ts';
import { paymentsMessages } from './messages.ts';

it('has every payments string in Italian, English and German', () => {
  expect(missingTranslations(paymentsMessages)).toEqual([]);
});
