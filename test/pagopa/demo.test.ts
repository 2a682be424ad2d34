// The pagoPA demo institutions are the comune's demo entes: same fiscal codes on both sides, without either
// room reading the other's tables (the comune's seed and src/clients/pagopa/demo.ts are the two halves).
import { expect, it } from 'vitest';
import { DEMO_CREDITOR_INSTITUTIONS, demoPagopaKey } from '../../src/clients/pagopa/demo.ts';
import { DEMO_TENANTS } from '../../src/comune/seed.ts';
import { parseApiKey } from '../../src/core/auth/api-keys.ts';
import { validateIban } from '../../src/domain/iban.ts';

it('names the comune’s demo entes as creditor institutions, with valid IBANs and well-formed derived keys', () => {
  expect(DEMO_CREDITOR_INSTITUTIONS.map((i) => [i.fiscalCode, i.companyName])).toEqual(DEMO_TENANTS.map((t) => [t.fiscalCode, t.name]));
  for (const i of DEMO_CREDITOR_INSTITUTIONS) {
    expect(validateIban(i.iban).ok && validateIban(i.postalIban).ok).toBe(true);
    expect(parseApiKey(demoPagopaKey('secret', i.fiscalCode))).toBeDefined();
  }
  expect(demoPagopaKey('secret', 'a')).not.toBe(demoPagopaKey('secret', 'b'));
  expect(demoPagopaKey('secret', 'a')).not.toBe(demoPagopaKey('other', 'a'));
});
