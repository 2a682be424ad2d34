import { describe, expect, it } from 'vitest';
import { missingTranslations, negotiateLocale, translator } from './i18n.ts';
import { comuneMessages } from '../comune/messages.ts';
import { html, unsafeRaw } from './html.ts';

describe('i18n', () => {
  it('negotiates the best supported language, Italian by default', () => {
    expect(negotiateLocale(undefined)).toBe('it');
    expect(negotiateLocale('de-AT,de;q=0.9,en;q=0.8')).toBe('de');
    expect(negotiateLocale('fr-FR,fr;q=0.9,en;q=0.5')).toBe('en');
    expect(negotiateLocale('fr,es')).toBe('it');
    expect(negotiateLocale('en;q=0, de;q=0.1')).toBe('de');
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
