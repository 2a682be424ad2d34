import { describe, expect, it } from 'vitest';
import { hasValidPartitaIvaCheckDigit, normalizePartitaIva, partitaIvaCheckDigit, validatePartitaIva } from './partita-iva.ts';

const withCheckDigit = (firstTen: string): string => firstTen + partitaIvaCheckDigit(firstTen);

describe('validatePartitaIva', () => {
  it.each([
    ['06363391001', "Agenzia delle Entrate"],
    ['02121151001', 'INPS'],
    ['01114601006', 'Poste Italiane'],
    ['00950501007', "Banca d'Italia"],
  ])('accepts the published partita IVA %s (%s)', (piva) => {
    expect(validatePartitaIva(piva)).toEqual({
      ok: true,
      value: { partitaIva: piva, serial: piva.slice(0, 7), officeCode: piva.slice(7, 10), checkDigit: piva.slice(10) },
    });
  });

  it('normalizes spaces, dots, dashes and the IT VIES prefix', () => {
    expect(normalizePartitaIva(' it 063.6339-1001 ')).toBe('06363391001');
    expect(validatePartitaIva('IT06363391001')).toMatchObject({ ok: true, value: { partitaIva: '06363391001' } });
  });

  it.each([
    ['', 'invalid-length'],
    ['0636339100', 'invalid-length'],
    ['063633910011', 'invalid-length'],
    ['0636339100A', 'invalid-pattern'],
    [withCheckDigit('0000000100'), 'invalid-serial'],
    [withCheckDigit('0636339000'), 'invalid-office-code'],
    [withCheckDigit('0636339101'), 'invalid-office-code'],
    [withCheckDigit('0636339500'), 'invalid-office-code'],
    ['06363391002', 'invalid-check-digit'],
    ['06363931001', 'invalid-check-digit'], // transposed digits
  ])('%j fails with %s', (input, reason) => {
    expect(validatePartitaIva(input)).toMatchObject({ ok: false, reason, message: expect.any(String) });
  });

  it.each(['001', '050', '100', '120', '121', '888', '999'])('accepts office code %s', (office) => {
    expect(validatePartitaIva(withCheckDigit(`1234567${office}`)).ok).toBe(true);
  });
});

describe('partitaIvaCheckDigit', () => {
  it('implements the Luhn-style check digit of DM 23/12/1976', () => {
    expect(partitaIvaCheckDigit('0636339100')).toBe('1');
    expect(partitaIvaCheckDigit('0000000000')).toBe('0');
    expect(partitaIvaCheckDigit('0000000005')).toBe('9'); // 5 in an even position doubles to 10 -> 1
    expect(hasValidPartitaIvaCheckDigit('06363391001')).toBe(true);
    expect(hasValidPartitaIvaCheckDigit('0636339100')).toBe(false);
    expect(() => partitaIvaCheckDigit('063633910')).toThrow(RangeError);
  });
});
