import { describe, expect, it } from 'vitest';
import { authoriseCard, cardBrand, checkCard, DECLINED_PAN, maskedPan, passesLuhn } from './card.ts';

const NOW = new Date('2026-11-24T10:00:00Z');
const card = (over: Partial<{ holder: string; pan: string; expiry: string; cvv: string }> = {}) => ({ holder: 'Maria Rossi', pan: '4242 4242 4242 4242', expiry: '12/28', cvv: '123', ...over });

describe('the checkout card checks', () => {
  it('applies Luhn to the card number', () => {
    expect(passesLuhn('4242424242424242')).toBe(true);
    expect(passesLuhn(DECLINED_PAN)).toBe(true);
    expect(passesLuhn('4242424242424241')).toBe(false);
    expect(passesLuhn('79927398713')).toBe(true);
  });

  it('accepts a valid card with spaces, naming its brand', () => {
    const result = checkCard(card(), NOW);
    expect(result).toMatchObject({ ok: true, value: { pan: '4242424242424242', brand: 'VISA', expiryMonth: 12, expiryYear: 2028, holder: 'Maria Rossi' } });
    expect(cardBrand('5555555555554444')).toBe('MASTERCARD');
    expect(cardBrand('378282246310005')).toBe('AMEX');
  });

  it('names the field of each refusal', () => {
    expect(checkCard({ holder: ' ', pan: '', expiry: '', cvv: '' }, NOW)).toEqual({ ok: false, errors: { holder: 'required', pan: 'required', expiry: 'required', cvv: 'required' } });
    expect(checkCard(card({ holder: 'R2D2' }), NOW)).toEqual({ ok: false, errors: { holder: 'invalid-holder' } });
    expect(checkCard(card({ pan: '4242 4242 4242 4241' }), NOW)).toEqual({ ok: false, errors: { pan: 'invalid-pan' } });
    expect(checkCard(card({ expiry: '13/28' }), NOW)).toEqual({ ok: false, errors: { expiry: 'invalid-expiry' } });
    expect(checkCard(card({ cvv: '12' }), NOW)).toEqual({ ok: false, errors: { cvv: 'invalid-cvv' } });
    expect(checkCard(card({ pan: '378282246310005', cvv: '123' }), NOW)).toEqual({ ok: false, errors: { cvv: 'invalid-cvv' } });
  });

  it('takes a card as valid through its expiry month, as it is in Italy', () => {
    expect(checkCard(card({ expiry: '11/26' }), NOW).ok).toBe(true);
    expect(checkCard(card({ expiry: '10/2026' }), NOW)).toEqual({ ok: false, errors: { expiry: 'expired' } });
    // 23:30 UTC on 31 October is already November in Rome.
    expect(checkCard(card({ expiry: '10/26' }), new Date('2026-10-31T23:30:00Z'))).toEqual({ ok: false, errors: { expiry: 'expired' } });
  });

  it('simulates an issuer that declines one card only', () => {
    expect(authoriseCard(DECLINED_PAN, () => 'A1B2C3')).toEqual({ outcome: 'declined' });
    expect(authoriseCard('4242424242424242', () => 'A1B2C3')).toEqual({ outcome: 'authorised', authorizationCode: 'A1B2C3' });
    expect(maskedPan('4242424242424242')).toBe('•••• 4242');
  });
});
