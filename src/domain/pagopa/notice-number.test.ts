import { describe, expect, it } from 'vitest';
import { seededRandom } from '../random.ts';
import { composeNoticeNumber, formatNoticeNumber, maxIuvProgressive, noticeCheckDigits, noticeNumberOfIuv, parseNoticeNumber } from './notice-number.ts';

describe('notice number (NAV) and IUV', () => {
  it('reads the published aux-3 fixture 300715700000000032 (segregation code 00, check 32)', () => {
    const parsed = parseNoticeNumber('300715700000000032');
    expect(parsed).toEqual({
      ok: true,
      value: { noticeNumber: '300715700000000032', auxDigit: 3, segregationCode: '00', iuv: '00715700000000032', iuvBase: '7157000000000', checkDigits: '32' },
    });
  });

  it('computes the check digits of the reference examples (aux 0, 2, 3)', () => {
    expect(noticeCheckDigits('3007157000000000')).toBe('32');
    expect(noticeCheckDigits('0011111160000015')).toBe('78');
    expect(noticeCheckDigits('2123456789012345')).toBe('44');
    expect(parseNoticeNumber('001111116000001578')).toMatchObject({ ok: true, value: { auxDigit: 0, applicationCode: '01', iuv: '111116000001578' } });
    expect(parseNoticeNumber('212345678901234544')).toMatchObject({ ok: true, value: { auxDigit: 2, iuv: '12345678901234544', iuvBase: '123456789012345' } });
  });

  it('refuses the AgID 2018 mock notice, whose printed check digits 80 do not verify, and says why', () => {
    const parsed = parseNoticeNumber('0011 1111 6000 0015 80');
    expect(parsed).toMatchObject({ ok: false, reason: 'invalid-check-digits' });
    expect(!parsed.ok && parsed.message).toContain('78');
  });

  it('gives a reason for each malformed notice number', () => {
    expect(parseNoticeNumber('30071570000000003')).toMatchObject({ ok: false, reason: 'invalid-length' });
    expect(parseNoticeNumber('3007157000000000AB')).toMatchObject({ ok: false, reason: 'invalid-pattern' });
    expect(parseNoticeNumber('900715700000000032')).toMatchObject({ ok: false, reason: 'invalid-aux-digit' });
    expect(parseNoticeNumber('300715700000000033')).toMatchObject({ ok: false, reason: 'invalid-check-digits' });
  });

  it('accepts aux 1 (legacy codes) without check digits', () => {
    expect(parseNoticeNumber('112345678901234567')).toEqual({ ok: true, value: { noticeNumber: '112345678901234567', auxDigit: 1, iuv: '12345678901234567', iuvBase: '12345678901234567' } });
  });

  it('prints the notice number in groups of four and reads the printed form back', () => {
    expect(formatNoticeNumber('300715700000000032')).toBe('3007 1570 0000 0000 32');
    expect(parseNoticeNumber('3007 1570 0000 0000 32')).toMatchObject({ ok: true, value: { noticeNumber: '300715700000000032' } });
  });

  it('composes the notice number of a progressive for each kind of generation point', () => {
    expect(composeNoticeNumber({ auxDigit: 3, segregationCode: '00' }, 7157000000000n).noticeNumber).toBe('300715700000000032');
    expect(composeNoticeNumber({ auxDigit: 0, applicationCode: '01' }, 1111160000015).noticeNumber).toBe('001111116000001578');
    expect(composeNoticeNumber({ auxDigit: 2 }, 123456789012345n).noticeNumber).toBe('212345678901234544');
    expect(() => composeNoticeNumber({ auxDigit: 3, segregationCode: '01' }, maxIuvProgressive(3) + 1n)).toThrow(RangeError);
    expect(() => composeNoticeNumber({ auxDigit: 3, segregationCode: '1' }, 1)).toThrow(RangeError);
  });

  it('property: every composed notice number parses back to its parts, and any changed digit is caught or changes the IUV', () => {
    const random = seededRandom(20261123);
    for (let i = 0; i < 2000; i++) {
      const aux = ([0, 2, 3] as const)[Math.floor(random() * 3)]!;
      const code = String(Math.floor(random() * 100)).padStart(2, '0');
      const point = aux === 0 ? { auxDigit: 0 as const, applicationCode: code } : aux === 2 ? { auxDigit: 2 as const } : { auxDigit: 3 as const, segregationCode: code };
      const progressive = BigInt(Math.floor(random() * Number.MAX_SAFE_INTEGER)) % (maxIuvProgressive(aux) + 1n);
      const notice = composeNoticeNumber(point, progressive);
      expect(notice.noticeNumber).toMatch(/^\d{18}$/);
      expect(BigInt(notice.iuvBase)).toBe(progressive);
      expect(parseNoticeNumber(notice.noticeNumber)).toEqual({ ok: true, value: notice });
      expect(noticeNumberOfIuv(point, notice.iuv)).toEqual({ ok: true, value: notice });
      // A single wrong digit among the 16 is always caught: 10^k mod 93 is never 0 and |d' - d| < 93.
      const at = 1 + Math.floor(random() * 15);
      const digit = Number(notice.noticeNumber[at]);
      const changed = notice.noticeNumber.slice(0, at) + String((digit + 1 + Math.floor(random() * 9)) % 10) + notice.noticeNumber.slice(at + 1);
      expect(parseNoticeNumber(changed)).toMatchObject({ ok: false, reason: 'invalid-check-digits' });
    }
  });

  it('checks an IUV a creditor institution chose against its generation point', () => {
    const point = { auxDigit: 3 as const, segregationCode: '00' };
    expect(noticeNumberOfIuv(point, '00715700000000032')).toMatchObject({ ok: true, value: { noticeNumber: '300715700000000032' } });
    expect(noticeNumberOfIuv({ auxDigit: 3, segregationCode: '01' }, '00715700000000032')).toMatchObject({ ok: false, reason: 'wrong-segregation-code' });
    expect(noticeNumberOfIuv(point, '00715700000000033')).toMatchObject({ ok: false, reason: 'invalid-check-digits' });
    expect(noticeNumberOfIuv(point, '0071570000000003')).toMatchObject({ ok: false, reason: 'invalid-length' });
    expect(noticeNumberOfIuv(point, 'RF18539007547034')).toMatchObject({ ok: false, reason: 'invalid-pattern' });
    expect(noticeNumberOfIuv({ auxDigit: 0, applicationCode: '01' }, '111116000001578')).toMatchObject({ ok: true, value: { noticeNumber: '001111116000001578' } });
  });
});
