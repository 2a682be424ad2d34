import { expect, it } from 'vitest';
import { missingTranslations } from '../../core/i18n.ts';
import { integrationsMessages } from './messages.ts';

it('has every Integrazioni string in it, en and de', () => {
  expect(missingTranslations(integrationsMessages)).toEqual([]);
});
