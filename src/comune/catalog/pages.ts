// The public catalog of an ente after the Designers Italia "Comuni" model: the services page (search,
// topic and category filters, services grouped by category), category pages, the service card and the
// topics page, with the data-element markers the PNRR 1.4.1 validator (italia/pa-website-validator) reads.
import { formatCalendarDate, type Locale } from '../../core/i18n.ts';
import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { html, unsafeRaw, type SafeHtml } from '../../core/html.ts';
import type { App } from '../../core/http.ts';
import { notFound } from '../../core/problem.ts';
import { requireTenant, type ComuneContext } from '../context.ts';
import type { Tenant } from '../tenants/tenants.ts';
import { renderPage } from '../website/layout.ts';
import { sendPage, signedInName } from '../website/routes.ts';
import { municipalityByIstat } from '../../domain/municipalities.ts';
import { availability, localizedContent, localizedText, PUBLIC_STATUSES, type Category, type Office, type Service } from './model.ts';
import { ServiceRepository } from './services.ts';
import { CategoryRepository } from './categories.ts';
import { OfficeRepository } from './offices.ts';
import { catalogT, type CatalogT } from './messages.ts';
import { officialTopic } from './topics.ts';
import { websiteT } from '../website/messages.ts';

const TenantParams = Type.Object({ tenant: Type.String() });
const SlugParams = Type.Object({ tenant: Type.String(), slug: Type.String({ maxLength: 80 }) });
const CatalogQuery = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 100 })),
    argomento: Type.Optional(Type.String({ maxLength: 60 })),
    categoria: Type.Optional(Type.String({ maxLength: 80 })),
  },
  { additionalProperties: true },
);

export const servicesPath = (tenant: Tenant) => `/${tenant.slug}/servizi`;
export const servicePath = (tenant: Tenant, service: Pick<Service, 'slug'>) => `${servicesPath(tenant)}/${service.slug}`;
export const categoryPath = (tenant: Tenant, category: Pick<Category, 'slug'>) => `${servicesPath(tenant)}/categoria/${category.slug}`;
export const topicPath = (tenant: Tenant, topic: string) => `${servicesPath(tenant)}?argomento=${encodeURIComponent(topic)}`;
/** A stored topic in the official spelling of the Designers Italia list (older entries may differ in case). */
const topicLabel = (topic: string) => officialTopic(topic) ?? topic;
/** Where the application form lives (built by the forms part). */
export const applicationPath = (tenant: Tenant, service: Pick<Service, 'slug'>) => `${servicePath(tenant, service)}/domanda`;

/** Blank-line-separated text as paragraphs. */
function paragraphs(text: string): SafeHtml {
  return html`${text.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean).map((p) => html`<p>${p}</p>`)}`;
}

function serviceCard(tenant: Tenant, service: Service, locale: Locale): SafeHtml {
  const content = localizedContent(service.content, locale);
  return html`<div class="col-12 col-md-6 col-lg-4 mb-3"><div class="card card-teaser shadow-sm h-100 rounded"><div class="card-body">
  <h3 class="card-title h5"><a class="text-decoration-none" href="${servicePath(tenant, service)}" data-element="service-link">${content.name}</a></h3>
  <p class="card-text">${content.description}</p>
</div></div></div>`;
}

/** Services grouped under their categories, in the categories' order; the uncategorised last. */
function groupedServices(tenant: Tenant, categories: Category[], services: Service[], tr: CatalogT, locale: Locale): SafeHtml {
  const groups = [
    ...categories.map((c) => ({ id: c.id as string | null, title: localizedText(c.names, locale), href: categoryPath(tenant, c) as string | undefined })),
    { id: null, title: tr('catalog.otherServices'), href: undefined },
  ];
  return html`${groups.map((group) => {
    const members = services.filter((s) => s.categoryId === group.id);
    if (!members.length) return '';
    return html`<section class="mb-4" aria-labelledby="group-${group.id ?? 'other'}">
  <h2 class="h4" id="group-${group.id ?? 'other'}">${group.href ? html`<a href="${group.href}">${group.title}</a>` : group.title}</h2>
  <div class="row">${members.map((s) => serviceCard(tenant, s, locale))}</div>
</section>`;
  })}`;
}

function formatDate(locale: Locale, isoDate: string): string {
  return formatCalendarDate(locale, isoDate);
}

function periodText(service: Service, tr: CatalogT, locale: Locale): string | undefined {
  const from = service.activeFrom && formatDate(locale, service.activeFrom);
  const to = service.activeTo && formatDate(locale, service.activeTo);
  if (from && to) return tr('service.period', { from, to });
  if (from) return tr('service.periodFrom', { from });
  if (to) return tr('service.periodTo', { to });
  return undefined;
}

/** schema.org metadata of the service card (validator R.SI.1.1); a data block, not script, so CSP allows it. */
function metatag(comune: ComuneContext, tenant: Tenant, service: Service, office: Office | undefined, category: Category | undefined): SafeHtml {
  const content = service.content.it;
  const data = {
    '@context': 'https://schema.org',
    '@type': 'GovernmentService',
    name: content.name,
    serviceType: category ? category.names.it : content.name,
    serviceOperator: { '@type': 'GovernmentOrganization', name: tenant.name },
    areaServed: { '@type': 'AdministrativeArea', name: municipalityByIstat(tenant.istatCode)?.name ?? tenant.name },
    audience: { '@type': 'Audience', audienceType: content.who || content.description },
    availableChannel: {
      '@type': 'ServiceChannel',
      serviceUrl: `${comune.app.config.urls.comune}${servicePath(tenant, service)}`,
      ...(office ? { serviceLocation: { '@type': 'Place', name: office.name, address: { '@type': 'PostalAddress', streetAddress: office.address ?? tenant.street ?? '', postalCode: tenant.postcode ?? '', addressLocality: municipalityByIstat(tenant.istatCode)?.name ?? '' } } } : {}),
    },
  };
  // "<" escaped so that no text can close the element.
  return html`<script type="application/ld+json" data-element="metatag">${unsafeRaw(JSON.stringify(data).replace(/</g, '\\u003c'))}</script>`;
}

function officeBlock(office: Office, tr: CatalogT): SafeHtml {
  return html`<div class="card card-teaser shadow-sm rounded mb-3"><div class="card-body">
  <h3 class="card-title h5">${office.name}</h3>
  <p class="small text-muted mb-1">${tr('service.office')}</p>
  ${office.address ? html`<p class="mb-1">${tr('service.address')}: ${office.address}</p>` : ''}
  ${office.email ? html`<p class="mb-1">${tr('catalog.admin.email')}: <a href="mailto:${office.email}">${office.email}</a></p>` : ''}
  ${office.phone ? html`<p class="mb-1">${tr('catalog.admin.phone')}: ${office.phone}</p>` : ''}
  ${office.openingHours ? html`<p class="mb-0">${tr('service.openingHours')}: ${office.openingHours}</p>` : ''}
</div></div>`;
}

export function registerCatalogPages(app: App, comune: ComuneContext): void {
  const services = new ServiceRepository(comune.db);
  const categories = new CategoryRepository(comune.db);
  const offices = new OfficeRepository(comune.db);

  async function catalogPage(request: FastifyRequest, category?: Category): Promise<string> {
    const tenant = requireTenant(request);
    const locale = request.locale;
    const tr = catalogT(locale);
    const query = request.query as { q?: string; argomento?: string; categoria?: string };
    const all = await categories.list(tenant.id);
    const chosen = category ?? (query.categoria ? all.find((c) => c.slug === query.categoria) : undefined);
    const unknownCategory = !category && !!query.categoria && !chosen;
    const published = await services.list(tenant.id, { statuses: PUBLIC_STATUSES, locale });
    const found = unknownCategory ? [] : await services.list(tenant.id, { statuses: PUBLIC_STATUSES, locale, text: query.q, topic: query.argomento || undefined, categoryId: chosen?.id });
    const topics = [...new Set(published.flatMap((s) => s.topics))].sort((a, b) => a.localeCompare(b, 'it'));
    const title = category ? localizedText(category.names, locale) : tr('catalog.title');
    const action = category ? categoryPath(tenant, category) : servicesPath(tenant);
    const body = html`<h1${category ? '' : html` data-element="page-name"`}>${title}</h1>
<p class="lead">${category ? localizedText(category.descriptions, locale) || tr('catalog.categoryServices') : tr('catalog.intro')}</p>
<form method="get" action="${action}" role="search" class="row g-3 align-items-end mb-4">
  <div class="col-12 col-lg-5"><div class="form-group mb-0">
    <label for="catalog-q" class="active">${tr('catalog.searchLabel')}</label>
    <input id="catalog-q" type="search" name="q" class="form-control" value="${query.q ?? ''}">
  </div></div>
  <div class="col-12 col-md-6 col-lg-3"><div class="select-wrapper">
    <label for="catalog-topic">${tr('catalog.topic')}</label>
    <select id="catalog-topic" name="argomento"><option value="">${tr('catalog.allTopics')}</option>
      ${topics.map((topic) => html`<option value="${topic}"${query.argomento === topic ? html` selected` : ''}>${topicLabel(topic)}</option>`)}</select>
  </div></div>
  ${category
    ? ''
    : html`<div class="col-12 col-md-6 col-lg-2"><div class="select-wrapper">
    <label for="catalog-category">${tr('catalog.category')}</label>
    <select id="catalog-category" name="categoria"><option value="">${tr('catalog.allCategories')}</option>
      ${all.map((c) => html`<option value="${c.slug}"${chosen?.id === c.id ? html` selected` : ''}>${localizedText(c.names, locale)}</option>`)}</select>
  </div></div>`}
  <div class="col-12 col-lg-2"><button type="submit" class="btn btn-primary w-100">${tr('catalog.searchButton')}</button></div>
</form>
${category
  ? ''
  : html`<section class="mb-4" aria-labelledby="by-category"><h2 class="h5" id="by-category">${tr('catalog.byCategory')}</h2>
  <ul class="list-inline">${all.map((c) => html`<li class="list-inline-item mb-2"><a class="chip chip-simple chip-primary" href="${categoryPath(tenant, c)}" data-element="service-category-link"><span class="chip-label">${localizedText(c.names, locale)}</span></a></li>`)}</ul>
</section>`}
<p role="status" id="catalog-count">${tr('catalog.results', { count: found.length })}</p>
${found.length ? groupedServices(tenant, category ? [category] : all, found, tr, locale) : html`<p>${tr('catalog.empty')}</p>`}`;
    const breadcrumb = category ? [{ label: tr('catalog.title'), href: servicesPath(tenant) }, { label: title }] : [{ label: tr('catalog.title') }];
    return renderPage({ request, tenant, title, body, breadcrumb, signedInAs: signedInName(request), feedback: true });
  }

  app.get('/servizi', { config: { html: true }, schema: { hide: true, params: TenantParams, querystring: CatalogQuery } }, async (request, reply) => sendPage(reply, await catalogPage(request)));

  app.get('/servizi/categoria/:slug', { config: { html: true }, schema: { hide: true, params: SlugParams, querystring: CatalogQuery } }, async (request, reply) => {
    const category = await categories.bySlug(requireTenant(request).id, request.params.slug);
    if (!category) throw notFound('No such category.');
    return sendPage(reply, await catalogPage(request, category));
  });

  app.get('/servizi/:slug', { config: { html: true }, schema: { hide: true, params: SlugParams } }, async (request, reply) => {
    const tenant = requireTenant(request);
    const service = await services.bySlug(tenant.id, request.params.slug);
    if (!service || !PUBLIC_STATUSES.includes(service.status)) throw notFound('No such service.');
    const locale = request.locale;
    const tr = catalogT(locale);
    const content = localizedContent(service.content, locale);
    const category = service.categoryId ? await categories.byId(tenant.id, service.categoryId) : undefined;
    const office = service.officeId ? await offices.byId(tenant.id, service.officeId) : undefined;
    const state = availability(service, new Date());
    const period = periodText(service, tr, locale);
    const otherChannels = service.channels.filter((c) => c !== 'online');

    // Section order of the Designers Italia service card; the validator checks the eight mandatory ones.
    const sections: { id: string; title: string; body: SafeHtml }[] = [];
    const add = (id: string, title: string, body: SafeHtml | '' | undefined) => body && sections.push({ id, title, body });
    add('a-chi-e-rivolto', tr('service.who'), content.who && html`<div data-element="service-addressed">${paragraphs(content.who)}</div>`);
    add('come-fare', tr('service.howTo'), content.howTo && html`<div data-element="service-how-to">${paragraphs(content.howTo)}</div>`);
    add('cosa-serve', tr('service.needed'), content.needed && html`<div data-element="service-needed">${paragraphs(content.needed)}</div>`);
    add('cosa-si-ottiene', tr('service.obtained'), content.obtained && html`<div data-element="service-achieved">${paragraphs(content.obtained)}</div>`);
    add(
      'tempi-e-scadenze',
      tr('service.times'),
      html`<div data-element="service-calendar-text">${content.times ? paragraphs(content.times) : ''}<p>${tr('service.deadline', { days: service.deadlineDays })}</p>${period ? html`<p>${period}</p>` : ''}</div>`,
    );
    add('quanto-costa', tr('service.costs'), content.costs && paragraphs(content.costs));
    add(
      'accedi-al-servizio',
      tr('service.access'),
      html`${state === 'open'
        ? html`<p>${tr('service.startNeeds', { level: tr(`access.${service.accessLevel}`) })}</p>
<p><a class="btn btn-primary" href="${applicationPath(tenant, service)}" data-element="service-online-access">${tr('service.start')}</a></p>`
        : html`<div class="alert alert-warning" role="status">${tr('service.notAccepting')}${period ? ` ${period}` : ''}</div>`}
${otherChannels.length ? html`<div data-element="service-generic-access"><p>${tr('service.channels', { channels: otherChannels.map((c) => tr(`channel.${c}`)).join(', ') })}</p></div>` : ''}`,
    );
    add('ulteriori-informazioni', tr('service.moreInfo'), content.moreInfo && paragraphs(content.moreInfo));
    add('condizioni-di-servizio', tr('service.conditions'), content.conditions && html`<div data-element="service-file">${paragraphs(content.conditions)}</div>`);
    add(
      'contatti',
      tr('service.contacts'),
      html`<div data-element="service-area">${office ? officeBlock(office, tr) : ''}${content.contacts ? paragraphs(content.contacts) : office ? '' : html`<p>${tenant.name}</p>`}</div>`,
    );

    const statusLabel = tr(`service.status.${state}`);
    const body = html`${metatag(comune, tenant, service, office, category)}
<div class="row">
  <div class="col-lg-8">
    <h1 data-element="service-title">${content.name}</h1>
    <ul class="list-inline mb-2"><li class="list-inline-item"><span class="chip chip-simple ${state === 'open' ? 'chip-primary' : ''}" data-element="service-status"><span class="chip-label">${statusLabel}</span></span></li></ul>
    <p class="lead" data-element="service-description">${content.description}</p>
  </div>
  ${service.topics.length
    ? html`<div class="col-lg-3 offset-lg-1"><h2 class="h6">${tr('service.topics')}</h2>
    <ul class="list-inline">${service.topics.map((topic) => html`<li class="list-inline-item mb-1"><a class="chip chip-simple" href="${topicPath(tenant, topic)}" data-element="service-topic"><span class="chip-label">${topicLabel(topic)}</span></a></li>`)}</ul></div>`
    : ''}
</div>
<div class="row mt-4">
  <aside class="col-lg-3 mb-4">
    <nav aria-labelledby="page-index-title" class="navbar it-navscroll-wrapper navbar-expand-lg">
      <div><h2 class="h6" id="page-index-title">${tr('service.pageIndex')}</h2>
      <ul class="link-list" data-element="page-index">${sections.map((s) => html`<li class="nav-item"><a class="nav-link" href="#${s.id}">${s.title}</a></li>`)}</ul></div>
    </nav>
  </aside>
  <div class="col-lg-8 offset-lg-1">
    ${sections.map((s) => html`<section class="it-page-section mb-5" id="${s.id}" aria-labelledby="${s.id}-title"><h2 class="h3" id="${s.id}-title">${s.title}</h2>${s.body}</section>`)}
    ${service.lifeEvents.length ? html`<p class="small">${tr('service.lifeEvents')}: ${service.lifeEvents.join(', ')}</p>` : ''}
  </div>
</div>`;
    const breadcrumb = [
      { label: tr('catalog.title'), href: servicesPath(tenant) },
      ...(category ? [{ label: localizedText(category.names, locale), href: categoryPath(tenant, category) }] : []),
      { label: content.name },
    ];
    return sendPage(reply, renderPage({ request, tenant, title: content.name, description: content.description, body, breadcrumb, signedInAs: signedInName(request), feedback: true }));
  });

  // The topics page the validator reaches from the header's "all-topics" link (C.SI.1.5): the topics of the published services.
  app.get('/argomenti', { config: { html: true }, schema: { hide: true, params: TenantParams } }, async (request, reply) => {
    const tenant = requireTenant(request);
    const tr = websiteT(request.locale);
    const published = await services.list(tenant.id, { statuses: PUBLIC_STATUSES, locale: request.locale });
    const counts = new Map<string, number>();
    for (const topic of published.flatMap((s) => s.topics)) counts.set(topic, (counts.get(topic) ?? 0) + 1);
    const topics = [...counts].sort(([a], [b]) => topicLabel(a).localeCompare(topicLabel(b), 'it'));
    const body = html`<h1 data-element="page-name">${tr('topics.title')}</h1>
<p class="lead">${tr('topics.intro')}</p>
${topics.length
  ? html`<ul class="list-unstyled row">${topics.map(
      ([topic, count]) => html`<li class="col-12 col-md-6 col-lg-4 mb-3"><div class="card card-teaser shadow-sm rounded h-100"><div class="card-body">
  <h2 class="card-title h5"><a class="text-decoration-none" href="${topicPath(tenant, topic)}" data-element="topic-element">${topicLabel(topic)}</a></h2>
  <p class="card-text small">${tr('topics.services', { count })}</p>
</div></div></li>`,
    )}</ul>`
  : html`<p>${tr('topics.empty')}</p>`}`;
    return sendPage(reply, renderPage({ request, tenant, title: tr('topics.title'), body, breadcrumb: [{ label: tr('topics.title') }], signedInAs: signedInName(request), feedback: true }));
  });
}
