// The simulated card of the checkout: the checks a card form makes before anything is sent (Luhn, ISO/IEC
// 7812-1 Annex B; expiry; CVV 3–4 digits) and the card issuer at the edge of the world, which authorises
// every valid card but one.
import { dateInItaly } from '../../../domain/dates.ts';
import { invalid, valid, type ValidationResult } from '../../../domain/result.ts';

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

/** Checks a card as typed; each refusal names its field. A card is valid through the last day of its expiry month. */
export function checkCard(input: CardInput, now: Date): ValidationResult<Card, CardFailure> & { field?: CardField } {
  const holder = input.holder.trim().replace(/\s+/g, ' ');
  const pan = input.pan.replace(/[\s-]/g, '');
  const cvv = input.cvv.trim();
  if (!holder) return { ...invalid('required', 'the card holder is required'), field: 'holder' };
  if (holder.length > 100 || /[\d<>]/.test(holder)) return { ...invalid('invalid-holder', 'the holder is a name, up to 100 letters'), field: 'holder' };
  if (!pan) return { ...invalid('required', 'the card number is required'), field: 'pan' };
  if (!/^\d{12,19}$/.test(pan) || !passesLuhn(pan)) return { ...invalid('invalid-pan', 'a card number has 12 to 19 digits and passes the Luhn check'), field: 'pan' };
  const expiry = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(input.expiry);
  if (!input.expiry.trim()) return { ...invalid('required', 'the expiry is required'), field: 'expiry' };
  const month = expiry ? Number(expiry[1]) : 0;
  if (!expiry || month < 1 || month > 12) return { ...invalid('invalid-expiry', 'the expiry is MM/YY'), field: 'expiry' };
  const year = expiry[2]!.length === 2 ? 2000 + Number(expiry[2]) : Number(expiry[2]);
  // The month as it is in Italy, where the checkout runs.
  const [thisYear, thisMonth] = dateInItaly(now).split('-').map(Number) as [number, number];
  if (year * 12 + month < thisYear * 12 + thisMonth) return { ...invalid('expired', 'the card has expired'), field: 'expiry' };
  if (!cvv) return { ...invalid('required', 'the security code is required'), field: 'cvv' };
  const brand = cardBrand(pan);
  if (!(brand === 'AMEX' ? /^\d{4}$/ : /^\d{3,4}$/).test(cvv)) return { ...invalid('invalid-cvv', 'the security code has 3 or 4 digits'), field: 'cvv' };
  return valid({ holder, pan, brand, expiryMonth: month, expiryYear: year });
}

export type Authorisation = { outcome: 'authorised'; authorizationCode: string } | { outcome: 'declined' };

/** The issuer simulator: declines DECLINED_PAN, authorises any other card with a six-character code. */
export function authoriseCard(pan: string, randomCode: () => string): Authorisation {
  return pan === DECLINED_PAN ? { outcome: 'declined' } : { outcome: 'authorised', authorizationCode: randomCode() };
}
