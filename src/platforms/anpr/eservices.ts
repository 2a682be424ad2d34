// The ANPR e-services for PDND consumers (C030, C015, C020, C021, C019, C018; names and paths from
// src/clients/pdnd/anpr.ts). Each e-service answers, at its path:
//   POST <path>/anpr-service-e002   RichiestaE002 → RispostaE002OK (the real operation's shape)
//   GET  <path>/soggetti/{codiceFiscale}?date=YYYY-MM-DD   the same answer, for simple lookups [ours]
// The as-of date is datiRichiesta.dataRiferimentoRichiesta (POST) or ?date (GET), default today: the record
// is read as it was on that day. Unknown fiscal code (or no record yet on that day) → 404 problem+json;
// malformed fiscal code → 400 with errors[].pointer on the field. Every access is logged (access-log.ts).
// Not done yet: idOperazioneClient replay (a repeated id returning the earlier answer), the ModI
// Agid-JWT-Signature/TrackingEvidence checks, search by name and birth data.
import { randomUUID } from 'node:crypto';
import type { preHandlerAsyncHookHandler } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Executor } from '../../core/db.ts';
import type { App } from '../../core/http.ts';
import { HttpProblem, invalid, problemType } from '../../core/problem.ts';
import { ANPR_ESERVICES, type AnprEservice } from '../../clients/pdnd/anpr.ts';
import { isIsoDate, todayUtc, type IsoDate } from '../../domain/dates.ts';
import { validateFiscalCode } from '../../domain/fiscal-code.ts';
import { accessLogWriter } from './access-log.ts';
import { isIdAnpr } from './id.ts';
import { personAsOf, type AnprEvent, type PersonState } from './model.ts';
import { RispostaE002OKSchema, type DatiSoggetto } from '../../clients/anpr/wire.ts';
import { cittadinanza, datiBase, familyMember, residenza, statoCivile } from './presenter.ts';
import { loadEvents, loadEventsByFiscalCode, personRow, readFamilyAsOf } from './store.ts';

/** Authenticates the caller of one e-service (sets request.pdnd); default: the PDND voucher guard. */
export type CallerAuth = (eservice: AnprEservice) => preHandlerAsyncHookHandler;

type Answer = (db: Executor, p: PersonState, date: IsoDate) => Promise<DatiSoggetto[]>;

const ANSWERS: Record<AnprEservice['code'], Answer> = {
  // C030: fiscal code → idANPR.
  C030: async (_db, p) => [{ generalita: { ...datiBase(p).generalita }, identificativi: { idANPR: p.idAnpr } }],
  // C015: generalità.
  C015: async (_db, p) => [{ ...datiBase(p), statoCivile: statoCivile(p) }],
  // C020: residence, with the death date when deceased.
  C020: async (_db, p) => [{ ...datiBase(p), residenza: residenza(p), ...(p.deathDate ? { datiDecesso: { dataEvento: p.deathDate } } : {}) }],
  // C021: the famiglia anagrafica on the date, the subject first, each with the relationship to the head.
  C021: async (db, p, date) => {
    if (!p.family || p.status === 'deceased') return [{ ...datiBase(p), residenza: residenza(p) }];
    const members = await readFamilyAsOf(db, p.family.familyId, date);
    const subject = members.find((m) => m.person.idAnpr === p.idAnpr);
    const ordered = subject ? [subject, ...members.filter((m) => m !== subject)] : members;
    return ordered.map((m, i) => (i === 0 ? { ...familyMember(m), residenza: residenza(m.person) } : familyMember(m)));
  },
  // C019: alive or not on the date [infoSoggettoEnte key of ours].
  C019: async (_db, p) => [
    {
      ...datiBase(p),
      infoSoggettoEnte: [{ chiave: 'esistenzaInVita', valore: p.deathDate ? 'N' : 'S', ...(p.deathDate ? { valoreData: p.deathDate } : {}) }],
      ...(p.deathDate ? { datiDecesso: { dataEvento: p.deathDate } } : {}),
    },
  ],
  // C018: citizenships.
  C018: async (_db, p) => [{ ...datiBase(p), cittadinanza: cittadinanza(p) }],
};

const RichiestaE002 = Type.Object(
  {
    idOperazioneClient: Type.String({ pattern: '^[0-9]{1,30}$', description: 'numeric, increasing per client' }),
    criteriRicerca: Type.Object({
      codiceFiscale: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
      idANPR: Type.Optional(Type.String({ pattern: '^[0-9]{9}$' })),
    }),
    datiRichiesta: Type.Object({
      dataRiferimentoRichiesta: Type.String({ format: 'date', description: 'the record as it was on this day' }),
      motivoRichiesta: Type.String({ minLength: 1, maxLength: 200, description: 'case or protocol reference' }),
      casoUso: Type.String({ pattern: '^C[0-9]{3}$' }),
    }),
  },
  { additionalProperties: false },
);

const notFound = (detail: string, field: string, value: string) =>
  new HttpProblem(404, {
    type: problemType('anpr-subject-not-found'),
    detail,
    extra: { listaErrori: [{ codiceErroreAnomalia: 'EN122', tipoErroreAnomalia: 'E', testoErroreAnomalia: detail, campoErroreAnomalia: field, valoreErroreAnomalia: value }] },
  });

export interface EserviceDeps {
  db: Executor;
  callerAuth: CallerAuth;
  /** The day the lookups default to (tests). */
  today?: () => IsoDate;
}

export function registerEservices(app: App, deps: EserviceDeps): void {
  const today = deps.today ?? todayUtc;
  const accessLog = accessLogWriter(deps.db);
  app.addHook('onClose', () => accessLog.drain());
  for (const es of ANPR_ESERVICES) {
    const preHandler = deps.callerAuth(es);
    const answer = ANSWERS[es.code];

    async function lookup(
      request: { id: string; pdnd?: { consumer: { id: string; name: string }; purposeId: string } },
      by: { codiceFiscale?: string; idANPR?: string },
      pointer: string,
      date: IsoDate,
    ) {
      let idAnpr: string | undefined;
      let fiscalCode = '';
      let events: AnprEvent[] | undefined;
      if (by.codiceFiscale !== undefined) {
        const cf = validateFiscalCode(by.codiceFiscale, { requireKnownBirthplace: false });
        if (!cf.ok) throw invalid([{ pointer: `${pointer}/codiceFiscale`, detail: cf.message, code: cf.reason }], 'The fiscal code is malformed.');
        fiscalCode = cf.value.fiscalCode;
        events = await loadEventsByFiscalCode(deps.db, fiscalCode);
        idAnpr = events[0]?.idAnpr;
      } else if (by.idANPR !== undefined) {
        if (!isIdAnpr(by.idANPR)) throw invalid([{ pointer: `${pointer}/idANPR`, detail: 'not a valid idANPR (check digit)', code: 'checksum' }]);
        const row = await personRow(deps.db, by.idANPR);
        idAnpr = row?.id_anpr;
        fiscalCode = row?.fiscal_code ?? '';
      } else {
        throw invalid([{ pointer: `${pointer}/codiceFiscale`, detail: 'codiceFiscale or idANPR is required', code: 'required' }]);
      }
      const person = idAnpr ? personAsOf(events ?? (await loadEvents(deps.db, idAnpr)), date) : undefined;
      const caller = request.pdnd;
      await accessLog.add({
        consumerId: caller?.consumer.id ?? 'unknown',
        consumerName: caller?.consumer.name ?? null,
        purposeId: caller?.purposeId ?? null,
        eservice: es.name,
        fiscalCode: fiscalCode || by.idANPR || '',
        idAnpr: idAnpr ?? null,
        outcome: person ? 'found' : 'not-found',
        asOf: date,
        requestId: request.id,
      });
      if (!person) {
        const what = by.codiceFiscale !== undefined ? 'codiceFiscale' : 'idANPR';
        throw notFound(idAnpr ? `No record in ANPR on ${date} for this subject.` : 'No subject in ANPR with this identifier.', what, by.codiceFiscale ?? by.idANPR ?? '');
      }
      return { idOperazioneANPR: randomUUID(), listaSoggetti: { datiSoggetto: await answer(deps.db, person, date) } };
    }

    app.post(
      `${es.path}/anpr-service-e002`,
      {
        preHandler,
        schema: {
          tags: [es.name],
          summary: es.description,
          operationId: `${es.code}-e002`,
          security: [{ bearerAuth: [] }],
          body: RichiestaE002,
          response: { 200: RispostaE002OKSchema, 400: { $ref: 'Problem#' }, 401: { $ref: 'Problem#' }, 403: { $ref: 'Problem#' }, 404: { $ref: 'Problem#' } },
        },
      },
      async (request) => {
        const body = request.body;
        const date = body.datiRichiesta.dataRiferimentoRichiesta;
        if (!isIsoDate(date)) throw invalid([{ pointer: '/body/datiRichiesta/dataRiferimentoRichiesta', detail: 'not a valid date', code: 'format' }]);
        return lookup(request, body.criteriRicerca, '/body/criteriRicerca', date);
      },
    );

    app.get(
      `${es.path}/soggetti/:codiceFiscale`,
      {
        preHandler,
        schema: {
          tags: [es.name],
          summary: `${es.description} (by fiscal code, as of a date)`,
          operationId: `${es.code}-byFiscalCode`,
          security: [{ bearerAuth: [] }],
          params: Type.Object({ codiceFiscale: Type.String({ minLength: 1, maxLength: 32 }) }),
          querystring: Type.Object({ date: Type.Optional(Type.String({ format: 'date', description: 'as of this day (default today)' })) }),
          response: { 200: RispostaE002OKSchema, 400: { $ref: 'Problem#' }, 401: { $ref: 'Problem#' }, 403: { $ref: 'Problem#' }, 404: { $ref: 'Problem#' } },
        },
      },
      async (request) => {
        const date = request.query.date ?? today();
        if (!isIsoDate(date)) throw invalid([{ pointer: '/querystring/date', detail: 'not a valid date', code: 'format' }]);
        return lookup(request, { codiceFiscale: request.params.codiceFiscale }, '/params', date);
      },
    );
  }
}
