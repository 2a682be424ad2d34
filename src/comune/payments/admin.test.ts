import { describe, expect, it } from 'vitest';
import { servicePaymentInput } from './admin.ts';
import { checkServicePayment } from './service-payments.ts';

const chapters = [
  { code: 'A', description: 'a', taxonomy: '9/0101108TS/', iban: 'IT35C0103070950000000001234', active: true },
  { code: 'B', description: 'b', taxonomy: '9/0101108TS/', iban: 'IT35C0103070950000000001234', active: true },
];
type Form = Parameters<typeof servicePaymentInput>[0];
const form: Form = { mode: 'immediate', amountKind: 'fixed', amountFixed: '30,00', split: 'A = 10,00\nB = 100%', installments: '', reason: 'Diritti', dueDays: '30' };

describe('the service payment form', () => {
  it('reads amounts in euros, the split as "chapter = amount" or "chapter = percent%", one due date per line', () => {
    expect(servicePaymentInput(form)).toEqual({
      payment: { mode: 'immediate', amount: { kind: 'fixed', cents: 3000 }, split: [{ chapter: 'A', cents: 1000 }, { chapter: 'B', percent: 100 }], installments: null, reason: 'Diritti', dueDays: 30 },
      errors: {},
    });
    const plan = servicePaymentInput({ ...form, amountKind: 'priceList', amountKey: 'fascia', prices: 'a = 12\nb = 20,50', split: 'A = 33,3%\nB = 66,7%', installments: '2027-01-31\n2027-03-31' });
    expect(plan.payment).toMatchObject({ amount: { kind: 'priceList', key: 'fascia', prices: { a: 1200, b: 2050 } }, split: [{ chapter: 'A', percent: 33.3 }, { chapter: 'B', percent: 66.7 }], installments: { dueDates: ['2027-01-31', '2027-03-31'] } });
    expect(servicePaymentInput({ ...form, split: 'A: 10' }).errors).toEqual({ split: 'splitFormat' });
    expect(servicePaymentInput({ ...form, split: 'A = dieci' }).errors).toEqual({ split: 'splitFormat' });
    expect(servicePaymentInput({ ...form, amountKind: 'priceList', amountKey: 'x', prices: 'senza uguale' }).errors).toEqual({ prices: 'prices' });
  });

  it('checks every amount the rule can give against the chapters', () => {
    const check = (over: Partial<Form>) => checkServicePayment(servicePaymentInput({ ...form, ...over }).payment!, chapters, '2026-11-24');
    expect(check({})).toEqual({});
    expect(check({ amountFixed: '5,00' })).toEqual({ split: 'fixed-exceed' });
    expect(check({ amountKind: 'priceList', amountKey: 'fascia', prices: 'a = 50\nb = 5' })).toEqual({ split: 'fixed-exceed' });
    expect(check({ split: 'A = 10,00\nC = 100%' })).toEqual({ split: 'unknown-chapter' });
    expect(check({ reason: '', dueDays: '0' })).toEqual({ reason: 'reason', dueDays: 'dueDays' });
    expect(check({ installments: '2027-03-31\n2027-01-31' })).toEqual({ installments: 'installments-order' });
    expect(check({ amountKind: 'field', amountKey: 'importo euro' })).toEqual({ amountKey: 'fieldKey' });
    expect(check({ mode: 'none', amountFixed: '', reason: '' })).toEqual({});
  });
});
