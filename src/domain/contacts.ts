// Contact data rules (e-mail, phone): what the comune's personal area and settings and the ANPR citizen area accept.

// A pragmatic subset of RFC 5321/5322: one @, a dotted domain, no spaces, at most 254 characters.
export function isValidEmail(value: string): boolean {
  return value.length <= 254 && /^[^\s@"<>(),;:]+@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/i.test(value);
}

/** Spaces, dots, dashes and parentheses removed; a leading 00 becomes +. */
export function normalizePhone(value: string): string {
  return value.replace(/[\s.()-]/g, '').replace(/^00/, '+');
}

// Italian numbers (ITU-T E.164, national plan AGCOM 8/15/CIR): mobiles 3xx with 9-10 digits, landlines 0x with 6-11 digits.
export function isValidItalianPhone(value: string): boolean {
  const phone = normalizePhone(value);
  const national = phone.startsWith('+39') ? phone.slice(3) : phone;
  if (phone.startsWith('+') && !phone.startsWith('+39')) return /^\+[1-9]\d{6,14}$/.test(phone);
  return /^3\d{8,9}$/.test(national) || /^0\d{5,10}$/.test(national);
}
