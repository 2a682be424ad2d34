import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../domain/random.ts';
import { allocate, amountOf, installmentAmounts, parseEuroCents, planOptions, splitAmount, type SplitPart } from './rules.ts';

describe('the amount of a service', () => {
  it('reads euros as typed, with a comma or a dot, at most two decimals', () => {
    expect(parseEuroCents('12,50')).toBe(1250);
    expect(parseEuroCents(' 12.5 € ')).toBe(1250);
    expect(parseEuroCents('7')).toBe(700);
    expect(parseEuroCents(3.1)).toBe(310);
    expect(parseEuroCents('1.234,56')).toBeUndefined();
    expect(parseEuroCents('12,345')).toBeUndefined();
    expect(parseEuroCents('-3')).toBeUndefined();
    expect(parseEuroCents(-3)).toBeUndefined();
  });

  it('is fixed, taken from a field, or the price of the chosen option', () => {
    expect(amountOf({ kind: 'fixed', cents: 3000 }, {})).toEqual({ ok: true, cents: 3000 });
    expect(amountOf({ kind: 'field', key: 'importo' }, { importo: '45,20' })).toEqual({ ok: true, cents: 4520 });
    expect(amountOf({ kind: 'field', key: 'importo' }, {})).toEqual({ ok: false, reason: 'missing' });
    expect(amountOf({ kind: 'field', key: 'importo' }, { importo: 'tanti' })).toEqual({ ok: false, reason: 'invalid' });
    expect(amountOf({ kind: 'field', key: 'importo' }, { importo: '0' })).toEqual({ ok: false, reason: 'zero' });
    const list = { kind: 'priceList', key: 'fascia', prices: { a: 1500, b: 2500, true: 900 } } as const;
    expect(amountOf(list, { fascia: 'b' })).toEqual({ ok: true, cents: 2500 });
    expect(amountOf(list, { fascia: true })).toEqual({ ok: true, cents: 900 });
    expect(amountOf(list, { fascia: 'c' })).toEqual({ ok: false, reason: 'unpriced' });
    expect(amountOf(list, { fascia: 'toString' })).toEqual({ ok: false, reason: 'unpriced' });
    expect(amountOf(list, { fascia: ['a'] })).toEqual({ ok: false, reason: 'invalid' });
  });
});

describe('the split on budget chapters', () => {
  it('allocates by largest remainders so the parts add up exactly', () => {
    expect(allocate(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(allocate(1001, [50, 50])).toEqual([501, 500]);
    expect(installmentAmounts(10000, 3)).toEqual([3334, 3333, 3333]);
    const random = seededRandom(7);
    for (let n = 0; n < 500; n++) {
      const total = Math.floor(random() * 1_000_000);
      const weights = Array.from({ length: 1 + Math.floor(random() * 5) }, () => 1 + Math.floor(random() * 100));
      const parts = allocate(total, weights);
      expect(parts.reduce((a, b) => a + b, 0)).toBe(total);
      parts.forEach((p, i) => expect(Math.abs(p - (total * weights[i]!) / weights.reduce((a, b) => a + b))).toBeLessThan(1));
    }
  });

  it('takes fixed parts first and shares the rest by percentages', () => {
    const split: SplitPart[] = [{ chapter: 'A', cents: 500 }, { chapter: 'B', percent: 33.3 }, { chapter: 'C', percent: 66.7 }];
    expect(splitAmount(1999, split)).toEqual({ ok: true, parts: [{ chapter: 'A', cents: 500 }, { chapter: 'B', cents: 499 }, { chapter: 'C', cents: 1000 }] });
    expect(splitAmount(3000, [{ chapter: 'A', cents: 2000 }, { chapter: 'B', cents: 1000 }])).toMatchObject({ ok: true });
    expect(splitAmount(3000, [{ chapter: 'A', cents: 2000 }])).toEqual({ ok: false, reason: 'fixed-not-total' });
    expect(splitAmount(300, [{ chapter: 'A', cents: 400 }, { chapter: 'B', percent: 100 }])).toEqual({ ok: false, reason: 'fixed-exceed' });
    expect(splitAmount(300, [{ chapter: 'A', cents: 300 }, { chapter: 'B', percent: 100 }])).toEqual({ ok: false, reason: 'empty-part' });
    expect(splitAmount(300, [{ chapter: 'A', percent: 50 }, { chapter: 'B', percent: 40 }])).toEqual({ ok: false, reason: 'percent-not-100' });
    expect(splitAmount(300, [{ chapter: 'A', percent: 50 }, { chapter: 'A', percent: 50 }])).toEqual({ ok: false, reason: 'duplicate-chapter' });
    expect(splitAmount(600, 'ABCDEF'.split('').map((chapter) => ({ chapter, percent: 100 / 6 })))).toEqual({ ok: false, reason: 'too-many-parts' });
    expect(splitAmount(300, [])).toEqual({ ok: false, reason: 'no-parts' });
  });
});

describe('the payment options of a debt position', () => {
  const chapters = [
    { code: 'A', taxonomy: '9/0101108TS/', iban: 'IT35C0103070950000000001234', active: true },
    { code: 'B', taxonomy: '9/0201133IM/', iban: 'IT35C0103070950000000001234', active: true },
    { code: 'X', taxonomy: '9/0101108TS/', iban: 'IT35C0103070950000000001234', active: false },
  ];
  const base = { total: 10001, split: [{ chapter: 'A', percent: 70 }, { chapter: 'B', percent: 30 }] as SplitPart[], installments: null, reason: 'Iscrizione mensa', chapters, today: '2026-11-24', dueDays: 30 };

  it('is one single payment with one transfer per chapter', () => {
    const plan = planOptions(base);
    expect(plan).toEqual({
      ok: true,
      options: [{
        amount: 10001, description: 'Iscrizione mensa', isPartialPayment: false, dueDate: '2026-12-24',
        transfer: [
          { idTransfer: '1', amount: 7001, remittanceInformation: 'Iscrizione mensa', category: '9/0101108TS/', iban: chapters[0]!.iban },
          { idTransfer: '2', amount: 3000, remittanceInformation: 'Iscrizione mensa', category: '9/0201133IM/', iban: chapters[1]!.iban },
        ],
      }],
    });
  });

  it('adds the installments, each split in the same proportions, every option adding up', () => {
    const plan = planOptions({ ...base, installments: { dueDates: ['2027-01-31', '2027-02-28', '2027-03-31'] } });
    if (!plan.ok) throw new Error(plan.reason);
    expect(plan.options.map((o) => [o.amount, o.isPartialPayment, o.dueDate])).toEqual([
      [10001, false, '2027-01-31'], [3334, true, '2027-01-31'], [3334, true, '2027-02-28'], [3333, true, '2027-03-31'],
    ]);
    expect(plan.options[1]!.description).toBe('Iscrizione mensa - rata 1 di 3');
    for (const o of plan.options) expect(o.transfer.reduce((s, t) => s + t.amount, 0)).toBe(o.amount);
    expect(planOptions({ ...base, installments: { dueDates: ['2027-02-28', '2027-01-31'] } })).toEqual({ ok: false, reason: 'installments' });
    expect(planOptions({ ...base, installments: { dueDates: ['2027-02-28'] } })).toEqual({ ok: false, reason: 'installments' });
  });

  it('refuses unknown or inactive chapters and parts too small to carry a transfer', () => {
    expect(planOptions({ ...base, split: [{ chapter: 'Z', percent: 100 }] })).toEqual({ ok: false, reason: 'unknown-chapter' });
    expect(planOptions({ ...base, split: [{ chapter: 'X', percent: 100 }] })).toEqual({ ok: false, reason: 'inactive-chapter' });
    expect(planOptions({ ...base, total: 3, installments: { dueDates: ['2027-01-31', '2027-02-28'] } })).toEqual({ ok: false, reason: 'empty-part' });
  });
});
