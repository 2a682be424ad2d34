// Pure parts: the fold as of a date (and as known at an instant), rules, the 45-day silence, ids,
// stradario, generator determinism.
import { describe, expect, it } from 'vitest';
import { demoPeople } from '../../src/domain/demo-people.ts';
import { BUGLIANO } from '../../src/domain/municipalities.ts';
import { generatePopulation } from '../../src/platforms/anpr/generator.ts';
import { familyIdOf, idAnprOf, isIdAnpr } from '../../src/platforms/anpr/id.ts';
import { membershipHistory, personAsOf, type Address, type AnprEvent, type AnprEventData } from '../../src/platforms/anpr/model.ts';
import { canStillReject, checkAddress, checkEvent, declarationStateAt } from '../../src/platforms/anpr/rules.ts';
import { stradarioOf } from '../../src/platforms/anpr/stradario.ts';

const street = stradarioOf(BUGLIANO.istatCode)![1]!; // Via Roma
const home: Address = { istatCode: BUGLIANO.istatCode, comune: 'Bugliano', province: 'PI', postcode: '56000', streetCode: street.code, species: street.species, streetName: street.name, houseNumber: '10' };
const pisa = stradarioOf('050026')![0]!;
const pisaHome: Address = { istatCode: '050026', comune: 'Pisa', province: 'PI', postcode: pisa.postcode!, streetCode: pisa.code, species: pisa.species, streetName: pisa.name, houseNumber: '3' };
const marco = demoPeople[0]!;

let seq = 0;
const ev = (e: AnprEventData & { effectiveDate: string; recordedAt?: string }): AnprEvent =>
  ({ seq: ++seq, idAnpr: idAnprOf(1), recordedBy: '050999', recordedAt: '2020-01-01T00:00:00.000Z', ...e }) as AnprEvent;

const registered = ev({
  type: 'registered',
  effectiveDate: '2000-01-01',
  reason: 'transfer',
  generalita: { fiscalCode: marco.fiscalCode, givenName: 'Marco', familyName: 'Bianchi', sex: 'M', birthDate: marco.birthDate, birthPlace: { kind: 'comune', istatCode: '050026', belfioreCode: 'G702', name: 'Pisa', province: 'PI' } },
  citizenships: ['IT'],
  civilStatus: '1',
  residence: home,
  family: { familyId: familyIdOf(1), relationship: '1' },
});

describe('personAsOf (event-sourced, bitemporal)', () => {
  const moved = ev({ type: 'residence-changed', effectiveDate: '2010-05-01', address: pisaHome, family: { familyId: familyIdOf(2), relationship: '1' }, declarationId: 'd1' });
  const married = ev({ type: 'civil-status-changed', effectiveDate: '2008-06-14', civilStatus: '2' });
  const events = [registered, moved, married];

  it('reads the record as it was on any date', () => {
    expect(personAsOf(events, '1999-12-31')).toBeUndefined();
    expect(personAsOf(events, '2005-01-01')!.residence!.comune).toBe('Bugliano');
    expect(personAsOf(events, '2009-01-01')!.civilStatus).toEqual({ code: '2', since: '2008-06-14' });
    expect(personAsOf(events, '2010-05-01')!.residence).toMatchObject({ comune: 'Pisa', since: '2010-05-01' });
  });

  it('drops an annulled residence change ex tunc, unless read as known before the annulment', () => {
    const annulled = ev({ type: 'residence-change-annulled', effectiveDate: '2010-06-01', declarationId: 'd1', reason: 'not living there', recordedAt: '2020-02-01T00:00:00.000Z' });
    const all = [...events, annulled];
    expect(personAsOf(all, '2011-01-01')!.residence!.comune).toBe('Bugliano');
    expect(personAsOf(all, '2011-01-01', { knownAt: '2020-01-15T00:00:00.000Z' })!.residence!.comune).toBe('Pisa');
    expect(membershipHistory(all)).toEqual([{ familyId: familyIdOf(1), relationship: '1', from: '2000-01-01', to: null }]);
  });

  it('applies rectifications ab origine', () => {
    const fixed = ev({ type: 'rectified', effectiveDate: '2021-03-01', fields: { givenName: 'Marco Maria' } });
    expect(personAsOf([...events, fixed], '2001-01-01')!.givenName).toBe('Marco Maria');
  });

  it('ends family membership at death', () => {
    const died = ev({ type: 'died', effectiveDate: '2012-01-01' });
    expect(membershipHistory([...events, died]).map((m) => [m.familyId, m.from, m.to])).toEqual([
      [familyIdOf(1), '2000-01-01', '2010-05-01'],
      [familyIdOf(2), '2010-05-01', '2012-01-01'],
    ]);
    expect(personAsOf([...events, died], '2013-01-01')!.status).toBe('deceased');
  });
});

describe('rules', () => {
  const state = personAsOf([registered], '2020-01-01')!;
  it('refuses a death before the birth', () => {
    expect(checkEvent(state, { type: 'died', effectiveDate: '1970-01-01' }, '2026-01-01').map((v) => v.rule)).toEqual(['death-before-birth']);
    const born = personAsOf([{ ...registered, effectiveDate: marco.birthDate } as AnprEvent], '2020-01-01')!;
    expect(checkEvent({ ...born, registeredOn: '1900-01-01' }, { type: 'died', effectiveDate: '1978-03-13' }, '2026-01-01').map((v) => v.rule)).toEqual(['death-before-birth']);
    expect(checkEvent(state, { type: 'died', effectiveDate: '2027-01-01' }, '2026-01-01').map((v) => v.rule)).toEqual(['future-date']);
  });
  it('needs the address in the stradario of the destination comune', () => {
    expect(checkAddress(home)).toEqual([]);
    expect(checkAddress({ ...home, streetCode: '050999-9999' }).map((v) => v.rule)).toEqual(['street-not-in-stradario']);
    expect(checkAddress({ ...home, streetCode: pisa.code }).map((v) => v.rule)).toEqual(['street-not-in-stradario']);
    expect(checkAddress({ ...home, houseNumber: '999' }).map((v) => v.rule)).toEqual(['house-number-not-on-street']);
    expect(checkAddress({ ...home, postcode: '56100' }).map((v) => v.rule)).toEqual(['postcode-mismatch']);
  });
  it('checks civil status transitions and ages', () => {
    expect(checkEvent(state, { type: 'civil-status-changed', effectiveDate: '2010-01-01', civilStatus: '3' }, '2026-01-01').map((v) => v.rule)).toEqual(['civil-status-transition']);
    expect(checkEvent(state, { type: 'civil-status-changed', effectiveDate: '2010-01-01', civilStatus: '2' }, '2026-01-01')).toEqual([]);
  });
  it('refuses events on a deceased person but corrections', () => {
    const dead = personAsOf([registered, ev({ type: 'died', effectiveDate: '2015-01-01' })], '2020-01-01')!;
    expect(checkEvent(dead, { type: 'civil-status-changed', effectiveDate: '2016-01-01', civilStatus: '2' }, '2026-01-01').map((v) => v.rule)).toEqual(['deceased']);
    expect(checkEvent(dead, { type: 'rectified', effectiveDate: '2016-01-01', fields: { givenName: 'Marco' } }, '2026-01-01')).toEqual([]);
  });
});

describe('residence declaration state (DL 5/2012 art. 5)', () => {
  const d = { declaredOn: '2026-01-10' };
  it('is declared for 45 days, then confirmed by silence', () => {
    expect(declarationStateAt(d, '2026-01-10')).toBe('declared');
    expect(declarationStateAt(d, '2026-02-23')).toBe('declared');
    expect(declarationStateAt(d, '2026-02-24')).toBe('confirmed');
    expect(canStillReject(d, '2026-02-24')).toBe(false);
  });
  it('follows an explicit decision from its date', () => {
    const rejected = { ...d, decision: { state: 'rejected' as const, on: '2026-02-01', reason: 'x' } };
    expect(declarationStateAt(rejected, '2026-01-31')).toBe('declared');
    expect(declarationStateAt(rejected, '2026-02-01')).toBe('rejected');
    expect(declarationStateAt(rejected, '2027-01-01')).toBe('rejected');
  });
});

describe('identifiers, stradario, generator', () => {
  it('idANPR: 9 digits with a Luhn check digit', () => {
    expect(idAnprOf(0)).toMatch(/^1000000\d{2}$/);
    expect(isIdAnpr(idAnprOf(123456))).toBe(true);
    const id = idAnprOf(123456);
    expect(isIdAnpr(id.slice(0, 8) + ((Number(id[8]) + 1) % 10))).toBe(false);
  });
  it('stradario: Bugliano fictional, others generated with distinct streets', () => {
    expect(stradarioOf(BUGLIANO.istatCode)!.length).toBe(40);
    for (const istat of ['050026', '058091', '050003', '001272']) {
      const list = stradarioOf(istat)!;
      expect(new Set(list.map((s) => `${s.species} ${s.name}`)).size).toBe(list.length);
    }
    expect(stradarioOf('999999')).toBeUndefined();
  });
  it('is deterministic for a seed', () => {
    const run = (seed: number) => [...generatePopulation({ people: 300, seed })].flatMap((f) => f.members.map((m) => m.fiscalCode)).join();
    expect(run(5)).toBe(run(5));
    expect(run(5)).not.toBe(run(6));
  });
  it('gives a namesake the first omocodia variant', () => {
    const taken = new Set(['GLLDVD71D19D969O']);
    const fams = [...generatePopulation({ people: 12, seed: 1, includeDemo: true, takenFiscalCodes: new Set() })];
    expect(fams.flatMap((f) => f.members.map((m) => m.fiscalCode))).toContain('GLLDVD71D19D96VD');
    expect(taken.size).toBe(1);
  });
});
