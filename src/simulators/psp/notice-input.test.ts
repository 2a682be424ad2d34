import { describe, expect, it } from 'vitest';
import { isScanned, iuvOf, readNoticeInput } from './notice-input.ts';

describe('what the clerk types or scans', () => {
  it('takes a typed notice number, spaces allowed, with the creditor’s fiscal code', () => {
    expect(readNoticeInput(' 3007 1570 0000 0000 32 ', '00085240950')).toEqual({ ok: true, value: { noticeNumber: '300715700000000032', fiscalCode: '00085240950', source: 'typed' } });
  });

  it('takes the QR code payload a scanner types, whatever the fiscal code field holds', () => {
    expect(readNoticeInput('PAGOPA|002|300715700000000032|00085240950|24600', '')).toEqual({
      ok: true,
      value: { noticeNumber: '300715700000000032', fiscalCode: '00085240950', printedAmountCents: 24_600, source: 'qr-code' },
    });
  });

  it('takes a Poste Data Matrix payload', () => {
    const payload = 'codfase=NBPA;18300715700000000032120000163020931000000000013896' + '1P100085240950BSCMTT83A12L719R';
    expect(readNoticeInput(payload, '')).toMatchObject({ ok: true, value: { noticeNumber: '300715700000000032', fiscalCode: '00085240950', printedAmountCents: 1, source: 'data-matrix' } });
  });

  it('says what is wrong, without guessing', () => {
    expect(readNoticeInput('  ', '00085240950')).toMatchObject({ ok: false, reason: 'missing-code' });
    expect(readNoticeInput('30071570000000003', '00085240950')).toMatchObject({ ok: false, reason: 'invalid-length' });
    expect(readNoticeInput('300715700000000033', '00085240950')).toMatchObject({ ok: false, reason: 'invalid-check-digits' });
    expect(readNoticeInput('30071570000000003A', '00085240950')).toMatchObject({ ok: false, reason: 'invalid-pattern' });
    expect(readNoticeInput('300715700000000032', '')).toMatchObject({ ok: false, reason: 'missing-fiscal-code' });
    expect(readNoticeInput('300715700000000032', '00085240951')).toMatchObject({ ok: false, reason: 'invalid-fiscal-code' });
    expect(readNoticeInput('PAGOPA|002|300715700000000032|00085240950|0', '')).toMatchObject({ ok: false, reason: 'invalid-amount' });
  });

  it('tells a scanner’s payload (which names the creditor) from a typed number', () => {
    expect(isScanned(' PAGOPA|002|300715700000000032|00085240950|1')).toBe(true);
    expect(isScanned('codfase=NBPA;18300715700000000032')).toBe(true);
    expect(isScanned('3007 1570 0000 0000 32')).toBe(false);
  });

  it('reports the IUV: for aux digit 3 the last 17 digits', () => {
    expect(iuvOf('300715700000000032')).toBe('00715700000000032');
  });
});
