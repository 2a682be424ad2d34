// "Who consulted my data": every e-service access to the citizen's record (access-log.ts), newest first, a
// page at a time: the body, the PDND purpose, the e-service, when, and whether data were given.
import { Type } from '@sinclair/typebox';
import { html } from '../../../core/html.ts';
import type { App } from '../../../core/http.ts';
import { dataTable } from '../../../core/ui.ts';
import { readAccessLog } from '../access-log.ts';
import { CITIZEN } from '../web/layout.ts';
import { myRecord, sendAreaPage, sendNoRecord, type CitizenDeps } from './context.ts';
import { dateLabel, instantLabel } from './labels.ts';
import { citizenT, type CitizenKey } from './messages.ts';

const PATH = `${CITIZEN}/consultazioni`;
export const ACCESS_LOG_PAGE_SIZE = 20;
const ESERVICE_CODES = ['C015', 'C018', 'C019', 'C020', 'C021', 'C030'];

export function registerAccessLog(area: App, deps: CitizenDeps): void {
  area.get(PATH, { config: { html: true }, schema: { hide: true, querystring: Type.Object({ pagina: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })) }) } }, async (request, reply) => {
    const { locale } = request;
    const tr = citizenT(locale);
    const { person } = await myRecord(deps, request);
    if (!person) return sendNoRecord(request, reply, tr('accessTitle'));
    const page = request.query.pagina ?? 1;
    // One more than a page tells whether an older page exists.
    const entries = await readAccessLog(deps.db, person.idAnpr, ACCESS_LOG_PAGE_SIZE + 1, (page - 1) * ACCESS_LOG_PAGE_SIZE);
    const shown = entries.slice(0, ACCESS_LOG_PAGE_SIZE);
    const eservice = (name: string) => {
      const code = name.slice(0, 4);
      return ESERVICE_CODES.includes(code) ? html`${tr(`eservice.${code}` as CitizenKey)} <small class="text-muted">(${name})</small>` : name;
    };
    const table = dataTable(
      tr('accessCaption'),
      [tr('columnWhen'), tr('columnBody'), tr('columnPurpose'), tr('columnEservice'), tr('columnAsOf'), tr('columnOutcome')],
      shown.map((e) => [
        instantLabel(locale, e.at),
        e.consumerName ?? e.consumerId,
        e.purposeId ? html`<code>${e.purposeId}</code>` : '—',
        eservice(e.eservice),
        e.asOf ? dateLabel(locale, e.asOf) : '—',
        e.outcome === 'found' ? tr('outcomeFound') : tr('outcomeNotFound'),
      ]),
      tr('noAccesses'),
    );
    const link = (target: number, label: string, rel: string) => html`<li class="page-item"><a class="page-link" rel="${rel}" href="${PATH}${target > 1 ? `?pagina=${target}` : ''}">${label}</a></li>`;
    const pager =
      page > 1 || entries.length > ACCESS_LOG_PAGE_SIZE
        ? html`<nav aria-label="${tr('pages')}"><ul class="pagination">
  ${page > 1 ? link(page - 1, tr('newer'), 'prev') : ''}
  <li class="page-item active"><span class="page-link" aria-current="page">${tr('page', { page })}</span></li>
  ${entries.length > ACCESS_LOG_PAGE_SIZE ? link(page + 1, tr('older'), 'next') : ''}
</ul></nav>`
        : '';
    const main = html`<h1>${tr('accessTitle')}</h1><p class="lead">${tr('accessIntro')}</p>${table}${pager}`;
    return sendAreaPage(request, reply, tr('accessTitle'), main);
  });
}
