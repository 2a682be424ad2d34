// The ANPR app over HTTP (inject): e-services with a stand-in for the PDND voucher guard, the access log,
// the back-office API with officer keys, problem+json errors, the OpenAPI document.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { preHandlerAsyncHookHandler } from 'fastify';
import os from 'node:os';
import { loadConfig } from '../../src/core/config.ts';
import { sql } from '../../src/core/db.ts';
import { migrateSchema } from '../../src/core/migrations.ts';
import { createContext } from '../../src/core/runtime.ts';
import type { App } from '../../src/core/http.ts';
import { BUGLIANO } from '../../src/domain/municipalities.ts';
import { buildAnprHttp } from '../../src/platforms/anpr/app.ts';
import { createOfficerKey } from '../../src/platforms/anpr/backoffice.ts';
import { anprMigrations } from '../../src/platforms/anpr/migrations.ts';
import { seedDemoPopulation } from '../../src/platforms/anpr/seed.ts';
import { idByFiscalCode } from '../../src/platforms/anpr/store.ts';
import { readAccessLog } from '../../src/platforms/anpr/access-log.ts';
import { testDatabaseTargets, type TestDatabase } from '../support/database.ts';

// A stand-in for requireVoucher: "Bearer ok" is a verified caller of the Comune di Bugliano.
const fakeVoucher: preHandlerAsyncHookHandler = async (request) => {
  if (request.headers.authorization !== 'Bearer ok') {
    const { unauthorized } = await import('../../src/core/problem.ts');
    throw unauthorized('voucher required');
  }
  request.pdnd = { consumer: { id: 'tenant-bugliano', name: 'Comune di Bugliano', ipaCode: 'c_m999' }, purposeId: 'purpose-1' } as never;
};

const target = (await testDatabaseTargets())[0]!; // PGlite: the HTTP layer is the same on both
describe('anpr http', () => {
  let database: TestDatabase;
  let app: App;
  let officerKey: string;
  let vicopisanoKey: string;
  const auth = { authorization: 'Bearer ok' };

  beforeAll(async () => {
    database = await target.open();
    await migrateSchema(database.db, 'anpr', anprMigrations);
    await seedDemoPopulation(database.db);
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: os.tmpdir(), SECRET: 'test-secret-0123456789-0123456789-0123456789', LOG_LEVEL: 'warn' });
    const ctx = await createContext(config, database);
    app = await buildAnprHttp(ctx, { callerAuth: () => fakeVoucher, today: () => '2026-03-01' });
    officerKey = await createOfficerKey(database.db, BUGLIANO.istatCode, 'test officer');
    vicopisanoKey = await createOfficerKey(database.db, '050038', 'vicopisano officer');
  });
  afterAll(async () => {
    await app?.close();
    await target.cleanup();
  });

  const e002 = (path: string, criteriRicerca: Record<string, string>, date = '2026-03-01') =>
    app.inject({
      method: 'POST',
      url: `${path}/anpr-service-e002`,
      headers: auth,
      payload: { idOperazioneClient: '1', criteriRicerca, datiRichiesta: { dataRiferimentoRichiesta: date, motivoRichiesta: 'prot. 123/2026', casoUso: 'C015' } },
    });

  it('C015 answers the generalità in ANPR shape, and logs the access', async () => {
    const r = await e002('/C015-servizioAccertamentoGeneralita/v1', { codiceFiscale: 'BNCMRC78C14G702E' });
    expect(r.statusCode).toBe(200);
    const s = r.json().listaSoggetti.datiSoggetto[0];
    expect(s.generalita).toMatchObject({ codiceFiscale: { codFiscale: 'BNCMRC78C14G702E' }, cognome: 'BIANCHI', nome: 'MARCO', sesso: 'M', dataNascita: '1978-03-14', luogoNascita: { comune: { codiceIstat: '050026' } } });
    const id = (await idByFiscalCode(database.db, 'BNCMRC78C14G702E'))!;
    expect(s.identificativi.idANPR).toBe(id);
    const log = await readAccessLog(database.db, id);
    expect(log[0]).toMatchObject({ consumerId: 'tenant-bugliano', purposeId: 'purpose-1', eservice: 'C015-servizioAccertamentoGeneralita', outcome: 'found', asOf: '2026-03-01' });
  });

  it('logs every one of many concurrent lookups before answering it (written together)', async () => {
    const { rows } = await sql<{ fiscal_code: string; id_anpr: string }>`select fiscal_code, id_anpr from anpr.persons order by id_anpr limit 40`.execute(database.db);
    const answers = await Promise.all(rows.map((r) => e002('/C019-servizioAccertamentoEsistenzaVita/v1', { codiceFiscale: r.fiscal_code })));
    for (const [i, r] of rows.entries()) {
      const log = await readAccessLog(database.db, r.id_anpr);
      expect(log.map((e) => e.requestId)).toContain(answers[i]!.headers['x-request-id']);
    }
  });

  it('C020 residence, C021 family, C019 life, C018 citizenship, C030 idANPR; GET with ?date', async () => {
    const res = (await e002('/C020-servizioAccertamentoResidenza/v1', { codiceFiscale: 'BNCMRC78C14G702E' })).json().listaSoggetti.datiSoggetto[0];
    expect(res.residenza[0].indirizzo).toMatchObject({ cap: '56000', comune: { codiceIstat: BUGLIANO.istatCode }, toponimo: { specie: 'VIA', denominazioneToponimo: 'ROMA' }, numeroCivico: { numero: '15' } });
    const fam = (await e002('/C021-servizioAccertamentoStatoFamiglia/v1', { codiceFiscale: 'RCCLNZ14E18D612Y' })).json().listaSoggetti.datiSoggetto;
    expect(fam.map((s: { generalita: { nome: string }; legameSoggetto: { codiceLegame: string } }) => [s.generalita.nome, s.legameSoggetto.codiceLegame])).toEqual([['LORENZO', '3'], ['GIULIA', '1']]);
    // Chiara Colombo's husband, as of 2018 (alive) and now (deceased).
    const piero = (await e002('/C021-servizioAccertamentoStatoFamiglia/v1', { codiceFiscale: 'CLMCHR54P48L219V' }, '2018-01-01')).json().listaSoggetti.datiSoggetto;
    expect(piero.length).toBe(2);
    const pieroCf = piero[1].generalita.codiceFiscale.codFiscale;
    const life = await app.inject({ url: `/C019-servizioAccertamentoEsistenzaVita/v1/soggetti/${pieroCf}`, headers: auth });
    expect(life.json().listaSoggetti.datiSoggetto[0]).toMatchObject({ infoSoggettoEnte: [{ chiave: 'esistenzaInVita', valore: 'N', valoreData: '2019-11-02' }], datiDecesso: { dataEvento: '2019-11-02' } });
    const alive = await app.inject({ url: `/C019-servizioAccertamentoEsistenzaVita/v1/soggetti/${pieroCf}?date=2019-01-01`, headers: auth });
    expect(alive.json().listaSoggetti.datiSoggetto[0].infoSoggettoEnte[0].valore).toBe('S');
    const cit = await app.inject({ url: '/C018-servizioAccertamentoCittadinanza/v1/soggetti/GRCMTN83H45Z600R', headers: auth });
    expect(cit.json().listaSoggetti.datiSoggetto[0].cittadinanza).toEqual([{ codiceStato: 'IT', descrizioneStato: 'ITALIA' }, { codiceStato: 'AR', descrizioneStato: 'ARGENTINA' }]);
    const c030 = await app.inject({ url: '/C030-servizioAccertamentoIdUnicoNazionale/v1/soggetti/GLLDVD71D19D96VD', headers: auth });
    expect(c030.json().listaSoggetti.datiSoggetto[0].identificativi.idANPR).toMatch(/^\d{9}$/);
  });

  it('404 problem+json for an unknown fiscal code or before the record; 400 naming the field when malformed; 401 without a voucher', async () => {
    const unknown = await e002('/C015-servizioAccertamentoGeneralita/v1', { codiceFiscale: 'RSSMRA80A01H501U' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers['content-type']).toContain('application/problem+json');
    expect(unknown.json().listaErrori[0].campoErroreAnomalia).toBe('codiceFiscale');
    const before = await app.inject({ url: '/C015-servizioAccertamentoGeneralita/v1/soggetti/BNCMRC78C14G702E?date=2000-01-01', headers: auth });
    expect(before.statusCode).toBe(404);
    const bad = await e002('/C015-servizioAccertamentoGeneralita/v1', { codiceFiscale: 'BNCMRC78C14G702X' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0]).toMatchObject({ pointer: '/body/criteriRicerca/codiceFiscale', code: 'invalid-check-character' });
    const badGet = await app.inject({ url: '/C015-servizioAccertamentoGeneralita/v1/soggetti/NOTACODE', headers: auth });
    expect(badGet.json().errors[0].pointer).toBe('/params/codiceFiscale');
    const badDate = await app.inject({ url: '/C015-servizioAccertamentoGeneralita/v1/soggetti/BNCMRC78C14G702E?date=2026-02-30', headers: auth });
    expect(badDate.statusCode).toBe(400);
    const anon = await app.inject({ url: '/C015-servizioAccertamentoGeneralita/v1/soggetti/BNCMRC78C14G702E' });
    expect(anon.statusCode).toBe(401);
    const id = (await idByFiscalCode(database.db, 'BNCMRC78C14G702E'))!;
    expect((await readAccessLog(database.db, id)).length).toBeGreaterThanOrEqual(2); // the anonymous call reached nothing
  });

  it('back-office: an officer key of the comune, scoped; rule refusals are 422 naming the field', async () => {
    const officer = { authorization: `Bearer ${officerKey}` };
    expect((await app.inject({ url: '/backoffice/v1/residence-declarations' })).statusCode).toBe(401);
    const elena = (await idByFiscalCode(database.db, 'MRTLNE99T71A944N'))!;
    const read = await app.inject({ url: `/backoffice/v1/persons/${elena}`, headers: officer });
    expect(read.json().person.fiscalCode).toBe('MRTLNE99T71A944N');
    expect((await app.inject({ url: `/backoffice/v1/persons/${elena}`, headers: { authorization: `Bearer ${vicopisanoKey}` } })).statusCode).toBe(404);
    const wrong = await app.inject({ method: 'POST', url: '/backoffice/v1/civil-status', headers: officer, payload: { idAnpr: elena, civilStatus: '3', date: '2025-01-01' } });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().errors[0]).toMatchObject({ pointer: '/body/civilStatus', code: 'civil-status-transition' });
    const other = await app.inject({ method: 'POST', url: '/backoffice/v1/deaths', headers: { authorization: `Bearer ${vicopisanoKey}` }, payload: { idAnpr: elena, date: '2025-01-01' } });
    expect(other.statusCode).toBe(403);
    const hist = await app.inject({ url: `/backoffice/v1/persons/${elena}/events`, headers: officer });
    expect(hist.json().events[0].type).toBe('registered');
  });

  it('publishes the e-services and back-office in OpenAPI', async () => {
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/C021-servizioAccertamentoStatoFamiglia/v1/anpr-service-e002', '/C015-servizioAccertamentoGeneralita/v1/soggetti/{codiceFiscale}', '/backoffice/v1/births']));
  });
});
