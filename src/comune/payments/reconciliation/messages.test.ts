import { expect, it } from 'vitest';
import { missingTranslations } from '../../../core/i18n.ts';
import { reconciliationMessages } from './messages.ts';

it('has every reconciliation string in Italian, English and German', () => {
  expect(missingTranslations(reconciliationMessages)).toEqual([]);
});
