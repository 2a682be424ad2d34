// The demo population and the big seeder, on PGlite and PostgreSQL.
import { expect, it } from 'vitest';
import { sql } from '../../src/core/db.ts';
import { migrateSchema } from '../../src/core/migrations.ts';
import { demoPeople } from '../../src/domain/demo-people.ts';
import { BUGLIANO } from '../../src/domain/municipalities.ts';
import { omocodiaLevel, validateFiscalCode } from '../../src/domain/fiscal-code.ts';
import { anprMigrations } from '../../src/platforms/anpr/migrations.ts';
import { seedDemoPopulation, seedPopulation, DEMO_PEOPLE } from '../../src/platforms/anpr/seed.ts';
import { idByFiscalCode, readFamilyAsOf, readPersonAsOf } from '../../src/platforms/anpr/store.ts';
import { withTestDatabases } from '../support/database.ts';

await withTestDatabases('anpr seeding', ({ database }) => {
  it('seeds ~2,000 people with every demo citizen, once', async () => {
    const db = database().db;
    await migrateSchema(db, 'anpr', anprMigrations);
    const started = performance.now();
    const result = await seedDemoPopulation(db);
    const ms = performance.now() - started;
    expect(result?.people).toBe(DEMO_PEOPLE);
    console.info(`[anpr] demo seed: ${result!.people} people, ${result!.families} families, ${result!.events} events in ${Math.round(ms)} ms`);
    expect(await seedDemoPopulation(db)).toBeUndefined(); // idempotent
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from anpr.persons`.execute(db);
    expect(rows[0]!.n).toBe(DEMO_PEOPLE);
    let inBugliano = 0;
    for (const d of demoPeople) {
      const id = await idByFiscalCode(db, d.fiscalCode);
      expect(id, d.fiscalCode).toBeDefined();
      const p = (await readPersonAsOf(db, id!, '2026-01-01'))!;
      expect([p.givenName, p.familyName, p.sex, p.birthDate, p.birthPlace.belfioreCode]).toEqual([d.givenName, d.familyName, d.sex, d.birthDate, d.birthplaceCode]);
      if (p.residence?.istatCode === BUGLIANO.istatCode) inBugliano++;
    }
    expect(inBugliano).toBeGreaterThanOrEqual(10);
    // Lorenzo Ricci, a minor, lives with his mother Giulia Romano.
    const lorenzo = (await readPersonAsOf(db, (await idByFiscalCode(db, 'RCCLNZ14E18D612Y'))!, '2026-01-01'))!;
    const family = await readFamilyAsOf(db, lorenzo.family!.familyId, '2026-01-01');
    expect(family.map((m) => [m.person.givenName, m.relationship])).toEqual([['Giulia', '1'], ['Lorenzo', '3']]);
    expect(lorenzo.motherId).toBe(family[0]!.person.idAnpr);
    // Chiara Colombo is a widow since 2019: in 2018 her husband was in the family, now he is not.
    const chiara = (await readPersonAsOf(db, (await idByFiscalCode(db, 'CLMCHR54P48L219V'))!, '2026-01-01'))!;
    expect(chiara.civilStatus).toEqual({ code: '3', since: '2019-11-02' });
    expect((await readFamilyAsOf(db, chiara.family!.familyId, '2018-01-01')).map((m) => m.person.givenName)).toEqual(['Piero', 'Chiara']);
    expect((await readFamilyAsOf(db, chiara.family!.familyId, '2020-01-01')).map((m) => [m.person.givenName, m.relationship])).toEqual([['Chiara', '1']]);
    // The other Davide Gallo has the original code.
    expect(await idByFiscalCode(db, 'GLLDVD71D19D969O')).toBeDefined();
  });

  it('adds a large population on top, with valid and unique fiscal codes (omocodia included)', async () => {
    const db = database().db;
    const progress: number[] = [];
    const result = await seedPopulation(db, { people: 3000, seed: 42, batchSize: 1000, onProgress: (p) => progress.push(p.people) });
    expect(result.people).toBe(3000);
    expect(progress.at(-1)).toBe(3000);
    const { rows } = await sql<{ fiscal_code: string; family_name: string; given_name: string; sex: 'M' | 'F'; birth_date: string }>`select fiscal_code, family_name, given_name, sex, birth_date from anpr.persons`.execute(db);
    expect(rows.length).toBe(DEMO_PEOPLE + 3000);
    expect(new Set(rows.map((r) => r.fiscal_code)).size).toBe(rows.length);
    for (const r of rows) expect(validateFiscalCode(r.fiscal_code, { requireKnownBirthplace: false }).ok, r.fiscal_code).toBe(true);
    expect(rows.filter((r) => omocodiaLevel(r.fiscal_code) > 0).length).toBeGreaterThan(0);
    const statuses = await sql<{ status: string; n: number }>`select status, count(*)::int as n from anpr.persons group by status`.execute(db);
    const by = Object.fromEntries(statuses.rows.map((r) => [r.status, r.n]));
    expect(by.deceased).toBeGreaterThan(0);
    expect(by.aire).toBeGreaterThan(0);
    const foreign = await sql<{ n: number }>`select count(*)::int as n from anpr.events where type = 'registered' and data->'generalita'->'birthPlace'->>'kind' = 'foreign'`.execute(db);
    expect(foreign.rows[0]!.n).toBeGreaterThan(0);
  });
});
