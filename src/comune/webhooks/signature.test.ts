import { expect, it } from 'vitest';
import { signPayload, verifySignature } from './signature.ts';

const at = new Date('2026-05-04T10:00:00Z');

it('signs t.body with HMAC-SHA256 and verifies it; a changed body, secret or stale time fails', () => {
  const header = signPayload('s3cret', '{"id":1}', at);
  expect(header).toMatch(/^t=1777888800,v1=[0-9a-f]{64}$/);
  expect(verifySignature('s3cret', '{"id":1}', header, at)).toBe(true);
  expect(verifySignature('s3cret', '{"id":2}', header, at)).toBe(false);
  expect(verifySignature('other', '{"id":1}', header, at)).toBe(false);
  expect(verifySignature('s3cret', '{"id":1}', header, new Date(at.getTime() + 301_000))).toBe(false);
  expect(verifySignature('s3cret', '{"id":1}', 'garbage', at)).toBe(false);
});
