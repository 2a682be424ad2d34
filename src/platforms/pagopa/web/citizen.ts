// The citizen's payments page under /pagamenti: sign-in with SPID or CIE (the pagoPA app is a relying party of
// the identity platform, like ANPR's citizen area), then "Da pagare" (the payable notices in the citizen's
// fiscal code at every institution) and "Pagati" (the receipts where they are debtor or payer). Only their own
// fiscal code counts: anyone else's notice or receipt is not found.
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { audit } from '../../../core/audit.ts';
import { checkFormCsrf, redirectTo } from '../../../core/auth/sessions.ts';
import type { Executor } from '../../../core/db.ts';
import { alert } from '../../../core/forms.ts';
import { html } from '../../../core/html.ts';
import type { App } from '../../../core/http.ts';
import { dataTable } from '../../../core/ui.ts';
import { notFound } from '../../../core/problem.ts';
import { transaction } from '../../../core/db.ts';
import { formatNoticeNumber } from '../../../domain/pagopa/notice-number.ts';
import { acrRank } from '../../../clients/identity/index.ts';
import { registerCitizenLoginRoutes, type CitizenSession } from '../../../clients/identity/citizen-routes.ts';
import { registerEntityConfiguration, relyingParty, type RelyingParty } from '../../../clients/identity/login.ts';
import { relyingPartyKeys } from '../../../clients/identity/rp-keys.ts';
import { signInChoices } from '../../../clients/identity/sign-in.ts';
import { SCHEMA } from '../schema.ts';
import { institutionByFiscalCode } from '../institutions.ts';
import { getPosition } from '../positions.ts';
import { cartPath } from '../checkout/layout.ts';
import { insertCart } from '../checkout/store.ts';
import { CITIZEN, citizenOf, csrf, day, dayTime, euro, sendNoticePdf, sendPage, sendReceiptPdf, unlessNotFound } from './layout.ts';
import { consoleT } from './messages.ts';
import { payableNoticesOf, receiptOfCitizen, receiptsOf } from './queries.ts';

export const CITIZEN_LOGIN = `${CITIZEN}/accedi`;
/** SpidL2: what a citizen's debts and payments are shown with (personal data, as ANPR's area). */
const MINIMUM_LEVEL = 2;

export interface CitizenDeps {
  db: Executor;
  secret: string;
  /** The pagoPA app's public URL: the relying party's entity id. */
  publicUrl: string;
  /** The identity platform (SPID at /oidc/spid, CIE at /oidc/cie). */
  identityUrl: string;
}

/** The pagoPA app as a relying party: entity id `${publicUrl}/`, its keys in pagopa.rp_keys. */
export async function pagopaRelyingParty(deps: CitizenDeps): Promise<RelyingParty> {
  const keys = await relyingPartyKeys(deps.db, SCHEMA);
  return relyingParty(
    deps.identityUrl,
    {
      entityId: `${deps.publicUrl}/`,
      clientName: 'pagoPA — I miei pagamenti',
      redirectUri: `${deps.publicUrl}/auth/callback`,
      postLogoutRedirectUri: `${deps.publicUrl}/`,
      homepageUri: `${deps.publicUrl}/`,
    },
    keys,
  );
}

/** A signed-in citizen below the area's level no longer counts. */
export function areaCitizen(request: FastifyRequest): CitizenSession | undefined {
  const citizen = citizenOf(request);
  return citizen && acrRank(citizen.acr) >= MINIMUM_LEVEL ? citizen : undefined;
}

function loginPage(request: FastifyRequest, reply: FastifyReply, message?: string, status = 200): FastifyReply {
  const tr = consoleT(request.locale);
  const main = html`<div class="row"><div class="col-lg-8">
  <h1>${tr('citizenLoginTitle')}</h1>
  <p class="lead">${tr('citizenLoginIntro')}</p>
  ${message ? alert('danger', message) : ''}
  ${signInChoices({ locale: request.locale, spidHref: (idp) => `/auth/spid?idp=${encodeURIComponent(idp)}`, cieHref: '/auth/cie' })}
</div></div>`;
  return sendPage(reply, request, { title: tr('citizenLoginTitle'), main, breadcrumb: [{ label: tr('citizenLoginTitle') }] }, status);
}

function registerCitizenLogin(pages: App, deps: CitizenDeps, rp: RelyingParty): void {
  registerEntityConfiguration(pages, rp, "pagoPA's Entity Configuration as a relying party of SPID and CIE (OIDC Federation)");
  registerCitizenLoginRoutes(pages, rp, {
    ...deps,
    schema: SCHEMA,
    area: CITIZEN,
    loginPath: CITIZEN_LOGIN,
    pendingKey: 'pagopaPendingLogin',
    logoutState: 'pagopa',
    citizenOf,
    areaCitizen,
    loginPage,
    signedIn(request, reply, citizen) {
      request.session.rotate();
      // One person per session: a citizen's sign-in ends any staff member's on this browser.
      request.session.unset('pagopaStaff');
      request.session.set('pagopaCitizen', citizen);
      return redirectTo(reply, CITIZEN);
    },
  });
}

export function citizenPages(deps: CitizenDeps): (pages: App) => Promise<void> {
  return async (pages) => {
    registerCitizenLogin(pages, deps, await pagopaRelyingParty(deps));
    await pages.register(async (instance: FastifyInstance) => {
      const area = instance as App;
      area.addHook('onRequest', async (request, reply) => {
        if (!areaCitizen(request)) return redirectTo(reply, CITIZEN_LOGIN);
      });

      area.get(CITIZEN, { config: { html: true }, schema: { hide: true } }, async (request, reply) => {
        const tr = consoleT(request.locale);
        const locale = request.locale;
        const citizen = areaCitizen(request)!;
        const [notices, receipts] = await Promise.all([payableNoticesOf(deps.db, citizen.fiscalCode), receiptsOf(deps.db, citizen.fiscalCode)]);
        const toPay = notices.flatMap(({ institution, position, options }) =>
          options.map((o) => [
            institution.companyName,
            o.description,
            html`<span class="text-nowrap">${formatNoticeNumber(o.nav)}</span>`,
            euro(locale, o.amount),
            day(locale, o.dueDate),
            html`<a href="${CITIZEN}/avvisi/${institution.fiscalCode}/${encodeURIComponent(position.iupd)}" aria-label="${tr('noticePdfOf', { nav: formatNoticeNumber(o.nav), creditor: institution.companyName })}">${tr('noticePdf')}</a>`,
            html`<form method="post" action="${CITIZEN}/paga">${csrf(request)}<input type="hidden" name="ente" value="${institution.fiscalCode}"><input type="hidden" name="avviso" value="${o.nav}"><button type="submit" class="btn btn-primary btn-sm" aria-label="${tr('payNotice', { nav: formatNoticeNumber(o.nav), creditor: institution.companyName })}">${tr('pay')}</button></form>`,
          ]),
        );
        const paid = receipts.map((r) => [
          r.companyName,
          r.description,
          html`<span class="text-nowrap">${formatNoticeNumber(r.noticeNumber)}</span>`,
          euro(locale, r.paymentAmount),
          dayTime(locale, new Date(r.paymentDateTime)),
          html`<a href="${CITIZEN}/ricevute/${encodeURIComponent(r.receiptId)}" aria-label="${tr('receiptPdfOf', { nav: formatNoticeNumber(r.noticeNumber), creditor: r.companyName })}">${tr('receiptShort')}</a>`,
        ]);
        const main = html`<h1>${tr('areaTitle')}</h1>
<section aria-labelledby="to-pay" class="mt-4"><h2 id="to-pay">${tr('toPayTitle')}</h2>
${dataTable(tr('toPayTitle'), [tr('colCreditor'), tr('colDescription'), tr('colNotice'), tr('colAmount'), tr('colDue'), tr('noticePdf'), tr('pay')], toPay, tr('noToPay'))}
</section>
<section aria-labelledby="paid" class="mt-5"><h2 id="paid">${tr('paidTitle')}</h2>
${dataTable(tr('paidTitle'), [tr('colCreditor'), tr('colDescription'), tr('colNotice'), tr('colAmount'), tr('colPaidAt'), tr('receiptShort')], paid, tr('noPaid'))}
</section>`;
        return sendPage(reply, request, { title: tr('areaTitle'), main, breadcrumb: [{ label: tr('areaTitle') }] });
      });

      area.get(
        `${CITIZEN}/avvisi/:cf/:iupd`,
        { config: { html: true }, schema: { hide: true, params: Type.Object({ cf: Type.String({ maxLength: 16 }), iupd: Type.String({ maxLength: 100 }) }) } },
        async (request, reply) => {
          const institution = await institutionByFiscalCode(deps.db, request.params.cf);
          const position = institution && (await unlessNotFound(getPosition(deps.db, institution, request.params.iupd)));
          // Someone else's notice is answered exactly like one that does not exist.
          if (!institution || !position || position.fiscalCode !== areaCitizen(request)!.fiscalCode) throw notFound();
          return sendNoticePdf(reply, institution, position);
        },
      );

      area.get(`${CITIZEN}/ricevute/:receiptId`, { config: { html: true }, schema: { hide: true, params: Type.Object({ receiptId: Type.String({ maxLength: 35 }) }) } }, async (request, reply) => {
        const receipt = await receiptOfCitizen(deps.db, areaCitizen(request)!.fiscalCode, request.params.receiptId);
        if (!receipt) throw notFound();
        return sendReceiptPdf(reply, receipt);
      });

      // "Paga": a Checkout cart of this one notice, as the institution would create it, and on to its page.
      area.post(
        `${CITIZEN}/paga`,
        { config: { html: true }, schema: { hide: true, body: Type.Object({ ente: Type.String({ maxLength: 16 }), avviso: Type.String({ maxLength: 18 }) }, { additionalProperties: true }) } },
        async (request, reply) => {
          checkFormCsrf(request, deps.secret);
          const citizen = areaCitizen(request)!;
          const { ente, avviso } = request.body;
          const notice = (await payableNoticesOf(deps.db, citizen.fiscalCode)).find((n) => n.institution.fiscalCode === ente && n.options.some((o) => o.nav === avviso));
          const option = notice?.options.find((o) => o.nav === avviso);
          if (!notice || !option) throw notFound();
          const back = `${deps.publicUrl}${CITIZEN}`;
          const id = await transaction(deps.db, async (tx) => {
            const created = await insertCart(
              tx,
              notice.institution.id,
              {
                paymentNotices: [{ noticeNumber: option.nav, fiscalCode: ente, amount: option.amount, companyName: notice.position.companyName.slice(0, 140), description: option.description.slice(0, 140) }],
                returnUrls: { returnOkUrl: back, returnCancelUrl: back, returnErrorUrl: back },
                emailNotice: notice.position.email,
              },
              new Date(),
            );
            await audit(tx, SCHEMA, { actorType: 'citizen', actorId: citizen.fiscalCode, tenantId: notice.institution.id, action: 'checkout.cart-create', targetType: 'checkout_cart', targetId: created, details: { notices: 1 }, requestId: request.id });
            return created;
          });
          return redirectTo(reply, cartPath({ id }));
        },
      );
    });
  };
}
