// Page ratings after the Designers Italia "Valutazione" component, pure: which pages can be rated, the
// 1–5 scale, the follow-up reasons (what went wrong up to 3 stars, what went well from 4) and the checks
// on a citizen's rating. The thresholds and reasons are the ones italia/pa-website-validator checks (C.SI.2.5/2.6).
import type { InvalidField } from '../../core/problem.ts';

export const STARS = [1, 2, 3, 4, 5] as const;
/** Ratings above this ask what the person liked, up to it what was difficult (validator positiveThreshold). */
export const POSITIVE_FROM = 4;
export const POSITIVE_REASONS = ['clear', 'complete', 'onTrack', 'noTechnicalProblems', 'other'] as const;
export const NEGATIVE_REASONS = ['unclear', 'incomplete', 'lost', 'technicalProblems', 'other'] as const;
export type Reason = (typeof POSITIVE_REASONS)[number] | (typeof NEGATIVE_REASONS)[number];
/** The free text of the model: at most 200 characters. */
export const COMMENT_MAX = 200;

export const isPositive = (stars: number) => stars >= POSITIVE_FROM;
export const reasonsFor = (stars: number): readonly Reason[] => (isPositive(stars) ? POSITIVE_REASONS : NEGATIVE_REASONS);

/**
 * What an ente's visitors rate, named by a path after "/{ente}/": the public pages carrying the widget, and
 * a service's online procedure ("servizi/{slug}/domanda"), rated once done, on the submission's receipt.
 */
export type RatedPage =
  | { kind: 'home' | 'services' | 'topics' | 'faq' | 'report'; page: string }
  | { kind: 'category' | 'service' | 'procedure'; page: string; slug: string };

const FIXED: Record<string, 'home' | 'services' | 'topics' | 'faq' | 'report'> = { '': 'home', servizi: 'services', argomenti: 'topics', faq: 'faq', 'segnala-disservizio': 'report' };
const SLUG = '[a-z0-9]+(?:-[a-z0-9]+)*';
const CATEGORY = new RegExp(`^servizi/categoria/(${SLUG})$`);
const SERVICE = new RegExp(`^servizi/(${SLUG})$`);
const PROCEDURE = new RegExp(`^servizi/(${SLUG})/domanda$`);

/** The rated page at a path of the ente's site ("/comune-x/servizi/permesso-ztl"), or undefined if it carries no widget at its foot. */
export function ratedPage(tenantSlug: string, path: string): RatedPage | undefined {
  const prefix = `/${tenantSlug}/`;
  if (path === `/${tenantSlug}`) return { kind: 'home', page: '' };
  if (!path.startsWith(prefix) || path.length > 200) return undefined;
  const page = path.slice(prefix.length);
  const fixed = FIXED[page];
  if (fixed) return { kind: fixed, page };
  const category = CATEGORY.exec(page);
  if (category) return { kind: 'category', page, slug: category[1]! };
  const service = SERVICE.exec(page);
  if (service && service[1] !== 'categoria') return { kind: 'service', page, slug: service[1]! };
  return undefined;
}

/** What a rating of `page` is about: a page carrying the widget, or a service's online procedure; undefined otherwise. */
export function ratingSubject(tenantSlug: string, page: string): RatedPage | undefined {
  const procedure = PROCEDURE.exec(page);
  if (procedure && procedure[1] !== 'categoria') return { kind: 'procedure', page, slug: procedure[1]! };
  return ratedPage(tenantSlug, ratedPagePath(tenantSlug, page));
}

/** The rated page of a service's online procedure, by the service's slug. */
export const procedurePage = (serviceSlug: string) => `servizi/${serviceSlug}/domanda`;

/**
 * Where a plain-form rating goes back to when it was not given on the rated page itself (a procedure is
 * rated on the receipt): a path of the same ente's site only, never another origin or ente.
 */
export function returnPath(tenantSlug: string, value: string | undefined): string | undefined {
  if (!value || value.length > 200 || !value.startsWith(`/${tenantSlug}/`)) return undefined;
  return /^(?:\/[a-z0-9-]+)+$/.test(value) ? value : undefined;
}

/** The path of a rated page on the ente's site. */
export const ratedPagePath = (tenantSlug: string, page: string) => `/${tenantSlug}/${page}`;

// E-mail addresses, codici fiscali, IBANs and phone numbers: the free text is anonymous by design.
const PERSONAL_DATA = [
  /[^\s@]+@[^\s@]+\.[a-z]{2,}/i,
  /\b[a-z]{6}\d{2}[a-z]\d{2}[a-z]\d{3}[a-z]\b/i,
  /\bIT\d{2}[a-z]\d{10}[a-z0-9]{12}\b/i,
  /(?:\+?\d[\s./-]?){9,}/,
];

export function looksLikePersonalData(text: string): boolean {
  return PERSONAL_DATA.some((pattern) => pattern.test(text.replace(/\s+/g, ' ')));
}

export interface RatingInput {
  stars: number;
  reason: Reason | null;
  comment: string | null;
}

/** The form's raw fields: the reason is read from the follow-up question the stars lead to. */
export interface RatingFields {
  rating?: string;
  positiveReason?: string;
  negativeReason?: string;
  comment?: string;
}

/** A rating from the form's fields, or the fields in error (code per field). */
export function parseRating(fields: RatingFields): { ok: true; value: RatingInput } | { ok: false; errors: InvalidField[] } {
  const errors: InvalidField[] = [];
  const stars = Number(fields.rating);
  const validStars = /^[1-5]$/.test(fields.rating?.trim() ?? '');
  if (!validStars) errors.push({ pointer: '/rating', code: fields.rating ? 'range' : 'required', detail: 'a whole number of stars from 1 to 5' });
  const given = (validStars && isPositive(stars) ? fields.positiveReason : fields.negativeReason)?.trim() || null;
  if (validStars && given && !(reasonsFor(stars) as readonly string[]).includes(given)) {
    errors.push({ pointer: isPositive(stars) ? '/positiveReason' : '/negativeReason', code: 'enum', detail: reasonsFor(stars).join(', ') });
  }
  const comment = fields.comment?.trim() || null;
  if (comment && comment.length > COMMENT_MAX) errors.push({ pointer: '/comment', code: 'length', detail: `at most ${COMMENT_MAX} characters` });
  else if (comment && looksLikePersonalData(comment)) errors.push({ pointer: '/comment', code: 'personal-data', detail: 'no personal data (e-mail, phone, tax code, IBAN)' });
  if (errors.length) return { ok: false, errors };
  return { ok: true, value: { stars, reason: given as Reason | null, comment } };
}
