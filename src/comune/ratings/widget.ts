// The "Valutazione" component of the Designers Italia model at the foot of an ente's pages, with the
// data-element markers the PNRR 1.4.1 validator clicks through (C.SI.2.5, C.SI.2.6). It works without
// JavaScript: a plain form, the follow-up question revealed by CSS (web/feedback.css) and chosen by the
// server from the stars; web/feedback.js only sends it in place.
import { html, type SafeHtml } from '../../core/html.ts';
import type { Locale } from '../../core/i18n.ts';
import { errorSummary, type FieldErrors } from '../../core/forms.ts';
import { COMMENT_MAX, NEGATIVE_REASONS, POSITIVE_REASONS, ratingSubject, STARS, type RatingFields, type Reason } from './model.ts';
import { ratingT, type RatingT } from './messages.ts';

export const RATINGS_PATH = '/valutazioni';
export const FEEDBACK_ASSETS = { script: '/assets/sportello/feedback.js', style: '/assets/sportello/feedback.css' } as const;
/** The query a rated page is sent back with after a plain-form rating, to show the thanks. */
export const THANKS_QUERY = { valutazione: 'grazie' } as const;

export interface WidgetInput {
  locale: Locale;
  tenantSlug: string;
  /** The rated page, as its path after "/{ente}/". */
  page: string;
  thanked?: boolean;
  /** Where a plain-form rating comes back to, when not the rated page (a procedure is rated on its receipt). */
  returnTo?: string;
  values?: RatingFields;
  errors?: FieldErrors;
}

function followUp(tr: RatingT, kind: 'positive' | 'negative', reasons: readonly Reason[], chosen: string | undefined, error: string | undefined): SafeHtml {
  const name = `${kind}Reason`;
  return html`<div class="feedback-followup feedback-${kind} mb-3" data-element="feedback-rating-${kind}">
  <fieldset id="field-${name}"${error ? html` aria-describedby="field-${name}-error"` : ''}>
    <legend class="h6 mb-2" data-element="feedback-rating-question">${tr(kind === 'positive' ? 'rating.positiveQuestion' : 'rating.negativeQuestion')}</legend>
    ${error ? html`<div id="field-${name}-error" class="invalid-feedback d-block">${error}</div>` : ''}
    ${reasons.map(
      (reason) => html`<div class="form-check"><input type="radio" id="feedback-${kind}-${reason}" name="${name}" value="${reason}"${chosen === reason ? html` checked` : ''}>
      <label for="feedback-${kind}-${reason}" data-element="feedback-rating-answer">${tr(`rating.reason.${reason}`)}</label></div>`,
    )}
  </fieldset>
</div>`;
}

export function ratingWidget(input: WidgetInput): SafeHtml {
  const tr = ratingT(input.locale);
  const errors = input.errors ?? {};
  const values = input.values ?? {};
  // The model's end-of-service question for a completed online procedure, the page question elsewhere.
  const procedure = ratingSubject(input.tenantSlug, input.page)?.kind === 'procedure';
  const thanks = html`<p class="feedback-thanks lead text-center mb-0" role="status" tabindex="-1"${input.thanked ? '' : html` hidden`}>${tr('rating.thanks')}</p>`;
  return html`<section class="feedback-section my-5" id="feedback" aria-labelledby="feedback-title">
<div class="row"><div class="col-12 col-lg-8 offset-lg-2"><div class="card shadow-sm p-4" data-element="feedback">
  <h2 class="h4 text-center" id="feedback-title" data-element="feedback-title">${tr(procedure ? 'rating.serviceTitle' : 'rating.title')}</h2>
  ${thanks}
  ${input.thanked
    ? ''
    : html`<form class="feedback-form" method="post" action="/${input.tenantSlug}${RATINGS_PATH}" novalidate>
    ${errorSummary(errors, tr('area.errorSummary', { count: Object.keys(errors).length }))}
    <input type="hidden" name="page" value="${input.page}">
    ${input.returnTo ? html`<input type="hidden" name="returnTo" value="${input.returnTo}">` : ''}
    <div class="d-flex justify-content-center mb-3">
      <fieldset class="rating feedback-stars" id="field-rating"${errors.rating ? html` aria-describedby="field-rating-error"` : ''}>
        <legend class="visually-hidden">${tr('rating.scale')}</legend>
        ${[...STARS].reverse().map(
          (n) => html`<input type="radio" id="feedback-star-${n}" name="rating" value="${n}" data-element="feedback-rate-${n}"${values.rating === String(n) ? html` checked` : ''}>
        <label for="feedback-star-${n}"><svg class="icon icon-sm" aria-hidden="true" focusable="false"><use href="/assets/bootstrap-italia/svg/sprites.svg#it-star-full"></use></svg><span class="visually-hidden">${tr('rating.star', { n })}</span></label>`,
        )}
      </fieldset>
    </div>
    ${errors.rating ? html`<div id="field-rating-error" class="invalid-feedback d-block text-center mb-3">${errors.rating}</div>` : ''}
    ${followUp(tr, 'negative', NEGATIVE_REASONS, values.negativeReason, errors.negativeReason)}
    ${followUp(tr, 'positive', POSITIVE_REASONS, values.positiveReason, errors.positiveReason)}
    <div class="feedback-details">
      <div class="form-group">
        <label for="field-comment" class="active">${tr('rating.details')}</label>
        <textarea id="field-comment" name="comment" rows="3" maxlength="${COMMENT_MAX}" class="form-control${errors.comment ? ' is-invalid' : ''}" data-element="feedback-input-text"
          aria-describedby="field-comment-help${errors.comment ? ' field-comment-error' : ''}"${errors.comment ? html` aria-invalid="true"` : ''}>${values.comment ?? ''}</textarea>
        <small id="field-comment-help" class="form-text">${tr('rating.detailsHelp', { max: COMMENT_MAX })}</small>
        ${errors.comment ? html`<div id="field-comment-error" class="invalid-feedback d-block">${errors.comment}</div>` : ''}
      </div>
      <div class="text-center"><button type="submit" class="btn btn-primary">${tr('rating.submit')}</button></div>
    </div>
  </form>`}
</div></div></div>
</section>`;
}
