import { describe, expect, it } from 'vitest';
import {
  composeIban,
  computeItalianCin,
  formatIban,
  ibanCheckDigits,
  ibanLength,
  isSepaCountry,
  normalizeIban,
  parseItalianIban,
  validateIban,
} from './iban.ts';

describe('validateIban', () => {
  // Examples published in the SWIFT IBAN Registry.
  it.each([
    ['IT60X0542811101000000123456', 'IT'],
    ['SM86U0322509800000000270100', 'SM'],
    ['DE89370400440532013000', 'DE'],
    ['FR1420041010050500013M02606', 'FR'],
    ['GB82WEST12345698765432', 'GB'],
    ['NL91ABNA0417164300', 'NL'],
    ['BE68539007547034', 'BE'],
    ['CH9300762011623852957', 'CH'],
    ['VA59001123000012345678', 'VA'],
  ])('accepts %s', (iban, countryCode) => {
    expect(validateIban(iban)).toEqual({
      ok: true,
      value: { iban, countryCode, checkDigits: iban.slice(2, 4), bban: iban.slice(4), sepa: true },
    });
  });

  it('accepts the paper format and lowercase', () => {
    expect(validateIban('it60 x054 2811 1010 0000 0123 456')).toMatchObject({ ok: true, value: { iban: 'IT60X0542811101000000123456' } });
  });

  it.each([
    ['', 'invalid-pattern'],
    ['IT60-X054-2811-1010-0000-0123-456', 'invalid-pattern'],
    ['6060X0542811101000000123456', 'invalid-pattern'],
    ['XX60X0542811101000000123456', 'unknown-country'],
    ['US60X0542811101000000123456', 'unknown-country'],
    ['IT60X054281110100000012345', 'invalid-length'],
    ['IT60X05428111010000001234567', 'invalid-length'],
    ['IT6010542811101000000123456', 'invalid-bban'], // CIN must be a letter
    ['IT60XA542811101000000123456', 'invalid-bban'], // ABI must be digits
    ['IT60X0542811101000000123457', 'invalid-checksum'],
    ['IT06X0542811101000000123456', 'invalid-checksum'],
    ['DE89370400440532013001', 'invalid-checksum'],
  ])('%j fails with %s', (input, reason) => {
    expect(validateIban(input)).toMatchObject({ ok: false, reason, message: expect.any(String) });
  });

  it('checks the Italian CIN even when the mod-97 check digits are right', () => {
    const wrongCin = composeIban('IT', 'A0542811101000000123456');
    expect(validateIban(wrongCin)).toMatchObject({ ok: false, reason: 'invalid-national-check' });
  });
});

describe('check digits and CIN', () => {
  it('computes ISO 13616 check digits', () => {
    expect(ibanCheckDigits('IT', 'X0542811101000000123456')).toBe('60');
    expect(ibanCheckDigits('de', '370400440532013000')).toBe('89');
    expect(composeIban('IT', 'x0542811101000000123456')).toBe('IT60X0542811101000000123456');
  });

  it('computes the Italian CIN with the codice fiscale odd/even tables', () => {
    expect(computeItalianCin('05428', '11101', '000000123456')).toBe('X');
    expect(computeItalianCin('03225', '09800', '000000270100')).toBe('U');
    expect(() => computeItalianCin('0542', '11101', '000000123456')).toThrow(RangeError);
  });
});

describe('formatIban', () => {
  it('groups by four characters', () => {
    expect(formatIban('IT60X0542811101000000123456')).toBe('IT60 X054 2811 1010 0000 0123 456');
    expect(formatIban(' be68 5390 0754 7034 ')).toBe('BE68 5390 0754 7034');
    expect(formatIban('NO9386011117947')).toBe('NO93 8601 1117 947');
    expect(normalizeIban('IT60 X054')).toBe('IT60X054');
  });
});

describe('parseItalianIban', () => {
  it('splits CIN, ABI, CAB and conto', () => {
    expect(parseItalianIban('IT60 X054 2811 1010 0000 0123 456')).toEqual({
      ok: true,
      value: {
        iban: 'IT60X0542811101000000123456',
        countryCode: 'IT',
        checkDigits: '60',
        bban: 'X0542811101000000123456',
        sepa: true,
        cin: 'X',
        abi: '05428',
        cab: '11101',
        conto: '000000123456',
      },
    });
  });

  it('also reads San Marino IBANs, which share the layout', () => {
    expect(parseItalianIban('SM86U0322509800000000270100')).toMatchObject({ ok: true, value: { countryCode: 'SM', abi: '03225', cab: '09800' } });
  });

  it('rejects other countries and invalid IBANs', () => {
    expect(parseItalianIban('DE89370400440532013000')).toMatchObject({ ok: false, reason: 'not-italian' });
    expect(parseItalianIban('IT60X0542811101000000123457')).toMatchObject({ ok: false, reason: 'invalid-checksum' });
  });
});

describe('country table', () => {
  it('knows IBAN lengths and SEPA membership', () => {
    expect(ibanLength('it')).toBe(27);
    expect(ibanLength('SM')).toBe(27);
    expect(ibanLength('MT')).toBe(31);
    expect(ibanLength('NO')).toBe(15);
    expect(ibanLength('US')).toBeUndefined();
    expect(['IT', 'SM', 'VA', 'DE', 'CH', 'GB', 'NO'].every(isSepaCountry)).toBe(true);
    expect(isSepaCountry('TR')).toBe(false);
    expect(isSepaCountry('US')).toBe(false);
  });
});
