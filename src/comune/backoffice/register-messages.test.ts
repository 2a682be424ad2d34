import { expect, it } from 'vitest';
import { missingTranslations } from '../../core/i18n.ts';
import { registerMessages } from './register-messages.ts';

it('has every protocol register string in Italian, English and German', () => {
  expect(missingTranslations(registerMessages)).toEqual([]);
});
