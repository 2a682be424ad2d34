import { describe, expect, it } from 'vitest';
import { parsePostalDataMatrix, posteDataMatrixPayload, type PosteSlip } from './poste-data-matrix.ts';

// The fixture of the pagoPA reference (§2.3): its head, then the debtor, subject and filler at their positions.
const HEAD = 'codfase=NBPA;18300715700000000032120000163020931000000000013896' + '1P100085240950';
const slip: PosteSlip = {
  nav: '300715700000000032',
  account: '000016302093',
  amountCents: 1,
  creditorFiscalCode: '00085240950',
  debtorFiscalCode: 'BSCMTT83A12L719R',
  debtorName: 'Mattia Boscò',
  subject: 'Tassa rifiuti',
};

describe('Poste Data Matrix payload', () => {
  it('writes the fixture at its fixed positions, 256 characters, plain upper-case ASCII', () => {
    const payload = posteDataMatrixPayload(slip);
    expect(payload).toBe(`${HEAD}${'BSCMTT83A12L719R'}${'MATTIA BOSCO'.padEnd(40)}${'TASSA RIFIUTI'.padEnd(110)}${' '.repeat(12)}A`);
    expect(payload).toHaveLength(256);
    expect(posteDataMatrixPayload({ ...slip, amountCents: 123_456 }).slice(49, 59)).toBe('0000123456');
    expect(posteDataMatrixPayload({ ...slip, debtorName: 'D’Ambrosio {Anna}' }).slice(93, 133)).toBe('D AMBROSIO {ANNA}'.padEnd(40));
    expect(posteDataMatrixPayload({ ...slip, subject: 'x'.repeat(200) })).toHaveLength(256);
  });

  it('refuses to write what does not fit its fields', () => {
    expect(() => posteDataMatrixPayload({ ...slip, nav: '3007' })).toThrow(RangeError);
    expect(() => posteDataMatrixPayload({ ...slip, account: '16302093' })).toThrow(RangeError);
    expect(() => posteDataMatrixPayload({ ...slip, creditorFiscalCode: '0008524095' })).toThrow(RangeError);
    expect(() => posteDataMatrixPayload({ ...slip, amountCents: 0 })).toThrow(RangeError);
    expect(() => posteDataMatrixPayload({ ...slip, amountCents: 10_000_000_000 })).toThrow(RangeError);
  });

  it('reads back what it writes: the notice, the creditor, the amount and the postal account', () => {
    expect(parsePostalDataMatrix(posteDataMatrixPayload({ ...slip, amountCents: 9_999_999_999 }))).toEqual({
      ok: true,
      value: { noticeNumber: '300715700000000032', fiscalCode: '00085240950', amountCents: 9_999_999_999, postalAccount: '000016302093' },
    });
  });

  it('refuses other payloads with a reason', () => {
    expect(parsePostalDataMatrix('PAGOPA|002|300715700000000032|00085240950|1')).toMatchObject({ ok: false, reason: 'invalid-format' });
    expect(parsePostalDataMatrix(HEAD.replace('3896', '3895'))).toMatchObject({ ok: false, reason: 'invalid-format' });
    expect(parsePostalDataMatrix(HEAD.replace('300715700000000032', '300715700000000033'))).toMatchObject({ ok: false, reason: 'invalid-check-digits' });
    expect(parsePostalDataMatrix(HEAD.replace('00085240950', '00085240951'))).toMatchObject({ ok: false, reason: 'invalid-fiscal-code' });
    expect(parsePostalDataMatrix(HEAD.replace('100000000001', '100000000000'))).toMatchObject({ ok: false, reason: 'invalid-amount' });
  });
});
