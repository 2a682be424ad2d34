// The simulated card of the checkout: the checks a card form makes before anything is sent (Luhn, ISO/IEC
// 7812-1 Annex B; expiry; CVV 3–4 digits) and the card issuer at the edge of the world, which authorises
// every valid card but one.
import { dateInItaly } from '../../../domain/dates.ts';

/** The card the issuer simulator declines ("autorizzazione negata"); any other valid card is authorised. */
export const DECLINED_PAN = '4000000000000002';

export type CardBrand = 'VISA' | 'MASTERCARD' | 'AMEX' | 'MAESTRO' | 'OTHER';

export interface CardInput {
  holder: string;
  pan: string;
  /** MM/YY or MM/YYYY as typed. */
  expiry: string;
  cvv: string;
}

export interface Card {
  holder: string;
  /** Digits only. */
  pan: string;
  brand: CardBrand;
  expiryMonth: number;
  expiryYear: number;
}

export type CardField = 'holder' | 'pan' | 'expiry' | 'cvv';
export type CardFailure = 'required' | 'invalid-pan' | 'invalid-expiry' | 'expired' | 'invalid-cvv' | 'invalid-holder';

/** The Luhn check digit test over the digits of a card number (ISO/IEC 7812-1 Annex B). */
export function passesLuhn(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** The card network by the number's prefix (IIN ranges published by the networks). */
export function cardBrand(pan: string): CardBrand {
  if (/^4/.test(pan)) return 'VISA';
  if (/^(5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720))/.test(pan)) return 'MASTERCARD';
  if (/^3[47]/.test(pan)) return 'AMEX';
  if (/^(50|5[6-9]|6)/.test(pan)) return 'MAESTRO';
  return 'OTHER';
}

/** "•••• 0002": all a page or a record ever shows of a card number. */
export const maskedPan = (pan: string) => `•••• ${pan.slice(-4)}`;

export type CardCheck = { ok: true; value: Card } | { ok: false; errors: Partial<Record<CardField, CardFailure>> };

/** Checks a card as typed, every field at once. A card is valid through the last day of its expiry month. */
export function checkCard(input: CardInput, now: Date): CardCheck {
  const errors: Partial<Record<CardField, CardFailure>> = {};
  const holder = input.holder.trim().replace(/\s+/g, ' ');
  const pan = input.pan.replace(/[\s-]/g, '');
  const cvv = input.cvv.trim();
  if (!holder) errors.holder = 'required';
  else if (holder.length > 100 || /[\d<>]/.test(holder)) errors.holder = 'invalid-holder';
  if (!pan) errors.pan = 'required';
  else if (!/^\d{12,19}$/.test(pan) || !passesLuhn(pan)) errors.pan = 'invalid-pan';
  const expiry = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(input.expiry);
  const month = expiry ? Number(expiry[1]) : 0;
  const year = expiry ? (expiry[2]!.length === 2 ? 2000 + Number(expiry[2]) : Number(expiry[2])) : 0;
  // The month as it is in Italy, where the checkout runs.
  const [thisYear, thisMonth] = dateInItaly(now).split('-').map(Number) as [number, number];
  if (!input.expiry.trim()) errors.expiry = 'required';
  else if (!expiry || month < 1 || month > 12) errors.expiry = 'invalid-expiry';
  else if (year * 12 + month < thisYear * 12 + thisMonth) errors.expiry = 'expired';
  const brand = cardBrand(pan);
  if (!cvv) errors.cvv = 'required';
  else if (!(brand === 'AMEX' ? /^\d{4}$/ : /^\d{3,4}$/).test(cvv)) errors.cvv = 'invalid-cvv';
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, value: { holder, pan, brand, expiryMonth: month, expiryYear: year } };
}

export type Authorisation = { outcome: 'authorised'; authorizationCode: string } | { outcome: 'declined' };

/** The issuer simulator: declines DECLINED_PAN, authorises any other card with a six-character code. */
export function authoriseCard(pan: string, randomCode: () => string): Authorisation {
  return pan === DECLINED_PAN ? { outcome: 'declined' } : { outcome: 'authorised', authorizationCode: randomCode() };
}
