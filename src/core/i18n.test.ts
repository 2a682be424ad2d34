import { describe, expect, it } from 'vitest';
import { formatCalendarDate, formatEuroCents, formatItalianTime, missingTranslations, negotiateLocale, translator } from './i18n.ts';
import { comuneMessages } from '../comune/messages.ts';
import { html, unsafeRaw } from './html.ts';

describe('i18n', () => {
  it('negotiates the best supported language, Italian by default', () => {
    expect(negotiateLocale(undefined)).toBe('it');
    expect(negotiateLocale('de-AT,de;q=0.9,en;q=0.8')).toBe('de');
    expect(negotiateLocale('fr-FR,fr;q=0.9,en;q=0.5')).toBe('en');
    expect(negotiateLocale('fr,es')).toBe('it');
    expect(negotiateLocale('en;q=0, de;q=0.1')).toBe('de');
    expect(negotiateLocale('de-AT,de;q=0.9,en;q=0.8', ['it', 'en'])).toBe('en');
    expect(negotiateLocale('de', ['it', 'en'])).toBe('it');
  });

  it('interpolates variables and falls back to Italian', () => {
    const t = translator({ it: { a: 'Ciao {name}', b: 'solo it' }, en: { a: 'Hello {name}', b: '' }, de: { a: 'Hallo {name}', b: '' } }, 'en');
    expect(t('a', { name: 'Ada' })).toBe('Hello Ada');
    expect(t('b')).toBe('solo it');
  });

  it('has every comune string in Italian, English and German', () => {
    expect(missingTranslations(comuneMessages)).toEqual([]);
  });
});

describe('html', () => {
  it('escapes interpolated text and keeps trusted fragments', () => {
    const name = '<script>alert("x")</script>';
    expect(String(html`<p title="${name}">${name}</p>`)).toBe('<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>');
    expect(String(html`<ul>${['a', 'b'].map((x) => html`<li>${x}</li>`)}</ul>`)).toBe('<ul><li>a</li><li>b</li></ul>');
    expect(String(html`${unsafeRaw('<b>ok</b>')}${null}${false}`)).toBe('<b>ok</b>');
  });
});

describe('dates in words', () => {
  it('says a calendar date in each language, never shifted by a time zone', () => {
    expect(formatCalendarDate('it', '1978-03-14')).toBe('14 marzo 1978');
    expect(formatCalendarDate('en', '1978-03-14')).toBe('March 14, 1978');
    expect(formatCalendarDate('de', '1978-03-14')).toBe('14. März 1978');
    expect(formatCalendarDate('it', '2026-12-31', 'short')).toBe('31/12/26');
  });

  it('says an instant as it is in Italy', () => {
    // 23:30 UTC on 31 December is already 1 January in Rome.
    expect(formatItalianTime('it', new Date('2026-12-31T23:30:00Z'), 'long')).toBe('1 gennaio 2027');
    expect(formatItalianTime('it', new Date('2026-07-01T10:05:00Z'), 'medium', 'short')).toBe('1 lug 2026, 12:05');
  });
});

describe('euro amounts in words', () => {
  it('groups thousands in every locale, Italian first', () => {
    expect(formatEuroCents(123_456)).toBe('1.234,56\u00a0€');
    expect(formatEuroCents(123_456_789, 'it')).toBe('1.234.567,89\u00a0€');
    expect(formatEuroCents(50, 'de')).toBe('0,50\u00a0€');
    expect(formatEuroCents(123_456, 'en')).toBe('€1,234.56');
  });
});
