// The catalog's pure rules: validation with pointers, language fallback, availability by date in Italy.
import { describe, expect, it } from 'vitest';
import { dateInItaly } from '../../src/domain/dates.ts';
import { acceptsApplications, localizedContent, localizedText, validateCategoryInput, validateOfficeInput, validateServiceInput, type ServiceInput } from '../../src/comune/catalog/model.ts';
import { missingTranslations } from '../../src/core/i18n.ts';
import { catalogMessages } from '../../src/comune/catalog/messages.ts';
import { serviceInput } from './catalog-fixtures.ts';
import { OFFICIAL_TOPICS, officialTopic } from '../../src/comune/catalog/topics.ts';

const valid: ServiceInput = serviceInput('mensa-scolastica', 'Iscrizione alla mensa', { topics: ['istruzione'] });
const it_ = valid.content.it;
const pointers = (input: ServiceInput) => validateServiceInput(input).map((e) => e.pointer);

describe('service validation', () => {
  it('accepts a complete service', () => {
    expect(validateServiceInput(valid)).toEqual([]);
  });

  it('names each bad field with its pointer', () => {
    const bad: ServiceInput = {
      ...valid,
      slug: 'Mensa Scolastica',
      status: 'open' as never,
      accessLevel: 'spid' as never,
      activeFrom: '2026-02-30',
      deadlineDays: 0,
      officeId: 'not-a-uuid',
      content: { it: { ...it_, name: '', description: 'ok' }, en: { name: 'x' } },
      topics: ['ab'],
      channels: ['fax' as never],
    };
    expect(pointers(bad)).toEqual([
      '/slug', '/status', '/accessLevel', '/activeFrom', '/deadlineDays', '/officeId',
      '/content/it/name', '/content/it/description', '/content/en/name', '/topics', '/channels',
    ]);
  });

  it('takes topics only from the Designers Italia list for comuni, in any case', () => {
    expect(pointers({ ...valid, topics: ['Istruzione', 'mobilità sostenibile', ' ZTL '] })).toEqual([]);
    expect(validateServiceInput({ ...valid, topics: ['Istruzione', 'infanzia'] })).toEqual([
      { pointer: '/topics', code: 'vocabulary', detail: 'not in the Designers Italia list of topics: infanzia' },
    ]);
    expect(pointers({ ...valid, topics: Array(11).fill('Sport') })).toEqual(['/topics']);
    expect(officialTopic('  pnrr ')).toBe('PNRR');
    expect(officialTopic('Mobilità')).toBeUndefined();
    expect(OFFICIAL_TOPICS).toHaveLength(64);
  });

  it('refuses an end before the start, and the reserved address', () => {
    expect(pointers({ ...valid, activeFrom: '2026-09-01', activeTo: '2026-08-31' })).toEqual(['/activeTo']);
    expect(pointers({ ...valid, slug: 'categoria' })).toEqual(['/slug']);
  });
});

describe('category and office validation', () => {
  it('requires the Italian name of a category', () => {
    expect(validateCategoryInput({ slug: 'scuola', names: { it: '', en: 'School' }, descriptions: {}, position: 0 }).map((e) => e.pointer)).toEqual(['/names/it']);
  });
  it('checks an office e-mail and phone', () => {
    const errors = validateOfficeInput({ name: 'Ufficio Scuola', email: 'nope', phone: 'abc', address: null, openingHours: null });
    expect(errors.map((e) => e.pointer)).toEqual(['/email', '/phone']);
  });
});

describe('languages', () => {
  it('falls back to Italian field by field', () => {
    const content = { it: { ...it_, who: 'Genitori' }, en: { name: 'School canteen enrolment', who: '' } };
    expect(localizedContent(content, 'en')).toMatchObject({ name: 'School canteen enrolment', description: it_.description, who: 'Genitori' });
    expect(localizedContent(content, 'de').name).toBe(it_.name);
    expect(localizedText({ it: 'Scuola', de: 'Schule' }, 'de')).toBe('Schule');
    expect(localizedText({ it: 'Scuola', de: ' ' }, 'de')).toBe('Scuola');
  });
});

describe('availability', () => {
  const at = (iso: string) => new Date(iso);
  it('accepts applications only when active and within its days in Italy', () => {
    const window = { status: 'active' as const, activeFrom: '2026-07-01', activeTo: '2026-07-31' };
    expect(acceptsApplications(window, at('2026-06-30T21:59:00Z'))).toBe(false);
    // 22:00 UTC on 30 June is already 1 July in Rome (CEST).
    expect(acceptsApplications(window, at('2026-06-30T22:00:00Z'))).toBe(true);
    expect(acceptsApplications(window, at('2026-07-31T21:59:00Z'))).toBe(true);
    expect(acceptsApplications(window, at('2026-07-31T22:00:00Z'))).toBe(false);
    expect(acceptsApplications({ ...window, status: 'suspended' }, at('2026-07-10T10:00:00Z'))).toBe(false);
    expect(acceptsApplications({ status: 'active', activeFrom: null, activeTo: null }, at('2026-07-10T10:00:00Z'))).toBe(true);
    expect(dateInItaly(at('2026-12-31T23:30:00Z'))).toBe('2027-01-01');
  });
});

describe('catalog strings', () => {
  it('has every string in it, en and de', () => {
    expect(missingTranslations(catalogMessages)).toEqual([]);
  });
});
