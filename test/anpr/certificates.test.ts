// ANPR certificates on PGlite and PostgreSQL, against the demo population: issuing (who may have which,
// duty, storico, snapshot), the PDFs read back with pdf.js, and the public verification over HTTP.
import os from 'node:os';
import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { listAudit } from '../../src/core/audit.ts';
import { sql } from '../../src/core/db.ts';
import { loadConfig } from '../../src/core/config.ts';
import type { App } from '../../src/core/http.ts';
import { migrateSchema } from '../../src/core/migrations.ts';
import { createContext } from '../../src/core/runtime.ts';
import { BUGLIANO } from '../../src/domain/municipalities.ts';
import { buildAnprHttp } from '../../src/platforms/anpr/app.ts';
import { formatCertificateCode, newCertificateCode, parseCertificateCode } from '../../src/platforms/anpr/certificates/code.ts';
import { sendAutocertificazione, sendIssuedCertificate } from '../../src/platforms/anpr/certificates/routes.ts';
import { findCertificate, issueCertificate, listCertificates, reissuePdf, type IssueCertificateInput } from '../../src/platforms/anpr/certificates/service.ts';
import { anprMigrations } from '../../src/platforms/anpr/migrations.ts';
import { seedDemoPopulation } from '../../src/platforms/anpr/seed.ts';
import { AnprError } from '../../src/platforms/anpr/service.ts';
import { appendEvents, idByFiscalCode } from '../../src/platforms/anpr/store.ts';
import { withTestDatabases } from '../support/database.ts';
import { readPdf, structRoles } from '../support/pdf.ts';

const TODAY = '2026-03-01';
const PUBLIC_URL = 'http://anpr.test';
const MARCO = 'BNCMRC78C14G702E';
const GIULIA = 'RMNGLI92L63H501O';
const LORENZO = 'RCCLNZ14E18D612Y';
const CHIARA = 'CLMCHR54P48L219V';
const MARTINA = 'GRCMTN83H45Z600R';

async function refused(p: Promise<unknown>): Promise<AnprError> {
  const err = await p.then(() => undefined, (e) => e);
  expect(err).toBeInstanceOf(AnprError);
  return err as AnprError;
}

await withTestDatabases('anpr certificates', ({ database }) => {
  const db = () => database().db;
  let app: App;
  const issue = (input: Partial<IssueCertificateInput> & { kind: string }) =>
    issueCertificate(db(), { requesterFiscalCode: MARCO, subjectFiscalCode: MARCO, use: 'pensione', today: TODAY, publicUrl: PUBLIC_URL, ...input });

  it('prepares the demo registry and the app', async () => {
    await migrateSchema(db(), 'anpr', anprMigrations);
    await seedDemoPopulation(db());
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: os.tmpdir(), SECRET: 'test-secret-0123456789-0123456789-0123456789', LOG_LEVEL: 'warn', ANPR_URL: PUBLIC_URL });
    const ctx = await createContext(config, database());
    app = await buildAnprHttp(ctx, { callerAuth: () => async () => undefined, today: () => TODAY });
    const deps = { db: db(), publicUrl: PUBLIC_URL, today: () => TODAY };
    // What the citizen pages will do, with the signed-in citizen's fiscal code.
    app.post('/test/certificato', async (request, reply) => sendIssuedCertificate(deps, request, reply, request.body as never));
    app.post('/test/autocertificazione', async (request, reply) => sendAutocertificazione(deps, reply, request.body as never));
  });

  it('issues a certificate of residence: recorded with its snapshot and the hash of its PDF, found by its code', async () => {
    const { code, pdf, certificate } = await issue({ kind: 'residenza' });
    expect(parseCertificateCode(code)).toBe(code);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(certificate).toMatchObject({ code, kind: 'residenza', subjectFiscalCode: MARCO, requesterFiscalCode: MARCO, exemptUse: 'pensione', bolloId: null, issuedOn: TODAY, referenceDate: TODAY, validUntil: '2026-09-01' });
    expect(certificate.pdfSha256).toBe(createHash('sha256').update(pdf).digest('hex'));
    expect(certificate.content.residence).toEqual({ address: 'VIA ROMA 15', comune: 'BUGLIANO', province: 'PI', postcode: '56000', since: '2008-06-14' });
    expect(await findCertificate(db(), formatCertificateCode(code).toLowerCase())).toEqual(certificate);
    expect((await listCertificates(db(), MARCO))[0]).toEqual(certificate);
    // Rendered again from the record, the same bytes.
    expect((await reissuePdf(certificate, PUBLIC_URL))?.equals(pdf)).toBe(true);
    expect(await reissuePdf({ ...certificate, content: { ...certificate.content, subject: { ...certificate.content.subject, givenName: 'Mario' } } }, PUBLIC_URL)).toBeUndefined();
    const audit = await listAudit(db(), 'anpr', { targetId: certificate.subjectId });
    expect(audit.find((a) => a.action === 'certificate.issue')).toMatchObject({ actorType: 'citizen', actorId: MARCO, tenantId: BUGLIANO.istatCode, details: { code, kind: 'residenza' } });
  });

  it('the PDF says who, where, under which duty rule, with the code, the URL and the QR code; tagged and titled', async () => {
    const { code, pdf } = await issue({ kind: 'residenza' });
    const read = await readPdf(pdf);
    expect(read.pages).toBe(1);
    const text = read.flat;
    for (const phrase of [
      "Ministero dell'Interno",
      'Anagrafe Nazionale della Popolazione Residente',
      'Comune di BUGLIANO (PI)',
      'CERTIFICATO DI RESIDENZA',
      'BIANCHI MARCO',
      'nato a PISA (PI) il 14/03/1978',
      `codice fiscale ${MARCO}`,
      'risulta residente in BUGLIANO (PI), VIA ROMA 15, CAP 56000, dal 14/06/2008.',
      'Esente da imposta di bollo ai sensi di DPR 642/1972, Tabella allegato B, art. 9',
      'Il presente certificato non può essere prodotto agli organi della pubblica amministrazione o ai privati gestori di pubblici servizi.',
      'è valido fino al 01/09/2026',
      'Rilasciato il 01/03/2026',
      `Codice del certificato: ${formatCertificateCode(code)}`,
      `${PUBLIC_URL}/verifica/${code}`,
      'privo di valore legale',
    ]) {
      expect(text, phrase).toContain(phrase);
    }
    expect(read.images[0]).toBe(1); // the QR code, which says the verification URL
    expect(read.qrCodes).toEqual([`${PUBLIC_URL}/verifica/${code}`]);
    expect(read.info).toMatchObject({ Title: 'Certificato di residenza — BIANCHI MARCO', Author: "Ministero dell'Interno — Anagrafe Nazionale della Popolazione Residente", Language: 'it-IT' });
    const roles = structRoles(read.structure[0]!);
    expect(roles.map((r) => r.role)).toEqual(expect.arrayContaining(['H1', 'P', 'Figure']));
    expect(roles.find((r) => r.role === 'Figure')?.alt).toContain(`${PUBLIC_URL}/verifica/${code}`);
  });

  it('a stato di famiglia for a member of the family, with the relationships; refused for anyone else', async () => {
    const { certificate, pdf } = await issue({ kind: 'stato-di-famiglia-parentela' });
    const members = certificate.content.family!.members;
    expect(members.map((m) => [m.givenName, m.relationship])).toEqual([['Marco', '1'], ['Silvia', '2'], ['Tommaso', '3'], ['Sofia', '3']]);
    const text = (await readPdf(pdf)).flat;
    for (const phrase of ['la famiglia anagrafica è così composta:', "Rapporto con l'intestatario", 'NERI SILVIA', 'Moglie', 'BIANCHI TOMMASO', 'Figlio', 'BIANCHI SOFIA', 'Figlia', 'Intestatario scheda', members[3]!.fiscalCode]) {
      expect(text, phrase).toContain(phrase);
    }
    const sofia = members.find((m) => m.givenName === 'Sofia')!;
    const forChild = await issue({ kind: 'residenza', subjectFiscalCode: sofia.fiscalCode, use: 'scuola' });
    expect(forChild.certificate).toMatchObject({ subjectFiscalCode: sofia.fiscalCode, requesterFiscalCode: MARCO, exemptUse: 'scuola' });
    expect((await issue({ kind: 'cittadinanza', requesterFiscalCode: GIULIA, subjectFiscalCode: LORENZO })).certificate.subjectFiscalCode).toBe(LORENZO);
    // The plain stato di famiglia lists the members without relationships.
    const plain = await issue({ kind: 'stato-di-famiglia' });
    expect(plain.certificate.content.family?.relationships).toBe(false);
    expect((await readPdf(plain.pdf)).flat).not.toContain('Rapporto');
    const other = await refused(issue({ kind: 'residenza', subjectFiscalCode: GIULIA }));
    expect(other).toMatchObject({ code: 'forbidden', violations: [{ rule: 'not-family-member', field: 'subjectFiscalCode' }] });
    expect((await refused(issue({ kind: 'residenza', subjectFiscalCode: 'RSSMRA80A01H501U' }))).code).toBe('not-found');
    expect((await refused(issue({ kind: 'residenza', requesterFiscalCode: 'RSSMRA80A01H501U' }))).code).toBe('not-found');
  });

  it('refuses what the record does not support, naming the field', async () => {
    const rule = async (input: Partial<IssueCertificateInput> & { kind: string }) => {
      const err = await refused(issue(input));
      expect(err.code).toBe('rule');
      return err.violations[0];
    };
    expect(await rule({ kind: 'residenza-aire' })).toMatchObject({ rule: 'not-aire', field: 'kind' });
    expect(await rule({ kind: 'stato-libero' })).toMatchObject({ rule: 'not-free-status', field: 'kind' });
    expect(await rule({ kind: 'passaporto' })).toMatchObject({ rule: 'unknown-kind', field: 'kind' });
    expect(await rule({ kind: 'esistenza-in-vita', asOf: '2020-01-01' })).toMatchObject({ rule: 'not-historical', field: 'asOf' });
    expect(await rule({ kind: 'residenza', asOf: '2026-03-02' })).toMatchObject({ rule: 'future-date', field: 'asOf' });
    expect(await rule({ kind: 'residenza', asOf: '1990-01-01' })).toMatchObject({ rule: 'not-registered-on-date', field: 'asOf' });
    expect(await rule({ kind: 'residenza', asOf: '2026-02-30' })).toMatchObject({ rule: 'invalid-date', field: 'asOf' });
    expect(await rule({ kind: 'residenza', use: 'vacanze' })).toMatchObject({ rule: 'unknown-use', field: 'use' });
    expect(await rule({ kind: 'residenza', use: 'bollo', bolloId: '123' })).toMatchObject({ rule: 'invalid-bollo-id', field: 'bolloId' });
  });

  it('in bollo: the contrassegno is printed, and pays for one certificate only', async () => {
    const { pdf, certificate } = await issue({ kind: 'esistenza-in-vita', use: 'bollo', bolloId: '0123 4567 8901 23' });
    expect(certificate).toMatchObject({ exemptUse: null, bolloId: '01234567890123' });
    const text = (await readPdf(pdf)).flat;
    expect(text).toContain('Imposta di bollo di € 16,00 assolta con contrassegno telematico, identificativo 01234567890123');
    expect(text).toContain('risulta in vita alla data del 01/03/2026.');
    const again = await refused(issue({ kind: 'residenza', use: 'bollo', bolloId: '01234567890123' }));
    expect(again).toMatchObject({ code: 'rule', violations: [{ rule: 'bollo-already-used', field: 'bolloId' }] });
  });

  it("a certificato storico reads the record as it was: the widow's family before her husband's death", async () => {
    const { certificate, pdf } = await issue({ kind: 'stato-di-famiglia-parentela', requesterFiscalCode: CHIARA, subjectFiscalCode: CHIARA, asOf: '2018-01-01' });
    expect(certificate.content).toMatchObject({ historical: true, title: 'Certificato storico di stato di famiglia con rapporti di parentela', referenceDate: '2018-01-01' });
    expect(certificate.content.family!.members.map((m) => [m.givenName, m.relationship])).toEqual([['Piero', '1'], ['Chiara', '2']]);
    const text = (await readPdf(pdf)).flat;
    expect(text).toContain('CERTIFICATO STORICO DI STATO DI FAMIGLIA');
    expect(text).toContain('alla data del 01/01/2018:');
    expect(text).toContain('risultava residente in BUGLIANO (PI)');
    expect(text).toContain('MARTINI PIERO');
    const now = await issue({ kind: 'stato-di-famiglia-parentela', requesterFiscalCode: CHIARA, subjectFiscalCode: CHIARA });
    expect(now.certificate.content.family!.members.map((m) => [m.givenName, m.relationship])).toEqual([['Chiara', '1']]);
    const civil = await issue({ kind: 'stato-civile', requesterFiscalCode: CHIARA, subjectFiscalCode: CHIARA });
    expect((await readPdf(civil.pdf)).flat).toContain('risulta di stato civile VEDOVA dal 02/11/2019.');
  });

  it('matrimonio names the spouse; contestuale certifies residence, citizenships, civil status and family together', async () => {
    const marriage = await issue({ kind: 'matrimonio' });
    expect((await readPdf(marriage.pdf)).flat).toContain('risulta coniugato con NERI SILVIA, nata a PISA (PI) il 09/11/1980, dal 14/06/2008.');
    const { pdf, certificate } = await issue({ kind: 'contestuale', requesterFiscalCode: MARTINA, subjectFiscalCode: MARTINA, use: 'separazione-divorzio' });
    expect(certificate.content.citizenships).toEqual(['ITALIA', 'ARGENTINA']);
    const text = (await readPdf(pdf)).flat;
    for (const phrase of ['GRECO MARTINA', 'nata in ARGENTINA il 05/06/1983', 'risulta in possesso della cittadinanza italiana e di quella dei seguenti Stati: ARGENTINA.', 'risulta di stato civile CONIUGATA', 'SALA FABIO', 'L. 74/1987, art. 19']) {
      expect(text, phrase).toContain(phrase);
    }
  });

  it('an Italian abroad gets the AIRE certificate; a foreign resident no certificate of Italian citizenship', async () => {
    const one = async (query: ReturnType<typeof sql<{ fiscal_code: string }>>) => (await query.execute(db())).rows[0]!.fiscal_code;
    const abroad = await one(sql`select fiscal_code from anpr.persons where status = 'aire' order by id_anpr limit 1`);
    const { pdf, certificate } = await issue({ kind: 'residenza-aire', requesterFiscalCode: abroad, subjectFiscalCode: abroad });
    expect(certificate.content.aire).toBeDefined();
    const text = (await readPdf(pdf)).flat;
    expect(text).toContain("nell'Anagrafe degli Italiani Residenti all'Estero (AIRE) del Comune di");
    expect(text).toContain(`con residenza in ${certificate.content.aire!.city} (${certificate.content.aire!.state})`);
    expect((await refused(issue({ kind: 'residenza', requesterFiscalCode: abroad, subjectFiscalCode: abroad }))).violations[0]!.rule).toBe('not-resident');
    const foreigner = await one(sql`select p.fiscal_code from anpr.persons p join anpr.events e on e.id_anpr = p.id_anpr and e.type = 'registered'
      where p.status = 'resident' and not (e.data -> 'citizenships') ? 'IT' order by p.id_anpr limit 1`);
    expect((await refused(issue({ kind: 'cittadinanza', requesterFiscalCode: foreigner, subjectFiscalCode: foreigner }))).violations[0]!.rule).toBe('not-italian');
    const contestuale = await issue({ kind: 'contestuale', requesterFiscalCode: foreigner, subjectFiscalCode: foreigner });
    expect((await readPdf(contestuale.pdf)).flat).toMatch(/risulta cittadin[oa] dei seguenti Stati: [A-Z]/);
  });

  it('the snapshot keeps what was certified when the record later changes', async () => {
    const before = await issue({ kind: 'stato-civile' });
    const marco = (await idByFiscalCode(db(), MARCO))!;
    await appendEvents(db(), marco, [{ type: 'civil-status-changed', effectiveDate: '2026-02-15', civilStatus: '4' }], BUGLIANO.istatCode);
    const after = await issue({ kind: 'stato-civile' });
    expect(after.certificate.content.civilStatus).toEqual({ code: '4', since: '2026-02-15' });
    expect((await findCertificate(db(), before.code))!.content.civilStatus).toEqual({ code: '2', since: '2008-06-14' });
    const page = await app.inject({ url: `/verifica/${before.code}` });
    expect(page.body).toContain('risulta di stato civile CONIUGATO dal 14/06/2008.');
  });

  it("verification page: authentic, with what was certified and the hash; in the reader's language, the legal text in Italian", async () => {
    const { code, certificate } = await issue({ kind: 'contestuale' });
    const form = await app.inject({ url: '/verifica' });
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('<label for="field-codice"');
    const typed = await app.inject({ url: `/verifica?codice=${encodeURIComponent(formatCertificateCode(code).toLowerCase())}` });
    expect(typed.statusCode).toBe(303);
    expect(typed.headers.location).toBe(`/verifica/${code}`);
    const page = await app.inject({ url: `/verifica/${code}` });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    for (const phrase of ['Certificato autentico', formatCertificateCode(code), 'BIANCHI MARCO', MARCO, certificate.pdfSha256, 'risulta residente in BUGLIANO (PI), VIA ROMA 15', 'NERI SILVIA', 'Moglie', '1 settembre 2026']) {
      expect(page.body, phrase).toContain(phrase);
    }
    const en = await app.inject({ url: `/verifica/${code}?lang=en` });
    expect(en.body).toContain('Authentic certificate');
    expect(en.body).toContain('<div lang="it"');
    expect(en.body).toContain('risulta residente in BUGLIANO');
    const de = await app.inject({ url: `/verifica/${code}?lang=de` });
    expect(de.body).toContain('Echte Bescheinigung');
  });

  it('an unknown, tampered or malformed code gets the friendly "not found" page (404), never an error', async () => {
    const { code } = await issue({ kind: 'residenza' });
    const last = code.at(-1)!;
    const tampered = code.slice(0, -1) + (last === '0' ? '1' : '0');
    const i = [...code].findIndex((c, j) => c !== code[j + 1]);
    const swapped = code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2);
    const unknown = newCertificateCode(); // well-formed, never issued
    for (const c of [tampered, swapped, unknown, 'ABCD', '<script>alert(1)</script>', '0000-0000-0000-0000-0000']) {
      const r = await app.inject({ url: `/verifica/${encodeURIComponent(c)}` });
      expect(r.statusCode, c).toBe(404);
      expect(r.headers['content-type'], c).toContain('text/html');
      expect(r.body, c).toContain('Certificato non trovato');
      expect(r.body, c).not.toContain('<script>alert');
      expect(r.body, c).not.toMatch(/at .*\.ts:\d+/);
    }
  });

  it('JSON verification: the certificate as certified, or problem+json 404', async () => {
    const { code, certificate } = await issue({ kind: 'residenza' });
    const r = await app.inject({ url: `/api/v1/certificati/${formatCertificateCode(code)}` });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({
      code,
      kind: 'residenza',
      title: 'Certificato di residenza',
      issuedOn: TODAY,
      validUntil: '2026-09-01',
      expired: false,
      subject: { familyName: 'Bianchi', givenName: 'Marco', fiscalCode: MARCO },
      statements: ['risulta residente in BUGLIANO (PI), VIA ROMA 15, CAP 56000, dal 14/06/2008.'],
      pdfSha256: certificate.pdfSha256,
    });
    // Only what the certificate prints: not the idANPR.
    expect(r.body).not.toContain(certificate.subjectId);
    const missing = await app.inject({ url: `/api/v1/certificati/${newCertificateCode()}` });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    expect(doc.paths['/api/v1/certificati/{code}']).toBeDefined();
  });

  it('the route helpers hand the PDF to the citizen, and refusals become problems', async () => {
    const ok = await app.inject({ method: 'POST', url: '/test/certificato', payload: { requesterFiscalCode: MARCO, subjectFiscalCode: MARCO, kind: 'nascita', use: 'tributi' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-type']).toBe('application/pdf');
    expect(ok.headers['cache-control']).toBe('no-store');
    const code = String(ok.headers['x-certificate-code']);
    expect(ok.headers['content-disposition']).toBe(`attachment; filename="certificato-nascita-${code}.pdf"`);
    const text = (await readPdf(ok.rawPayload)).flat;
    expect(text).toContain('risulta nato a PISA (PI) il 14/03/1978.');
    expect(text).toContain('ha validità illimitata');
    expect((await findCertificate(db(), code))?.kind).toBe('nascita');
    const forbidden = await app.inject({ method: 'POST', url: '/test/certificato', payload: { requesterFiscalCode: MARCO, subjectFiscalCode: GIULIA, kind: 'residenza', use: 'pensione' } });
    expect(forbidden.statusCode).toBe(403);
    const rule = await app.inject({ method: 'POST', url: '/test/certificato', payload: { requesterFiscalCode: MARCO, subjectFiscalCode: MARCO, kind: 'residenza', use: 'bollo', bolloId: 'x' } });
    expect(rule.statusCode).toBe(422);
    expect(rule.json().errors[0]).toMatchObject({ pointer: '/body/bolloId', code: 'invalid-bollo-id' });
  });

  it("the autocertificazione is prefilled with the declarant's facts, the art. 76 warning and the signature line", async () => {
    const r = await app.inject({ method: 'POST', url: '/test/autocertificazione', payload: { fiscalCode: MARTINA, facts: ['nascita', 'residenza', 'cittadinanza', 'stato-civile', 'stato-di-famiglia', 'esistenza-in-vita'] } });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('application/pdf');
    const read = await readPdf(r.rawPayload);
    for (const phrase of [
      'DICHIARAZIONE SOSTITUTIVA DI CERTIFICAZIONE',
      '(art. 46 del DPR 28 dicembre 2000, n. 445)',
      `La sottoscritta GRECO MARTINA`,
      `codice fiscale ${MARTINA}`,
      "sanzioni penali previste dall'art. 76 del DPR 445/2000",
      'DICHIARA',
      'di essere residente in BUGLIANO (PI)',
      'di essere cittadina italiana e di possedere anche la cittadinanza dei seguenti Stati: ARGENTINA',
      'di essere di stato civile CONIUGATA',
      'che la propria famiglia anagrafica è così composta:',
      'SALA FABIO',
      'SALA EMMA',
      'di essere in vita alla data del 01/03/2026',
      'Luogo e data: BUGLIANO, 01/03/2026',
      'La dichiarante:',
      'esente dall\'imposta di bollo (art. 37 del DPR 445/2000)',
    ]) {
      expect(read.flat, phrase).toContain(phrase);
    }
    expect(read.flat).not.toContain('Codice del certificato');
    expect(read.info).toMatchObject({ Language: 'it-IT' });
    const only = await app.inject({ method: 'POST', url: '/test/autocertificazione', payload: { fiscalCode: MARCO, facts: ['residenza'] } });
    const text = (await readPdf(only.rawPayload)).flat;
    expect(text).toContain('Il sottoscritto BIANCHI MARCO');
    expect(text).not.toContain('stato civile');
  });

  it('the verification pages are rate-limited', async () => {
    // 30 a minute: within two windows' worth of calls, one is refused.
    const statuses: number[] = [];
    for (let i = 0; i < 62 && !statuses.includes(429); i++) statuses.push((await app.inject({ url: '/api/v1/certificati/ABCD' })).statusCode);
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s === 404).length).toBeLessThanOrEqual(30);
    await app.close();
  });
});
