// The PSP and bank simulator's HTTP app: the counters' pages, the day closing, the treasury bank's API.
import { randomBytes } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHttpApp, type App } from '../../core/http.ts';
import { databaseHealth, type AppContext } from '../../core/runtime.ts';
import { registerAssets } from '../../core/web.ts';
import { sendHtml } from '../../core/ui.ts';
import { assertCsrf, csrfToken, CSRF_FIELD } from '../../core/auth/csrf.ts';
import { notFound } from '../../core/problem.ts';
import { formatCalendarDate, translator } from '../../core/i18n.ts';
import { demoPagopaKey, pspKeyHolder } from '../../clients/pagopa/demo.ts';
import { nodoBaseUrl, nodoClient, type NodoClient } from '../../clients/pagopa/nodo.ts';
import { fdrPspClient, type FdrPspClient } from '../../clients/pagopa/fdr.ts';
import { TREASURY_PREFIX } from '../../clients/psp/treasury.ts';
import { closeDay, flowsOf, takeStatement, unreportedCount } from './closing.ts';
import { COUNTERS_LIST, counterOf, type Counter } from './counters.ts';
import { messages } from './messages.ts';
import { isScanned, readNoticeInput } from './notice-input.ts';
import { closingPage, counterPage, errorPage, homePage, noticePage, receiptPage, refusalPage } from './pages.ts';
import { collect, newIdempotencyKey, paymentById, paymentsOfDay, romeDay, verifyNotice } from './payments.ts';
import { registerTreasuryApi } from './treasury.ts';

export const PSP_TITLE = 'PSP and bank simulator — pagoPA counters, day closing, treasury statement';

/** The Nodo and FdR clients of a counter's PSP, with the PSP's key (derived from SECRET, as pagoPA's seed derives it). */
export interface PspConnections {
  nodo(counter: Counter): NodoClient;
  fdr(counter: Counter): FdrPspClient;
}

export function pspConnections(ctx: AppContext): PspConnections {
  const key = (counter: Counter) => demoPagopaKey(ctx.secret, pspKeyHolder(counter.idPSP));
  return {
    nodo: (counter) => nodoClient({ baseUrl: nodoBaseUrl(ctx.config.urls.pagopa), subscriptionKey: key(counter) }),
    fdr: (counter) => fdrPspClient({ pagopaUrl: ctx.config.urls.pagopa, subscriptionKey: key(counter), pspId: counter.idPSP }),
  };
}

// No clerk sign-in at a simulated counter, so the CSRF token is bound to a random cookie (double submit).
const CSRF_COOKIE = 'psp_csrf';

function csrfFor(ctx: AppContext, request: FastifyRequest, reply: FastifyReply): string {
  let binding = request.cookies[CSRF_COOKIE];
  if (!binding) {
    binding = randomBytes(18).toString('base64url');
    reply.setCookie(CSRF_COOKIE, binding, { path: '/', httpOnly: true, sameSite: 'strict' });
  }
  return csrfToken(ctx.secret, binding);
}

const checkCsrf = (ctx: AppContext, request: FastifyRequest, body: Record<string, unknown>) => assertCsrf(ctx.secret, request.cookies[CSRF_COOKIE] ?? '', body[CSRF_FIELD]);

function counterParam(idPSP: string): Counter {
  const counter = counterOf(idPSP);
  if (!counter) throw notFound(`No counter of a PSP ${idPSP}`);
  return counter;
}

const Page = { schema: { hide: true }, config: { html: true } } as const;
const CounterParams = Type.Object({ idPSP: Type.String({ maxLength: 35 }) });
const DayField = Type.String({ format: 'date' });

function description(url: string): string {
  return [
    'At the edge of the world: the counters of payment service providers (a bank branch, a post office, a tobacconist) where a notice is typed or scanned and paid through the Nodo for PSPs of pagoPA over HTTP; the PSPs’ day closing (a reporting flow on the FdR API and one SEPA credit transfer per institution and flow); the treasury bank’s account statement.',
    '',
    `- \`${url}/\`: the counters (pages, Italian first).`,
    `- \`${url}${TREASURY_PREFIX}/accounts/{iban}/movements?from=&to=\`: incoming credit transfers of an account, for its holder (\`Authorization: Bearer <holder key>\`).`,
  ].join('\n');
}

export async function buildPspHttp(ctx: AppContext, connections: PspConnections = pspConnections(ctx)): Promise<App> {
  const db = ctx.database.db;
  const url = ctx.config.urls.psp;
  const app = await createHttpApp({
    name: 'psp',
    title: PSP_TITLE,
    description: description(url),
    publicUrl: url,
    logLevel: ctx.config.logLevel,
    trustProxy: ctx.config.trustProxy,
    healthChecks: databaseHealth(ctx),
    renderErrorPage: errorPage,
  });
  await registerAssets(app);
  registerTreasuryApi(app, db);

  app.get('/', Page, async (request, reply) => sendHtml(reply, homePage(request, COUNTERS_LIST)));

  app.get('/sportelli/:idPSP', { ...Page, schema: { hide: true, params: CounterParams } }, async (request, reply) => {
    const counter = counterParam(request.params.idPSP);
    const todays = await paymentsOfDay(db, counter.idPSP, romeDay(new Date()));
    return sendHtml(reply, counterPage(request, { counter, csrf: csrfFor(ctx, request, reply), todays }));
  });

  app.get(
    '/sportelli/:idPSP/avviso',
    { ...Page, schema: { hide: true, params: CounterParams, querystring: Type.Object({ codice: Type.String({ default: '', maxLength: 400 }), ente: Type.String({ default: '', maxLength: 40 }) }) } },
    async (request, reply) => {
      const counter = counterParam(request.params.idPSP);
      const { codice, ente } = request.query;
      const csrf = csrfFor(ctx, request, reply);
      const input = readNoticeInput(codice, ente);
      if (!input.ok) {
        // Nothing is sent to pagoPA: the clerk reads why and corrects the field.
        const tr = translator(messages, request.locale);
        const field = ['missing-fiscal-code', 'invalid-fiscal-code'].includes(input.reason) && !isScanned(codice) ? 'ente' : 'codice';
        const errors = { [field]: tr(`input.${input.reason}`, { detail: input.message }) };
        const todays = await paymentsOfDay(db, counter.idPSP, romeDay(new Date()));
        return sendHtml(reply, counterPage(request, { counter, csrf, code: codice, fiscalCode: ente, errors, todays }), 400);
      }
      const { noticeNumber, fiscalCode, printedAmountCents } = input.value;
      const verification = await verifyNotice(connections.nodo(counter), counter, { fiscalCode, noticeNumber });
      if (!verification.ok) return sendHtml(reply, refusalPage(request, counter, verification.refusal, noticeNumber), 409);
      return sendHtml(
        reply,
        noticePage(request, {
          counter,
          csrf,
          noticeNumber,
          fiscalCode,
          notice: verification.notice,
          amountCents: verification.amountCents,
          printedAmountCents,
          idempotencyKey: newIdempotencyKey(counter.idPSP),
        }),
      );
    },
  );

  app.post(
    '/sportelli/:idPSP/incassi',
    {
      ...Page,
      schema: {
        hide: true,
        params: CounterParams,
        body: Type.Object({
          [CSRF_FIELD]: Type.String(),
          avviso: Type.String({ pattern: '^[0-9]{18}$' }),
          ente: Type.String({ pattern: '^[0-9]{11}$' }),
          importo: Type.Integer({ minimum: 1, maximum: 99_999_999_999 }),
          chiave: Type.String({ pattern: '^[a-zA-Z0-9]{2,18}_[a-zA-Z0-9]{10}$' }),
          metodo: Type.Union([Type.Literal('cash'), Type.Literal('creditCard')]),
        }),
      },
    },
    async (request, reply) => {
      const counter = counterParam(request.params.idPSP);
      checkCsrf(ctx, request, request.body);
      const { avviso, ente, importo, chiave, metodo } = request.body;
      const payment = await collect(db, connections.nodo(counter), counter, {
        noticeNumber: avviso,
        fiscalCode: ente,
        amountCents: importo,
        idempotencyKey: chiave,
        paymentMethod: metodo,
      });
      if (payment.status === 'REFUSED') return sendHtml(reply, refusalPage(request, counter, payment.refusal!, avviso), 409);
      return reply.redirect(`/sportelli/${counter.idPSP}/ricevute/${payment.id}`, 303);
    },
  );

  app.get(
    '/sportelli/:idPSP/ricevute/:id',
    { ...Page, schema: { hide: true, params: Type.Object({ ...CounterParams.properties, id: Type.String({ format: 'uuid' }) }) } },
    async (request, reply) => {
      const counter = counterParam(request.params.idPSP);
      const payment = await paymentById(db, counter.idPSP, request.params.id);
      if (!payment || payment.status === 'REFUSED') throw notFound(`No payment ${request.params.id} at this counter`);
      return sendHtml(reply, receiptPage(request, counter, payment));
    },
  );

  async function closingView(request: FastifyRequest, reply: FastifyReply, day: string) {
    return {
      csrf: csrfFor(ctx, request, reply),
      day,
      counters: await Promise.all(
        COUNTERS_LIST.map(async (counter) => {
          // The Nodo's statement brings in the day's payments on every channel; without it, what was taken before.
          await takeStatement(db, connections.nodo(counter), counter.idPSP, day).catch((err) => request.log.warn({ err, psp: counter.idPSP }, 'psp: the Nodo’s statement of the day is not available'));
          return { counter, toReport: await unreportedCount(db, counter.idPSP, day), flows: await flowsOf(db, counter.idPSP) };
        }),
      ),
    };
  }

  app.get('/chiusura', { ...Page, schema: { hide: true, querystring: Type.Object({ giorno: Type.Optional(DayField) }) } }, async (request, reply) =>
    sendHtml(reply, closingPage(request, await closingView(request, reply, request.query.giorno ?? romeDay(new Date())))),
  );

  app.post(
    '/chiusura',
    { ...Page, schema: { hide: true, body: Type.Object({ [CSRF_FIELD]: Type.String(), giorno: DayField, psp: Type.String({ maxLength: 35 }) }) } },
    async (request, reply) => {
      const counter = counterParam(request.body.psp);
      checkCsrf(ctx, request, request.body);
      const tr = translator(messages, request.locale);
      const day = request.body.giorno;
      const date = formatCalendarDate(request.locale, day);
      let message: { kind: 'success' | 'danger' | 'info'; text: string };
      let status = 200;
      try {
        const closing = await closeDay(db, { fdr: connections.fdr(counter), nodo: connections.nodo(counter) }, counter, day);
        message = closing.published.length
          ? { kind: 'success', text: tr('closed', { date, psp: counter.pspName, count: closing.published.length }) }
          : { kind: 'info', text: tr('nothingToClose', { date, psp: counter.pspName }) };
      } catch (err) {
        request.log.warn({ err }, 'psp: day closing stopped');
        message = { kind: 'danger', text: tr('closingFailed', { detail: err instanceof Error ? err.message : String(err) }) };
        status = 502;
      }
      return sendHtml(reply, closingPage(request, { ...(await closingView(request, reply, day)), message }), status);
    },
  );

  return app;
}
