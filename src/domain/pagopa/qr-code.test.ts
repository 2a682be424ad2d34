import { describe, expect, it } from 'vitest';
import { noticeQrPayload, parseNoticeQrPayload, parsePostalDataMatrix } from './qr-code.ts';

describe('notice QR code payload', () => {
  it('writes and reads the published example PAGOPA|002|300715700000000032|00085240950|1', () => {
    const qr = { noticeNumber: '300715700000000032', fiscalCode: '00085240950', amountCents: 1 };
    expect(noticeQrPayload(qr)).toBe('PAGOPA|002|300715700000000032|00085240950|1');
    expect(parseNoticeQrPayload('PAGOPA|002|300715700000000032|00085240950|1')).toEqual({ ok: true, value: qr });
    expect(noticeQrPayload({ ...qr, amountCents: 12_345 })).toBe('PAGOPA|002|300715700000000032|00085240950|12345');
  });

  it('refuses payloads with a reason', () => {
    expect(parseNoticeQrPayload('PAGOPA|001|300715700000000032|00085240950|1')).toMatchObject({ ok: false, reason: 'unsupported-version' });
    expect(parseNoticeQrPayload('PAGOPA|002|300715700000000032|00085240950')).toMatchObject({ ok: false, reason: 'invalid-format' });
    expect(parseNoticeQrPayload('PAGOPA|002|300715700000000033|00085240950|1')).toMatchObject({ ok: false, reason: 'invalid-check-digits' });
    expect(parseNoticeQrPayload('PAGOPA|002|3007 1570 0000 0000 32|00085240950|1')).toMatchObject({ ok: false, reason: 'invalid-pattern' });
    expect(parseNoticeQrPayload('PAGOPA|002|300715700000000032|00085240951|1')).toMatchObject({ ok: false, reason: 'invalid-fiscal-code' });
    expect(parseNoticeQrPayload('PAGOPA|002|300715700000000032|00085240950|0')).toMatchObject({ ok: false, reason: 'invalid-amount' });
    expect(parseNoticeQrPayload('PAGOPA|002|300715700000000032|00085240950|12,50')).toMatchObject({ ok: false, reason: 'invalid-amount' });
    expect(() => noticeQrPayload({ noticeNumber: '300715700000000032', fiscalCode: '00085240950', amountCents: 0 })).toThrow(RangeError);
  });
});

describe('Poste Data Matrix payload', () => {
  // The fixture of the pagoPA reference (§2.3), padded to its 256 characters.
  const head = 'codfase=NBPA;18300715700000000032120000163020931000000000013896' + '1P100085240950';
  const fixture = `${head}${'BSCMTT83A12L719R'.padEnd(16)}${'MATTEO BOSCO'.padEnd(40)}${'TARI 2026'.padEnd(110)}${' '.repeat(12)}A`;

  it('reads the notice, the creditor, the amount and the postal account', () => {
    expect(fixture).toHaveLength(256);
    expect(parsePostalDataMatrix(fixture)).toEqual({
      ok: true,
      value: { noticeNumber: '300715700000000032', fiscalCode: '00085240950', amountCents: 1, postalAccount: '000016302093' },
    });
  });

  it('refuses other payloads with a reason', () => {
    expect(parsePostalDataMatrix('PAGOPA|002|300715700000000032|00085240950|1')).toMatchObject({ ok: false, reason: 'invalid-format' });
    expect(parsePostalDataMatrix(head.replace('3896', '3895'))).toMatchObject({ ok: false, reason: 'invalid-format' });
    expect(parsePostalDataMatrix(head.replace('300715700000000032', '300715700000000033'))).toMatchObject({ ok: false, reason: 'invalid-check-digits' });
    expect(parsePostalDataMatrix(head.replace('00085240950', '00085240951'))).toMatchObject({ ok: false, reason: 'invalid-fiscal-code' });
    expect(parsePostalDataMatrix(head.replace('100000000001', '100000000000'))).toMatchObject({ ok: false, reason: 'invalid-amount' });
  });
});
