// The counters of the PSP simulator over real HTTP against the real pagoPA app: a notice typed or scanned and
// paid through the Nodo (the position is PAID on GPD afterwards), refusals in plain words with their code,
// malformed numbers refused before anything is sent, and a double click that makes one payment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../../src/core/db.ts';
import { DEMO_PSPS, demoPagopaKey, pspKeyHolder } from '../../src/clients/pagopa/demo.ts';
import { nodoBaseUrl, nodoClient } from '../../src/clients/pagopa/nodo.ts';
import { euroAmount } from '../../src/clients/pagopa/nodo-wire.ts';
import { noticeQrPayload } from '../../src/domain/pagopa/qr-code.ts';
import { composeNoticeNumber } from '../../src/domain/pagopa/notice-number.ts';
import { formBody, formWithAction } from '../support/cookie-jar.ts';
import { startSystem, type TestSystem } from '../support/system.ts';
import { WebClient, type Visit } from '../support/web-client.ts';
import { BUGLIANO, VICOPISANO, gpdOf, publishedNotice } from './support.ts';

const [BANK, POST, TOBACCONIST] = DEMO_PSPS;

describe('PSP counters', () => {
  let system: TestSystem;
  let clerk: WebClient;
  const counter = (idPSP: string) => `${system.urls.psp}/sportelli/${idPSP}`;
  const verify = (idPSP: string, codice: string, ente = '') => clerk.visit(`${counter(idPSP)}/avviso?${new URLSearchParams({ codice, ente })}`);
  // Two institutions may number the same notice: a payable item is the pair (fiscal code, notice number).
  const payments = async (fiscalCode: string, nav: string) =>
    (await sql<{ status: string; payment_token: string | null }>`select status, payment_token from psp.payments where fiscal_code = ${fiscalCode} and notice_number = ${nav}`.execute(system.ctx.database.db)).rows;
  const paymentCount = async () => Number((await sql<{ n: string }>`select count(*) as n from psp.payments`.execute(system.ctx.database.db)).rows[0]!.n);

  beforeAll(async () => {
    system = await startSystem({ apps: ['pagopa', 'psp'] });
    clerk = new WebClient('it');
  }, 120_000);
  afterAll(async () => system?.stop());

  it('lists one counter per demo PSP, in Italian first and in English and German', async () => {
    const home = await clerk.visit(`${system.urls.psp}/`);
    expect(home.status).toBe(200);
    expect(home.html).toContain('<html lang="it">');
    for (const psp of DEMO_PSPS) expect(home.html).toContain(`/sportelli/${psp.idPSP}`);
    expect(home.html).toMatch(/Banca della Valdera[\s\S]*Ufficio postale[\s\S]*Tabaccheria/);
    expect((await clerk.visit(`${system.urls.psp}/?lang=en`)).html).toContain('Choose the counter');
    expect((await clerk.visit(`${system.urls.psp}/?lang=de`)).html).toContain('Schalter wählen');
  });

  it('pays a typed notice number: verify, collect in cash, the receipt; GPD has the position PAID', async () => {
    const { iupd, nav } = await publishedNotice(system, BUGLIANO, 12_345, 'Diritti di segreteria SUAP');
    const printed = nav.replace(/(\d{4})(?=\d)/g, '$1 ');
    const notice = await verify(BANK.idPSP, printed, BUGLIANO.fiscalCode);
    expect(notice.status).toBe(200);
    expect(notice.html).toContain('Comune di Bugliano');
    expect(notice.html).toContain('Diritti di segreteria SUAP');
    expect(notice.html).toContain('123,45');
    expect(notice.html).toContain('124,95'); // with the bank's fee of 1,50
    const receipt = await clerk.submit(notice, '/incassi', { metodo: 'cash' });
    expect(receipt.status).toBe(200);
    expect(receipt.url.pathname).toMatch(new RegExp(`^/sportelli/${BANK.idPSP}/ricevute/[0-9a-f-]{36}$`));
    expect(receipt.html).toContain('Ricevuta di pagamento');
    expect(receipt.html).toContain(printed);
    expect(receipt.html).toContain(nav.slice(1)); // the IUV: aux digit 3, the last 17 digits
    const [row] = await payments(BUGLIANO.fiscalCode, nav);
    expect(row).toMatchObject({ status: 'PAID' });
    expect(receipt.html).toContain(row!.payment_token!);
    expect((await gpdOf(system, BUGLIANO).getPosition(iupd)).status).toBe('PAID');
    // The counter lists the day's payments with a link to the receipt.
    expect((await clerk.visit(counter(BANK.idPSP))).html).toContain(receipt.url.pathname);
  });

  it('pays a scanned QR code and a scanned Poste Data Matrix without the fiscal code field', async () => {
    const byQr = await publishedNotice(system, VICOPISANO, 4_500);
    const qr = await verify(TOBACCONIST.idPSP, noticeQrPayload({ noticeNumber: byQr.nav, fiscalCode: VICOPISANO.fiscalCode, amountCents: 4_500 }));
    expect(qr.html).toContain('Comune di Vicopisano');
    expect((await clerk.submit(qr, '/incassi', { metodo: 'creditCard' })).html).toContain('Carta');
    expect((await gpdOf(system, VICOPISANO).getPosition(byQr.iupd)).status).toBe('PAID');

    const byMatrix = await publishedNotice(system, BUGLIANO, 7_000);
    const matrix = `codfase=NBPA;18${byMatrix.nav}12${'16302093'.padStart(12, '0')}10${'7000'.padStart(10, '0')}38961P1${BUGLIANO.fiscalCode}BNCMRC78C14G702E`;
    const scanned = await verify(POST.idPSP, matrix);
    expect(scanned.status).toBe(200);
    expect((await clerk.submit(scanned, '/incassi', { metodo: 'cash' })).html).toContain('Ricevuta di pagamento');
    expect((await gpdOf(system, BUGLIANO).getPosition(byMatrix.iupd)).status).toBe('PAID');
  });

  it('refuses malformed numbers with the reason, sending nothing', async () => {
    const before = await paymentCount();
    const cases: [string, string, string][] = [
      ['30001000000000001', BUGLIANO.fiscalCode, 'Il codice avviso ha 18 cifre'],
      ['300010000000000199', BUGLIANO.fiscalCode, 'cifre di controllo non tornano'],
      ['3000100000000001A9', BUGLIANO.fiscalCode, 'solo cifre'],
      [composeNoticeNumber({ auxDigit: 3, segregationCode: '01' }, 1).noticeNumber, '', 'serve il codice fiscale'],
      [composeNoticeNumber({ auxDigit: 3, segregationCode: '01' }, 1).noticeNumber, '80000990508', 'ricontrollalo'],
      ['PAGOPA|002|300010000000000199|80000990509|100', '', 'cifre di controllo'],
    ];
    for (const [code, fiscalCode, reason] of cases) {
      const page = await verify(BANK.idPSP, code, fiscalCode);
      expect(page.status, code).toBe(400);
      expect(page.html).toContain(reason);
      expect(page.html).toContain('aria-invalid="true"');
    }
    expect(await paymentCount()).toBe(before);
  });

  it('shows the Nodo’s refusals in plain words with the code: unknown, already paid, annulled, expired, in progress', async () => {
    const unknown = await verify(BANK.idPSP, composeNoticeNumber({ auxDigit: 3, segregationCode: BUGLIANO.segregationCode }, 9_999_999_999).noticeNumber, BUGLIANO.fiscalCode);
    expect(unknown.status).toBe(409);
    expect(unknown.html).toContain('L’ente non conosce questo avviso');
    expect(unknown.html).toContain('PAA_PAGAMENTO_SCONOSCIUTO');

    const paid = await publishedNotice(system, BUGLIANO, 1_000);
    await clerk.submit(await verify(BANK.idPSP, paid.nav, BUGLIANO.fiscalCode), '/incassi', { metodo: 'cash' });
    const again = await verify(TOBACCONIST.idPSP, paid.nav, BUGLIANO.fiscalCode);
    expect(again.status).toBe(409);
    expect(again.html).toContain('L’avviso risulta già pagato');
    expect(again.html).toMatch(/PPT_PAGAMENTO_DUPLICATO|PAA_PAGAMENTO_DUPLICATO/);

    const annulled = await publishedNotice(system, VICOPISANO, 2_000);
    await gpdOf(system, VICOPISANO).invalidatePosition(annulled.iupd);
    const invalid = await verify(POST.idPSP, annulled.nav, VICOPISANO.fiscalCode);
    expect(invalid.status).toBe(409);
    expect(invalid.html).toContain('L’ente ha annullato l’avviso');
    expect(invalid.html).toContain('PAA_PAGAMENTO_ANNULLATO');

    // Past its due date a position that expires is no longer payable (GPD answers as of now).
    const expiring = await publishedNotice(system, BUGLIANO, 2_500, 'Sanzione', { inMs: 1_500, switchToExpired: true });
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const expired = await verify(BANK.idPSP, expiring.nav, BUGLIANO.fiscalCode);
    expect(expired.status).toBe(409);
    expect(expired.html).toContain('L’avviso è scaduto');
    expect(expired.html).toContain('PAA_PAGAMENTO_SCADUTO');

    // Another PSP holds the notice (a live token): verified, but collecting it here is refused.
    const busy = await publishedNotice(system, BUGLIANO, 3_000);
    const page = await verify(BANK.idPSP, busy.nav, BUGLIANO.fiscalCode);
    const other = nodoClient({ baseUrl: nodoBaseUrl(system.urls.pagopa), subscriptionKey: demoPagopaKey(system.ctx.secret, pspKeyHolder(POST.idPSP)) });
    const token = await other.activatePaymentNotice({
      idPSP: POST.idPSP,
      idBrokerPSP: POST.idBrokerPSP,
      idChannel: POST.idChannel,
      qrCode: { fiscalCode: BUGLIANO.fiscalCode, noticeNumber: busy.nav },
      amount: euroAmount(3_000),
    });
    expect(token.outcome).toBe('OK');
    const refused = await clerk.submit(page, '/incassi', { metodo: 'cash' });
    expect(refused.status).toBe(409);
    expect(refused.html).toContain('già in corso');
    expect(refused.html).toContain('PPT_PAGAMENTO_IN_CORSO');
  });

  it('makes one payment of a double click on "Incassa"', async () => {
    const { iupd, nav } = await publishedNotice(system, VICOPISANO, 5_550);
    const page = await verify(TOBACCONIST.idPSP, nav, VICOPISANO.fiscalCode);
    const form = formWithAction(page.html, '/incassi');
    const post = () =>
      clerk.request(new URL(form.action, page.url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: formBody(form, { metodo: 'cash' }) });
    const [first, second] = await Promise.all([post(), post()]);
    expect([first.status, second.status]).toEqual([303, 303]);
    expect(first.headers.get('location')).toBe(second.headers.get('location'));
    expect(await payments(VICOPISANO.fiscalCode, nav)).toHaveLength(1);
    expect((await gpdOf(system, VICOPISANO).getPosition(iupd)).status).toBe('PAID');
  });

  it('refuses a collection without the form’s CSRF token', async () => {
    const { nav } = await publishedNotice(system, BUGLIANO, 1_100);
    const page: Visit = await verify(BANK.idPSP, nav, BUGLIANO.fiscalCode);
    expect((await clerk.submit(page, '/incassi', { metodo: 'cash' }, { omitCsrf: true })).status).toBe(400);
    expect(await payments(BUGLIANO.fiscalCode, nav)).toHaveLength(0);
  });
});
