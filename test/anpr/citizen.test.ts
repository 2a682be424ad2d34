// The ANPR citizen area end to end: a real SPID/CIE login through the identity platform, the visura of the
// citizen and their family (nobody else's), certificates and self-declarations, the online declaration of
// change of residence with its refusals and 45-day silence, rectification requests, contacts, and the
// access log of e-service consultations; logout at ANPR and at the identity provider.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { listAudit } from '../../src/core/audit.ts';
import { computeFiscalCode } from '../../src/domain/fiscal-code.ts';
import { contactsOf } from '../../src/platforms/anpr/model.ts';
import { idByFiscalCode, loadEvents } from '../../src/platforms/anpr/store.ts';
import { stradarioOf } from '../../src/platforms/anpr/stradario.ts';
import { addUser } from '../../src/platforms/identity/users.ts';
import { WebClient } from '../support/web-client.ts';
import { spidLogin, startCitizenHarness, submitMany, user, type CitizenHarness } from './citizen-harness.ts';

const MARCO = user('BNCMRC78C14G702E'); // married to Silvia Neri, children Tommaso and Sofia
const GIULIA = user('RMNGLI92L63H501O'); // another family
const ALESSANDRO = user('FRRLSN65S02F205E'); // wife Paola Conti, son Luca
const FRANCESCA = user('SPSFNC88A70F839U');
const ELENA = user('MRTLNE99T71A944N');
const ANNA = user('MRNNNA01R44A662H');

let h: CitizenHarness;
let url: (path: string) => string;
const db = () => h.system.ctx.database.db;
const idOf = async (fiscalCode: string) => (await idByFiscalCode(db(), fiscalCode))!;

beforeAll(async () => {
  h = await startCitizenHarness();
  url = (path) => `${h.anprUrl}${path}`;
});
afterAll(() => h?.stop());

describe('login', () => {
  it('sends a visitor to the login page, with the SPID and CIE buttons in Italian', async () => {
    const client = new WebClient();
    const page = await client.visit(url('/cittadino/certificati'));
    expect(page.url.pathname).toBe('/cittadino/accedi');
    expect(page.html).toContain('<h1>Accedi all’area riservata</h1>');
    expect(page.html).toContain('Entra con SPID');
    expect(page.html).toContain('Entra con CIE');
    expect(page.html).toContain('href="/auth/spid?idp=sportello-id"');
    expect(page.html).toContain('href="/auth/cie"');
    const en = await client.visit(url('/cittadino/accedi?lang=en'));
    expect(en.html).toContain('Log in with SPID');
  });

  it('publishes its Entity Configuration as a relying party', async () => {
    const r = await fetch(url('/.well-known/openid-federation'));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('application/entity-statement+jwt');
    const jws = await r.text();
    expect(decodeProtectedHeader(jws).typ).toBe('entity-statement+jwt');
    const claims = decodeJwt(jws) as { iss: string; metadata: { openid_relying_party: { redirect_uris: string[] } } };
    expect(claims.iss).toBe(`${h.anprUrl}/`);
    expect(claims.metadata.openid_relying_party.redirect_uris).toEqual([`${h.anprUrl}/auth/callback`]);
  });

  it('logs in with SPID level 2, back to the page asked for, and records the login', async () => {
    const client = new WebClient();
    await client.visit(url('/cittadino/contatti'));
    const page = await spidLogin(h, client, MARCO);
    expect(page.status).toBe(200);
    expect(page.url.pathname).toBe('/cittadino/contatti');
    expect(page.html).toContain('Accesso effettuato come Marco Bianchi');
    const audit = await listAudit(db(), 'anpr', { limit: 50 });
    expect(audit.some((e) => e.action === 'citizen.login' && e.actorId === MARCO.fiscalCode)).toBe(true);
  });

  it('refuses to ask for less than level 2', async () => {
    const r = await new WebClient().request(url('/auth/spid?idp=sportello-id&level=1'));
    expect(r.status).toBe(400);
  });

  it('logs in with CIE at level 3 (card and PIN)', async () => {
    const client = new WebClient();
    const login = await client.visit(url('/auth/cie?level=3'));
    const consent = await client.submit(login, '/card', { cardNumber: GIULIA.cardNumber, pin: GIULIA.pin });
    const page = await client.submit(consent, '/consent', { decision: 'approve' });
    expect(page.url.pathname).toBe('/cittadino');
    expect(page.html).toContain('Romano');
  });

  it('refuses a callback without a pending login', async () => {
    const page = await new WebClient().visit(url('/auth/callback?code=x&state=y'));
    expect(page.status).toBe(400);
    expect(page.html).toContain('la richiesta di accesso è scaduta');
  });

  it('logs out at ANPR and at the identity provider', async () => {
    const client = new WebClient();
    const area = await spidLogin(h, client, MARCO);
    const confirm = await client.submit(area, '/cittadino/esci', {});
    expect(confirm.url.pathname).toBe('/oidc/spid/session/end');
    const home = await client.submit(confirm, '/session/end/confirm', { logout: 'yes' });
    expect(home.url.href).toBe(`${h.anprUrl}/?state=anpr`);
    expect(home.html).toContain('Accedi con SPID o CIE');
    const again = await client.visit(url('/cittadino'));
    expect(again.url.pathname).toBe('/cittadino/accedi');
    // The identity provider's session is over too: a new login asks for the password again.
    const login = await client.visit(url('/auth/spid?idp=sportello-id'));
    expect(login.html).toContain('name="password"');
  });
});

describe('visura', () => {
  it("shows the citizen's scheda and family, in Italian, and each member's scheda", async () => {
    const client = new WebClient();
    const page = await spidLogin(h, client, MARCO);
    expect(page.url.pathname).toBe('/cittadino');
    expect(page.html).toContain('<h1>I miei dati anagrafici</h1>');
    for (const text of ['BNCMRC78C14G702E', 'Bianchi', '14 marzo 1978', 'Pisa (PI)', 'Italia', 'Coniugato, dal 14 giugno 2008', 'VIA Roma 15 — 56000 Bugliano (PI)']) {
      expect(page.html).toContain(text);
    }
    expect(page.html).toContain('Intestatario scheda');
    expect(page.html).toContain('Moglie');
    expect(page.html).toContain('Figlia');
    const silvia = /href="(\/cittadino\/famiglia\/\d{9})">Vedi i dati di Silvia Neri/.exec(page.html)?.[1];
    expect(silvia).toBeDefined();
    expect(page.html).toContain('<a class="nav-link active" href="/cittadino" aria-current="page">');
    const member = await client.visit(url(silvia!));
    expect(member.status).toBe(200);
    expect(member.html).toContain('Dati di Silvia Neri');
    expect(member.html).toContain('Moglie');
    expect(member.html).toContain('Coniugata');
    const en = await client.visit(url('/cittadino?lang=en'));
    expect(en.html).toContain('My registry data');
    expect(en.html).toContain('Married, since June 14, 2008');
    expect(en.html).toContain('Wife');
  });

  it("shows a citizen born abroad with both citizenships", async () => {
    const client = new WebClient();
    const page = await spidLogin(h, client, user('GRCMTN83H45Z600R'));
    expect(page.html).toContain('Argentina');
    expect(page.html).toContain('Italia, Argentina');
  });

  it("refuses the scheda of anyone outside the citizen's family (404)", async () => {
    const client = new WebClient();
    await spidLogin(h, client, MARCO);
    for (const id of [await idOf(GIULIA.fiscalCode), await idOf(MARCO.fiscalCode), '000000000', 'abc']) {
      const page = await client.visit(url(`/cittadino/famiglia/${id}`));
      expect(page.status, id).toBe(404);
      expect(page.html).not.toContain('Romano');
    }
  });

  it('tells a citizen without a record in ANPR, instead of failing', async () => {
    const person = { givenName: 'Ugo', familyName: 'Nessuno', sex: 'M' as const, birthDate: '1990-05-05', birthplaceCode: 'G702' };
    const fiscalCode = (computeFiscalCode(person) as { value: string }).value;
    await addUser(db(), { ...person, fiscalCode, username: 'ugo.nessuno', password: MARCO.password, totpSecret: MARCO.totpSecret, email: 'ugo@example.it', phone: '+393330000000' });
    const client = new WebClient();
    const page = await spidLogin(h, client, { ...MARCO, username: 'ugo.nessuno', fiscalCode });
    expect(page.status).toBe(200);
    expect(page.html).toContain(`In ANPR non risulta una scheda anagrafica con il codice fiscale ${fiscalCode}`);
    for (const path of ['/cittadino/certificati', '/cittadino/residenza', '/cittadino/rettifica', '/cittadino/contatti', '/cittadino/consultazioni']) {
      const other = await client.visit(url(path));
      expect(other.status, path).toBe(200);
      expect(other.html, path).toContain('In ANPR non risulta una scheda anagrafica');
    }
  });
});

describe('certificates', () => {
  const pdfOf = async (r: Response) => {
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/pdf');
    expect(r.headers.get('content-disposition')).toMatch(/^attachment; filename="certificato-/);
    const bytes = Buffer.from(await r.arrayBuffer());
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    return bytes;
  };

  it('issues a certificate for the citizen and for a family member, lists them and downloads them again', async () => {
    const client = new WebClient();
    await spidLogin(h, client, MARCO);
    const page = await client.visit(url('/cittadino/certificati'));
    expect(page.html).toContain('<h1>Certificati anagrafici</h1>');
    expect(page.html).toContain('Non hai ancora richiesto certificati.');
    expect(page.html.match(/nav-link active/g)).toEqual(['nav-link active']);
    expect(page.html).toContain('<a class="nav-link active" href="/cittadino/certificati" aria-current="page">');
    const silviaCf = /<option value="([A-Z0-9]{16})">Silvia Neri/.exec(page.html)![1]!;
    const mine = await pdfOf(await submitMany(client, page, '/cittadino/certificati', [['kind', 'residenza'], ['subject', MARCO.fiscalCode], ['use', 'pensione']]));
    await pdfOf(await submitMany(client, page, '/cittadino/certificati', [['kind', 'stato-di-famiglia'], ['subject', silviaCf], ['use', 'bollo'], ['bolloId', '01234567890123']]));
    const reused = await submitMany(client, page, '/cittadino/certificati', [['kind', 'residenza'], ['subject', silviaCf], ['use', 'bollo'], ['bolloId', '01234567890123']]);
    expect(reused.status).toBe(422);
    expect(await reused.text()).toContain('Questa marca da bollo è già stata usata');
    const list = await client.visit(url('/cittadino/certificati'));
    expect(list.html).toContain('Residenza');
    expect(list.html).toContain('Stato di famiglia');
    expect(list.html).toContain('Silvia Neri');
    const href = /href="(\/cittadino\/certificati\/[0-9A-Z]{20})"/g;
    const links = [...list.html.matchAll(href)].map((m) => m[1]!);
    expect(links).toHaveLength(2);
    const again = await pdfOf(await client.request(url(links[1]!)));
    expect(again.equals(mine)).toBe(true);
    // Someone else cannot download it.
    const other = new WebClient();
    await spidLogin(h, other, GIULIA);
    expect((await other.request(url(links[1]!))).status).toBe(404);
  });

  it('refuses a certificate about someone outside the family (403), and a kind the subject does not qualify for', async () => {
    const client = new WebClient();
    await spidLogin(h, client, MARCO);
    const page = await client.visit(url('/cittadino/certificati'));
    const stranger = await submitMany(client, page, '/cittadino/certificati', [['kind', 'residenza'], ['subject', GIULIA.fiscalCode], ['use', 'pensione']]);
    expect(stranger.status).toBe(403);
    const text = await stranger.text();
    expect(text).toContain('Puoi richiedere certificati solo per te e per i componenti della tua famiglia anagrafica.');
    expect(text).not.toContain('Romano');
    const notFree = await submitMany(client, page, '/cittadino/certificati', [['kind', 'stato-libero'], ['subject', MARCO.fiscalCode], ['use', 'pensione']]);
    expect(notFree.status).toBe(422);
    expect(await notFree.text()).toContain('non è di stato libero');
    const noBollo = await submitMany(client, page, '/cittadino/certificati', [['kind', 'residenza'], ['subject', MARCO.fiscalCode], ['use', 'bollo'], ['bolloId', '12']]);
    expect(noBollo.status).toBe(422);
    expect(await noBollo.text()).toContain('Scrivi le 14 cifre della marca da bollo.');
  });

  it('prefills the self-declaration with the facts chosen, and asks for one at least', async () => {
    const client = new WebClient();
    await spidLogin(h, client, MARCO);
    const page = await client.visit(url('/cittadino/autocertificazione'));
    expect(page.html).toContain('<h1>Autocertificazione</h1>');
    const none = await submitMany(client, page, '/cittadino/autocertificazione', []);
    expect(none.status).toBe(400);
    expect(await none.text()).toContain('Scegli almeno un fatto da dichiarare.');
    const pdf = await submitMany(client, page, '/cittadino/autocertificazione', [['facts', 'residenza'], ['facts', 'stato-di-famiglia']]);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.headers.get('content-disposition')).toContain('attachment');
  });
});

describe('change of residence', () => {
  it('finds the comune, then refuses what the rules refuse, on the form', async () => {
    const client = new WebClient();
    await spidLogin(h, client, ALESSANDRO);
    const step1 = await client.visit(url('/cittadino/residenza'));
    expect(step1.html).toContain('Passo 1 di 2');
    const matches = await client.visit(url('/cittadino/residenza?comune=vico'));
    expect(matches.html).toContain('href="/cittadino/residenza?istat=050038"');
    const step2 = await client.visit(url('/cittadino/residenza?comune=Bugliano'));
    expect(step2.html).toContain('Passo 2 di 2: il nuovo indirizzo a Bugliano (PI)');
    expect(step2.html).toContain('VIA Roma');
    const paola = /value="(\d{9})" id="mover-\d{9}"><label class="form-check-label" for="mover-\d{9}">Paola Conti/.exec(step2.html)![1]!;
    const post = (fields: [string, string][]) => submitMany(client, step2, '/cittadino/residenza', fields);
    const pisaStreet = stradarioOf('050026')![0]!.code;
    const outside = await post([['street', pisaStreet], ['houseNumber', '1'], ['postcode', '56000']]);
    expect(outside.status).toBe(422);
    expect(await outside.text()).toContain('La strada scelta non è nello stradario del comune.');
    const roma = stradarioOf('050999')!.find((s) => s.name === 'Roma')!.code;
    const noNumber = await post([['street', roma], ['houseNumber', '999'], ['postcode', '56000']]);
    expect(noNumber.status).toBe(422);
    expect(await noNumber.text()).toContain('Il numero civico non esiste su questa strada.');
    const malformed = await post([['street', roma], ['houseNumber', 'dodici'], ['postcode', '5600']]);
    expect(malformed.status).toBe(400);
    const body = await malformed.text();
    expect(body).toContain('Scrivi un numero civico');
    expect(body).toContain('Il CAP è di 5 cifre.');
    const stranger = await post([['street', roma], ['houseNumber', '3'], ['postcode', '56000'], ['movers', paola], ['movers', await idOf(GIULIA.fiscalCode)]]);
    expect(stranger.status).toBe(422);
    expect(await stranger.text()).toContain('Puoi dichiarare solo per te e per i componenti della tua famiglia anagrafica.');
    // Nothing moved.
    const visura = await client.visit(url('/cittadino'));
    expect(visura.html).toContain('CORSO Vittorio Emanuele II 42');
    expect((await client.visit(url('/cittadino/residenza'))).html).toContain('Non risultano dichiarazioni di residenza.');
  });

  it('declares a move with part of the family to another comune, effective today, confirmed by silence after 45 days', async () => {
    const client = new WebClient();
    await spidLogin(h, client, ALESSANDRO);
    const step2 = await client.visit(url('/cittadino/residenza?istat=050038'));
    expect(step2.html).toContain('Data della dichiarazione: oggi, 2 marzo 2026.');
    const paola = /value="(\d{9})" id="mover-\d{9}"><label class="form-check-label" for="mover-\d{9}">Paola Conti/.exec(step2.html)![1]!;
    const street = stradarioOf('050038')![0]!;
    const sent = await submitMany(client, step2, '/cittadino/residenza', [['street', street.code], ['houseNumber', '1'], ['postcode', street.postcode!], ['movers', paola]]);
    expect(sent.status).toBe(303);
    const page = await client.visit(new URL(sent.headers.get('location')!, h.anprUrl));
    expect(page.html).toContain('Dichiarazione inviata al Comune di Vicopisano');
    expect(page.html).toContain('In attesa degli accertamenti (entro il 16 aprile 2026)');
    expect(page.html).toContain('Alessandro Ferrari, Paola Conti');
    expect(page.html).toContain('online');
    const visura = await client.visit(url('/cittadino'));
    expect(visura.html).toContain(`${street.species} ${street.name} 1 — ${street.postcode} Vicopisano (PI)`);
    expect(visura.html).toContain('Residente dal');
    expect(visura.html).toContain('2 marzo 2026');
    expect(visura.html).toContain('Paola Conti');
    expect(visura.html).not.toContain('Luca Ferrari');
    h.clock.today = '2026-04-17';
    try {
      const later = await client.visit(url('/cittadino/residenza'));
      expect(later.html).toContain('Confermata per silenzio-assenso');
    } finally {
      h.clock.today = '2026-03-02';
    }
  });
});

describe('rectification', () => {
  it('refuses a request with nothing to correct or without a motivation, and sends a good one to the comune', async () => {
    const client = new WebClient();
    await spidLogin(h, client, FRANCESCA);
    const page = await client.visit(url('/cittadino/rettifica'));
    expect(page.html).toContain('<h1>Rettifica dei dati anagrafici</h1>');
    const post = (fields: Record<string, string>) => client.submit(page, '/cittadino/rettifica', fields);
    const same = await post({ givenName: 'Francesca', motivation: 'errore' });
    expect(same.status).toBe(400);
    expect(same.html).toContain('Indica almeno un dato da correggere');
    const noReason = await post({ givenName: 'Francesca Maria' });
    expect(noReason.status).toBe(400);
    expect(noReason.html).toContain('aria-invalid="true"');
    const nowhere = await post({ birthplace: 'Atlantide', motivation: 'errore' });
    expect(nowhere.status).toBe(400);
    expect(nowhere.html).toContain('Nessun comune o Stato estero con questo nome.');
    const future = await post({ birthDate: '2030-01-01', motivation: 'errore' });
    expect(future.html).toContain('Scrivi una data valida, non successiva a oggi.');
    const sent = await post({ givenName: 'Francesca Maria', birthplace: 'Roma', motivation: "Nell'atto di nascita il nome è Francesca Maria." });
    expect(sent.url.search).toBe('?inviata=050999');
    expect(sent.html).toContain('Richiesta di rettifica inviata al Comune di Bugliano.');
    expect(sent.html).toContain('Nome: Francesca Maria; Luogo di nascita: Roma (RM)');
    expect(sent.html).toContain('In attesa');
  });
});

describe('contacts', () => {
  it('refuses a bad e-mail and phone next to the fields, saves good ones where the registry office reads them, and deletes them', async () => {
    const client = new WebClient();
    await spidLogin(h, client, ELENA);
    const page = await client.visit(url('/cittadino/contatti'));
    const bad = await client.submit(page, '/cittadino/contatti', { email: 'non-una-mail', phone: '12' });
    expect(bad.status).toBe(422);
    expect(bad.html).toContain('aria-invalid="true"');
    expect(bad.html).toContain('Scrivi un indirizzo e-mail valido');
    expect(bad.html).toContain('Scrivi un numero di telefono valido');
    const id = await idOf(ELENA.fiscalCode);
    expect(contactsOf(await loadEvents(db(), id))).toBeNull();
    const good = await client.submit(bad, '/cittadino/contatti', { email: 'Elena.Moretti@Example.it', phone: '+39 333 123 4567' });
    expect(good.html).toContain('Contatti salvati.');
    expect(good.html).toContain('value="elena.moretti@example.it"');
    expect(good.html).toContain('value="+393331234567"');
    expect(contactsOf(await loadEvents(db(), id))).toEqual({ email: 'elena.moretti@example.it', phone: '+393331234567', since: '2026-03-02' });
    const cleared = await client.submit(good, '/cittadino/contatti', { email: '', phone: '' });
    expect(cleared.html).toContain('Contatti salvati.');
    expect(contactsOf(await loadEvents(db(), id))).toBeNull();
  });

  it('refuses a form without its CSRF token (403)', async () => {
    const client = new WebClient();
    await spidLogin(h, client, ELENA);
    const page = await client.visit(url('/cittadino/contatti'));
    const refused = await client.submit(page, '/cittadino/contatti', { email: 'csrf@example.it' }, { omitCsrf: true });
    expect(refused.status).toBe(403);
  });
});

describe('who consulted my data', () => {
  const consult = (fiscalCode: string, purpose: string) =>
    fetch(url(`/C020-servizioAccertamentoResidenza/v1/soggetti/${fiscalCode}`), { headers: { authorization: 'Bearer ok', 'x-test-purpose': purpose } });

  it("lists the e-service accesses to the citizen's record, newest first, a page at a time, and nobody else's", async () => {
    expect((await consult(ANNA.fiscalCode, 'purpose-anna-first')).status).toBe(200);
    for (let i = 0; i < 20; i++) expect((await consult(ANNA.fiscalCode, `purpose-anna-${i}`)).status).toBe(200);
    expect((await consult(MARCO.fiscalCode, 'purpose-marco')).status).toBe(200);
    const client = new WebClient();
    await spidLogin(h, client, ANNA);
    const page = await client.visit(url('/cittadino/consultazioni'));
    expect(page.html).toContain('<h1>Chi ha consultato i miei dati</h1>');
    expect(page.html).toContain('Comune di Bugliano');
    expect(page.html).toContain('Accertamento della residenza');
    expect(page.html).toContain('purpose-anna-19');
    expect(page.html).toContain('Dati forniti');
    expect(page.html).not.toContain('purpose-marco');
    expect(page.html).not.toContain('purpose-anna-first');
    expect(page.html.indexOf('purpose-anna-19')).toBeLessThan(page.html.indexOf('purpose-anna-18'));
    expect(page.html).toContain('href="/cittadino/consultazioni?pagina=2"');
    const older = await client.visit(url('/cittadino/consultazioni?pagina=2'));
    expect(older.html).toContain('purpose-anna-first');
    expect(older.html).not.toContain('purpose-anna-19');
    expect(older.html).toContain('href="/cittadino/consultazioni"');
  });
});
