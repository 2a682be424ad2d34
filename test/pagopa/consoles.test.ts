// The pagoPA consoles over HTTP with a cookie jar, on PostgreSQL: the institutions' back-office (sign-in with
// TOTP, who sees which institution as a matrix, search by notice number with the reason of a malformed one,
// filters and paging, receipts with their reporting state, flows) and the citizen's payments page (SPID at the
// identity platform, what they owe and what they paid, nobody else's notice or receipt).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../src/core/auth/totp.ts';
import { composeNoticeNumber, formatNoticeNumber, parseNoticeNumber } from '../../src/domain/pagopa/notice-number.ts';
import { DEMO_CREDITOR_INSTITUTIONS, DEMO_PSPS, demoPagopaKey, pspKeyHolder } from '../../src/clients/pagopa/demo.ts';
import { fdrPspClient } from '../../src/clients/pagopa/fdr.ts';
import { isFault, nodoBaseUrl, nodoClient } from '../../src/clients/pagopa/nodo.ts';
import { euroAmount } from '../../src/clients/pagopa/nodo-wire.ts';
import { dateInItaly } from '../../src/domain/dates.ts';
import { institutionByFiscalCode, type Institution } from '../../src/platforms/pagopa/institutions.ts';
import { createPosition, getPosition, type DebtPosition } from '../../src/platforms/pagopa/positions.ts';
import { backofficeAccounts, DEMO_STAFF } from '../../src/platforms/pagopa/web/accounts.ts';
import { sql } from '../../src/core/db.ts';
import { identityDemoUsers } from '../../src/platforms/identity/users.ts';
import pagopa from '../../src/platforms/pagopa/index.ts';
import { readPdf } from '../support/pdf.ts';
import { startSystem, type TestSystem } from '../support/system.ts';
import { signInStaff, type StaffAccount } from '../support/staff-login.ts';
import { WebClient, type Visit } from '../support/web-client.ts';

const [BUGLIANO, VICOPISANO] = DEMO_CREDITOR_INSTITUTIONS;
const [BUG_STAFF, VIC_STAFF, OPERATOR] = DEMO_STAFF;
const BANK = DEMO_PSPS[0];
const MARCO = identityDemoUsers().find((u) => u.fiscalCode === 'BNCMRC78C14G702E')!;
const GIULIA = identityDemoUsers().find((u) => u.fiscalCode === 'RMNGLI92L63H501O')!;
const FLOW = `${dateInItaly(new Date())}${BANK.idPSP}-0001`;

let system: TestSystem;
let base: string;
const positions: Record<string, { institution: Institution; position: DebtPosition }> = {};
/** The receipt id (IUR) of Marco's and Giulia's paid Bugliano TARI. */
const paid: Record<'marco' | 'giulia', string> = { marco: '', giulia: '' };

async function staffClient(account: StaffAccount): Promise<WebClient> {
  const client = new WebClient();
  expect((await signInStaff(client, `${base}/backoffice`, account)).url.pathname).toBe('/backoffice');
  return client;
}

async function signInCitizen(person: typeof MARCO): Promise<{ client: WebClient; page: Visit }> {
  const client = new WebClient();
  const login = await client.visit(`${base}/auth/spid?idp=sportello-id`);
  expect(login.url.origin).toBe(new URL(system.urls.identity).origin);
  let page = await client.submit(login, '/password', { username: person.username, password: person.password });
  page = await client.submit(page, '/otp', { code: totpCode(person.totpSecret), action: 'verify' });
  page = await client.submit(page, '/consent', { decision: 'approve' });
  expect(page.url.href).toBe(`${base}/pagamenti`);
  return { client, page };
}

/** A published "lampade votive" position of Bugliano, of a debtor no test signs in as. */
async function votive(institution: Institution, n: number): Promise<void> {
  const amount = 1000 + n;
  const transfer = [{ idTransfer: '1' as const, amount, remittanceInformation: 'Lampade votive', category: '9/0101108TS/', iban: BUGLIANO.iban }];
  const dueDate = new Date(Date.now() + 40 * 86_400_000);
  await createPosition(
    system.ctx.database.db,
    { type: 'system', id: 'test' },
    institution,
    {
      iupd: `bug-votive-${String(n).padStart(2, '0')}`,
      type: 'F',
      fiscalCode: 'FRRLSN65S02F205E',
      fullName: 'Alessandro Ferrari',
      switchToExpired: false,
      companyName: institution.companyName,
      paymentOption: [{ amount, description: 'Lampade votive 2026', isPartialPayment: false, dueDate, transfer }],
    },
    { toPublish: true },
  );
}

/** Pays the single option of a position at the bank, as its debtor; the receipt id. */
async function payAtTheBank(iupd: string): Promise<string> {
  const { institution, position } = positions[iupd]!;
  const option = position.paymentOption.find((o) => !o.isPartialPayment)!;
  const nodo = nodoClient({ baseUrl: nodoBaseUrl(base), subscriptionKey: demoPagopaKey(system.config.secret!, pspKeyHolder(BANK.idPSP)) });
  const ids = { idPSP: BANK.idPSP, idBrokerPSP: BANK.idBrokerPSP, idChannel: BANK.idChannel };
  const activated = await nodo.activatePaymentNotice({ ...ids, qrCode: { fiscalCode: institution.fiscalCode, noticeNumber: option.nav }, amount: euroAmount(option.amount) });
  if (isFault(activated)) throw new Error(activated.fault.faultCode);
  const today = dateInItaly(new Date());
  const outcome = await nodo.sendPaymentOutcome({
    ...ids,
    paymentToken: activated.paymentToken,
    outcome: 'OK',
    details: { paymentMethod: 'creditCard', paymentChannel: 'onLine', fee: '1.50', applicationDate: today, transferDate: today },
  });
  expect(outcome).toEqual({ outcome: 'OK' });
  return activated.paymentToken;
}

beforeAll(async () => {
  // LOG_LEVEL error: the Nodo's pushes of receipts to the comune (not started here) are retried with warnings.
  system = await startSystem({ apps: ['identity', 'pagopa'], env: { LOGIN_RATE_LIMIT: '1000', LOG_LEVEL: 'error' } });
  base = system.urls.pagopa;
  const db = system.ctx.database.db;
  for (const demo of [BUGLIANO, VICOPISANO]) {
    const institution = (await institutionByFiscalCode(db, demo.fiscalCode))!;
    for (const suffix of ['tari-2026-0001', 'tari-2026-0002', 'mensa-2026-0001']) {
      const iupd = `${demo.iupdPrefix}-${suffix}`;
      positions[iupd] = { institution, position: await getPosition(db, institution, iupd) };
    }
  }
  await votive(positions['bug-tari-2026-0001']!.institution, 0);
  paid.marco = await payAtTheBank('bug-tari-2026-0001');
  paid.giulia = await payAtTheBank('bug-tari-2026-0002');
  // The bank reports Marco's payment (not Giulia's yet) to Bugliano.
  const marco = positions['bug-tari-2026-0001']!.position.paymentOption.find((o) => !o.isPartialPayment)!;
  const psp = fdrPspClient({ pagopaUrl: base, subscriptionKey: demoPagopaKey(system.config.secret!, pspKeyHolder(BANK.idPSP)), pspId: BANK.idPSP });
  await psp.create({
    fdr: FLOW,
    fdrDate: new Date().toISOString(),
    sender: { type: 'BIC_CODE', id: BANK.idPSP, pspId: BANK.idPSP, pspName: BANK.companyName, pspBrokerId: BANK.idBrokerPSP, channelId: BANK.idChannel },
    receiver: { id: BUGLIANO.fiscalCode, organizationId: BUGLIANO.fiscalCode, organizationName: BUGLIANO.companyName },
    regulation: 'TRN0000000000000001',
    regulationDate: new Date().toISOString(),
    totPayments: 1,
    sumPayments: marco.amount / 100,
  });
  await psp.addPayments(FLOW, [{ index: 1, iuv: marco.iuv, iur: paid.marco, idTransfer: 1, pay: marco.amount / 100, payStatus: 'EXECUTED', payDate: new Date().toISOString() }]);
  await psp.publish(FLOW);
}, 120_000);

afterAll(async () => {
  await system?.stop();
});

describe('the institutions’ back-office', () => {
  it('lists its demo accounts in the start-up table', () => {
    const logins = pagopa.demoAccounts!(system.ctx).map((a) => a.login);
    for (const staff of DEMO_STAFF) expect(logins).toContain(`${base}/backoffice/accedi  ${staff.email}`);
  });

  it('asks for e-mail, password and the TOTP code, refusing wrong ones', async () => {
    const client = new WebClient();
    expect((await client.request(`${base}/backoffice`)).headers.get('location')).toBe('/backoffice/accedi');
    expect((await client.request(`${base}/backoffice/enti/${BUGLIANO.fiscalCode}/posizioni`)).status).toBe(303);
    const login = await client.visit(`${base}/backoffice/accedi`);
    expect(login.html).toContain('Accesso al back-office');
    const wrong = await client.submit(login, '/backoffice/accedi', { email: BUG_STAFF.email, password: 'not-the-password' });
    expect(wrong.status).toBe(401);
    expect(wrong.html).toContain('Indirizzo e-mail o password errati.');
    const totp = await client.submit(wrong, '/backoffice/accedi', { email: BUG_STAFF.email, password: BUG_STAFF.password });
    const badCode = await client.submit(totp, '/backoffice/accedi/totp', { code: String((Number(totpCode(BUG_STAFF.totpSecret)) + 500_000) % 1_000_000).padStart(6, '0') });
    expect(badCode.status).toBe(401);
    expect((await client.submit(wrong, '/backoffice/accedi', { email: BUG_STAFF.email, password: BUG_STAFF.password }, { omitCsrf: true })).status).toBe(403);
  });

  it('shows each institution only to its own staff and to the platform operator (matrix)', async () => {
    const clients = { bugliano: await staffClient(BUG_STAFF), vicopisano: await staffClient(VIC_STAFF), operator: await staffClient(OPERATOR) };
    const bugReceiptIuv = positions['bug-tari-2026-0001']!.position.paymentOption.find((o) => !o.isPartialPayment)!.iuv;
    // Each institution's printable notice: Bugliano's TARI are paid, so its lampade votive.
    const pagesOf = (cf: string, prefix: string, receiptIuv?: string) => [
      `/backoffice/enti/${cf}/posizioni`,
      `/backoffice/enti/${cf}/posizioni/${prefix}-tari-2026-0001`,
      `/backoffice/enti/${cf}/posizioni/${prefix === 'bug' ? 'bug-votive-00' : 'vic-tari-2026-0002'}/avviso`,
      `/backoffice/enti/${cf}/ricevute`,
      `/backoffice/enti/${cf}/flussi`,
      ...(receiptIuv ? [`/backoffice/enti/${cf}/ricevute/${receiptIuv}`, `/backoffice/enti/${cf}/ricevute/${receiptIuv}/pdf`, `/backoffice/enti/${cf}/flussi/${BANK.idPSP}/${FLOW}/1`] : []),
    ];
    const matrix = [
      { who: 'bugliano', paths: pagesOf(BUGLIANO.fiscalCode, 'bug', bugReceiptIuv), status: 200 },
      { who: 'bugliano', paths: pagesOf(VICOPISANO.fiscalCode, 'vic'), status: 404 },
      { who: 'vicopisano', paths: pagesOf(VICOPISANO.fiscalCode, 'vic'), status: 200 },
      { who: 'vicopisano', paths: pagesOf(BUGLIANO.fiscalCode, 'bug', bugReceiptIuv), status: 404 },
      { who: 'operator', paths: [...pagesOf(BUGLIANO.fiscalCode, 'bug', bugReceiptIuv), ...pagesOf(VICOPISANO.fiscalCode, 'vic')], status: 200 },
    ] as const;
    for (const { who, paths, status } of matrix) {
      for (const path of paths) {
        const response = await clients[who].request(`${base}${path}`);
        const body = await response.text();
        expect(`${who} ${path} → ${response.status}`).toBe(`${who} ${path} → ${status}`);
        if (status === 404) expect(body).not.toMatch(/TARI 2026/);
        if (status === 200 && (path.endsWith('/pdf') || path.endsWith('/avviso'))) expect(response.headers.get('content-type')).toBe('application/pdf');
      }
    }
    // The institutions page lists only what one may see; the operator sees both.
    const own = await clients.bugliano.visit(`${base}/backoffice`);
    expect(own.html).toContain(BUGLIANO.companyName);
    expect(own.html).not.toContain(VICOPISANO.companyName);
    const all = await clients.operator.visit(`${base}/backoffice`);
    expect(all.html).toContain(BUGLIANO.companyName);
    expect(all.html).toContain(VICOPISANO.companyName);
  });

  it('finds a position by its notice number, and says why a malformed one is wrong', async () => {
    const client = await staffClient(BUG_STAFF);
    const list = `${base}/backoffice/enti/${BUGLIANO.fiscalCode}/posizioni`;
    const nav = positions['bug-tari-2026-0002']!.position.paymentOption[0]!.nav;
    const found = await client.request(`${list}?avviso=${encodeURIComponent(formatNoticeNumber(nav))}`);
    expect(found.status).toBe(303);
    expect(found.headers.get('location')).toBe(`/backoffice/enti/${BUGLIANO.fiscalCode}/posizioni/bug-tari-2026-0002#avviso-${nav}`);
    const detail = await client.visit(new URL(found.headers.get('location')!, base));
    expect(detail.html).toContain(formatNoticeNumber(nav));
    expect(detail.html).toContain('Giulia Romano');

    const wrongCheck = `${nav.slice(0, 16)}${String((Number(nav.slice(16)) + 1) % 93).padStart(2, '0')}`;
    const reasons = [
      [wrongCheck, 'le ultime due cifre (di controllo) non corrispondono'],
      [nav.slice(0, 17), 'ha 17 cifre invece di 18'],
      [`${nav.slice(0, 17)}X`, 'contiene caratteri che non sono cifre'],
      [`9${nav.slice(1)}`, 'la prima cifra deve essere 0, 1, 2 o 3'],
    ] as const;
    for (const [typed, reason] of reasons) {
      const refused = await client.visit(`${list}?avviso=${encodeURIComponent(typed)}`);
      expect(refused.status, typed).toBe(400);
      expect(refused.html).toContain(`Numero avviso non valido: ${reason}`);
      expect(refused.html).toContain('aria-invalid="true"');
    }
    // Well formed, but never issued.
    const unknown = composeNoticeNumber({ auxDigit: 3, segregationCode: '01' }, 999_999n).noticeNumber;
    expect(parseNoticeNumber(unknown).ok).toBe(true);
    const missing = await client.visit(`${list}?avviso=${unknown}`);
    expect(missing.status).toBe(404);
    expect(missing.html).toContain(`Nessuna posizione di questo ente ha il numero avviso ${formatNoticeNumber(unknown)}.`);
  });

  it('filters by debtor, status and due dates, and pages in SQL', async () => {
    const client = await staffClient(BUG_STAFF);
    const list = `${base}/backoffice/enti/${BUGLIANO.fiscalCode}/posizioni`;
    const byDebtor = await client.visit(`${list}?debitore=${GIULIA.fiscalCode.toLowerCase()}`);
    expect(byDebtor.html).toContain('bug-tari-2026-0002');
    expect(byDebtor.html).not.toContain('bug-tari-2026-0001');
    expect((await client.visit(`${list}?debitore=${encodeURIComponent('<x>')}`)).status).toBe(400);
    const drafts = await client.visit(`${list}?stato=DRAFT`);
    expect(drafts.html).toContain('bug-mensa-2026-0001');
    expect(drafts.html).not.toContain('bug-tari-2026-0002');
    expect((await client.visit(`${list}?scadenza_dal=2026-13-45`)).status).toBe(400);
    const past = await client.visit(`${list}?scadenza_al=2020-01-01`);
    expect(past.html).toContain('0 posizioni trovate');

    // 24 more positions: 28 in all, 20 a page.
    for (let n = 1; n <= 24; n++) await votive(positions['bug-tari-2026-0001']!.institution, n);
    const first = await client.visit(list);
    expect(first.html).toContain('28 posizioni trovate');
    expect(first.html.match(/<tr><td><a href="\/backoffice\/enti\/80000990509\/posizioni\//g)).toHaveLength(20);
    expect(first.html).toContain('rel="next"');
    const second = await client.visit(`${list}?pagina=2`);
    expect(second.html.match(/<tr><td><a href="\/backoffice\/enti\/80000990509\/posizioni\//g)).toHaveLength(8);
    expect(second.html).toContain('aria-current="page"');
    // Beyond the last page: the last page; not a number: the first.
    const beyond = await client.visit(`${list}?pagina=9`);
    expect(beyond.html.match(/<tr><td><a href="\/backoffice\/enti\/80000990509\/posizioni\//g)).toHaveLength(8);
    expect((await client.visit(`${list}?pagina=abc`)).html.match(/<tr><td><a href="\/backoffice\/enti\/80000990509\/posizioni\//g)).toHaveLength(20);
  });

  it('shows a position with its options, transfers, notice and receipt', async () => {
    const client = await staffClient(BUG_STAFF);
    const page = await client.visit(`${base}/backoffice/enti/${BUGLIANO.fiscalCode}/posizioni/bug-tari-2026-0001`);
    const { position } = positions['bug-tari-2026-0001']!;
    for (const o of position.paymentOption) expect(page.html).toContain(formatNoticeNumber(o.nav));
    expect(page.html).toContain('Marco Bianchi');
    expect(page.html).toContain('BNCMRC78C14G702E');
    expect(page.html).toContain(BUGLIANO.iban);
    expect(page.html).toContain('9/0101108TS/');
    expect(page.html).toContain('246,00');
    expect(page.html).toContain(paid.marco);
    // Paid: no notice to print any more.
    expect(page.html).not.toContain('/avviso"');
    const unpaid = await client.visit(`${base}/backoffice/enti/${BUGLIANO.fiscalCode}/posizioni/bug-mensa-2026-0001?lang=en`);
    expect(unpaid.html).toContain('Draft');
    const notice = await client.request(`${base}/backoffice/enti/${BUGLIANO.fiscalCode}/posizioni/vic-tari-2026-0001/avviso`);
    expect(notice.status).toBe(404);
  });

  it('lists receipts with their reporting state, a receipt, its PDF and the flow that reports it', async () => {
    const client = await staffClient(BUG_STAFF);
    const cf = BUGLIANO.fiscalCode;
    const list = await client.visit(`${base}/backoffice/enti/${cf}/ricevute`);
    expect(list.html).toContain(`Rendicontata nel flusso ${FLOW}`);
    expect(list.html).toContain('Non ancora rendicontata');
    expect(list.html).toContain('Giulia Romano');
    const marcoIuv = positions['bug-tari-2026-0001']!.position.paymentOption.find((o) => !o.isPartialPayment)!.iuv;
    const giuliaIuv = positions['bug-tari-2026-0002']!.position.paymentOption[0]!.iuv;
    const marco = await client.visit(`${base}/backoffice/enti/${cf}/ricevute/${marcoIuv}`);
    expect(marco.html).toContain(paid.marco);
    expect(marco.html).toContain(BANK.companyName);
    expect(marco.html).toContain(`href="/backoffice/enti/${cf}/flussi/${BANK.idPSP}/${FLOW}/1"`);
    const giulia = await client.visit(`${base}/backoffice/enti/${cf}/ricevute/${giuliaIuv}?lang=de`);
    expect(giulia.html).toContain('Noch nicht abgerechnet');
    const pdf = await client.request(`${base}/backoffice/enti/${cf}/ricevute/${marcoIuv}/pdf`);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect((await readPdf(Buffer.from(await pdf.arrayBuffer()))).flat).toContain(paid.marco);
    expect((await client.request(`${base}/backoffice/enti/${cf}/ricevute/01000000000000099`)).status).toBe(404);
    const flows = await client.visit(`${base}/backoffice/enti/${cf}/flussi`);
    expect(flows.html).toContain(FLOW);
    const flow = await client.visit(`${base}/backoffice/enti/${cf}/flussi/${BANK.idPSP}/${FLOW}/1`);
    expect(flow.html).toContain('TRN0000000000000001');
    expect(flow.html).toContain(paid.marco);
    expect(flow.html).toContain(`href="/backoffice/enti/${cf}/ricevute/${marcoIuv}"`);
    expect((await client.request(`${base}/backoffice/enti/${VICOPISANO.fiscalCode}/flussi/${BANK.idPSP}/${FLOW}/1`)).status).toBe(404);
  });
  it('ends the sessions of an account that is deactivated', async () => {
    const db = system.ctx.database.db;
    const email = 'temporaneo@comune.bugliano.pi.it';
    const account = { ...BUG_STAFF, email, name: 'Temporaneo', totpSecret: 'TEMPORANEOPAGOPA' };
    await backofficeAccounts(db, system.config.secret!).upsert({ tenantId: account.tenant, email, name: account.name, password: account.password, totpSecret: account.totpSecret });
    const client = await staffClient(account);
    const list = `${base}/backoffice/enti/${BUGLIANO.fiscalCode}/posizioni`;
    expect((await client.request(list)).status).toBe(200);
    await sql`update pagopa.backoffice_accounts set active = false where email = ${email}`.execute(db);
    const after = await client.request(list);
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toBe('/backoffice/accedi');
  });
});

describe('the citizen’s payments page', () => {
  it('sends whoever is not signed in to the SPID/CIE login', async () => {
    const client = new WebClient();
    const page = await client.visit(`${base}/pagamenti`);
    expect(page.url.pathname).toBe('/pagamenti/accedi');
    expect(page.html).toContain('Entra con SPID');
    expect((await client.request(`${base}/pagamenti/ricevute/${paid.marco}`)).status).toBe(303);
  });

  it('shows the citizen what they owe at every institution and what they paid, never anyone else’s', async () => {
    const { client, page } = await signInCitizen(MARCO);
    const vic = positions['vic-tari-2026-0001']!.position;
    const [toPay, paidSection] = page.html.split('id="paid"');
    for (const o of vic.paymentOption) expect(toPay).toContain(formatNoticeNumber(o.nav));
    expect(toPay).toContain(VICOPISANO.companyName);
    expect(toPay).toContain('246,00');
    // Paid at Bugliano, so no longer to pay; his draft is not payable either.
    expect(toPay).not.toContain(BUGLIANO.companyName);
    expect(page.html).not.toContain(formatNoticeNumber(positions['bug-mensa-2026-0001']!.position.paymentOption[0]!.nav));
    expect(paidSection).toContain(BUGLIANO.companyName);
    expect(paidSection).toContain(`/pagamenti/ricevute/${paid.marco}`);
    expect(page.html).not.toContain(paid.giulia);
    for (const other of ['bug-tari-2026-0002', 'vic-tari-2026-0002']) expect(page.html).not.toContain(formatNoticeNumber(positions[other]!.position.paymentOption[0]!.nav));

    const notice = await client.request(`${base}/pagamenti/avvisi/${VICOPISANO.fiscalCode}/vic-tari-2026-0001`);
    expect(notice.headers.get('content-type')).toBe('application/pdf');
    expect((await readPdf(Buffer.from(await notice.arrayBuffer()))).flat).toContain(formatNoticeNumber(vic.paymentOption[0]!.nav));
    const receipt = await client.request(`${base}/pagamenti/ricevute/${paid.marco}`);
    expect(receipt.headers.get('content-type')).toBe('application/pdf');
    await receipt.arrayBuffer();

    // Giulia's notice and receipt, even with their exact addresses, do not exist for Marco.
    expect((await client.request(`${base}/pagamenti/avvisi/${VICOPISANO.fiscalCode}/vic-tari-2026-0002`)).status).toBe(404);
    expect((await client.request(`${base}/pagamenti/avvisi/${BUGLIANO.fiscalCode}/bug-tari-2026-0002`)).status).toBe(404);
    expect((await client.request(`${base}/pagamenti/ricevute/${paid.giulia}`)).status).toBe(404);
    // Nor is the back-office open to a citizen.
    expect((await client.request(`${base}/backoffice/enti/${BUGLIANO.fiscalCode}/posizioni`)).status).toBe(303);

    const theirs = await signInCitizen(GIULIA);
    expect(theirs.page.html).toContain(paid.giulia);
    expect(theirs.page.html).not.toContain(paid.marco);
    expect((await theirs.client.request(`${base}/pagamenti/ricevute/${paid.marco}`)).status).toBe(404);
  });

  it('"Paga" opens a Checkout cart of the citizen’s own payable notice only', async () => {
    const { client, page } = await signInCitizen(MARCO);
    const nav = positions['vic-tari-2026-0001']!.position.paymentOption[0]!.nav;
    const pay = await client.submit(page, '/pagamenti/paga', { ente: VICOPISANO.fiscalCode, avviso: nav });
    expect(pay.url.pathname).toMatch(/^\/checkout\/carts\/[0-9a-f-]{36}$/);
    expect(pay.status).toBe(200);
    expect(pay.html).toContain(formatNoticeNumber(nav));
    const form = { ente: VICOPISANO.fiscalCode, avviso: positions['vic-tari-2026-0002']!.position.paymentOption[0]!.nav };
    expect((await client.submit(page, '/pagamenti/paga', form)).status).toBe(404);
    expect((await client.submit(page, '/pagamenti/paga', { ente: VICOPISANO.fiscalCode, avviso: nav }, { omitCsrf: true })).status).toBe(403);
    // A made-up notice of the right shape is no better.
    const made = composeNoticeNumber({ auxDigit: 3, segregationCode: '01' }, 999_999n).noticeNumber;
    expect((await client.submit(page, '/pagamenti/paga', { ente: VICOPISANO.fiscalCode, avviso: made })).status).toBe(404);
  });
});
