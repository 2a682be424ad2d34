import { describe, expect, it } from 'vitest';
import { noticeQrPayload, parseNoticeQrPayload } from './qr-code.ts';

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
