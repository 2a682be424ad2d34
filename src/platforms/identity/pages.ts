// The identity pages (login, second factor, consent, logout, errors) in the look of a SPID/CIE
// identity provider, with Bootstrap Italia. No inline scripts or styles: focus handling is in assets/.
import { attr, html, type SafeHtml } from '../../core/html.ts';
import { formatCalendarDate, LOCALE_NAMES, LOCALES, translator, type Locale, type Translate } from '../../core/i18n.ts';
import { CSRF_FIELD } from '../../core/auth/csrf.ts';
import { documentShell } from '../../core/web.ts';
import { birthplaceByBelfiore } from '../../domain/municipalities.ts';
import { FISCAL_NUMBER, type UserClaim } from './claims.ts';
import { acrRank, type Acr, type LoginMethod, type OpKind } from './levels.ts';
import { messages, type MessageKey } from './messages.ts';

export type T = Translate<MessageKey>;
export const t = (locale: Locale): T => translator(messages, locale);

export type Brand = OpKind | 'identity';

const BRAND: Record<Brand, { name: MessageKey; tagline: MessageKey }> = {
  spid: { name: 'spidBrand', tagline: 'spidTagline' },
  cie: { name: 'cieBrand', tagline: 'cieTagline' },
  identity: { name: 'identityBrand', tagline: 'identityTagline' },
};

export interface PageContext {
  locale: Locale;
  brand: Brand;
  /** The page's own URL without query, for the language links. */
  path: string;
}

function languageLinks(ctx: PageContext, tr: T): SafeHtml {
  return html`<nav aria-label="${tr('languageNav')}"><ul class="list-inline mb-0">${LOCALES.map(
    (locale) =>
      html`<li class="list-inline-item"><a class="text-white" href="${ctx.path}?lang=${locale}" lang="${locale}" hreflang="${locale}"${attr('aria-current', locale === ctx.locale ? 'true' : null)}>${LOCALE_NAMES[locale]}</a></li>`,
  )}</ul></nav>`;
}

function page(ctx: PageContext, title: string, main: SafeHtml): string {
  const tr = t(ctx.locale);
  const brand = BRAND[ctx.brand];
  return documentShell({
    locale: ctx.locale,
    title: `${title} — ${tr(brand.name)}`,
    head: html`<script src="/assets/identity/identity.js" defer></script>`,
    body: html`<div class="skiplinks"><a href="#main">${tr('skipToContent')}</a></div>
<header class="it-header-wrapper">
  <div class="it-header-slim-wrapper"><div class="container"><div class="it-header-slim-wrapper-content">
    <span class="navbar-brand">${tr('identityBrand')}</span>
    <div class="it-header-slim-right-zone">${languageLinks(ctx, tr)}</div>
  </div></div></div>
  <div class="it-header-center-wrapper"><div class="container"><div class="it-header-center-content-wrapper">
    <div class="it-brand-wrapper"><a href="/"><div class="it-brand-text"><div class="it-brand-title text-white">${tr(brand.name)}</div><div class="it-brand-tagline text-white d-none d-md-block">${tr(brand.tagline)}</div></div></a></div>
  </div></div></div>
</header>
<main id="main" class="container my-5"><div class="row justify-content-center"><div class="col-12 col-lg-8">
${main}
</div></div></main>
<footer class="it-footer"><div class="it-footer-small-prints py-3"><div class="container"><p class="text-white mb-0">${tr('footerDemo')}</p></div></div></footer>`,
  });
}

// --- Forms ----------------------------------------------------------------------------------------

export interface FieldError {
  field: string;
  message: string;
}

function errorSummary(tr: T, errors: FieldError[]): SafeHtml {
  if (!errors.length) return html``;
  return html`<div class="alert alert-danger error-summary" tabindex="-1" data-autofocus aria-labelledby="error-summary-title">
  <h2 class="h5" id="error-summary-title">${tr('errorSummaryTitle')}</h2>
  <ul class="mb-0">${errors.map((e) => html`<li><a href="#${e.field}">${e.message}</a></li>`)}</ul>
</div>`;
}

interface FieldInput {
  id: string;
  label: string;
  type?: string;
  value?: string;
  hint?: string;
  autocomplete?: string;
  inputmode?: string;
  maxlength?: number;
  pattern?: string;
  autofocus?: boolean;
}

function field(input: FieldInput, errors: FieldError[]): SafeHtml {
  const error = errors.find((e) => e.field === input.id);
  const describedBy = [input.hint ? `${input.id}-hint` : '', error ? `${input.id}-error` : ''].filter(Boolean).join(' ');
  return html`<div class="form-group">
  <label for="${input.id}" class="active">${input.label}</label>
  <input class="form-control${error ? ' is-invalid' : ''}" id="${input.id}" name="${input.id}" type="${input.type ?? 'text'}" required${attr('value', input.value)}${attr('autocomplete', input.autocomplete)}${attr('inputmode', input.inputmode)}${attr('maxlength', input.maxlength)}${attr('pattern', input.pattern)}${attr('aria-invalid', error ? 'true' : null)}${attr('aria-describedby', describedBy || null)}${attr('data-autofocus', !!input.autofocus && !errors.length)}>
  ${input.hint ? html`<small id="${input.id}-hint" class="form-text">${input.hint}</small>` : ''}
  ${error ? html`<div id="${input.id}-error" class="invalid-feedback d-block">${error.message}</div>` : ''}
</div>`;
}

const csrfInput = (token: string) => html`<input type="hidden" name="${CSRF_FIELD}" value="${token}">`;

// --- Interaction pages ------------------------------------------------------------------------------

/** "SPID livello 2 (...)" / "CIE livello 2 (...)": both OPs use the SpidL URIs for their levels. */
export function levelLabel(tr: T, op: OpKind, acr: Acr | string | undefined): string {
  const rank = acrRank(acr);
  const scheme = op === 'spid' ? 'SPID' : 'CIE';
  return rank === 1 ? tr('level1', { scheme }) : rank === 2 ? tr('level2', { scheme }) : rank === 3 ? tr('level3', { scheme }) : String(acr ?? '');
}

export interface InteractionView extends PageContext {
  brand: OpKind;
  /** Base path of this interaction, e.g. /interaction/spid/<uid>. */
  action: string;
  csrf: string;
  rpName: string;
  requested: Acr;
}

export interface LoginView extends InteractionView {
  methods: LoginMethod[];
  errors: FieldError[];
  username?: string;
  cardNumber?: string;
}

export function loginPage(view: LoginView): string {
  const tr = t(view.locale);
  const heading = tr(view.brand === 'spid' ? 'spidLoginHeading' : 'cieLoginHeading');
  const passwordForm = html`<section class="border rounded p-4 mb-4" aria-labelledby="password-heading">
  <h2 class="h4 mb-5" id="password-heading">${tr(view.brand === 'spid' ? 'passwordMethodSpid' : 'passwordMethodCie')}</h2>
  <form method="post" action="${view.action}/password" novalidate>
    ${csrfInput(view.csrf)}
    ${field({ id: 'username', label: tr('username'), value: view.username, autocomplete: 'username', autofocus: true }, view.errors)}
    ${field({ id: 'password', label: tr('password'), type: 'password', autocomplete: 'current-password' }, view.errors)}
    <button type="submit" class="btn btn-primary">${tr('submitLogin')}</button>
  </form>
</section>`;
  const cardForm = html`<section class="border rounded p-4 mb-4" aria-labelledby="card-heading">
  <h2 class="h4 mb-5" id="card-heading">${tr('cardMethod')}</h2>
  <form method="post" action="${view.action}/card" novalidate>
    ${csrfInput(view.csrf)}
    ${field({ id: 'cardNumber', label: tr('cardNumber'), value: view.cardNumber, hint: tr('cardNumberHint'), autocomplete: 'off', maxlength: 9, autofocus: !view.methods.includes('password') }, view.errors)}
    ${field({ id: 'pin', label: tr('pin'), type: 'password', hint: tr('pinHint'), autocomplete: 'off', inputmode: 'numeric', maxlength: 8 }, view.errors)}
    <button type="submit" class="btn btn-primary">${tr('submitCard')}</button>
  </form>
</section>`;
  return page(
    view,
    heading,
    html`<h1 class="h2 mb-3">${heading}</h1>
<p class="lead">${tr('requestedBy', { rp: view.rpName, level: levelLabel(tr, view.brand, view.requested) })}</p>
${errorSummary(tr, view.errors)}
${view.methods.includes('password') ? passwordForm : ''}
${view.methods.includes('card') ? cardForm : ''}
${cancelForm(view, tr('cancelLogin'))}`,
  );
}

function cancelForm(view: InteractionView, label: string): SafeHtml {
  return html`<form method="post" action="${view.action}/abort">${csrfInput(view.csrf)}<button type="submit" class="btn btn-outline-secondary">${label}</button></form>`;
}

export function otpPage(view: InteractionView & { errors: FieldError[] }): string {
  const tr = t(view.locale);
  return page(
    view,
    tr('otpHeading'),
    html`<h1 class="h2 mb-3">${tr('otpHeading')}</h1>
<p class="lead">${tr('requestedBy', { rp: view.rpName, level: levelLabel(tr, view.brand, view.requested) })}</p>
<p>${tr('otpIntro')}</p>
${errorSummary(tr, view.errors)}
<form method="post" action="${view.action}/otp" novalidate>
  ${csrfInput(view.csrf)}
  ${field({ id: 'code', label: tr('otpCode'), hint: tr('otpHint'), autocomplete: 'one-time-code', inputmode: 'numeric', maxlength: 6, pattern: '[0-9]{6}', autofocus: true }, view.errors)}
  <button type="submit" class="btn btn-primary me-2" name="action" value="verify">${tr('submitOtp')}</button>
  <button type="submit" class="btn btn-outline-secondary" name="action" value="give-up" formnovalidate>${tr('otpGiveUp')}</button>
</form>`,
  );
}

const CLAIM_LABELS: Record<UserClaim, MessageKey> = {
  [FISCAL_NUMBER]: 'claimFiscalNumber',
  given_name: 'claimGivenName',
  family_name: 'claimFamilyName',
  birthdate: 'claimBirthdate',
  place_of_birth: 'claimPlaceOfBirth',
  gender: 'claimGender',
  email: 'claimEmail',
  phone_number: 'claimPhoneNumber',
};

export interface ConsentView extends InteractionView {
  userName: string;
  achieved: string | undefined;
  /** The attributes to share with their display values. */
  attributes: { claim: UserClaim; value: string }[];
}

export function consentPage(view: ConsentView): string {
  const tr = t(view.locale);
  const list = view.attributes.length
    ? html`<p>${tr('consentIntro', { rp: view.rpName })}</p>
<dl class="row">${view.attributes.map((a) => html`<dt class="col-sm-5">${tr(CLAIM_LABELS[a.claim])}</dt><dd class="col-sm-7">${a.value}</dd>`)}</dl>`
    : html`<p>${tr('consentNone', { rp: view.rpName })}</p>`;
  return page(
    view,
    tr('consentHeading'),
    html`<h1 class="h2 mb-3" tabindex="-1" data-autofocus>${tr('consentHeading')}</h1>
<p>${tr('consentLoggedAs', { name: view.userName, level: levelLabel(tr, view.brand, view.achieved) })}</p>
${list}
<form method="post" action="${view.action}/consent">
  ${csrfInput(view.csrf)}
  <button type="submit" class="btn btn-primary me-2" name="decision" value="approve">${tr('consentApprove')}</button>
  <button type="submit" class="btn btn-outline-secondary" name="decision" value="deny">${tr('consentDeny')}</button>
</form>`,
  );
}

/** Display value of a claim on the consent page. */
export function displayClaim(locale: Locale, claim: UserClaim, value: unknown): string {
  const tr = t(locale);
  if (claim === 'gender') return tr(value === 'female' ? 'genderFemale' : 'genderMale');
  if (claim === 'birthdate' && typeof value === 'string') {
    return formatCalendarDate(locale, value);
  }
  if (claim === 'place_of_birth' && value && typeof value === 'object') {
    const { locality, region } = value as { locality?: string; region?: string };
    const name = locality ? (birthplaceByBelfiore(locality)?.name ?? locality) : '';
    return [name, region && `(${region})`].filter(Boolean).join(' ');
  }
  return String(value ?? '');
}

// --- Provider-rendered pages ------------------------------------------------------------------------

export function logoutPage(ctx: PageContext, opName: string, form: SafeHtml): string {
  const tr = t(ctx.locale);
  return page(
    ctx,
    tr('logoutHeading'),
    html`<h1 class="h2 mb-3" tabindex="-1" data-autofocus>${tr('logoutHeading')}</h1>
<p>${tr('logoutIntro', { op: opName })}</p>
${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes" class="btn btn-primary me-2">${tr('logoutConfirm')}</button>
<button type="submit" form="op.logoutForm" class="btn btn-outline-secondary">${tr('logoutStay')}</button>`,
  );
}

export function loggedOutPage(ctx: PageContext, opName: string): string {
  const tr = t(ctx.locale);
  return page(ctx, tr('loggedOutHeading'), html`<h1 class="h2 mb-3">${tr('loggedOutHeading')}</h1><p>${tr('loggedOutBody', { op: opName })}</p>`);
}

export function errorPage(ctx: PageContext, input: { title?: string; detail?: string; code?: string; requestId?: string }): string {
  const tr = t(ctx.locale);
  return page(
    ctx,
    tr('errorHeading'),
    html`<h1 class="h2 mb-3">${tr('errorHeading')}</h1>
<div class="alert alert-danger" tabindex="-1" data-autofocus>
  ${input.title ? html`<p class="fw-bold">${input.title}</p>` : ''}
  ${input.detail ? html`<p>${input.detail}</p>` : ''}
  ${input.code ? html`<p class="mb-0">${tr('errorCode')}: <code>${input.code}</code></p>` : ''}
</div>
${input.requestId ? html`<p class="small">${tr('errorRequestId', { id: input.requestId })}</p>` : ''}`,
  );
}

export function homePage(ctx: PageContext, ops: { name: string; issuer: string }[]): string {
  const tr = t(ctx.locale);
  return page(
    ctx,
    tr('homeHeading'),
    html`<h1 class="h2 mb-3">${tr('homeHeading')}</h1>
<p>${tr('homeIntro')}</p>
${ops.map(
  (op) => html`<section class="mb-4"><h2 class="h4">${op.name}</h2><dl>
  <dt>${tr('homeIssuer')}</dt><dd><code>${op.issuer}</code></dd>
  <dt>${tr('homeDiscovery')}</dt><dd><a href="${op.issuer}/.well-known/openid-configuration">${op.issuer}/.well-known/openid-configuration</a></dd>
</dl></section>`,
)}`,
  );
}
