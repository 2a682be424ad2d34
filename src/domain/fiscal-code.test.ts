import { describe, expect, it } from 'vitest';
import {
  MAX_OMOCODIA_LEVEL,
  computeFiscalCode,
  decodeFiscalCode,
  fiscalCodeCheckCharacter,
  fiscalCodeMatches,
  givenNameCode,
  isTemporaryFiscalCode,
  normalizeFiscalCode,
  omocodiaLevel,
  omocodiaVariants,
  removeOmocodia,
  surnameCode,
  validateFiscalCode,
  type FiscalCodeInput,
} from './fiscal-code.ts';

const withCheck = (first15: string): string => first15 + fiscalCodeCheckCharacter(first15);

const MARIO_ROSSI: FiscalCodeInput = {
  givenName: 'Mario',
  familyName: 'Rossi',
  sex: 'M',
  birthDate: '1985-12-10',
  birthplaceCode: 'A562', // San Giuliano Terme (PI)
};

describe('published examples', () => {
  it('RSSMRA85T10A562S: Mario Rossi, born 10/12/1985 in San Giuliano Terme', () => {
    expect(computeFiscalCode(MARIO_ROSSI)).toEqual({ ok: true, value: 'RSSMRA85T10A562S' });
  });

  it('MRTMTT25D09F205Z: Matteo Moretti, born 9/4/1925 in Milano (Italian Wikipedia example)', () => {
    const input = { givenName: 'Matteo', familyName: 'Moretti', sex: 'M', birthDate: '1925-04-09', birthplaceCode: 'F205' } as const;
    expect(computeFiscalCode(input)).toEqual({ ok: true, value: 'MRTMTT25D09F205Z' });
  });
});

describe('surname and given-name codes (DM 23/12/1976)', () => {
  it.each([
    ['Rossi', 'RSS'],
    ['Bianchi', 'BNC'],
    ['De Luca', 'DLC'],
    ["D'Angelo", 'DNG'],
    ['Esposito', 'SPS'],
    ['Rea', 'REA'],
    ['Fo', 'FOX'],
    ['Li', 'LIX'],
    ['Oe', 'OEX'],
    ['Nicolò', 'NCL'],
    ['Müller', 'MLL'],
  ])('surname %s -> %s', (name, code) => {
    expect(surnameCode(name)).toBe(code);
  });

  it.each([
    ['Mario', 'MRA'], // 2 consonants: consonants then vowels
    ['Luca', 'LCU'],
    ['Ugo', 'GUO'],
    ['Io', 'IOX'], // padded with X
    ['Ida', 'DIA'],
    ['Al', 'LAX'],
    ['Marco', 'MRC'], // exactly 3 consonants
    ['Gianfranco', 'GFR'], // >= 4 consonants: 1st, 3rd, 4th
    ['Francesca', 'FNC'],
    ['Alberto', 'LRT'],
    ['Maria Grazia', 'MGR'],
    ['Niccolò', 'NCL'],
  ])('given name %s -> %s', (name, code) => {
    expect(givenNameCode(name)).toBe(code);
  });
});

describe('computeFiscalCode', () => {
  it('codes the month with ABCDEHLMPRST and adds 40 to the day for women', () => {
    const giulia = computeFiscalCode({ givenName: 'Giulia', familyName: 'Romano', sex: 'F', birthDate: '1992-07-23', birthplaceCode: 'H501' });
    expect(giulia).toEqual({ ok: true, value: 'RMNGLI92L63H501O' });
    const months = Array.from({ length: 12 }, (_, i) => {
      const r = computeFiscalCode({ ...MARIO_ROSSI, birthDate: `1985-${String(i + 1).padStart(2, '0')}-01` });
      return r.ok ? r.value.charAt(8) : '?';
    });
    expect(months.join('')).toBe('ABCDEHLMPRST');
    const firstOfMonth = computeFiscalCode({ ...MARIO_ROSSI, sex: 'F', birthDate: '2001-01-01' });
    expect(firstOfMonth.ok && firstOfMonth.value.slice(6, 11)).toBe('01A41');
  });

  it('uses Z-codes for people born abroad', () => {
    const r = computeFiscalCode({ givenName: 'Martina', familyName: 'Greco', sex: 'F', birthDate: '1983-06-05', birthplaceCode: 'z600' });
    expect(r).toEqual({ ok: true, value: 'GRCMTN83H45Z600R' });
  });

  it('produces the omocodia variant of the requested level', () => {
    const variants = omocodiaVariants('RSSMRA85T10A562S');
    for (let level = 1; level <= MAX_OMOCODIA_LEVEL; level++) {
      expect(computeFiscalCode({ ...MARIO_ROSSI, omocodiaLevel: level })).toEqual({ ok: true, value: variants[level - 1] });
    }
  });

  it.each([
    [{ familyName: "'' " }, 'invalid-family-name'],
    [{ givenName: '123' }, 'invalid-given-name'],
    [{ sex: 'X' }, 'invalid-sex'],
    [{ birthDate: '1985-02-29' }, 'invalid-birth-date'],
    [{ birthDate: '10/12/1985' }, 'invalid-birth-date'],
    [{ birthplaceCode: 'A56' }, 'invalid-birthplace-code'],
    [{ birthplaceCode: 'A56M' }, 'invalid-birthplace-code'],
    [{ omocodiaLevel: 8 }, 'invalid-omocodia-level'],
    [{ omocodiaLevel: 1.5 }, 'invalid-omocodia-level'],
  ])('rejects %j with %s', (override, reason) => {
    const r = computeFiscalCode({ ...MARIO_ROSSI, ...(override as Partial<FiscalCodeInput>) });
    expect(r).toMatchObject({ ok: false, reason });
  });
});

describe('omocodia', () => {
  it('substitutes digits right to left with LMNPQRSTUV and recomputes the check character', () => {
    expect(omocodiaVariants('RSSMRA85T10A562S')).toEqual([
      'RSSMRA85T10A56NH',
      'RSSMRA85T10A5SNT',
      'RSSMRA85T10ARSNO',
      'RSSMRA85T1LARSNR',
      'RSSMRA85TMLARSNC',
      'RSSMRA8RTMLARSNO',
      'RSSMRAURTMLARSNL',
    ]);
  });

  it('gives the same variants from any variant and round-trips to the original', () => {
    const variants = omocodiaVariants('RSSMRA85T10A562S');
    for (const v of variants) {
      expect(omocodiaVariants(v)).toEqual(variants);
      expect(removeOmocodia(v)).toBe('RSSMRA85T10A562S');
    }
    expect(variants.map(omocodiaLevel)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(omocodiaLevel('RSSMRA85T10A562S')).toBe(0);
  });

  it('rejects malformed codes', () => {
    expect(() => omocodiaVariants('RSSMRA85T10A562')).toThrow(RangeError);
    expect(() => removeOmocodia('not a code')).toThrow(RangeError);
  });
});

describe('validateFiscalCode', () => {
  it('accepts valid codes, normalising case and spaces', () => {
    expect(validateFiscalCode(' rssmra85t10a562s ')).toEqual({
      ok: true,
      value: { fiscalCode: 'RSSMRA85T10A562S', kind: 'personal', omocodia: false },
    });
    expect(validateFiscalCode('RSS MRA 85T10 A562S').ok).toBe(true);
    expect(normalizeFiscalCode('rss mra\t85t10a562s')).toBe('RSSMRA85T10A562S');
  });

  it('accepts omocodia substitutions, also not right-to-left ones', () => {
    expect(validateFiscalCode('RSSMRA85T10A56NH')).toMatchObject({ ok: true, value: { omocodia: true } });
    expect(validateFiscalCode('RSSMRAURTMLARSNL')).toMatchObject({ ok: true, value: { omocodia: true } });
    expect(validateFiscalCode('RSSMRAU5T10A562P').ok).toBe(true); // only the first year digit substituted
  });

  it.each([
    ['', 'invalid-length'],
    ['RSSMRA85T10A562', 'invalid-length'],
    ['RSSMRA85T10A562SX', 'invalid-length'],
    ['RSSMR185T10A562S', 'invalid-pattern'], // digit in the name part
    ['RSSMRA85Z10A562S', 'invalid-pattern'], // Z is not a month letter
    ['RSSMRA85T10A5W2S', 'invalid-pattern'], // W is not an omocodia letter
    ['RSSMRA85T10A562-', 'invalid-pattern'],
    ['RSSMRA85T10A562T', 'invalid-check-character'],
    ['RSSMRA85T10A526S', 'invalid-check-character'], // transposed digits
  ])('%j fails with %s', (cf, reason) => {
    expect(validateFiscalCode(cf)).toMatchObject({ ok: false, reason, message: expect.any(String) });
  });

  it.each([
    ['RSSMRA85T32A562', 'day 32'],
    ['RSSMRA85T00A562', 'day 00'],
    ['RSSMRA85T40A562', 'day 40'],
    ['RSSMRA85T72A562', 'day 72 (female 32)'],
    ['RSSMRA85B30A562', '30 February'],
    ['RSSMRA85D31A562', '31 April'],
    ['RSSMRA85B29A562', '29 February of a year that is never leap (85)'],
  ])('rejects impossible birth dates: %s (%s)', (first15) => {
    expect(validateFiscalCode(withCheck(first15))).toMatchObject({ ok: false, reason: 'invalid-birth-date' });
  });

  it('accepts 29 February when the year can be a leap year', () => {
    expect(validateFiscalCode(withCheck('RSSMRA00B29A562')).ok).toBe(true);
    expect(validateFiscalCode(withCheck('RSSMRA84B69A562')).ok).toBe(true);
  });

  it('reports unknown birthplaces unless told not to', () => {
    const cf = withCheck('RSSMRA85T10A000');
    expect(validateFiscalCode(cf)).toMatchObject({ ok: false, reason: 'unknown-birthplace' });
    expect(validateFiscalCode(cf, { requireKnownBirthplace: false }).ok).toBe(true);
    expect(validateFiscalCode(withCheck('RSSMRA85T10Z135')).ok).toBe(true); // born in the USSR (ceased state)
    expect(validateFiscalCode(withCheck('RSSMRA85T10M999')).ok).toBe(true); // Bugliano, the demo comune
  });

  it('accepts 11-digit temporary codes only when allowed', () => {
    expect(validateFiscalCode('06363391001')).toMatchObject({ ok: false, reason: 'invalid-length' });
    expect(validateFiscalCode('06363391001', { allowTemporary: true })).toEqual({
      ok: true,
      value: { fiscalCode: '06363391001', kind: 'temporary', omocodia: false },
    });
    expect(validateFiscalCode('06363391002', { allowTemporary: true })).toMatchObject({ ok: false, reason: 'invalid-check-character' });
    expect(validateFiscalCode('0636339100A', { allowTemporary: true })).toMatchObject({ ok: false, reason: 'invalid-pattern' });
  });
});

describe('isTemporaryFiscalCode', () => {
  it('recognises 11 digits with a valid partita-IVA check digit', () => {
    expect(isTemporaryFiscalCode('06363391001')).toBe(true);
    expect(isTemporaryFiscalCode(' 0636339 1001 ')).toBe(true);
    expect(isTemporaryFiscalCode('06363391002')).toBe(false);
    expect(isTemporaryFiscalCode('RSSMRA85T10A562S')).toBe(false);
    expect(isTemporaryFiscalCode('0636339100')).toBe(false);
  });
});

describe('decodeFiscalCode', () => {
  const ref = { referenceDate: '2026-11-23' };

  it('decodes sex, birth date and birthplace', () => {
    const r = decodeFiscalCode('RSSMRA85T10A562S', ref);
    expect(r).toEqual({
      ok: true,
      value: {
        fiscalCode: 'RSSMRA85T10A562S',
        surnameCode: 'RSS',
        givenNameCode: 'MRA',
        sex: 'M',
        birthDate: '1985-12-10',
        birthplaceCode: 'A562',
        birthplace: expect.objectContaining({ kind: 'municipality', name: 'San Giuliano Terme', province: 'PI' }),
        omocodiaLevel: 0,
      },
    });
  });

  it('decodes women and foreign birthplaces', () => {
    const r = decodeFiscalCode('GRCMTN83H45Z600R', ref);
    expect(r).toMatchObject({ ok: true, value: { sex: 'F', birthDate: '1983-06-05', birthplace: { kind: 'foreign-state', name: 'Argentina' } } });
  });

  it('removes omocodia from date and birthplace', () => {
    for (const cf of ['RSSMRA85T10A56NH', 'RSSMRAURTMLARSNL']) {
      expect(decodeFiscalCode(cf, ref)).toMatchObject({
        ok: true,
        value: { fiscalCode: cf, birthDate: '1985-12-10', birthplaceCode: 'A562', omocodiaLevel: omocodiaLevel(cf) },
      });
    }
  });

  it('picks the most recent century that does not put the birth date in the future', () => {
    const moretti = 'MRTMTT25D09F205Z';
    expect(decodeFiscalCode(moretti, { referenceDate: '2025-04-09' })).toMatchObject({ value: { birthDate: '2025-04-09' } });
    expect(decodeFiscalCode(moretti, { referenceDate: '2025-04-08' })).toMatchObject({ value: { birthDate: '1925-04-09' } });
    expect(decodeFiscalCode(moretti, { referenceDate: '2024-12-31' })).toMatchObject({ value: { birthDate: '1925-04-09' } });
    expect(decodeFiscalCode('RCCLNZ14E18D612Y', ref)).toMatchObject({ value: { birthDate: '2014-05-18' } });
  });

  it('handles 29 February of year 00 in both centuries', () => {
    const cf = withCheck('RSSMRA00B29A562');
    expect(decodeFiscalCode(cf, { referenceDate: '2000-03-01' })).toMatchObject({ value: { birthDate: '2000-02-29' } });
    expect(decodeFiscalCode(cf, { referenceDate: '1999-12-31' })).toMatchObject({ ok: false, reason: 'invalid-birth-date' });
  });

  it('leaves unknown birthplaces undefined and rejects invalid codes', () => {
    expect(decodeFiscalCode(withCheck('RSSMRA85T10A000'), ref)).toMatchObject({ ok: true, value: { birthplace: undefined } });
    expect(decodeFiscalCode('RSSMRA85T10A562T', ref)).toMatchObject({ ok: false, reason: 'invalid-check-character' });
    expect(() => decodeFiscalCode('RSSMRA85T10A562S', { referenceDate: '23/11/2026' })).toThrow(RangeError);
  });

  it('defaults the reference date to today', () => {
    expect(decodeFiscalCode('RSSMRA85T10A562S')).toMatchObject({ ok: true, value: { birthDate: '1985-12-10' } });
  });
});

describe('fiscalCodeMatches', () => {
  it('checks personal data against a code, omocodia included', () => {
    expect(fiscalCodeMatches('RSSMRA85T10A562S', MARIO_ROSSI)).toBe(true);
    expect(fiscalCodeMatches('rssmra85t10a56nh', MARIO_ROSSI)).toBe(true);
    expect(fiscalCodeMatches('RSSMRA85T10A562S', { ...MARIO_ROSSI, birthDate: '1985-12-11' })).toBe(false);
    expect(fiscalCodeMatches('RSSMRA85T10A562T', MARIO_ROSSI)).toBe(false);
  });
});
