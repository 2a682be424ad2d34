import { expect, it } from 'vitest';
import { missingTranslations } from '../../core/i18n.ts';
import { consoleMessages } from './messages.ts';

it('has every console string in Italian, English and German', () => {
  expect(missingTranslations(consoleMessages)).toEqual([]);
});
