// Paying a message's notice in the IO app over HTTP on PostgreSQL, with pagoPA running: the payment box and the
// calendar file on the message page, "Paga" → a PENDING payment and pagoPA's checkout through the IO channel, paid
// by card on the checkout pages, the return that reads and keeps the receipt, the history and the receipt with its
// PDF; a notice paid elsewhere, an expired one, and nobody else's payment or message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../../src/core/db.ts';
import { ulid } from '../../src/core/ulid.ts';
import { demoPagopaKey } from '../../src/clients/pagopa/demo.ts';
import { channelKeyHolder, ecommerceClient, rptIdOf } from '../../src/clients/pagopa/ecommerce.ts';
import { formatNoticeNumber } from '../../src/domain/pagopa/notice-number.ts';
import { identityDemoUsers } from '../../src/platforms/identity/users.ts';
import { isNoticePaid } from '../../src/platforms/io/payments/store.ts';
import { createService, getOrganization, createOrganization, type Service } from '../../src/platforms/io/services/store.ts';
import { startSystem, type TestSystem } from '../support/system.ts';
import { WebClient } from '../support/web-client.ts';
import { onboardedCitizen } from './support.ts';
import { BUGLIANO, debtPosition, gpdOf, inDays, payCartByCard, singleTransferOption } from '../pagopa/support.ts';

const person = (fiscalCode: string) => identityDemoUsers().find((u) => u.fiscalCode === fiscalCode)!;
const MARCO = person('BNCMRC78C14G702E');
const FRANCESCA = person('SPSFNC88A70F839U');

let system: TestSystem;
let base: string;
let service: Service;
let seq = 0;

interface Citizen {
  client: WebClient;
  csrf: string;
  get(path: string): Promise<Response>;
  post(path: string, form?: Record<string, string>): Promise<Response>;
}

async function citizen(who: ReturnType<typeof person>): Promise<Citizen> {
  const { client, csrf } = await onboardedCitizen(base, who);
  return {
    client,
    csrf,
    get: (path) => client.request(`${base}${path}`),
    post: (path, form = {}) =>
      client.request(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf, ...form }).toString() }),
  };
}

/** A published position of Bugliano owed by Marco: its notice number. */
async function notice(amount: number): Promise<string> {
  const created = await gpdOf(system, BUGLIANO).createPosition(debtPosition(`io-pay-${++seq}-${Date.now()}`, [singleTransferOption(amount, 'TARI 2026 rata unica', inDays(30), BUGLIANO.iban)]), { toPublish: true });
  return created.paymentOption[0]!.nav!;
}

/** A PROCESSED message to the citizen from the test service, with a notice of Bugliano. */
async function deliver(fiscalCode: string, noticeNumber: string, amount: number, extra: { due_date?: string; invalid_after_due_date?: boolean } = {}): Promise<string> {
  const id = ulid();
  const content = {
    subject: 'TARI 2026: avviso di pagamento',
    markdown: 'Il Comune di Bugliano ti ricorda il pagamento della **TARI 2026**: puoi pagare direttamente da IO con pagoPA.',
    ...(extra.due_date ? { due_date: extra.due_date } : {}),
    payment_data: { amount, notice_number: noticeNumber, invalid_after_due_date: extra.invalid_after_due_date ?? false, payee: { fiscal_code: BUGLIANO.fiscalCode } },
  };
  await sql`insert into io.messages (id, fiscal_code, sender_service_id, time_to_live, content, status, processed_at)
    values (${id}, ${fiscalCode}, ${service.serviceId}, 3600, ${JSON.stringify(content)}::jsonb, 'PROCESSED', now())`.execute(system.ctx.database.db);
  return id;
}

const html = async (response: Response) => response.text();
const paymentRows = async (fiscalCode: string) =>
  (await sql<{ id: string; status: string; receipt: any; paid_at: Date | null; cart_url: string | null }>`select id, status, receipt, paid_at, cart_url from io.payments where fiscal_code = ${fiscalCode} order by created_at`.execute(system.ctx.database.db)).rows;

beforeAll(async () => {
  system = await startSystem({ apps: ['mail', 'identity', 'pagopa', 'io'], database: 'postgres', env: { LOGIN_RATE_LIMIT: '1000', LOG_LEVEL: 'error' } });
  base = system.urls.io;
  const db = system.ctx.database.db;
  if (!(await getOrganization(db, BUGLIANO.fiscalCode))) await createOrganization(db, { fiscalCode: BUGLIANO.fiscalCode, name: BUGLIANO.companyName });
  service = await createService(db, system.ctx.secret, {
    organizationFiscalCode: BUGLIANO.fiscalCode,
    serviceName: 'Tributi',
    departmentName: 'Servizi finanziari',
    isVisible: true,
    isTestMode: false,
    maxAllowedPaymentAmount: 150_000,
    metadata: { scope: 'LOCAL', description: 'I tributi del Comune.', email: 'tributi@bugliano.example.it', privacy_url: 'https://bugliano.example.it/privacy' },
  });
}, 180_000);
afterAll(async () => system?.stop());

describe('paying a message’s notice in the app', () => {
  it('box, calendar, Paga → checkout → receipt kept, history, receipt page and PDF; nobody else sees it', async () => {
    const marco = await citizen(MARCO);
    const nav = await notice(12_345);
    const due = inDays(20);
    const messageId = await deliver(MARCO.fiscalCode, nav, 12_345, { due_date: due });

    const page = await html(await marco.get(`/app/messaggi/${messageId}`));
    expect(page).toContain('Paga con pagoPA');
    expect(page).toContain(formatNoticeNumber(nav));
    expect(page).toContain('123,45');
    expect(page).toContain(`/app/messaggi/${messageId}/promemoria.ics`);

    const ics = await marco.get(`/app/messaggi/${messageId}/promemoria.ics`);
    expect(ics.status).toBe(200);
    expect(ics.headers.get('content-type')).toMatch(/^text\/calendar/);
    const calendar = await ics.text();
    expect(calendar).toContain('BEGIN:VEVENT\r\n');
    expect(calendar).toContain(`UID:${messageId}-due@`);

    // The CSRF token is required.
    expect((await marco.post(`/app/messaggi/${messageId}/paga`, { _csrf: 'forged' })).status).toBe(403);
    const pay = await marco.post(`/app/messaggi/${messageId}/paga`);
    expect(pay.status).toBe(302);
    const checkoutUrl = pay.headers.get('location')!;
    expect(checkoutUrl).toMatch(new RegExp(`^${system.urls.pagopa}/checkout/carts/[0-9a-f-]{36}$`));
    const [pending] = await paymentRows(MARCO.fiscalCode);
    expect(pending).toMatchObject({ status: 'PENDING', cart_url: checkoutUrl, receipt: null });

    // Before paying, the outcome page waits and refreshes itself.
    const waiting = await marco.get(`/app/pagamenti/${pending!.id}/esito`);
    expect(waiting.status).toBe(200);
    expect(waiting.headers.get('refresh')).toMatch(/^2; url=\/app\/pagamenti\/.+\/esito\?n=1$/);
    expect((await marco.get(`/app/pagamenti/${pending!.id}/esito?n=15`)).headers.get('refresh')).toBeNull();

    const back = await payCartByCard(checkoutUrl);
    expect(back).toBe(`${base}/app/pagamenti/${pending!.id}/esito`);
    const outcome = await marco.client.visit(back!);
    expect(outcome.url.pathname).toBe(`/app/pagamenti/${pending!.id}`);
    expect(outcome.html).toContain('Pagamento riuscito');
    expect(outcome.html).toContain('Rete Tabaccai Italiani (demo)');
    const [paid] = await paymentRows(MARCO.fiscalCode);
    expect(paid!.status).toBe('PAID');
    expect(paid!.paid_at).toBeInstanceOf(Date);
    expect(paid!.receipt).toMatchObject({ noticeNumber: nav, fiscalCode: BUGLIANO.fiscalCode, paymentAmount: 12_345, idPSP: 'TABDITM1XXX' });
    expect(outcome.html).toContain(paid!.receipt.receiptId);
    expect(await isNoticePaid(system.ctx.database.db, BUGLIANO.fiscalCode, nav)).toBe(true);

    const pdf = await marco.get(`/app/pagamenti/${paid!.id}/ricevuta.pdf`);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString()).toBe('%PDF-');

    const history = await html(await marco.get('/app/pagamenti'));
    expect(history).toContain('TARI 2026 rata unica');
    expect(history).toContain(`/app/pagamenti/${paid!.id}`);
    // The app backend's JSON gives the same history.
    const json = (await (await marco.get('/app/api/v1/payments')).json()) as { items: Array<Record<string, unknown>> };
    expect(json.items).toEqual([
      expect.objectContaining({ id: paid!.id, rptId: `${BUGLIANO.fiscalCode}${nav}`, amount: 12_345, status: 'PAID', receipt_id: paid!.receipt.receiptId, message_id: messageId }),
    ]);

    // The message now says paid; Paga again leads to the receipt.
    expect(await html(await marco.get(`/app/messaggi/${messageId}`))).toContain(`/app/pagamenti/${paid!.id}`);
    const again = await marco.post(`/app/messaggi/${messageId}/paga`);
    expect(again.headers.get('location')).toBe(`/app/pagamenti/${paid!.id}`);

    const francesca = await citizen(FRANCESCA);
    for (const path of [`/app/pagamenti/${paid!.id}`, `/app/pagamenti/${paid!.id}/esito`, `/app/pagamenti/${paid!.id}/ricevuta.pdf`, `/app/messaggi/${messageId}/promemoria.ics`]) {
      expect((await francesca.get(path)).status, path).toBe(404);
    }
    expect((await francesca.post(`/app/messaggi/${messageId}/paga`)).status).toBe(404);
    expect(await html(await francesca.get('/app/pagamenti'))).not.toContain(paid!.id);
    expect(((await (await francesca.get('/app/api/v1/payments')).json()) as { items: unknown[] }).items).toEqual([]);
  });

  it('a notice paid elsewhere: "già pagato", the receipt fetched and kept', async () => {
    const marco = await citizen(MARCO);
    const nav = await notice(2_500);
    const messageId = await deliver(MARCO.fiscalCode, nav, 2_500);
    // Paid through pagoPA without the app (another channel's cart).
    const channel = ecommerceClient({ baseUrl: system.urls.pagopa, subscriptionKey: demoPagopaKey(system.ctx.secret, channelKeyHolder('io')) });
    const cart = await channel.createCart({ paymentNotices: [{ noticeNumber: nav, fiscalCode: BUGLIANO.fiscalCode, amount: 2_500 }], returnUrls: { returnOkUrl: 'https://x.example/', returnCancelUrl: 'https://x.example/', returnErrorUrl: 'https://x.example/' } });
    await payCartByCard(cart.checkoutUrl);
    expect(await channel.findReceipt(rptIdOf(BUGLIANO.fiscalCode, nav))).toBeDefined();

    const pay = await marco.post(`/app/messaggi/${messageId}/paga`);
    expect(pay.status).toBe(303);
    const receiptPage = await marco.client.visit(new URL(pay.headers.get('location')!, base));
    expect(receiptPage.html).toContain('Questo avviso risulta già pagato.');
    const row = (await paymentRows(MARCO.fiscalCode)).find((r) => r.receipt?.noticeNumber === nav);
    expect(row).toMatchObject({ status: 'PAID' });
    expect(receiptPage.url.pathname).toBe(`/app/pagamenti/${row!.id}`);
  });

  it('an expired notice (invalid after its due date): shown expired, the button disabled, Paga refused', async () => {
    const marco = await citizen(MARCO);
    const nav = await notice(1_000);
    const messageId = await deliver(MARCO.fiscalCode, nav, 1_000, { due_date: inDays(-2), invalid_after_due_date: true });
    const page = await html(await marco.get(`/app/messaggi/${messageId}`));
    expect(page).toContain('Scaduto');
    expect(page).toMatch(/<button type="button" class="btn btn-primary" disabled/);
    expect(page).not.toContain(`action="/app/messaggi/${messageId}/paga"`);
    const pay = await marco.post(`/app/messaggi/${messageId}/paga`);
    expect(pay.status).toBe(303);
    expect(pay.headers.get('location')).toBe(`/app/messaggi/${messageId}`);
    expect((await paymentRows(MARCO.fiscalCode)).some((r) => r.receipt === null && r.status === 'PENDING' && r.cart_url === null)).toBe(false);
  });
});
