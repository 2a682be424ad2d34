import { describe, expect, it } from 'vitest';
import { isValidEmail, isValidItalianPhone, normalizePhone } from './contacts.ts';

describe('contacts', () => {
  it('accepts ordinary e-mail addresses and refuses malformed ones', () => {
    expect(isValidEmail('mario.rossi@example.it')).toBe(true);
    expect(isValidEmail('protocollo@pec.comune.bugliano.pi.it')).toBe(true);
    for (const bad of ['mario', 'mario@', '@example.it', 'mario rossi@example.it', 'mario@example', 'a@b@c.it']) {
      expect(isValidEmail(bad), bad).toBe(false);
    }
  });

  it('accepts Italian mobiles and landlines, with or without +39, and foreign E.164 numbers', () => {
    for (const good of ['+39 333 123 4567', '3331234567', '050 123456', '+390501234567', '0039 333 1234567', '+41 44 668 18 00']) {
      expect(isValidItalianPhone(good), good).toBe(true);
    }
    for (const bad of ['12345', '333-12', 'telefono', '+39 999', '5551234567']) {
      expect(isValidItalianPhone(bad), bad).toBe(false);
    }
    expect(normalizePhone('0039 (050) 12-34.56')).toBe('+3905012 3456'.replace(' ', ''));
  });
});
