// The client's handling of what ANPR answers, against a scripted fetch (the real exchange is tested over
// HTTP in test/comune/interop.test.ts): refusals typed with their problem, 404 kinds, unreachable ANPR.
import { describe, expect, it } from 'vitest';
import { AnprClientError, createAnprClient, profileFromFamily, type DatiSoggetto } from './index.ts';

const problem = (status: number, extra: Record<string, unknown> = {}) =>
  new Response(JSON.stringify({ type: 'urn:test', title: 'T', status, detail: `detail ${status}`, ...extra }), { status, headers: { 'content-type': 'application/problem+json' } });

function clientAnswering(answer: () => Response | Promise<Response>) {
  const requests: { url: string; body: Record<string, any> }[] = [];
  const client = createAnprClient({
    anprUrl: 'http://anpr.test/',
    vouchers: async (purposeId) => `voucher-of-${purposeId}`,
    purposes: { C020: 'p-c020' },
    today: () => '2026-05-04',
    fetch: async (url, init) => {
      requests.push({ url: String(url), body: JSON.parse(String(init?.body)) });
      return answer();
    },
  });
  return { client, requests };
}

describe('ANPR client', () => {
  it('sends RichiestaE002 to the e-service audience with the voucher of its purpose', async () => {
    const { client, requests } = clientAnswering(() => problem(404, { listaErrori: [{ codiceErroreAnomalia: 'EN122' }] }));
    expect(await client.residenza('BNCMRC78C14G702E', { motivo: 'pratica 7' })).toBeUndefined();
    expect(requests[0]).toMatchObject({
      url: 'http://anpr.test/C020-servizioAccertamentoResidenza/v1/anpr-service-e002',
      body: { criteriRicerca: { codiceFiscale: 'BNCMRC78C14G702E' }, datiRichiesta: { dataRiferimentoRichiesta: '2026-05-04', motivoRichiesta: 'pratica 7', casoUso: 'C020' } },
    });
    expect(requests[0]!.body.idOperazioneClient).toMatch(/^\d{1,30}$/);
  });

  it('turns 429, 403 and 5xx into AnprClientError with status and problem detail', async () => {
    for (const status of [429, 403, 500, 503]) {
      const { client } = clientAnswering(() => problem(status));
      const err = await client.residenza('BNCMRC78C14G702E', { motivo: 'x' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AnprClientError);
      expect(err).toMatchObject({ status, eservice: 'C020', problem: { status, detail: `detail ${status}` } });
    }
  });

  it('treats a 404 without ANPR error list as a wrong address, not an unknown person', async () => {
    const { client } = clientAnswering(() => new Response('<html>not found</html>', { status: 404 }));
    await expect(client.residenza('BNCMRC78C14G702E', { motivo: 'x' })).rejects.toMatchObject({ status: 404, problem: { title: 'Not Found' } });
  });

  it('reports an unreachable ANPR as 503 and a missing purpose as a configuration error', async () => {
    const { client } = clientAnswering(() => Promise.reject(new TypeError('fetch failed')));
    await expect(client.residenza('BNCMRC78C14G702E', { motivo: 'x' })).rejects.toMatchObject({ status: 503, problem: { detail: 'fetch failed' } });
    await expect(client.generalita('BNCMRC78C14G702E', { motivo: 'x' })).rejects.toThrow(/No PDND purpose is configured for the ANPR e-service C015/);
  });

  it('uses a new, increasing idOperazioneClient on every call', async () => {
    const { client, requests } = clientAnswering(() => problem(404, { listaErrori: [] }));
    for (let i = 0; i < 5; i++) await client.residenza('BNCMRC78C14G702E', { motivo: 'x' });
    const ids = requests.map((r) => BigInt(r.body.idOperazioneClient));
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
  });
});

describe('prefill profile', () => {
  const abroad: DatiSoggetto = {
    generalita: {
      codiceFiscale: { codFiscale: 'GRCMTN83H45Z600R', validitaCF: '1' },
      cognome: 'GRECO',
      nome: 'MARTINA',
      sesso: 'F',
      dataNascita: '1983-06-05',
      luogoNascita: { localita: { descrizioneLocalita: 'BUENOS AIRES', descrizioneStato: 'ARGENTINA', codiceStato: 'Z600' } },
    },
    identificativi: { idANPR: '123456789' },
    residenza: [
      {
        tipoIndirizzo: '1',
        localitaEstera: { indirizzoEstero: { localita: { descrizioneLocalita: 'MADRID', descrizioneStato: 'SPAGNA', codiceStato: 'Z131' }, toponimo: { denominazione: 'Calle Mayor 1' } } },
        dataDecorrenzaResidenza: '2020-01-01',
      },
    ],
  };

  it('keeps a birth abroad and a residence abroad, and has no family for a person alone', () => {
    expect(profileFromFamily([abroad])).toEqual({
      fiscalCode: 'GRCMTN83H45Z600R',
      idAnpr: '123456789',
      givenName: 'MARTINA',
      familyName: 'GRECO',
      sex: 'F',
      birthDate: '1983-06-05',
      birthPlace: { state: 'ARGENTINA', stateCode: 'Z600', locality: 'BUENOS AIRES' },
      residence: { kind: 'abroad', address: 'Calle Mayor 1', locality: 'MADRID', state: 'SPAGNA', stateCode: 'Z131', since: '2020-01-01' },
      family: [],
    });
    expect(profileFromFamily([])).toBeUndefined();
  });

  it('writes the Italian address as ANPR does, with letter and interior', () => {
    const home: DatiSoggetto = {
      ...abroad,
      residenza: [
        {
          tipoIndirizzo: '1',
          indirizzo: {
            cap: '56000',
            comune: { nomeComune: 'BUGLIANO', codiceIstat: '050999', siglaProvinciaIstat: 'PI' },
            toponimo: { specie: 'VIA', denominazioneToponimo: 'GARIBALDI' },
            numeroCivico: { numero: '8', lettera: 'B', civicoInterno: { interno1: '3' } },
          },
          dataDecorrenzaResidenza: '2019-03-01',
        },
      ],
    };
    expect(profileFromFamily([home])?.residence).toEqual({
      kind: 'italy',
      street: 'VIA GARIBALDI 8/B',
      houseNumber: '8/B',
      interior: '3',
      postcode: '56000',
      comune: 'BUGLIANO',
      istatCode: '050999',
      province: 'PI',
      since: '2019-03-01',
    });
  });

  it('lists the other members of the famiglia anagrafica with birth date and relationship, the subject excluded', () => {
    const member = (cf: string, nome: string, dataNascita: string, codiceLegame: string, descrizioneLegame: string): DatiSoggetto => ({
      generalita: { ...abroad.generalita, codiceFiscale: { codFiscale: cf, validitaCF: '1' }, nome, cognome: 'BIANCHI', dataNascita },
      identificativi: { idANPR: `ID${cf.slice(0, 7)}` },
      legameSoggetto: { codiceLegame, descrizioneLegame, idFamiglia: 'F1' },
    });
    const family = profileFromFamily([member('BNCMRC78C14G702E', 'MARCO', '1978-03-14', '1', 'INTESTATARIO SCHEDA'), member('BNCTMS10B21G702Z', 'TOMMASO', '2010-02-21', '3', 'FIGLIO')]);
    expect(family?.relationship).toEqual({ code: '1', description: 'INTESTATARIO SCHEDA' });
    expect(family?.family).toEqual([{ fiscalCode: 'BNCTMS10B21G702Z', givenName: 'TOMMASO', familyName: 'BIANCHI', birthDate: '2010-02-21', relationship: { code: '3', description: 'FIGLIO' } }]);
  });
});

