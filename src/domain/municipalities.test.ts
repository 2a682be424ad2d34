import { describe, expect, it } from 'vitest';
import data from './datasets/municipalities.json' with { type: 'json' };
import {
  BUGLIANO,
  MUNICIPALITY_DATA_SOURCES,
  birthplaceByBelfiore,
  ceasedMunicipalityByBelfiore,
  foreignStateByCode,
  isBelfioreCode,
  listForeignStates,
  listMunicipalities,
  municipalitiesInProvince,
  municipalityByBelfiore,
  municipalityByIstat,
  searchMunicipalities,
} from './municipalities.ts';

describe('municipalities dataset', () => {
  it('holds every current comune once, with well-formed codes', () => {
    const all = listMunicipalities().filter((m) => !m.fictional);
    expect(all.length).toBeGreaterThan(7800);
    expect(new Set(all.map((m) => m.istatCode)).size).toBe(all.length);
    expect(new Set(all.map((m) => m.belfioreCode)).size).toBe(all.length);
    for (const m of all) {
      expect(m.istatCode).toMatch(/^\d{6}$/);
      expect(m.belfioreCode).toMatch(/^[A-M]\d{3}$/);
      expect(m.province).toMatch(/^[A-Z]{2}$/);
      expect(m.region).not.toBe('');
    }
  });

  it('records the generating packages', () => {
    expect(MUNICIPALITY_DATA_SOURCES).toEqual(data.sources);
    expect(MUNICIPALITY_DATA_SOURCES.every((s) => /@\d+\.\d+\.\d+$/.test(s))).toBe(true);
  });

  it.each([
    ['H501', '058091', 'Roma', 'RM', 'Lazio'],
    ['F205', '015146', 'Milano', 'MI', 'Lombardia'],
    ['G702', '050026', 'Pisa', 'PI', 'Toscana'],
    ['F839', '063049', 'Napoli', 'NA', 'Campania'],
    ['L219', '001272', 'Torino', 'TO', 'Piemonte'],
    ['A952', '021008', 'Bolzano/Bozen', 'BZ', 'Trentino-Alto Adige'],
  ])('finds %s by Belfiore and ISTAT code', (belfiore, istat, name, province, region) => {
    const m = municipalityByBelfiore(belfiore);
    expect(m).toEqual({ kind: 'municipality', istatCode: istat, belfioreCode: belfiore, name, province, region });
    expect(municipalityByIstat(istat)).toBe(m);
  });

  it('normalizes lookups', () => {
    expect(municipalityByBelfiore(' h501 ')?.name).toBe('Roma');
    expect(municipalityByIstat('58091')?.name).toBe('Roma');
    expect(municipalityByIstat('058091 ')?.name).toBe('Roma');
    expect(municipalityByIstat('ROMA')).toBeUndefined();
    expect(municipalityByIstat('1234567')).toBeUndefined();
    expect(municipalityByBelfiore('Z404')).toBeUndefined();
  });

  it('includes comuni created after 2020 (e.g. Misiliscemi, TP)', () => {
    expect(searchMunicipalities('Misiliscemi', 1)[0]).toMatchObject({ province: 'TP', region: 'Sicilia' });
  });

  it('keeps non-Latin-1 letters of bilingual names', () => {
    expect(municipalityByIstat('031022')?.name).toBe("Savogna d'Isonzo-Sovodnje ob Soči");
    expect(municipalityByIstat('032001')?.name).toBe('Duino Aurisina-Devin Nabrežina');
  });

  it('lists the comuni of a province', () => {
    const pisa = municipalitiesInProvince('pi');
    expect(pisa.map((m) => m.name)).toContain('Pisa');
    expect(pisa).toContain(BUGLIANO);
    expect(pisa.every((m) => m.region === 'Toscana')).toBe(true);
  });
});

describe('Bugliano, the fictional demo comune', () => {
  it('is flagged fictional and looked up like any comune', () => {
    expect(BUGLIANO).toMatchObject({ name: 'Bugliano', province: 'PI', region: 'Toscana', fictional: true });
    expect(municipalityByBelfiore(BUGLIANO.belfioreCode)).toBe(BUGLIANO);
    expect(municipalityByIstat('050999')).toBe(BUGLIANO);
    expect(searchMunicipalities('buglia')).toEqual([BUGLIANO]);
  });

  it('uses codes that no real comune, ceased comune or foreign state has', () => {
    const belfiore = [
      ...data.municipalities.map((r) => r[1]),
      ...data.ceasedMunicipalities.map((r) => r[0]),
      ...data.foreignStates.map((r) => r[0]),
    ];
    expect(belfiore).not.toContain(BUGLIANO.belfioreCode);
    expect(data.municipalities.map((r) => r[0])).not.toContain(BUGLIANO.istatCode);
    expect(isBelfioreCode(BUGLIANO.belfioreCode)).toBe(true);
    expect(BUGLIANO.istatCode.slice(0, 3)).toBe(municipalityByBelfiore('G702')?.istatCode.slice(0, 3)); // Pisa's province code
  });
});

describe('foreign states', () => {
  it.each([
    ['Z404', "Stati Uniti d'America", 'US'],
    ['Z110', 'Francia', 'FR'],
    ['Z112', 'Germania', 'DE'],
    ['Z114', 'Regno Unito', 'GB'],
    ['Z133', 'Svizzera', 'CH'],
    ['Z600', 'Argentina', 'AR'],
    ['Z106', 'Stato della Città del Vaticano', 'VA'],
  ])('%s is %s', (code, name, iso) => {
    expect(foreignStateByCode(code)).toEqual({ kind: 'foreign-state', belfioreCode: code, name, iso3166Alpha2: iso, ceasedOn: null });
  });

  it('keeps ceased states for old fiscal codes', () => {
    expect(foreignStateByCode('z135')).toMatchObject({ name: 'Unione Sovietica', ceasedOn: expect.stringMatching(/^1992-/) });
    expect(foreignStateByCode('Z105')?.name).toBe('Cecoslovacchia');
  });

  it('has only Z-codes', () => {
    expect(listForeignStates().every((s) => /^Z\d{3}$/.test(s.belfioreCode))).toBe(true);
    expect(foreignStateByCode('H501')).toBeUndefined();
  });
});

describe('birthplaces', () => {
  it('resolves current comuni, ceased comuni and foreign states', () => {
    expect(birthplaceByBelfiore('G702')?.kind).toBe('municipality');
    expect(birthplaceByBelfiore('Z404')?.kind).toBe('foreign-state');
    const ceased = data.ceasedMunicipalities[0];
    expect(ceased).toBeDefined();
    const code = String(ceased?.[0]);
    expect(birthplaceByBelfiore(code)).toEqual(ceasedMunicipalityByBelfiore(code));
    expect(birthplaceByBelfiore(code)?.kind).toBe('ceased-municipality');
    expect(birthplaceByBelfiore('A000')).toBeUndefined();
  });
});

describe('searchMunicipalities', () => {
  it('puts exact matches first, then alphabetical prefix matches', () => {
    expect(searchMunicipalities('Roma', 3).map((m) => m.name)).toEqual(['Roma', 'Romagnano al Monte', 'Romagnano Sesia']);
    expect(searchMunicipalities('pisa').map((m) => m.name)).toEqual(['Pisa', 'Pisano']);
  });

  it('ignores case, accents, spaces and apostrophes', () => {
    expect(searchMunicipalities('forli', 1)[0]?.name).toBe('Forlì');
    expect(searchMunicipalities('SANTANGELO', 50).some((m) => m.name === "Sant'Angelo a Cupolo")).toBe(true);
    expect(searchMunicipalities("reggio nell'e", 5).map((m) => m.name)).toEqual(["Reggio nell'Emilia"]);
  });

  it('matches either name of bilingual comuni', () => {
    expect(searchMunicipalities('Bozen')[0]?.belfioreCode).toBe('A952');
    expect(searchMunicipalities('Bolzano', 1)[0]?.name).toBe('Bolzano/Bozen');
  });

  it('honours the limit and returns nothing for blank queries', () => {
    expect(searchMunicipalities('San', 7)).toHaveLength(7);
    expect(searchMunicipalities('San', 0)).toEqual([]);
    expect(searchMunicipalities('  ')).toEqual([]);
    expect(searchMunicipalities('zzzz')).toEqual([]);
  });
});
