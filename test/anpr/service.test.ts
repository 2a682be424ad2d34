// Registry-office operations on PGlite and PostgreSQL, against the demo population.
import { expect, it } from 'vitest';
import { listAudit } from '../../src/core/audit.ts';
import { migrateSchema } from '../../src/core/migrations.ts';
import { BUGLIANO } from '../../src/domain/municipalities.ts';
import { validateFiscalCode } from '../../src/domain/fiscal-code.ts';
import { anprMigrations } from '../../src/platforms/anpr/migrations.ts';
import type { Address } from '../../src/platforms/anpr/model.ts';
import { seedDemoPopulation } from '../../src/platforms/anpr/seed.ts';
import * as svc from '../../src/platforms/anpr/service.ts';
import { stradarioOf } from '../../src/platforms/anpr/stradario.ts';
import { idByFiscalCode, readFamilyAsOf, readPersonAsOf } from '../../src/platforms/anpr/store.ts';
import { withTestDatabases } from '../support/database.ts';

const bugliano: svc.Officer = { id: 'officer-bugliano', istatCode: BUGLIANO.istatCode };
const vicopisano: svc.Officer = { id: 'officer-vicopisano', istatCode: '050038' };
const TODAY = '2026-03-01';
const opts = { today: TODAY };

function addressIn(istat: string, i: number, n = '5'): Address {
  const s = stradarioOf(istat)![i]!;
  const comune = istat === BUGLIANO.istatCode ? 'Bugliano' : 'Vicopisano';
  return { istatCode: istat, comune, province: 'PI', postcode: s.postcode!, streetCode: s.code, species: s.species, streetName: s.name, houseNumber: n };
}

async function refused(p: Promise<unknown>): Promise<svc.AnprError> {
  const err = await p.then(() => undefined, (e) => e);
  expect(err).toBeInstanceOf(svc.AnprError);
  return err as svc.AnprError;
}

await withTestDatabases('anpr registry office', ({ database }) => {
  const db = () => database().db;
  const id = async (cf: string) => (await idByFiscalCode(db(), cf))!;

  it('prepares the demo registry', async () => {
    await migrateSchema(db(), 'anpr', anprMigrations);
    await seedDemoPopulation(db());
  });

  it('registers a birth into the family, with a computed fiscal code', async () => {
    const marco = await id('BNCMRC78C14G702E');
    const m = (await readPersonAsOf(db(), marco, TODAY))!;
    const baby = await svc.registerBirth(db(), bugliano, { givenName: 'Pietro', sex: 'M', birthDate: '2026-02-10', birthplaceCode: 'G702', fatherId: marco, motherId: m.spouseId }, opts);
    expect(validateFiscalCode(baby.fiscalCode).ok).toBe(true);
    expect(baby.fiscalCode.slice(0, 6)).toBe('BNCPTR');
    expect(baby.family).toMatchObject({ familyId: m.family!.familyId, relationship: '3' });
    const family = await readFamilyAsOf(db(), m.family!.familyId, TODAY);
    expect(family.map((x) => x.person.givenName)).toContain('Pietro');
    expect((await readFamilyAsOf(db(), m.family!.familyId, '2026-02-09')).map((x) => x.person.givenName)).not.toContain('Pietro');
    const audit = await listAudit(db(), 'anpr', { targetId: baby.idAnpr });
    expect(audit[0]).toMatchObject({ action: 'person.birth', actorId: 'officer-bugliano', tenantId: BUGLIANO.istatCode });
  });

  it('scopes officers to their comune', async () => {
    const marco = await id('BNCMRC78C14G702E');
    expect((await refused(svc.changeCivilStatus(db(), vicopisano, { idAnpr: marco, civilStatus: '4', date: '2025-01-01' }, opts))).code).toBe('forbidden');
    expect((await refused(svc.registerDeath(db(), vicopisano, { idAnpr: marco, date: '2025-01-01' }, opts))).code).toBe('forbidden');
    const giuseppe = await id('DNGGPP60M15L736W'); // resident in Vicopisano
    expect((await refused(svc.registerDeath(db(), bugliano, { idAnpr: giuseppe, date: '2025-01-01' }, opts))).code).toBe('forbidden');
    // A declaration is made to the comune of the new residence.
    expect((await refused(svc.declareResidenceChange(db(), vicopisano, { declarantId: marco, date: '2026-02-01', address: addressIn(BUGLIANO.istatCode, 3) }, opts))).code).toBe('forbidden');
  });

  it('records a death: refused before the birth; the spouse becomes widowed and head', async () => {
    const salvatore = await id('LMBSVT49B27G273V');
    const before = (await readPersonAsOf(db(), salvatore, TODAY))!;
    const err = await refused(svc.registerDeath(db(), bugliano, { idAnpr: salvatore, date: '1940-01-01' }, opts));
    expect(err.violations.map((v) => v.rule)).toEqual(['death-before-birth']);
    expect((await refused(svc.registerDeath(db(), bugliano, { idAnpr: salvatore, date: '2027-01-01' }, opts))).violations[0]!.rule).toBe('future-date');
    await svc.registerDeath(db(), bugliano, { idAnpr: salvatore, date: '2026-01-20' }, opts);
    const rosa = (await readPersonAsOf(db(), before.spouseId!, TODAY))!;
    expect(rosa.civilStatus).toEqual({ code: '3', since: '2026-01-20' });
    expect(rosa.family!.relationship).toBe('1');
    expect((await readPersonAsOf(db(), salvatore, '2026-01-19'))!.status).toBe('resident');
    expect((await readPersonAsOf(db(), salvatore, TODAY))!.status).toBe('deceased');
    expect((await refused(svc.changeCivilStatus(db(), bugliano, { idAnpr: salvatore, civilStatus: '2', date: '2026-02-01' }, opts))).violations[0]!.rule).toBe('deceased');
  });

  it('changes civil status by the rules', async () => {
    const elena = await id('MRTLNE99T71A944N');
    expect((await refused(svc.changeCivilStatus(db(), bugliano, { idAnpr: elena, civilStatus: '4', date: '2025-06-01' }, opts))).violations[0]!.rule).toBe('civil-status-transition');
    const after = await svc.changeCivilStatus(db(), bugliano, { idAnpr: elena, civilStatus: '2', date: '2025-06-01' }, opts);
    expect(after.civilStatus).toEqual({ code: '2', since: '2025-06-01' });
    expect((await readPersonAsOf(db(), elena, '2025-05-31'))!.civilStatus.code).toBe('1');
  });

  it('declares a change of residence: movers only from the family; a part of the family forms a new one', async () => {
    const giulia = await id('RMNGLI92L63H501O');
    const lorenzo = await id('RCCLNZ14E18D612Y');
    const anna = await id('MRNNNA01R44A662H');
    const target = addressIn(BUGLIANO.istatCode, 25, '2');
    const err = await refused(svc.declareResidenceChange(db(), bugliano, { declarantId: giulia, date: '2026-02-01', address: target, movers: [lorenzo, anna] }, opts));
    expect(err.violations.map((v) => v.rule)).toEqual(['mover-not-in-family']);
    expect(err.message).toContain(anna);
    const bad = await refused(svc.declareResidenceChange(db(), bugliano, { declarantId: giulia, date: '2026-02-01', address: { ...target, streetCode: '050999-0999' }, movers: [lorenzo] }, opts));
    expect(bad.violations[0]!.rule).toBe('street-not-in-stradario');
    const decl = await svc.declareResidenceChange(db(), bugliano, { declarantId: giulia, date: '2026-02-01', address: target, movers: [lorenzo] }, opts);
    expect(decl.state).toBe('declared');
    const g = (await readPersonAsOf(db(), giulia, '2026-02-01'))!;
    expect(g.residence).toMatchObject({ streetCode: target.streetCode, since: '2026-02-01' });
    expect(g.family!.familyId).toBe(decl.familyId); // the whole family moved: same family id
    expect((await readPersonAsOf(db(), lorenzo, '2026-02-01'))!.residence!.streetCode).toBe(target.streetCode);
    expect((await readPersonAsOf(db(), giulia, '2026-01-31'))!.residence!.streetCode).not.toBe(target.streetCode);

    // Anna moves out alone: a new family, headed by her.
    const own = await svc.declareResidenceChange(db(), bugliano, { declarantId: anna, date: '2026-02-10', address: addressIn(BUGLIANO.istatCode, 30, '9') }, opts);
    const a = (await readPersonAsOf(db(), anna, TODAY))!;
    expect(a.family).toMatchObject({ familyId: own.familyId, relationship: '1' });
    expect(own.familyId).not.toBe((await readPersonAsOf(db(), anna, '2026-02-09'))!.family!.familyId);
  });

  it('confirms by silence after 45 days; a rejection annuls the change ex tunc', async () => {
    const [decl] = await svc.listResidenceDeclarations(db(), BUGLIANO.istatCode, '2026-03-20');
    expect(decl!.declaredOn).toBe('2026-02-10');
    expect((await svc.getResidenceDeclaration(db(), decl!.id, '2026-03-27'))!.state).toBe('confirmed');
    const anna = await id('MRNNNA01R44A662H');
    const late = await refused(svc.decideResidenceDeclaration(db(), bugliano, { declarationId: decl!.id, decision: 'rejected', date: '2026-03-27', reason: 'no' }, opts));
    expect(late.violations[0]!.rule).toBe('silence-confirmed');
    expect((await refused(svc.decideResidenceDeclaration(db(), vicopisano, { declarationId: decl!.id, decision: 'rejected', date: '2026-03-01', reason: 'x' }, opts))).code).toBe('forbidden');
    const rejected = await svc.decideResidenceDeclaration(db(), bugliano, { declarationId: decl!.id, decision: 'rejected', date: '2026-03-01', reason: 'non dimora abitualmente' }, opts);
    expect(rejected.state).toBe('rejected');
    const a = (await readPersonAsOf(db(), anna, TODAY))!;
    expect(a.residence!.streetCode).toBe(stradarioOf(BUGLIANO.istatCode)![14]!.code); // back with her parents
    expect((await readPersonAsOf(db(), anna, '2026-02-15'))!.family!.relationship).toBe('3');
    expect((await refused(svc.decideResidenceDeclaration(db(), bugliano, { declarationId: decl!.id, decision: 'confirmed', date: '2026-03-02' }, opts))).code).toBe('conflict');
  });

  it('handles rectification requests: pending, accepted (fiscal code recomputed), rejected', async () => {
    const davide = await id('GLLDVD71D19D96VD');
    const req = await svc.requestRectification(db(), { idAnpr: davide, fields: { givenName: 'Davide Maria' }, motivation: 'secondo nome omesso', requestedBy: 'GLLDVD71D19D96VD', date: TODAY });
    expect(req.state).toBe('pending');
    expect((await refused(svc.decideRectification(db(), vicopisano, { requestId: req.id, accept: true, date: TODAY }, opts))).code).toBe('forbidden');
    const done = await svc.decideRectification(db(), bugliano, { requestId: req.id, accept: true, date: TODAY }, opts);
    expect(done.state).toBe('accepted');
    const d = (await readPersonAsOf(db(), davide, '2006-01-01'))!; // before the request: corrections hold ab origine
    expect(d.givenName).toBe('Davide Maria');
    // "Davide Maria" has 4 consonants: the name code becomes DDM, so the fiscal code is recomputed.
    expect(d.fiscalCode).toBe('GLLDDM71D19D969U');
    expect(await idByFiscalCode(db(), 'GLLDDM71D19D969U')).toBe(davide);
    const req2 = await svc.requestRectification(db(), { idAnpr: davide, fields: { familyName: 'Galli' }, motivation: 'x', requestedBy: 'x', date: TODAY });
    expect((await refused(svc.decideRectification(db(), bugliano, { requestId: req2.id, accept: false, date: TODAY }, opts))).violations[0]!.rule).toBe('reason-required');
    expect((await svc.decideRectification(db(), bugliano, { requestId: req2.id, accept: false, reason: 'atto di nascita conforme', date: TODAY }, opts)).state).toBe('rejected');
    expect((await svc.listRectifications(db(), { idAnpr: davide })).map((r) => r.state).sort()).toEqual(['accepted', 'rejected']);
  });
});
