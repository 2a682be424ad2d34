import { expect, it } from 'vitest';
import { missingTranslations } from '../../core/i18n.ts';
import { interopMessages } from './messages.ts';

it('has every PDND interoperability string in it, en and de', () => {
  expect(missingTranslations(interopMessages)).toEqual([]);
});
