// Page ratings over HTTP under /:tenant: the anonymous rating a visitor sends from any rated page or, for a
// service's online procedure, from the submission's receipt (a plain form, or JSON for web/feedback.js and
// other clients) and the ente admin's figures per page and service.
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { html } from '../../core/html.ts';
import type { App } from '../../core/http.ts';
import { formatItalianTime, type Locale } from '../../core/i18n.ts';
import { invalid, type InvalidField } from '../../core/problem.ts';
import type { FieldErrors } from '../../core/forms.ts';
import { redirectTo } from '../../core/auth/sessions.ts';
import { requireTenant, type ComuneContext } from '../context.ts';
import type { Tenant } from '../tenants/tenants.ts';
import { desk, guard } from '../backoffice/routes.ts';
import { renderPage } from '../website/layout.ts';
import { sendPage } from '../website/routes.ts';
import { ServiceRepository } from '../catalog/services.ts';
import { CategoryRepository } from '../catalog/categories.ts';
import { localizedContent, localizedText, PUBLIC_STATUSES } from '../catalog/model.ts';
import { COMMENT_MAX, parseRating, ratedPagePath, ratingSubject, returnPath, type RatedPage, type RatingFields } from './model.ts';
import { RatingRepository } from './store.ts';
import { ratingT, type RatingT } from './messages.ts';
import { FEEDBACK_ASSETS, RATINGS_PATH, ratingWidget, THANKS_QUERY } from './widget.ts';

export const RATINGS_ADMIN_PATH = '/backoffice/valutazioni';

const TenantParams = Type.Object({ tenant: Type.String() });
const RatingBody = Type.Object(
  {
    page: Type.String({ maxLength: 200, description: 'the rated page: its path after "/{tenant}/" ("" for the home page); "servizi/{slug}/domanda" for a service\'s online procedure' }),
    rating: Type.Optional(Type.String({ maxLength: 2, description: 'stars, 1 to 5' })),
    positiveReason: Type.Optional(Type.String({ maxLength: 40, description: 'with 4 or 5 stars: clear, complete, onTrack, noTechnicalProblems, other' })),
    negativeReason: Type.Optional(Type.String({ maxLength: 40, description: 'with 1 to 3 stars: unclear, incomplete, lost, technicalProblems, other' })),
    comment: Type.Optional(Type.String({ maxLength: 2000, description: `free text, at most ${COMMENT_MAX} characters, no personal data` })),
    returnTo: Type.Optional(Type.String({ maxLength: 200, description: 'a plain form comes back to this path of the ente site instead of the rated page (a procedure is rated on its receipt)' })),
  },
  { additionalProperties: false },
);
const RatingCreated = Type.Object({ id: Type.String({ format: 'uuid' }), page: Type.String(), rating: Type.Integer() });

function wantsJson(request: FastifyRequest): boolean {
  return (request.headers.accept ?? '').includes('application/json') || (request.headers['content-type'] ?? '').includes('application/json');
}

function fieldErrors(errors: InvalidField[], tr: RatingT): FieldErrors {
  return Object.fromEntries(
    errors.map((e) => {
      const field = e.pointer.slice(1);
      if (field === 'rating') return [field, tr('rating.error.rating')];
      if (field === 'comment') return [field, e.code === 'personal-data' ? tr('rating.error.personalData') : tr('rating.error.comment', { max: COMMENT_MAX })];
      return [field, tr('rating.error.reason')];
    }),
  );
}

/** Labels of the rated pages: fixed names, or the category's and service's names in the admin's language. */
async function pageLabels(comune: ComuneContext, tenant: Tenant, pages: string[], locale: Locale, tr: RatingT): Promise<Map<string, string>> {
  const services = new Map((await new ServiceRepository(comune.db).list(tenant.id)).map((s) => [s.slug, localizedContent(s.content, locale).name]));
  const categories = new Map((await new CategoryRepository(comune.db).list(tenant.id)).map((c) => [c.slug, localizedText(c.names, locale)]));
  return new Map(
    pages.map((page) => {
      const rated = ratingSubject(tenant.slug, page);
      if (!rated) return [page, page];
      if (rated.kind === 'service') return [page, tr('rating.page.service', { name: services.get(rated.slug) ?? rated.slug })];
      if (rated.kind === 'category') return [page, tr('rating.page.category', { name: categories.get(rated.slug) ?? rated.slug })];
      if (rated.kind === 'procedure') return [page, tr('rating.page.procedure', { name: services.get(rated.slug) ?? rated.slug })];
      return [page, tr(`rating.page.${rated.kind}`)];
    }),
  );
}

export function registerRatings(app: App, comune: ComuneContext): void {
  const ratings = new RatingRepository(comune.db);

  /** Whether the page exists today: a published service (with its online form, for a procedure), an existing category, or one of the fixed pages. */
  async function exists(tenant: Tenant, rated: RatedPage): Promise<boolean> {
    if (rated.kind === 'service' || rated.kind === 'procedure') {
      const service = await new ServiceRepository(comune.db).bySlug(tenant.id, rated.slug);
      return !!service && PUBLIC_STATUSES.includes(service.status) && (rated.kind === 'service' || !!service.formId);
    }
    if (rated.kind === 'category') return !!(await new CategoryRepository(comune.db).bySlug(tenant.id, rated.slug));
    return true;
  }

  app.post(
    RATINGS_PATH,
    {
      // Anonymous, without session or CSRF token (a forged post could only add a rating anyone may add): the per-address limit keeps the figures honest.
      config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
      schema: {
        tags: ['ratings'],
        summary: 'Rate how clear a page of the ente site is (Designers Italia "Valutazione")',
        description: 'Form-encoded or JSON. With Accept: application/json the answer is 201 JSON or a problem; a browser form is sent back to the page (303).',
        params: TenantParams,
        body: RatingBody,
        response: { 201: RatingCreated },
      },
    },
    async (request, reply) => {
      const tenant = requireTenant(request);
      const body = request.body;
      const rated = ratingSubject(tenant.slug, body.page);
      if (!rated || !(await exists(tenant, rated))) throw invalid([{ pointer: '/body/page', code: 'unknown', detail: 'not a page of this ente that can be rated' }]);
      const parsed = parseRating(body);
      const back = returnPath(tenant.slug, body.returnTo);
      if (!parsed.ok) {
        if (wantsJson(request)) throw invalid(parsed.errors.map((e) => ({ ...e, pointer: `/body${e.pointer}` })));
        return sendPage(reply, ratingFormPage(request, tenant, rated.page, back, body, fieldErrors(parsed.errors, ratingT(request.locale))), 400);
      }
      const id = await ratings.add(tenant.id, rated.page, parsed.value, request.locale);
      if (wantsJson(request)) return reply.status(201).send({ id, page: rated.page, rating: parsed.value.stars });
      return redirectTo(reply, `${back ?? ratedPagePath(tenant.slug, rated.page)}?${new URLSearchParams(THANKS_QUERY)}#feedback`);
    },
  );

  app.get(RATINGS_ADMIN_PATH, { config: { html: true }, schema: { hide: true, params: TenantParams } }, async (request, reply) => {
    const tenant = requireTenant(request);
    const staff = guard(request, reply, { type: 'tenant.manageServices', tenantId: tenant.id });
    if (!staff) return reply;
    const locale = request.locale;
    const tr = ratingT(locale);
    const [summary, comments] = await Promise.all([ratings.summary(tenant.id), ratings.latestComments(tenant.id)]);
    const labels = await pageLabels(comune, tenant, [...new Set([...summary.map((s) => s.page), ...comments.map((c) => c.page)])], locale, tr);
    const decimal = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
    const percent = new Intl.NumberFormat(locale, { style: 'percent' });
    const total = summary.reduce((sum, s) => sum + s.count, 0);
    const overall = total ? summary.reduce((sum, s) => sum + s.average * s.count, 0) / total : 0;
    // A procedure's figures link to its service's page: the procedure's own path would start an application.
    const href = (page: string) => {
      const rated = ratingSubject(tenant.slug, page);
      return ratedPagePath(tenant.slug, rated?.kind === 'procedure' ? `servizi/${rated.slug}` : page);
    };
    const link = (page: string) => html`<a href="${href(page)}">${labels.get(page) ?? page}</a>`;
    const content = html`<p class="lead">${tr('rating.admin.intro')}</p>
${summary.length === 0
  ? html`<p>${tr('rating.admin.empty')}</p>`
  : html`<p>${tr('rating.admin.total', { count: total, average: decimal.format(overall) })}</p>
<div class="table-responsive"><table class="table">
  <thead><tr><th scope="col">${tr('rating.admin.page')}</th><th scope="col" class="text-end">${tr('rating.admin.count')}</th><th scope="col" class="text-end">${tr('rating.admin.average')}</th><th scope="col" class="text-end">${tr('rating.admin.negative')}</th><th scope="col">${tr('rating.admin.reasons')}</th></tr></thead>
  <tbody>${summary.map(
    (s) => html`<tr><th scope="row">${link(s.page)}</th><td class="text-end">${s.count}</td><td class="text-end">${tr('rating.admin.averageValue', { value: decimal.format(s.average) })}</td>
    <td class="text-end">${percent.format(s.negative / s.count)}</td>
    <td>${s.reasons.length ? html`<ul class="list-unstyled mb-0 small">${s.reasons.slice(0, 3).map((r) => html`<li>${tr(`rating.reason.${r.reason}` as Parameters<RatingT>[0])} (${r.count})</li>`)}</ul>` : '—'}</td></tr>`,
  )}</tbody>
</table></div>`}
<h2 class="h4 mt-4">${tr('rating.admin.comments')}</h2>
${comments.length === 0
  ? html`<p>${tr('rating.admin.noComments')}</p>`
  : html`<div class="table-responsive"><table class="table table-sm">
  <thead><tr><th scope="col">${tr('rating.admin.when')}</th><th scope="col">${tr('rating.admin.page')}</th><th scope="col">${tr('rating.admin.stars')}</th><th scope="col">${tr('rating.admin.comment')}</th></tr></thead>
  <tbody>${comments.map((c) => html`<tr><td>${formatItalianTime(locale, c.createdAt, 'medium', 'short')}</td><td>${link(c.page)}</td><td>${c.stars}</td><td>${c.comment}</td></tr>`)}</tbody>
</table></div>`}`;
    return sendPage(reply, desk(request, staff, tr('rating.admin.title'), content, comune));
  });
}

/** The rating form on a page of its own, when a plain-form rating comes back with errors. */
function ratingFormPage(request: FastifyRequest, tenant: Tenant, page: string, returnTo: string | undefined, values: RatingFields, errors: FieldErrors): string {
  const tr = ratingT(request.locale);
  const body = html`<h1>${tr('rating.pageTitle')}</h1>
<p><a href="${returnTo ?? ratedPagePath(tenant.slug, page)}">${tr('rating.backToPage')}</a></p>
${ratingWidget({ locale: request.locale, tenantSlug: tenant.slug, page, returnTo, values, errors })}`;
  return renderPage({ request, tenant, title: tr('rating.pageTitle'), body, scripts: [FEEDBACK_ASSETS.script] });
}
