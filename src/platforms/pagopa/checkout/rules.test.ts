import { describe, expect, it } from 'vitest';
import { cartRecovery, checkCartRequest, isReturnUrl, type NoticePayment } from './rules.ts';
import type { CartRequest } from '../../../clients/pagopa/checkout.ts';

const CF = '80000990509';
const cart = (over: Partial<CartRequest> = {}): CartRequest => ({
  paymentNotices: [{ noticeNumber: '300715700000000032', fiscalCode: CF, amount: 1000, companyName: 'Comune di Bugliano', description: 'TARI' }],
  returnUrls: { returnOkUrl: 'https://comune.example/ok', returnCancelUrl: 'https://comune.example/ko', returnErrorUrl: 'http://127.0.0.1:3001/err' },
  ...over,
});

describe('the checkout cart rules', () => {
  it('takes a well-formed cart of the institution', () => {
    expect(checkCartRequest(cart({ emailNotice: 'maria.rossi@example.it' }), CF)).toEqual({ invalid: [], foreign: [] });
  });

  it('refuses a notice number with wrong check digits, giving the reason', () => {
    const { invalid } = checkCartRequest(cart({ paymentNotices: [{ ...cart().paymentNotices[0]!, noticeNumber: '300715700000000033' }] }), CF);
    expect(invalid).toEqual([expect.objectContaining({ pointer: '/body/paymentNotices/0/noticeNumber', code: 'invalid-check-digits' })]);
  });

  it('refuses the same notice twice, even as printed with spaces', () => {
    const notice = cart().paymentNotices[0]!;
    const { invalid } = checkCartRequest(cart({ paymentNotices: [notice, { ...notice, noticeNumber: '3007 1570 0000 0000 32' }] }), CF);
    expect(invalid).toEqual([expect.objectContaining({ pointer: '/body/paymentNotices/1/noticeNumber', code: 'duplicate' })]);
  });

  it('names the notices of another institution', () => {
    const notice = cart().paymentNotices[0]!;
    expect(checkCartRequest(cart({ paymentNotices: [notice, { ...notice, noticeNumber: '301000000000000144', fiscalCode: '80000380503' }] }), CF).foreign).toEqual([1]);
  });

  it('wants absolute http(s) return URLs and a real e-mail', () => {
    expect(isReturnUrl('javascript:alert(1)')).toBe(false);
    expect(isReturnUrl('/relative')).toBe(false);
    expect(isReturnUrl('https://user:pw@comune.example/')).toBe(false);
    const { invalid } = checkCartRequest(cart({ returnUrls: { returnOkUrl: 'ftp://x/', returnCancelUrl: 'https://ok/', returnErrorUrl: 'data:text/html,x' }, emailNotice: 'not-an-email' }), CF);
    expect(invalid.map((e) => e.pointer)).toEqual(['/body/returnUrls/returnOkUrl', '/body/returnUrls/returnErrorUrl', '/body/emailNotice']);
  });
});

describe('a cart left paying', () => {
  const notices = (...payments: NoticePayment[]) => payments.map((payment, i) => ({ noticeNumber: `30071570000000003${i}`, payment }));
  it('waits while a token lives, is paid when every notice is, fails naming the first unpaid notice when only some are, opens again otherwise', () => {
    expect(cartRecovery(notices('paid', 'active'))).toBe('wait');
    expect(cartRecovery(notices('paid', 'paid'))).toEqual({ paid: true });
    expect(cartRecovery(notices('paid', 'expired', 'none'))).toEqual({ paid: false, failure: 'error', noticeNumber: '300715700000000031' });
    expect(cartRecovery(notices('released', 'expired', 'none'))).toBe('open');
  });
});
