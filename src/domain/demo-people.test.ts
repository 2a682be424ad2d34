import { describe, expect, it } from 'vitest';
import { demoPeople } from './demo-people.ts';
import { computeFiscalCode, decodeFiscalCode, omocodiaVariants, validateFiscalCode } from './fiscal-code.ts';
import { foreignStateByCode, municipalityByBelfiore } from './municipalities.ts';

const REFERENCE_DATE = '2026-11-23';

describe('demoPeople', () => {
  it('has 12 people with unique fiscal codes and e-mail addresses', () => {
    expect(demoPeople).toHaveLength(12);
    expect(new Set(demoPeople.map((p) => p.fiscalCode)).size).toBe(12);
    expect(new Set(demoPeople.map((p) => p.email)).size).toBe(12);
  });

  it.each(demoPeople.map((p) => [`${p.givenName} ${p.familyName}`, p] as const))('%s has the computed fiscal code', (_, person) => {
    expect(computeFiscalCode(person)).toEqual({ ok: true, value: person.fiscalCode });
    expect(validateFiscalCode(person.fiscalCode).ok).toBe(true);
    expect(decodeFiscalCode(person.fiscalCode, { referenceDate: REFERENCE_DATE })).toMatchObject({
      ok: true,
      value: { sex: person.sex, birthDate: person.birthDate, birthplaceCode: person.birthplaceCode },
    });
  });

  it('gives the omocodia person the first omocodia variant', () => {
    const omocodic = demoPeople.filter((p) => (p.omocodiaLevel ?? 0) > 0);
    expect(omocodic).toHaveLength(1);
    const [person] = omocodic;
    const original = computeFiscalCode({ ...person!, omocodiaLevel: 0 });
    expect(original.ok).toBe(true);
    expect(person!.fiscalCode).toBe(omocodiaVariants(original.ok ? original.value : '')[0]);
  });

  it('mixes sexes and ages, with one minor and one person born abroad', () => {
    const ageOn = (birthDate: string) => Number(REFERENCE_DATE.slice(0, 4)) - Number(birthDate.slice(0, 4)) - (REFERENCE_DATE.slice(5) < birthDate.slice(5) ? 1 : 0);
    expect(demoPeople.filter((p) => p.sex === 'F').length).toBeGreaterThanOrEqual(5);
    expect(demoPeople.filter((p) => p.sex === 'M').length).toBeGreaterThanOrEqual(5);
    expect(demoPeople.filter((p) => ageOn(p.birthDate) < 18)).toHaveLength(1);
    expect(demoPeople.some((p) => ageOn(p.birthDate) >= 70)).toBe(true);
    const abroad = demoPeople.filter((p) => foreignStateByCode(p.birthplaceCode));
    expect(abroad).toHaveLength(1);
  });

  it('were born in real comuni (or a real foreign state)', () => {
    for (const p of demoPeople) {
      const place = municipalityByBelfiore(p.birthplaceCode) ?? foreignStateByCode(p.birthplaceCode);
      expect(place, p.birthplaceCode).toBeDefined();
      expect(place && 'fictional' in place).toBe(false);
    }
  });

  it('have example.it e-mail addresses and Italian mobile numbers', () => {
    for (const p of demoPeople) {
      expect(p.email).toMatch(/^[a-z]+\.[a-z]+@example\.it$/);
      expect(p.phone).toMatch(/^\+393\d{9}$/);
    }
  });
});
