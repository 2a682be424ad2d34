// Italian first, then English and German: every user-facing string comes from a catalog.

export const LOCALES = ['it', 'en', 'de'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'it';

export const LOCALE_NAMES: Record<Locale, string> = { it: 'Italiano', en: 'English', de: 'Deutsch' };

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

export type Catalog<K extends string> = Record<K, string>;

/** A room's messages: Italian defines the keys, the other languages must provide every one. */
export interface Messages<K extends string> {
  it: Catalog<K>;
  en: Catalog<K>;
  de: Catalog<K>;
}

export type Translate<K extends string> = (key: K, vars?: Record<string, string | number>) => string;

export function defineMessages<K extends string>(messages: { it: Catalog<K>; en: Catalog<K>; de: Catalog<K> }): Messages<K> {
  return messages;
}

/** Merges catalogs of several rooms (e.g. core + comune) into one. */
export function mergeMessages<A extends string, B extends string>(a: Messages<A>, b: Messages<B>): Messages<A | B> {
  return {
    it: { ...a.it, ...b.it },
    en: { ...a.en, ...b.en },
    de: { ...a.de, ...b.de },
  } as Messages<A | B>;
}

export function translator<K extends string>(messages: Messages<K>, locale: Locale): Translate<K> {
  const catalog = messages[locale];
  return (key, vars) => {
    const template = catalog[key] || messages.it[key] || key;
    if (!vars) return template;
    return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
  };
}

/** Picks the best supported language (of `among`, by default all) from an Accept-Language header. */
export function negotiateLocale(acceptLanguage: string | undefined, among: readonly Locale[] = LOCALES): Locale {
  if (!acceptLanguage) return DEFAULT_LOCALE;
  const ranked = acceptLanguage
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { lang: (tag ?? '').toLowerCase().split('-')[0] ?? '', q: q ? Number(q.slice(2)) : 1 };
    })
    .filter((entry) => entry.q > 0 && !Number.isNaN(entry.q))
    .sort((x, y) => y.q - x.q);
  return ranked.map((entry) => entry.lang).find((lang): lang is Locale => isLocale(lang) && among.includes(lang)) ?? DEFAULT_LOCALE;
}

/** Keys present in Italian but missing (or empty) in another language: used by catalog tests. */
export function missingTranslations(messages: Messages<string>): string[] {
  const missing: string[] = [];
  for (const locale of LOCALES) {
    for (const key of Object.keys(messages.it)) {
      if (!messages[locale][key]) missing.push(`${locale}:${key}`);
    }
    for (const key of Object.keys(messages[locale])) {
      if (!(key in messages.it)) missing.push(`it:${key} (only in ${locale})`);
    }
  }
  return missing;
}

type DateStyle = 'long' | 'medium' | 'short';
const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** One formatter per locale and style, built once: a DateTimeFormat costs far more to build than to use. */
function dateFormat(locale: string, timeZone: string, dateStyle: DateStyle, timeStyle?: DateStyle): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}|${dateStyle}|${timeStyle ?? ''}`;
  let format = dateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { dateStyle, timeStyle, timeZone });
    dateFormats.set(key, format);
  }
  return format;
}

/** A calendar date (YYYY-MM-DD) in the words of the locale, e.g. "14 marzo 1978"; no time zone shifts it. */
export function formatCalendarDate(locale: string, date: string, dateStyle: DateStyle = 'long'): string {
  return dateFormat(locale, 'UTC', dateStyle).format(new Date(`${date}T00:00:00Z`));
}

/** An instant as people in Italy read it (Europe/Rome), with the time when `timeStyle` is given. */
export function formatItalianTime(locale: string, at: Date, dateStyle: DateStyle = 'medium', timeStyle?: DateStyle): string {
  return dateFormat(locale, 'Europe/Rome', dateStyle, timeStyle).format(at);
}

const euroFormats = new Map<string, Intl.NumberFormat>();

/** An amount in euro cents in the words of the locale, grouped from the thousands as Italian amounts are written: 1.234,56 €. */
export function formatEuroCents(cents: number, locale: string = DEFAULT_LOCALE): string {
  let format = euroFormats.get(locale);
  if (!format) {
    // Intl leaves four-digit Italian amounts ungrouped (1234,56 €) unless grouping is asked for always.
    format = new Intl.NumberFormat(locale, { style: 'currency', currency: 'EUR', useGrouping: 'always' } as Intl.NumberFormatOptions);
    euroFormats.set(locale, format);
  }
  return format.format(cents / 100);
}
