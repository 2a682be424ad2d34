// The registry office's pages over real HTTP with a scripted browser: sign-in with TOTP and the throttle,
// search scoped to the comune, the scheda with its history and as-of view, deaths, civil status, births,
// declarations of residence, rectifications; officers of another comune see nothing; CSRF on every POST.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/core/audit.ts';
import { totpCode } from '../../src/core/auth/totp.ts';
import { missingTranslations } from '../../src/core/i18n.ts';
import { BUGLIANO } from '../../src/domain/municipalities.ts';
import type { Address } from '../../src/platforms/anpr/model.ts';
import { DEMO_OFFICERS, runAnprCommand, type DemoOfficer } from '../../src/platforms/anpr/office/accounts.ts';
import { officeMessages } from '../../src/platforms/anpr/office/messages.ts';
import * as svc from '../../src/platforms/anpr/service.ts';
import { stradarioOf } from '../../src/platforms/anpr/stradario.ts';
import { idByFiscalCode, readPersonAsOf } from '../../src/platforms/anpr/store.ts';
import { WebClient, type Visit } from '../support/web-client.ts';
import { SECRET, startOfficeApp, TODAY, type OfficeApp } from './office-harness.ts';

const [bugliano, vicopisano] = DEMO_OFFICERS as [DemoOfficer, DemoOfficer];
const officerOf = (o: DemoOfficer): svc.Officer => ({ id: `test:${o.email}`, istatCode: o.istatCode });

function addressInBugliano(streetIndex: number, houseNumber: string): Address {
  const s = stradarioOf(BUGLIANO.istatCode)![streetIndex]!;
  return { istatCode: BUGLIANO.istatCode, comune: 'Bugliano', province: 'PI', postcode: s.postcode!, streetCode: s.code, species: s.species, streetName: s.name, houseNumber };
}

describe('anpr registry office pages', () => {
  let office: OfficeApp;
  let url: string;
  const db = () => office.db;
  const id = async (cf: string) => (await idByFiscalCode(db(), cf))!;

  beforeAll(async () => {
    office = await startOfficeApp();
    url = office.url;
  });
  afterAll(async () => {
    await office?.close();
  });

  async function signIn(o: { email: string; password: string; totpSecret: string }, language = 'it') {
    const browser = new WebClient(language);
    const login = await browser.visit(`${url}/ufficio`);
    expect(login.url.pathname).toBe('/ufficio/accedi');
    const second = await browser.submit(login, '/ufficio/accedi', { email: o.email, password: o.password });
    expect(second.status).toBe(200);
    const home = await browser.submit(second, '/ufficio/accedi/totp', { code: totpCode(o.totpSecret) });
    expect(home.url.pathname).toBe('/ufficio');
    return { browser, home };
  }
  const page = async (browser: WebClient, path: string) => browser.visit(`${url}${path}`);
  const text = (v: Visit) => v.html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

  it('has every message in it, en and de; the README lists the demo officers', () => {
    expect(missingTranslations(officeMessages)).toEqual([]);
    const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const o of DEMO_OFFICERS) for (const value of [o.email, o.password, o.totpSecret]) expect(readme).toContain(`\`${value}\``);
  });

  it('signs in with password and TOTP, refusing a wrong code, a wrong password and a form without CSRF', async () => {
    const anonymous = new WebClient();
    expect((await page(anonymous, '/ufficio/dichiarazioni')).url.pathname).toBe('/ufficio/accedi');
    const login = await page(anonymous, '/ufficio/accedi');
    expect(login.html).toContain('Accesso dell’ufficiale d’anagrafe');
    expect((await anonymous.submit(login, '/ufficio/accedi', { email: bugliano.email, password: bugliano.password }, { omitCsrf: true })).status).toBe(403);
    const wrong = await anonymous.submit(login, '/ufficio/accedi', { email: bugliano.email, password: 'non-è-la-password' });
    expect(wrong.status).toBe(401);
    expect(wrong.html).toContain('Indirizzo e-mail o password errati.');
    const second = await anonymous.submit(wrong, '/ufficio/accedi', { email: bugliano.email, password: bugliano.password });
    expect(second.html).toContain('Codice di verifica');
    const badCode = await anonymous.submit(second, '/ufficio/accedi/totp', { code: totpCode(vicopisano.totpSecret) === totpCode(bugliano.totpSecret) ? '000000' : totpCode(vicopisano.totpSecret) });
    expect(badCode.status).toBe(401);
    expect(badCode.html).toContain('Codice di verifica errato.');
    expect((await page(anonymous, '/ufficio')).url.pathname).toBe('/ufficio/accedi');
    const home = await anonymous.submit(badCode, '/ufficio/accedi/totp', { code: totpCode(bugliano.totpSecret) });
    expect(home.url.pathname).toBe('/ufficio');
    expect(home.html).toContain('Ricerca nella popolazione di Bugliano');
    expect(home.html).toContain('Paola Conti — Bugliano');
    const audit = await listAudit(db(), 'anpr', { targetType: 'officer' });
    expect(audit.some((a) => a.action === 'officer.login' && a.tenantId === BUGLIANO.istatCode)).toBe(true);
    // Signing out ends the session.
    const out = await anonymous.submit(home, '/ufficio/esci', {});
    expect(out.url.pathname).toBe('/');
    expect((await page(anonymous, '/ufficio')).url.pathname).toBe('/ufficio/accedi');
  });

  it('throttles an account after repeated wrong passwords or codes; the CLI creates officers', async () => {
    const lines = await runAnprCommand(db(), SECRET, ['officer', 'create', BUGLIANO.istatCode, 'Prova.Throttle@comune.bugliano.pi.it', 'Ufficiale', 'di prova']);
    const password = /password\s+(\S+)/.exec(lines.join('\n'))![1]!;
    const totpSecret = /TOTP secret\s+(\S+)/.exec(lines.join('\n'))![1]!;
    const officer = { email: 'prova.throttle@comune.bugliano.pi.it', password, totpSecret };
    await signIn(officer);
    await expect(runAnprCommand(db(), SECRET, ['officer', 'create', '999999', 'x@example.it', 'X'])).rejects.toThrow(/ISTAT/);
    await expect(runAnprCommand(db(), SECRET, ['officer', 'create'])).rejects.toThrow(/Usage/);

    const browser = new WebClient();
    let visit = await page(browser, '/ufficio/accedi');
    const second = await browser.submit(visit, '/ufficio/accedi', { email: officer.email, password });
    visit = second;
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      visit = await browser.submit(visit, '/ufficio/accedi/totp', { code: '000000' });
      statuses.push(visit.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    expect(visit.html).toContain('Troppi tentativi falliti');
    expect(visit.headers.get('retry-after')).toMatch(/^\d+$/);
    const login = await page(browser, '/ufficio/accedi');
    expect((await browser.submit(login, '/ufficio/accedi', { email: officer.email, password })).status).toBe(429);
  });

  it('searches only among the residents of the comune, by surname and name, fiscal code or birth date, with pages', async () => {
    const { browser } = await signIn(bugliano);
    const bianchi = await page(browser, '/ufficio?cognome=bianchi&nome=mar');
    expect(bianchi.html).toContain('BNCMRC78C14G702E');
    expect(bianchi.html).not.toContain('Tommaso');
    expect((await page(browser, '/ufficio?cf=bncmrc78c14g702e')).html).toContain('Bianchi Marco');
    expect((await page(browser, '/ufficio?nato=1978-03-14')).html).toContain('Bianchi Marco');
    const elsewhere = await page(browser, '/ufficio?cf=DNGGPP60M15L736W');
    expect(elsewhere.html).toContain('Nessun residente corrisponde ai criteri.');
    const invalid = await page(browser, '/ufficio?nato=2026-02-30&nome=Marco');
    expect(invalid.status).toBe(422);
    expect(invalid.html).toContain('Inserisci una data valida.');
    expect(invalid.html).toContain('indica anche il cognome');
    // A broad search is paginated.
    const first = await page(browser, '/ufficio?cognome=b');
    const pages = /Pagina 1 di (\d+)/.exec(first.html);
    expect(Number(pages?.[1])).toBeGreaterThan(1);
    const next = /href="([^"]*pagina=2)"/.exec(first.html)![1]!.replace(/&amp;/g, '&');
    const second = await page(browser, next);
    expect(second.html).toContain('Pagina 2 di');
    expect(second.html).not.toEqual(first.html);
  });

  it('shows the scheda, the family with relationships and the history; the record on a past date', async () => {
    const { browser } = await signIn(bugliano, 'en');
    const marco = await id('BNCMRC78C14G702E');
    const scheda = await page(browser, `/ufficio/schede/${marco}`);
    expect(scheda.status).toBe(200);
    const t = text(scheda);
    expect(t).toContain('Bianchi Marco');
    expect(t).toContain('Married');
    expect(t).toContain('Husband / Wife');
    expect(t).toContain('Son / Daughter');
    expect(t).toContain('Neri Silvia');
    expect(t).toContain('History of the record');
    expect(t).toContain('Initial population of the registry');
    expect(t).toContain('Contacts');
    const before = await page(browser, `/ufficio/schede/${marco}?al=1970-01-01`);
    expect(text(before)).toContain('On January 1, 1970 the person was not in the registry.');
    expect(text(await page(browser, `/ufficio/schede/${marco}?al=2008-06-13`))).toContain('was not in the registry');
    expect((await page(browser, `/ufficio/schede/${marco}?al=not-a-date`)).html).toContain('Enter a valid date.');
  });

  it('registers a death from the scheda: refusals come back on the form; the history and the as-of view show it', async () => {
    const { browser } = await signIn(bugliano);
    const salvatore = await id('LMBSVT49B27G273V');
    let scheda = await page(browser, `/ufficio/schede/${salvatore}`);
    const future = await browser.submit(scheda, `/ufficio/schede/${salvatore}/decesso`, { deathDate: '2027-01-01', deathPlace: 'Pisa' });
    expect(future.status).toBe(422);
    expect(future.html).toContain('La data non può essere successiva a oggi.');
    expect(future.html).toContain('value="2027-01-01"');
    const nowhere = await browser.submit(future, `/ufficio/schede/${salvatore}/decesso`, { deathDate: '2026-01-20', deathPlace: 'Atlantide' });
    expect(nowhere.html).toContain('Comune non trovato');
    scheda = await browser.submit(nowhere, `/ufficio/schede/${salvatore}/decesso`, { deathDate: '2026-01-20', deathPlace: 'Pisa' });
    expect(scheda.url.pathname).toBe(`/ufficio/schede/${salvatore}`);
    const t = text(scheda);
    expect(t).toContain('Decesso registrato.');
    expect(t).toContain('Decesso — nel comune di Pisa (PI)');
    expect(t).toContain('Comune di Bugliano (PI)');
    expect(t).toContain('Posizione anagrafica Deceduto');
    expect(scheda.html).not.toContain('/decesso"');
    expect(text(await page(browser, `/ufficio/schede/${salvatore}?al=2026-01-19`))).toContain('Posizione anagrafica Residente');
    const rosa = (await readPersonAsOf(db(), salvatore, '2026-01-19'))!.spouseId!;
    expect(text(await page(browser, `/ufficio/schede/${rosa}`))).toContain('Vedovo/a');
    const audit = await listAudit(db(), 'anpr', { targetId: salvatore });
    expect(audit.find((a) => a.action === 'person.death')?.actorId).toMatch(/^officer:/);
  });

  it('records a change of civil status, refusing what the rules forbid', async () => {
    const { browser } = await signIn(bugliano);
    const elena = await id('MRTLNE99T71A944N');
    let scheda = await page(browser, `/ufficio/schede/${elena}`);
    const widowed = await browser.submit(scheda, `/ufficio/schede/${elena}/stato-civile`, { civilStatus: '3', spouse: '', civilDate: '2026-02-14' });
    expect(widowed.status).toBe(422);
    expect(widowed.html).toContain('Dallo stato civile attuale non si può passare a quello indicato.');
    const noSpouse = await browser.submit(widowed, `/ufficio/schede/${elena}/stato-civile`, { civilStatus: '2', spouse: '', civilDate: '2026-02-14' });
    expect(noSpouse.html).toContain('indica il codice fiscale dell’altra parte');
    scheda = await browser.submit(noSpouse, `/ufficio/schede/${elena}/stato-civile`, { civilStatus: '2', spouse: 'glldvd71d19d96vd', civilDate: '2026-02-14' });
    const t = text(scheda);
    expect(t).toContain('Variazione di stato civile registrata.');
    expect(t).toContain('Stato civile: Coniugato/a con Gallo Davide');
    expect(t).toContain('Coniugato/a (dal 14 febbraio 2026)');
    expect(text(await page(browser, `/ufficio/schede/${elena}?al=2026-02-13`))).toContain('Celibe / Nubile');
  });

  it('registers a birth: parents from the comune only; the fiscal code is computed', async () => {
    const { browser } = await signIn(bugliano);
    let form = await page(browser, '/ufficio/nascita');
    expect(form.html).toContain('Bugliano (PI)');
    const noParent = await browser.submit(form, '/ufficio/nascita', { givenName: 'Bianca', familyName: '', sex: 'F', birthDate: '2026-02-10', mother: '', father: '' });
    expect(noParent.status).toBe(422);
    expect(noParent.html).toContain('Indica almeno un genitore.');
    expect(noParent.html).toContain('value="Bianca"');
    const outsider = await browser.submit(noParent, '/ufficio/nascita', { givenName: 'Bianca', familyName: '', sex: 'F', birthDate: '2026-02-10', mother: 'DNGGPP60M15L736W', father: '' });
    expect(outsider.html).toContain('Nessun residente del tuo comune ha questo codice fiscale.');
    form = await page(browser, '/ufficio/nascita');
    const scheda = await browser.submit(form, '/ufficio/nascita', { givenName: 'Bianca', familyName: '', sex: 'F', birthDate: '2026-02-10', mother: 'RMNGLI92L63H501O', father: '' });
    expect(scheda.url.pathname).toMatch(/^\/ufficio\/schede\/\d{9}$/);
    const t = text(scheda);
    expect(t).toContain('Nascita registrata');
    expect(t).toMatch(/RMNBNC26B50M999./);
    expect(t).toContain('Iscrizione per nascita');
    expect(t).toContain('Romano Giulia');
    expect(t).toContain('Figlio / Figlia');
  });

  it('lists the declarations with their deadline, confirms one, rejects one only with a reason, and shows silence', async () => {
    const officer = officerOf(bugliano);
    const davide = await id('GLLDVD71D19D96VD');
    const francesca = await id('SPSFNC88A70F839U');
    const chiara = await id('CLMCHR54P48L219V');
    const rejectMe = await svc.declareResidenceChange(db(), officer, { declarantId: davide, date: '2026-02-20', address: addressInBugliano(3, '9') }, { today: TODAY });
    const confirmMe = await svc.declareResidenceChange(db(), officer, { declarantId: francesca, date: '2026-02-25', address: addressInBugliano(4, '2') }, { today: TODAY });
    const silent = await svc.declareResidenceChange(db(), officer, { declarantId: chiara, date: '2026-01-05', address: addressInBugliano(6, '1') }, { today: TODAY });
    const { browser } = await signIn(bugliano);
    const list = text(await page(browser, '/ufficio/dichiarazioni'));
    expect(list).toContain('In attesa di accertamento: 36 giorni alla scadenza del 6 aprile 2026');
    expect(list).toContain('Confermata per silenzio-assenso dal 19 febbraio 2026');
    expect(list).toContain('Gallo Davide');

    const silentPage = await page(browser, `/ufficio/dichiarazioni/${silent.id}`);
    expect(silentPage.html).not.toContain('/rifiuto"');
    expect(text(silentPage)).toContain('non può più essere respinta');

    let detail = await page(browser, `/ufficio/dichiarazioni/${rejectMe.id}`);
    expect(text(detail)).toContain('VIA Pisana 101');
    const noReason = await browser.submit(detail, `/ufficio/dichiarazioni/${rejectMe.id}/rifiuto`, { reason: '  ' });
    expect(noReason.status).toBe(422);
    expect(noReason.html).toContain('Campo obbligatorio.');
    detail = await browser.submit(noReason, `/ufficio/dichiarazioni/${rejectMe.id}/rifiuto`, { reason: 'Non dimora abitualmente all’indirizzo dichiarato' });
    expect(text(detail)).toContain('Dichiarazione respinta');
    expect(text(detail)).toContain('Respinta il 1 marzo 2026: Non dimora abitualmente');
    const history = text(await page(browser, `/ufficio/schede/${davide}`));
    expect(history).toContain('annullato');
    expect(history).toContain('Annullamento del cambio di residenza');
    expect(history).toMatch(/Residenza VIA Pisana 101/);

    detail = await page(browser, `/ufficio/dichiarazioni/${confirmMe.id}`);
    detail = await browser.submit(detail, `/ufficio/dichiarazioni/${confirmMe.id}/conferma`, {});
    expect(text(detail)).toContain('Confermata il 1 marzo 2026');
    expect(detail.html).not.toContain('/conferma"');
  });

  it('accepts a rectification (the scheda is corrected ab origine) and rejects one only with a reason', async () => {
    const anna = await id('MRNNNA01R44A662H');
    const tommaso = (await readPersonAsOf(db(), await id('BNCMRC78C14G702E'), TODAY))!;
    const accept = await svc.requestRectification(db(), { idAnpr: anna, fields: { givenName: 'Anna Maria' }, motivation: 'Secondo nome omesso', requestedBy: 'MRNNNA01R44A662H', date: '2026-02-27' });
    const reject = await svc.requestRectification(db(), { idAnpr: tommaso.idAnpr, fields: { familyName: 'Bianco' }, motivation: 'Errore', requestedBy: 'BNCMRC78C14G702E', date: '2026-02-28' });
    const { browser } = await signIn(bugliano);
    const list = await page(browser, '/ufficio/rettifiche');
    expect(text(list)).toContain('Nome: Anna → Anna Maria');
    expect(text(list)).toContain('Da decidere');
    let detail = await page(browser, `/ufficio/rettifiche/${accept.id}`);
    expect(text(detail)).toContain('Secondo nome omesso');
    detail = await browser.submit(detail, `/ufficio/rettifiche/${accept.id}/accetta`, {});
    expect(text(detail)).toContain('Rettifica accolta');
    expect(detail.html).not.toContain('/accetta"');
    const scheda = text(await page(browser, `/ufficio/schede/${anna}`));
    expect(scheda).toContain('Marino Anna Maria');
    expect(scheda).toMatch(/Rettifica dei dati\s*: Nome: Anna Maria; Codice fiscale: MRNNMR01R44A662/);
    // Ab origine: the record as of an old date has the corrected name too.
    expect(text(await page(browser, `/ufficio/schede/${anna}?al=2010-01-01`))).toContain('Nome Anna Maria');
    detail = await page(browser, `/ufficio/rettifiche/${reject.id}`);
    const noReason = await browser.submit(detail, `/ufficio/rettifiche/${reject.id}/rifiuta`, { reason: '' });
    expect(noReason.status).toBe(422);
    expect(noReason.html).toContain('Campo obbligatorio.');
    detail = await browser.submit(noReason, `/ufficio/rettifiche/${reject.id}/rifiuta`, { reason: 'Il cognome è corretto' });
    expect(text(detail)).toContain('Respinta il 1 marzo 2026: Il cognome è corretto');
  });

  it('shows nothing of another comune: a Vicopisano officer cannot open, search or write a Bugliano resident', async () => {
    const { browser } = await signIn(vicopisano);
    const marco = await id('BNCMRC78C14G702E');
    const opened = await page(browser, `/ufficio/schede/${marco}`);
    expect(opened.status).toBe(404);
    expect(opened.html).not.toContain('Bianchi');
    expect((await page(browser, '/ufficio/schede/123')).status).toBe(404);
    expect(text(await page(browser, '/ufficio?cf=BNCMRC78C14G702E'))).toContain('Nessun residente');
    expect(text(await page(browser, '/ufficio?cognome=Bianchi&nome=Marco'))).not.toContain('BNCMRC78C14G702E');
    expect(text(await page(browser, '/ufficio?cf=DNGGPP60M15L736W'))).toContain('Giuseppe');
    expect((await page(browser, `/ufficio/schede/${await id('DNGGPP60M15L736W')}`)).status).toBe(200);

    // Writing: the forms of its own pages, aimed at a Bugliano record, are refused as "not found".
    const own = await page(browser, `/ufficio/schede/${await id('DNGGPP60M15L736W')}`);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(own.html)![1]!;
    const post = (path: string, body: Record<string, string>) =>
      browser.request(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ _csrf: csrf, ...body }) });
    expect((await post(`/ufficio/schede/${marco}/decesso`, { deathDate: '2026-02-01', deathPlace: 'Pisa' })).status).toBe(404);
    expect((await post(`/ufficio/schede/${marco}/stato-civile`, { civilStatus: '4', spouse: '', civilDate: '2026-02-01' })).status).toBe(404);
    expect((await readPersonAsOf(db(), marco, TODAY))!.status).toBe('resident');
    const declaration = (await svc.listResidenceDeclarations(db(), BUGLIANO.istatCode, TODAY))[0]!;
    expect((await page(browser, `/ufficio/dichiarazioni/${declaration.id}`)).status).toBe(404);
    expect((await post(`/ufficio/dichiarazioni/${declaration.id}/rifiuto`, { reason: 'x' })).status).toBe(404);
    expect(text(await page(browser, '/ufficio/dichiarazioni'))).not.toContain('Gallo');
    const pending = await svc.requestRectification(db(), { idAnpr: marco, fields: { givenName: 'Marcello' }, motivation: 'x', requestedBy: 'x' });
    expect(text(await page(browser, '/ufficio/rettifiche'))).not.toContain('Marcello');
    expect((await page(browser, `/ufficio/rettifiche/${pending.id}`)).status).toBe(404);
    expect((await post(`/ufficio/rettifiche/${pending.id}/accetta`, {})).status).toBe(404);
    expect((await svc.listRectifications(db(), { idAnpr: marco }))[0]!.state).toBe('pending');
    const birth = await post('/ufficio/nascita', { givenName: 'X', familyName: '', sex: 'M', birthDate: '2026-02-10', mother: 'RMNGLI92L63H501O', father: '' });
    expect(await birth.text()).toContain('Nessun residente del tuo comune ha questo codice fiscale.');
  });

  it('requires the CSRF token on every form', async () => {
    const { browser, home } = await signIn(bugliano);
    const marco = await id('BNCMRC78C14G702E');
    const declaration = (await svc.listResidenceDeclarations(db(), BUGLIANO.istatCode, TODAY))[0]!;
    const rectification = (await svc.listRectifications(db(), { istatCode: BUGLIANO.istatCode })).find((r) => r.state === 'pending')!;
    const forms: [string, Record<string, string>][] = [
      [`/ufficio/schede/${marco}/decesso`, { deathDate: '2026-02-01', deathPlace: 'Pisa' }],
      [`/ufficio/schede/${marco}/stato-civile`, { civilStatus: '4', spouse: '', civilDate: '2026-02-01' }],
      ['/ufficio/nascita', { givenName: 'X', sex: 'M', birthDate: '2026-02-10', mother: 'RMNGLI92L63H501O' }],
      [`/ufficio/dichiarazioni/${declaration.id}/conferma`, {}],
      [`/ufficio/dichiarazioni/${declaration.id}/rifiuto`, { reason: 'x' }],
      [`/ufficio/rettifiche/${rectification.id}/accetta`, {}],
      [`/ufficio/rettifiche/${rectification.id}/rifiuta`, { reason: 'x' }],
      ['/ufficio/esci', {}],
      ['/ufficio/accedi', { email: bugliano.email, password: bugliano.password }],
      ['/ufficio/accedi/totp', { code: '000000' }],
    ];
    for (const [path, body] of forms) {
      const r = await browser.request(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(body) });
      expect([path, r.status]).toEqual([path, 403]);
    }
    expect((await readPersonAsOf(db(), marco, TODAY))!.status).toBe('resident');
    expect((await svc.listRectifications(db(), { idAnpr: marco }))[0]!.state).toBe('pending');
    expect((await page(browser, '/ufficio')).url.pathname).toBe('/ufficio');
    expect(home.status).toBe(200);
  });
});
