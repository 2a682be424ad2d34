import { describe, expect, it } from 'vitest';
import { monotonicUlid, ulid, ulidTime, ULID_PATTERN } from './ulid.ts';

describe('ulid', () => {
  it('is 26 Crockford base32 characters carrying the creation time', () => {
    const before = Date.now();
    const id = ulid();
    expect(id).toMatch(ULID_PATTERN);
    expect(id).toHaveLength(26);
    expect(ulidTime(id).getTime()).toBeGreaterThanOrEqual(before);
    expect(ulidTime(id).getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('encodes the spec’s example time as its first ten characters', () => {
    // github.com/ulid/spec: 1469918176385 ms → 01ARYZ6S41
    expect(monotonicUlid(() => 1469918176385)().slice(0, 10)).toBe('01ARYZ6S41');
  });

  it('increases strictly within one millisecond and when the clock steps back', () => {
    let time = 1_700_000_000_000;
    const next = monotonicUlid(() => time);
    const ids = Array.from({ length: 1000 }, () => next());
    time -= 5;
    ids.push(next());
    time += 10;
    ids.push(next());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.slice(0, 1001).every((id) => id.startsWith(ids[0]!.slice(0, 10)))).toBe(true);
  });

  it('refuses what is not a ULID', () => {
    expect(() => ulidTime('01ARYZ6S41TSV4RRFFQ69G5FAI')).toThrow(RangeError);
    expect(() => monotonicUlid(() => -1)()).toThrow(RangeError);
  });
});
