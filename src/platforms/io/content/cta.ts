// A message's call-to-action buttons (shared/reference/io.md §5.2): a YAML front-matter delimited by `---` at the
// very start of the Markdown, `it` and `en` each with cta_1 (required) and cta_2 (optional) as {text, action}.
// The app's actions become web links: `iohandledlink://<https|mailto|tel|sms URL>` that URL, `ioit://<route>` the
// matching page of the citizen app. Invalid front-matter is ignored (the body still shows); unknown actions are dropped.
import type { Locale } from '../../../core/i18n.ts';

export interface Cta {
  text: string;
  href: string;
}

export interface MessageBody {
  /** The Markdown without its front-matter. */
  body: string;
  ctas: Cta[];
}

const FRONT_MATTER = /^---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;
const HANDLED_LINK = 'iohandledlink://';
const APP_ROUTE = 'ioit://';
const MAX_TEXT = 100;

type RawCta = Partial<Record<'text' | 'action', string>>;
type FrontMatter = Partial<Record<'it' | 'en', Partial<Record<'cta_1' | 'cta_2', RawCta>>>>;

/** A YAML scalar as the front-matter writes it: "double" (with \" and \\), 'single' ('' for ') or bare. */
function scalar(raw: string): string | undefined {
  const value = raw.trim();
  if (value.startsWith('"')) {
    const match = /^"((?:[^"\\]|\\.)*)"$/.exec(value);
    return match ? match[1]!.replace(/\\(.)/g, '$1') : undefined;
  }
  if (value.startsWith("'")) {
    const match = /^'((?:[^']|'')*)'$/.exec(value);
    return match ? match[1]!.replaceAll("''", "'") : undefined;
  }
  return value === '' ? undefined : value;
}

/** `{ text: "…", action: "…" }` on one line. */
function flowMap(raw: string): RawCta | undefined {
  const inner = /^\{(.*)\}$/.exec(raw.trim())?.[1];
  if (inner === undefined) return undefined;
  const cta: RawCta = {};
  // Keys followed by a quoted or a bare value up to the next comma.
  const entry = /\s*(text|action)\s*:\s*("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^,]*)\s*(?:,|$)/gy;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while (consumed < inner.length && (match = entry.exec(inner))) {
    cta[match[1] as 'text' | 'action'] = scalar(match[2]!);
    consumed = entry.lastIndex;
  }
  return consumed >= inner.trim().length ? cta : undefined;
}

/** The front-matter's languages and their CTAs (block or flow style), or undefined when it is not that shape. */
function parseFrontMatter(yaml: string): FrontMatter | undefined {
  const result: FrontMatter = {};
  let language: 'it' | 'en' | undefined;
  let cta: RawCta | undefined;
  for (const line of yaml.split(/\r?\n/)) {
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    const top = /^(\w+):\s*$/.exec(line);
    if (top) {
      if (top[1] !== 'it' && top[1] !== 'en') return undefined;
      language = top[1];
      result[language] = {};
      cta = undefined;
      continue;
    }
    const second = /^[ \t]+(cta_[12]):\s*(.*)$/.exec(line);
    if (second && language) {
      cta = second[2]!.trim() ? flowMap(second[2]!) : {};
      if (!cta) return undefined;
      result[language]![second[1] as 'cta_1' | 'cta_2'] = cta;
      continue;
    }
    const field = /^[ \t]+(text|action):\s*(.*)$/.exec(line);
    if (field && cta) {
      cta[field[1] as 'text' | 'action'] = scalar(field[2]!);
      continue;
    }
    return undefined;
  }
  return result;
}

function isUrlOf(value: string, protocols: string[]): boolean {
  if (/[\u0000-\u0020\u007f]/.test(value)) return false;
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** The citizen app's page for an IO route (io-app README "Deep linking"), or undefined. */
function appRoute(route: string): string | undefined {
  const [path = '', query = ''] = route.split('?', 2);
  const segments = path.replace(/^main\//, '').split('/');
  switch (segments[0]) {
    case 'messages':
      return '/app/messaggi';
    case 'wallet':
    case 'payments':
      return '/app/pagamenti';
    case 'profile':
      return '/app/profilo';
    case 'services': {
      if (segments[1] !== 'service-detail') return segments.length === 1 ? '/app/servizi' : undefined;
      const serviceId = new URLSearchParams(query).get('serviceId');
      return serviceId && /^[0-9A-Za-z]{1,64}$/.test(serviceId) ? `/app/servizi/${serviceId}` : undefined;
    }
    default:
      return undefined;
  }
}

/** Where a CTA's action leads on the web, or undefined for an action the citizen app cannot follow safely. */
export function ctaHref(action: string): string | undefined {
  if (action.startsWith(HANDLED_LINK)) {
    const target = action.slice(HANDLED_LINK.length);
    return isUrlOf(target, ['https:', 'http:', 'mailto:', 'tel:', 'sms:']) ? new URL(target).href : undefined;
  }
  if (action.startsWith(APP_ROUTE)) return appRoute(action.slice(APP_ROUTE.length));
  return undefined;
}

/** The body without its front-matter, and the CTAs in the citizen's language (it when there is none in theirs). */
export function parseCta(markdown: string, locale: Locale): MessageBody {
  const match = FRONT_MATTER.exec(markdown);
  if (!match) return { body: markdown, ctas: [] };
  const body = markdown.slice(match[0].length);
  const frontMatter = parseFrontMatter(match[1]!);
  const language = (locale === 'en' && frontMatter?.en) || frontMatter?.it;
  if (!language?.cta_1) return { body, ctas: [] };
  const ctas: Cta[] = [];
  for (const raw of [language.cta_1, language.cta_2]) {
    const href = raw?.action ? ctaHref(raw.action) : undefined;
    if (raw?.text && href) ctas.push({ text: raw.text.slice(0, MAX_TEXT), href });
  }
  return { body, ctas };
}
