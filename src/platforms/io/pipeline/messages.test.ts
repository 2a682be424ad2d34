import { expect, it } from 'vitest';
import { missingTranslations } from '../../../core/i18n.ts';
import { citizenLocale, pipelineMessages } from './messages.ts';

it('the pipeline has every string in it, en and de', () => {
  expect(missingTranslations(pipelineMessages)).toEqual([]);
});

it('speaks the first preferred language it knows, else Italian', () => {
  expect(citizenLocale(['de_DE', 'it_IT'])).toBe('de');
  expect(citizenLocale(['fr_FR', 'en_GB'])).toBe('en');
  expect(citizenLocale(['es_ES'])).toBe('it');
  expect(citizenLocale([])).toBe('it');
});
