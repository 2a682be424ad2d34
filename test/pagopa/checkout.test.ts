// pagoPA Checkout over HTTP on PostgreSQL: an institution's cart (validated like GPD validates notices), then the
// pages as a browser without JavaScript walks them (form posts and redirects, no cookie needed): e-mail, card,
// PSP, "Paga" → the notice PAID through the Nodo with a receipt; a declined card, a cancel, a notice already
// paid, and a double "Paga" that pays once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../../src/core/db.ts';
import { startSystem, type TestSystem } from '../support/system.ts';
import { demoPagopaKey } from '../../src/clients/pagopa/demo.ts';
import { createCart, type CartRequest } from '../../src/clients/pagopa/checkout.ts';
import { GpdError } from '../../src/clients/pagopa/index.ts';
import { euroAmount } from '../../src/clients/pagopa/nodo-wire.ts';
import { activatePayment } from '../../src/platforms/pagopa/nodo/payments.ts';
import { pspById } from '../../src/platforms/pagopa/nodo/psps.ts';
import { BUGLIANO, debtPosition, inDays, singleTransferOption, VICOPISANO } from './support.ts';

const GPD = '/gpd/debt-positions-service/v1';
const RETURN = { returnOkUrl: 'https://bugliano.example/pagamenti/ok', returnCancelUrl: 'https://bugliano.example/pagamenti/annullato', returnErrorUrl: 'https://bugliano.example/pagamenti/errore' };
/** An amount as Intl writes it: a no-break space before the euro sign. */
const eur = (amount: string) => amount.replace(' €', '\u00a0€');
const CARD = { method: 'CP', holder: 'Maria Rossi', pan: '4242 4242 4242 4242', expiry: '12/30', cvv: '123' };

let system: TestSystem;
let key: string;
let iupds = 0;

interface Notice {
  nav: string;
  iuv: string;
  iupd: string;
  amount: number;
}

async function gpd(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(`${system.urls.pagopa}${GPD}/organizations/${BUGLIANO.fiscalCode}${path}`, {
    method,
    headers: { 'ocp-apim-subscription-key': key, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, body: await response.json() };
}

/** A published position of Bugliano with one notice of `amount` cents. */
async function notice(amount = 123_456): Promise<Notice> {
  const iupd = `checkout-${++iupds}-${Date.now()}`;
  const created = await gpd('POST', '/debtpositions?toPublish=true', debtPosition(iupd, [singleTransferOption(amount, 'TARI 2026', inDays(30), BUGLIANO.iban)]));
  expect(created.status).toBe(201);
  const option = created.body.paymentOption[0];
  return { nav: option.nav, iuv: option.iuv, iupd, amount };
}

const cartOf = (notices: Notice[], over: Partial<CartRequest> = {}): CartRequest => ({
  paymentNotices: notices.map((n) => ({ noticeNumber: n.nav, fiscalCode: BUGLIANO.fiscalCode, amount: n.amount, companyName: BUGLIANO.companyName, description: 'TARI 2026' })),
  returnUrls: RETURN,
  emailNotice: 'marco.bianchi@example.it',
  ...over,
});

async function postCart(body: unknown, subscriptionKey = key): Promise<{ status: number; location: string | null; body: any }> {
  const response = await fetch(`${system.urls.pagopa}/checkout/ec/v1/carts`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...(subscriptionKey ? { 'ocp-apim-subscription-key': subscriptionKey } : {}), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, location: response.headers.get('location'), body: text ? JSON.parse(text) : undefined };
}

/** A page as a browser gets it: the status, where it redirects, the HTML. */
async function page(url: string, form?: Record<string, string>): Promise<{ status: number; location: string | null; html: string; csp: string | null }> {
  const response = await fetch(new URL(url, system.urls.pagopa), {
    method: form ? 'POST' : 'GET',
    redirect: 'manual',
    headers: form ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
    body: form ? new URLSearchParams(form).toString() : undefined,
  });
  return { status: response.status, location: response.headers.get('location'), html: await response.text(), csp: response.headers.get('content-security-policy') };
}

/** E-mail, card and the cheapest PSP: the cart is at its summary. */
async function fillCart(cartUrl: string, card = CARD): Promise<void> {
  const path = new URL(cartUrl).pathname;
  expect((await page(path, { email: 'marco.bianchi@example.it' })).location).toBe(`${path}/metodo`);
  expect((await page(`${path}/metodo`, card)).location).toBe(`${path}/psp`);
  expect((await page(`${path}/psp`, { psp: 'TABDITM1XXX' })).location).toBe(`${path}/riepilogo`);
}

const positionStatus = async (n: Notice) => (await gpd('GET', `/debtpositions/${n.iupd}`)).body.status;
async function receiptsOf(n: Notice): Promise<{ status: number; body: any }> {
  const response = await fetch(`${system.urls.pagopa}/gpd/payments-receipts-service/v1/payments/${BUGLIANO.fiscalCode}/receipts/${n.iuv}`, { headers: { 'ocp-apim-subscription-key': key } });
  return { status: response.status, body: await response.json() };
}

beforeAll(async () => {
  system = await startSystem({ apps: ['mail', 'pagopa'], database: 'postgres' });
  key = demoPagopaKey(system.config.secret!, BUGLIANO.fiscalCode);
}, 120_000);
afterAll(async () => system?.stop());

describe('POST /checkout/ec/v1/carts', () => {
  it('answers 302 with the checkout page of the cart, through the typed client too', async () => {
    const n = await notice();
    const created = await postCart(cartOf([n], { idCart: 'bug-cart-1' }));
    expect(created.status).toBe(302);
    expect(created.location).toMatch(new RegExp(`^${system.urls.pagopa}/checkout/carts/[0-9a-f-]{36}$`));
    const url = await createCart({ baseUrl: system.urls.pagopa, subscriptionKey: key }, cartOf([n]));
    expect(url).toMatch(/\/checkout\/carts\/[0-9a-f-]{36}$/);
    expect(url).not.toBe(created.location);
  });

  it('is in the OpenAPI document, the pages are not', async () => {
    const openapi = await (await fetch(`${system.urls.pagopa}/openapi.json`)).json();
    expect(openapi.paths['/checkout/ec/v1/carts'].post).toMatchObject({ operationId: 'PostCarts', security: [{ subscriptionKey: [] }] });
    expect(Object.keys(openapi.paths).filter((p) => p.startsWith('/checkout/carts'))).toEqual([]);
  });

  it('refuses a cart without a key of an institution (401)', async () => {
    const n = await notice();
    expect((await postCart(cartOf([n]), '')).status).toBe(401);
    expect((await postCart(cartOf([n]), 'not-a-key')).status).toBe(401);
  });

  it('refuses malformed carts with the reason (400)', async () => {
    const n = await notice();
    const wrongCheck = n.nav.slice(0, 16) + String((Number(n.nav.slice(16)) + 1) % 93).padStart(2, '0');
    const bad = await postCart(cartOf([{ ...n, nav: wrongCheck }]));
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ pointer: '/body/paymentNotices/0/noticeNumber', code: 'invalid-check-digits' })]);
    expect(bad.body.errors[0].detail).toMatch(/check digits/);

    const short = await postCart(cartOf([{ ...n, nav: '30100000000' }]));
    expect(short.body.errors).toEqual([expect.objectContaining({ code: 'invalid-length' })]);
    expect((await postCart(cartOf([n, n, n, n, n, n]))).status).toBe(400);
    expect((await postCart(cartOf([]))).status).toBe(400);
    expect((await postCart(cartOf([{ ...n, amount: 0 }]))).status).toBe(400);

    const urls = await postCart(cartOf([n], { returnUrls: { ...RETURN, returnOkUrl: 'javascript:alert(1)' } }));
    expect(urls.status).toBe(400);
    expect(urls.body.errors).toEqual([expect.objectContaining({ pointer: '/body/returnUrls/returnOkUrl' })]);
    expect((await postCart(cartOf([n], { emailNotice: 'nope' }))).body.errors).toEqual([expect.objectContaining({ pointer: '/body/emailNotice' })]);

    const twice = await postCart(cartOf([n, n]));
    expect(twice.body.errors).toEqual([expect.objectContaining({ pointer: '/body/paymentNotices/1/noticeNumber', code: 'duplicate' })]);
    const amount = await postCart(cartOf([{ ...n, amount: n.amount + 1 }]));
    expect(amount.body.errors).toEqual([expect.objectContaining({ pointer: '/body/paymentNotices/0/amount', code: 'amount-mismatch' })]);

    await expect(createCart({ baseUrl: system.urls.pagopa, subscriptionKey: key }, cartOf([{ ...n, nav: wrongCheck }]))).rejects.toMatchObject({ status: 400 });
    await expect(createCart({ baseUrl: system.urls.pagopa, subscriptionKey: key }, cartOf([{ ...n, nav: wrongCheck }]))).rejects.toBeInstanceOf(GpdError);
  });

  it('refuses a notice of another institution (403) and one GPD does not know (404)', async () => {
    const n = await notice();
    const foreign = await postCart({ ...cartOf([n]), paymentNotices: [{ ...cartOf([n]).paymentNotices[0], fiscalCode: VICOPISANO.fiscalCode }] });
    expect(foreign.status).toBe(403);
    const unknown = `3${BUGLIANO.segregationCode}9999999999999`;
    const nav = unknown + String(BigInt(unknown) % 93n).padStart(2, '0');
    expect((await postCart(cartOf([{ ...n, nav }]))).status).toBe(404);
  });
});

describe('the checkout pages', () => {
  it('pays a cart of two notices: PAID positions, one receipt each, the fee once, the browser back at returnOkUrl', async () => {
    const [a, b] = [await notice(123_456), await notice(2_000)];
    const { location } = await postCart(cartOf([a, b]));
    const path = new URL(location!).pathname;

    const cart = await page(path);
    expect(cart.status).toBe(200);
    expect(cart.html).toContain('<html lang="it">');
    expect(cart.html).toContain(eur('1.234,56 €'));
    expect(cart.html).toContain(eur('1.254,56 €'));
    expect(cart.html).toContain('value="marco.bianchi@example.it"');
    expect(cart.html).toContain('aria-current="step"');
    expect(cart.html).not.toMatch(/<script(?![^>]*src=)/);
    // The cancel form ends on the institution's site, so the page lets forms go there.
    expect(cart.csp).toMatch(/form-action 'self'[^;]* https:\/\/bugliano\.example/);

    // Each step refuses what is wrong, keeping the page; a later step sends back to the first one not done (the e-mail came with the cart).
    expect((await page(`${path}/riepilogo`)).location).toBe(`${path}/metodo`);
    const noEmail = await page(path, { email: 'marco' });
    expect(noEmail.status).toBe(400);
    expect(noEmail.html).toContain('Inserisci un indirizzo e-mail valido');
    expect((await page(path, { email: 'anna.verdi@example.it' })).location).toBe(`${path}/metodo`);
    const badPan = await page(`${path}/metodo`, { ...CARD, pan: '4242 4242 4242 4241' });
    expect(badPan.status).toBe(400);
    expect(badPan.html).toContain('Il numero della carta non è valido');
    expect(badPan.html).not.toContain('4242 4242 4242 4241');
    expect((await page(`${path}/metodo`, { ...CARD, expiry: '01/20' })).html).toContain('La carta è scaduta');
    expect((await page(`${path}/metodo`, CARD)).location).toBe(`${path}/psp`);

    const psps = await page(`${path}/psp`);
    expect(psps.html).toContain('Scegli a chi affidare il pagamento');
    const order = ['Rete Tabaccai Italiani (demo) — Commissione 1,00 €', 'Banca della Valdera (demo) — Commissione 1,50 €', 'Poste della Repubblica (demo) — Commissione 2,00 €'].map((s) => psps.html.indexOf(eur(s)));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((x, y) => x - y)).toEqual(order);
    expect((await page(`${path}/psp`, { psp: 'NOPE' })).status).toBe(400);
    expect((await page(`${path}/psp`, { psp: 'TABDITM1XXX' })).location).toBe(`${path}/riepilogo`);

    const summary = await page(`${path}/riepilogo`);
    expect(summary.html).toContain('•••• 4242');
    expect(summary.html).toContain('Rete Tabaccai Italiani (demo)');
    expect(summary.html).toContain(eur('Paga 1.255,56 €'));

    const paid = await page(`${path}/paga`, {});
    expect(paid.status).toBe(303);
    expect(paid.location).toBe(RETURN.returnOkUrl);
    expect(await positionStatus(a)).toBe('PAID');
    expect(await positionStatus(b)).toBe('PAID');
    const [ra, rb] = [await receiptsOf(a), await receiptsOf(b)];
    expect(ra.status).toBe(200);
    expect(ra.body).toMatchObject({ noticeNumber: a.nav, paymentAmount: 123_456, idPSP: 'TABDITM1XXX', paymentMethod: 'creditCard', fee: 100 });
    expect(rb.body).toMatchObject({ noticeNumber: b.nav, paymentAmount: 2_000, fee: 0 });

    // The cart is closed: its pages lead back to the institution, the outcome page says it is paid.
    expect((await page(path)).location).toBe(RETURN.returnOkUrl);
    expect((await page(`${path}/esito`)).html).toContain('Grazie, il pagamento è riuscito');
    const { rows } = await sql<{ card_pan_sealed: string | null; status: string }>`select card_pan_sealed, status from pagopa.checkout_carts where id = ${path.split('/').pop()!}`.execute(system.ctx.database.db);
    expect(rows[0]).toEqual({ card_pan_sealed: null, status: 'PAID' });

    // The outcome went to the e-mail given on the first page, once.
    const mail = await (await fetch(`${system.urls.mail}/api/messages?to=anna.verdi@example.it`)).json();
    expect(mail.messages).toEqual([expect.objectContaining({ subject: 'pagoPA — esito del pagamento', messageId: `<${path.split('/').pop()}@checkout.pagopa>` })]);
    const message = await (await fetch(`${system.urls.mail}/api/messages/${mail.messages[0].id}`)).json();
    expect(message.text).toContain(eur('Il pagamento di 1.255,56 € è riuscito.'));
    expect(message.text).toContain(`(${a.nav.replace(/(\d{4})(?=\d)/g, '$1 ')})`);
  });

  it('speaks English and German when asked', async () => {
    const n = await notice(1_234_567);
    const { location } = await postCart(cartOf([n]));
    const path = new URL(location!).pathname;
    const en = await page(`${path}?lang=en`);
    expect(en.html).toContain('<html lang="en">');
    expect(en.html).toContain('€12,345.67');
    const de = await page(`${path}?lang=de`);
    expect(de.html).toContain('Zahlungsdaten');
    expect(de.html).toContain(eur('12.345,67 €'));
  });

  it('sends a declined card to returnErrorUrl and releases the notice, which can then be paid', async () => {
    const n = await notice(5_000);
    const first = new URL((await postCart(cartOf([n]))).location!).pathname;
    await fillCart(`${system.urls.pagopa}${first}`, { ...CARD, pan: '4000 0000 0000 0002' });
    const declined = await page(`${first}/paga`, {});
    expect(declined.location).toBe(RETURN.returnErrorUrl);
    expect((await page(`${first}/esito`)).html).toContain('ha negato l’autorizzazione');
    expect(await positionStatus(n)).toBe('VALID');
    expect((await receiptsOf(n)).status).toBe(404);

    const second = new URL((await postCart(cartOf([n]))).location!).pathname;
    await fillCart(`${system.urls.pagopa}${second}`);
    expect((await page(`${second}/paga`, {})).location).toBe(RETURN.returnOkUrl);
    expect(await positionStatus(n)).toBe('PAID');
  });

  it('cancels a cart: the browser goes to returnCancelUrl and nothing is paid', async () => {
    const n = await notice(7_000);
    const path = new URL((await postCart(cartOf([n]))).location!).pathname;
    await fillCart(`${system.urls.pagopa}${path}`);
    expect((await page(`${path}/annulla`, {})).location).toBe(RETURN.returnCancelUrl);
    expect((await page(`${path}/paga`, {})).location).toBe(RETURN.returnCancelUrl);
    expect((await page(`${path}/esito`)).html).toContain('Pagamento annullato');
    expect(await positionStatus(n)).toBe('VALID');
  });

  it('explains a notice already paid and links to returnErrorUrl', async () => {
    const n = await notice(3_000);
    const carts = [new URL((await postCart(cartOf([n]))).location!).pathname, new URL((await postCart(cartOf([n]))).location!).pathname];
    for (const path of carts) await fillCart(`${system.urls.pagopa}${path}`);
    expect((await page(`${carts[0]}/paga`, {})).location).toBe(RETURN.returnOkUrl);
    const late = await page(`${carts[1]}/paga`, {});
    expect(late.location).toBe(`${carts[1]}/esito`);
    const outcome = await page(late.location!);
    expect(outcome.html).toContain('Il pagamento non è stato eseguito');
    expect(outcome.html).toContain('risulta già pagato');
    expect(outcome.html).toContain(`href="${RETURN.returnErrorUrl}"`);
  });

  it('pays once when "Paga" is posted twice at the same time', async () => {
    const n = await notice(4_000);
    const path = new URL((await postCart(cartOf([n]))).location!).pathname;
    await fillCart(`${system.urls.pagopa}${path}`);
    const answers = await Promise.all([page(`${path}/paga`, {}), page(`${path}/paga`, {}), page(`${path}/paga`, {})]);
    expect(answers.map((a) => a.location)).toEqual([RETURN.returnOkUrl, RETURN.returnOkUrl, RETURN.returnOkUrl]);
    const { rows } = await sql<{ status: string; n: number }>`select status, count(*)::int as n from pagopa.payment_sessions where nav = ${n.nav} group by status`.execute(system.ctx.database.db);
    expect(rows).toEqual([{ status: 'paid', n: 1 }]);
    expect((await receiptsOf(n)).status).toBe(200);
  });

  it('sends an expired cart to its outcome page, which leads back to the institution', async () => {
    const n = await notice(6_000);
    const path = new URL((await postCart(cartOf([n]))).location!).pathname;
    await sql`update pagopa.checkout_carts set expires_at = now() - interval '1 second' where id = ${path.split('/').pop()!}`.execute(system.ctx.database.db);
    expect((await page(path)).location).toBe(`${path}/esito`);
    expect((await page(`${path}/metodo`, CARD)).location).toBe(`${path}/esito`);
    const outcome = await page(`${path}/esito`);
    expect(outcome.html).toContain('La sessione di pagamento è scaduta');
    expect(outcome.html).toContain(`href="${RETURN.returnErrorUrl}"`);
  });

  it('recovers a cart whose payment never ended from the Nodo: the summary again once its token expired, paid once the Nodo took the outcome', async () => {
    const db = system.ctx.database.db;
    const n = await notice(8_000);
    const path = new URL((await postCart(cartOf([n]))).location!).pathname;
    const id = path.split('/').pop()!;
    await fillCart(`${system.urls.pagopa}${path}`);
    // The process that took the cart to PAYING activated its notice, then died.
    const activated = await activatePayment(db, (await pspById(db, 'TABDITM1XXX'))!, { qrCode: { fiscalCode: BUGLIANO.fiscalCode, noticeNumber: n.nav }, amount: euroAmount(n.amount) });
    if (activated.outcome !== 'OK') throw new Error(activated.fault.faultString);
    await sql`update pagopa.checkout_cart_notices set payment_token = ${activated.paymentToken} where cart_id = ${id}`.execute(db);
    await sql`update pagopa.checkout_carts set status = 'PAYING', updated_at = now() - interval '6 minutes' where id = ${id}`.execute(db);
    expect((await page(path)).location).toBe(`${path}/esito`);
    expect((await page(`${path}/esito`)).html).toContain('Pagamento in corso');
    await sql`update pagopa.payment_sessions set expires_at = now() - interval '1 second' where token = ${activated.paymentToken}`.execute(db);
    expect((await page(`${path}/esito`)).location).toBe(`${path}/riepilogo`);
    expect((await page(`${path}/paga`, {})).location).toBe(RETURN.returnOkUrl);
    expect(await positionStatus(n)).toBe('PAID');

    // This time it died after the Nodo took the outcome, before closing the cart.
    await sql`update pagopa.checkout_carts set status = 'PAYING', paid_at = null, updated_at = now() - interval '6 minutes' where id = ${id}`.execute(db);
    expect((await page(`${path}/esito`)).html).toContain('Grazie, il pagamento è riuscito');
    expect((await page(path)).location).toBe(RETURN.returnOkUrl);
  });

  it('answers 404 for a cart that does not exist', async () => {
    expect((await page('/checkout/carts/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await page('/checkout/carts/nope')).status).toBe(404);
  });
});
