// The page rating's pure rules: which pages are rated, the follow-up reasons by stars, the free text's
// limits and personal-data check, and complete translations (Italian texts as the validator reads them).
import { describe, expect, it } from 'vitest';
import { missingTranslations } from '../../src/core/i18n.ts';
import { looksLikePersonalData, parseRating, ratedPage, reasonsFor } from '../../src/comune/ratings/model.ts';
import { ratingMessages, ratingT } from '../../src/comune/ratings/messages.ts';
import { websiteMessages } from '../../src/comune/website/messages.ts';

describe('rated pages', () => {
  it('names the pages of one ente that carry the widget, and nothing else', () => {
    expect(ratedPage('comune-x', '/comune-x/')).toEqual({ kind: 'home', page: '' });
    expect(ratedPage('comune-x', '/comune-x')).toEqual({ kind: 'home', page: '' });
    expect(ratedPage('comune-x', '/comune-x/servizi')).toEqual({ kind: 'services', page: 'servizi' });
    expect(ratedPage('comune-x', '/comune-x/servizi/permesso-ztl')).toEqual({ kind: 'service', page: 'servizi/permesso-ztl', slug: 'permesso-ztl' });
    expect(ratedPage('comune-x', '/comune-x/servizi/categoria/mobilita')).toEqual({ kind: 'category', page: 'servizi/categoria/mobilita', slug: 'mobilita' });
    expect(ratedPage('comune-x', '/comune-x/faq')?.kind).toBe('faq');
    expect(ratedPage('comune-x', '/comune-x/segnala-disservizio')?.kind).toBe('report');
    expect(ratedPage('comune-x', '/comune-x/argomenti')?.kind).toBe('topics');
    for (const path of ['/comune-y/servizi', '/comune-x/area-personale', '/comune-x/servizi/categoria', '/comune-x/servizi/ZTL', '/comune-x/servizi/a/domanda', '//evil.example/comune-x/', '/comune-x//servizi']) {
      expect(ratedPage('comune-x', path), path).toBeUndefined();
    }
  });
});

describe('a rating', () => {
  it('asks what was difficult up to 3 stars and what was liked from 4, reading the matching answer only', () => {
    expect(reasonsFor(3)).toContain('unclear');
    expect(reasonsFor(4)).toContain('clear');
    expect(parseRating({ rating: '2', negativeReason: 'lost', positiveReason: 'clear' })).toEqual({ ok: true, value: { stars: 2, reason: 'lost', comment: null } });
    expect(parseRating({ rating: '5', negativeReason: 'lost', positiveReason: 'onTrack', comment: '  Tutto chiaro.  ' })).toEqual({ ok: true, value: { stars: 5, reason: 'onTrack', comment: 'Tutto chiaro.' } });
    expect(parseRating({ rating: '4' })).toEqual({ ok: true, value: { stars: 4, reason: null, comment: null } });
  });

  it('refuses missing or out-of-range stars, a reason of the other list, and long or personal free text', () => {
    const pointers = (fields: Parameters<typeof parseRating>[0]) => {
      const parsed = parseRating(fields);
      return parsed.ok ? [] : parsed.errors.map((e) => `${e.pointer}:${e.code}`);
    };
    expect(pointers({})).toEqual(['/rating:required']);
    expect(pointers({ rating: '6' })).toEqual(['/rating:range']);
    expect(pointers({ rating: '1.5' })).toEqual(['/rating:range']);
    expect(pointers({ rating: '5', positiveReason: 'unclear' })).toEqual(['/positiveReason:enum']);
    expect(pointers({ rating: '1', comment: 'x'.repeat(201) })).toEqual(['/comment:length']);
    expect(pointers({ rating: '1', comment: 'scrivetemi a mario.rossi@example.it' })).toEqual(['/comment:personal-data']);
  });

  it('recognises e-mail addresses, codici fiscali, IBANs and phone numbers, not ordinary text', () => {
    for (const text of ['mario@example.it', 'sono RSSMRA85T10A562S', 'IBAN IT60X0542811101000000123456', 'chiamate il 333 123 4567', '+39 050 1234567']) {
      expect(looksLikePersonalData(text), text).toBe(true);
    }
    for (const text of ['Il modulo del 12/03/2026 non si apriva', 'Mancano gli orari dell’ufficio', 'Pagina chiara, 10 e lode']) {
      expect(looksLikePersonalData(text), text).toBe(false);
    }
  });
});

describe('strings', () => {
  it('exist in every language, with the Designers Italia texts in Italian', () => {
    expect(missingTranslations(ratingMessages)).toEqual([]);
    expect(missingTranslations(websiteMessages)).toEqual([]);
    const tr = ratingT('it');
    expect(tr('rating.title')).toBe('Quanto sono chiare le informazioni su questa pagina?');
    expect(tr('rating.reason.lost')).toBe('A volte non capivo se stavo procedendo correttamente');
  });
});
