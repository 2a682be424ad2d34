// The registry office's JSON API (the HTML officer pages come later and will call service.ts directly).
// Officers authenticate with an API key of their comune (Authorization: Bearer sk_...), scope 'anpr.officer',
// owner = the comune's ISTAT code: every operation is scoped to that comune (policy.ts).
import type { FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { createApiKey, verifyApiKey } from '../../core/auth/api-keys.ts';
import type { Executor } from '../../core/db.ts';
import type { App } from '../../core/http.ts';
import { HttpProblem, forbidden, notFound, problemType, unauthorized } from '../../core/problem.ts';
import { todayUtc } from '../../domain/dates.ts';
import { municipalityByIstat } from '../../domain/municipalities.ts';
import { readAccessLog } from './access-log.ts';
import { TOPONYM_SPECIES, type CivilStatusCode } from './codes.ts';
import { mayWriteRecord, type Officer } from './policy.ts';
import { HOUSE_NUMBER_PATTERN } from './rules.ts';
import { SCHEMA } from './schema.ts';
import * as service from './service.ts';
import { stradarioOf } from './stradario.ts';
import { loadEvents, personRow, readFamilyAsOf, readPersonAsOf } from './store.ts';

export const OFFICER_SCOPE = 'anpr.officer';

/** Issues an officer API key for a comune (shown once). */
export async function createOfficerKey(db: Executor, istatCode: string, label: string): Promise<string> {
  if (!municipalityByIstat(istatCode)) throw new RangeError(`no comune with ISTAT code ${istatCode}`);
  const { key } = await createApiKey(db, SCHEMA, { ownerType: 'comune', ownerId: istatCode, label, scopes: [OFFICER_SCOPE] });
  return key;
}

declare module 'fastify' {
  interface FastifyRequest {
    officer?: Officer;
  }
}

/** An AnprError as the HTTP problem it answers (404, 403, 409, 422 naming the fields); other errors unchanged. */
export function toProblem(err: unknown): unknown {
  if (!(err instanceof service.AnprError)) return err;
  switch (err.code) {
    case 'not-found':
      return notFound(err.message);
    case 'forbidden':
      return forbidden(err.message);
    case 'conflict':
      return new HttpProblem(409, { type: problemType('conflict'), detail: err.message });
    case 'rule':
      return new HttpProblem(422, {
        type: problemType('anpr-rule'),
        title: 'Refused by a registry rule',
        detail: err.message,
        errors: err.violations.map((v) => ({ pointer: `/body/${v.field ?? ''}`.replace(/\/$/, ''), detail: v.message, code: v.rule })),
      });
  }
}

const wrap = async <T>(fn: () => Promise<T>): Promise<T> => {
  try {
    return await fn();
  } catch (err) {
    throw toProblem(err);
  }
};

const Date_ = Type.String({ format: 'date' });
const IdAnpr = Type.String({ pattern: '^[0-9]{9}$' });
const AddressSchema = Type.Object({
  istatCode: Type.String({ pattern: '^[0-9]{6}$' }),
  comune: Type.String(),
  province: Type.String(),
  postcode: Type.String({ pattern: '^[0-9]{5}$' }),
  streetCode: Type.String(),
  species: Type.Union(TOPONYM_SPECIES.map((s) => Type.Literal(s))),
  streetName: Type.String(),
  houseNumber: Type.String({ pattern: HOUSE_NUMBER_PATTERN }),
  interior: Type.Optional(Type.String()),
});
const Anything = Type.Any();
const ok = { 200: Anything, 201: Anything };

export function registerBackoffice(app: App, deps: { db: Executor; today?: () => string }): void {
  const { db } = deps;
  const today = () => deps.today?.() ?? todayUtc();
  const opts = (request: FastifyRequest) => ({ today: today(), requestId: request.id });

  app.register(async (plain) => {
    const scope = plain.withTypeProvider<TypeBoxTypeProvider>();
    scope.addHook('onRequest', async (request) => {
      const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
      const key = match ? await verifyApiKey(db, SCHEMA, match[1]!) : undefined;
      if (!key || key.ownerType !== 'comune' || !key.scopes.includes(OFFICER_SCOPE)) throw unauthorized('An officer API key of a comune is required (Authorization: Bearer ...).');
      request.officer = { id: `api_key:${key.id}`, istatCode: key.ownerId };
    });
    const officer = (r: FastifyRequest) => r.officer!;
    const security = [{ bearerAuth: [] }];
    const tags = ['back-office'];

    // Reading: officers read their comune's records (any date), with the history and who consulted them.
    scope.get(
      '/backoffice/v1/persons/:idAnpr',
      { schema: { tags, security, summary: 'A scheda anagrafica as of a date, with its family', params: Type.Object({ idAnpr: IdAnpr }), querystring: Type.Object({ date: Type.Optional(Date_) }), response: ok } },
      async (request) => {
        const row = await personRow(db, request.params.idAnpr);
        if (!row || !mayWriteRecord(officer(request), row)) throw notFound('No such record in your comune.');
        const date = request.query.date ?? today();
        const person = await readPersonAsOf(db, row.id_anpr, date);
        if (!person) throw notFound(`No record on ${date}.`);
        const family = person.family ? await readFamilyAsOf(db, person.family.familyId, date) : [];
        return { person, family: family.map((m) => ({ relationship: m.relationship, idAnpr: m.person.idAnpr, fiscalCode: m.person.fiscalCode, givenName: m.person.givenName, familyName: m.person.familyName })) };
      },
    );
    scope.get(
      '/backoffice/v1/persons/:idAnpr/events',
      { schema: { tags, security, summary: 'The history of a record (every event, both times)', params: Type.Object({ idAnpr: IdAnpr }), response: ok } },
      async (request) => {
        const row = await personRow(db, request.params.idAnpr);
        if (!row || !mayWriteRecord(officer(request), row)) throw notFound('No such record in your comune.');
        return { events: await loadEvents(db, row.id_anpr), accesses: await readAccessLog(db, row.id_anpr) };
      },
    );
    scope.get(
      '/backoffice/v1/stradario/:istatCode',
      { schema: { tags, security, summary: "A comune's street list", params: Type.Object({ istatCode: Type.String({ pattern: '^[0-9]{6}$' }) }), response: ok } },
      async (request) => {
        const list = stradarioOf(request.params.istatCode);
        if (!list) throw notFound('No such comune.');
        return { streets: list };
      },
    );

    scope.post(
      '/backoffice/v1/births',
      {
        schema: {
          tags, security, summary: 'Register a birth',
          body: Type.Object({ givenName: Type.String({ minLength: 1 }), familyName: Type.Optional(Type.String({ minLength: 1 })), sex: Type.Union([Type.Literal('M'), Type.Literal('F')]), birthDate: Date_, birthplaceCode: Type.Optional(Type.String({ pattern: '^[A-Z][0-9]{3}$' })), motherId: Type.Optional(IdAnpr), fatherId: Type.Optional(IdAnpr) }, { additionalProperties: false }),
          response: ok,
        },
      },
      async (request, reply) => reply.status(201).send(await wrap(() => service.registerBirth(db, officer(request), request.body, opts(request)))),
    );
    scope.post(
      '/backoffice/v1/deaths',
      { schema: { tags, security, summary: 'Register a death', body: Type.Object({ idAnpr: IdAnpr, date: Date_ }, { additionalProperties: false }), response: ok } },
      async (request) => wrap(() => service.registerDeath(db, officer(request), request.body, opts(request))),
    );
    scope.post(
      '/backoffice/v1/civil-status',
      { schema: { tags, security, summary: 'Record a change of civil status', body: Type.Object({ idAnpr: IdAnpr, civilStatus: Type.String({ pattern: '^[0-9]$' }), date: Date_, spouseId: Type.Optional(IdAnpr) }, { additionalProperties: false }), response: ok } },
      async (request) => wrap(() => service.changeCivilStatus(db, officer(request), { ...request.body, civilStatus: request.body.civilStatus as CivilStatusCode }, opts(request))),
    );
    scope.post(
      '/backoffice/v1/residence-declarations',
      { schema: { tags, security, summary: 'Record a declaration of change of residence', body: Type.Object({ declarantId: IdAnpr, date: Date_, address: AddressSchema, movers: Type.Optional(Type.Array(IdAnpr)) }, { additionalProperties: false }), response: ok } },
      async (request, reply) => reply.status(201).send(await wrap(() => service.declareResidenceChange(db, officer(request), request.body, opts(request)))),
    );
    scope.get(
      '/backoffice/v1/residence-declarations',
      { schema: { tags, security, summary: "The comune's declarations with their effective state", response: ok } },
      async (request) => ({ declarations: await service.listResidenceDeclarations(db, officer(request).istatCode, today()) }),
    );
    scope.post(
      '/backoffice/v1/residence-declarations/:id/decision',
      {
        schema: {
          tags, security, summary: 'Confirm or reject a declaration (rejection within 45 days, with a reason)',
          params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
          body: Type.Object({ decision: Type.Union([Type.Literal('confirmed'), Type.Literal('rejected')]), date: Type.Optional(Date_), reason: Type.Optional(Type.String({ minLength: 1 })) }, { additionalProperties: false }),
          response: ok,
        },
      },
      async (request) => wrap(() => service.decideResidenceDeclaration(db, officer(request), { declarationId: request.params.id, decision: request.body.decision, date: request.body.date ?? today(), reason: request.body.reason }, opts(request))),
    );
    scope.post(
      '/backoffice/v1/rectifications',
      {
        schema: {
          tags, security, summary: 'Open a rectification request',
          body: Type.Object({ idAnpr: IdAnpr, motivation: Type.String({ minLength: 1 }), fields: Type.Object({ givenName: Type.Optional(Type.String({ minLength: 1 })), familyName: Type.Optional(Type.String({ minLength: 1 })), sex: Type.Optional(Type.Union([Type.Literal('M'), Type.Literal('F')])), birthDate: Type.Optional(Date_), birthplaceCode: Type.Optional(Type.String({ pattern: '^[A-Z][0-9]{3}$' })) }, { additionalProperties: false }) }, { additionalProperties: false }),
          response: ok,
        },
      },
      async (request, reply) => {
        const row = await personRow(db, request.body.idAnpr);
        if (!row || !mayWriteRecord(officer(request), row)) throw notFound('No such record in your comune.');
        return reply.status(201).send(await wrap(() => service.requestRectification(db, { ...request.body, requestedBy: officer(request).id, date: today() })));
      },
    );
    scope.get(
      '/backoffice/v1/rectifications',
      { schema: { tags, security, summary: "The comune's rectification requests", response: ok } },
      async (request) => ({ requests: await service.listRectifications(db, { istatCode: officer(request).istatCode }) }),
    );
    scope.post(
      '/backoffice/v1/rectifications/:id/decision',
      {
        schema: {
          tags, security, summary: 'Accept or reject a rectification',
          params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
          body: Type.Object({ accept: Type.Boolean(), reason: Type.Optional(Type.String({ minLength: 1 })) }, { additionalProperties: false }),
          response: ok,
        },
      },
      async (request) => wrap(() => service.decideRectification(db, officer(request), { requestId: request.params.id, accept: request.body.accept, reason: request.body.reason, date: today() }, opts(request))),
    );
  });
}
