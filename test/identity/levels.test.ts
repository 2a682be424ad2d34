import { describe, expect, it } from 'vitest';
import { ACR, acrRank, DEFAULT_ACR, loginMethods, meetsRequestedLevel, needsSecondFactor, requestedAcr } from '../../src/platforms/identity/levels.ts';

describe('levels of assurance', () => {
  it('ranks the SpidL URIs and nothing else', () => {
    expect([ACR.L1, ACR.L2, ACR.L3].map(acrRank)).toEqual([1, 2, 3]);
    expect(acrRank(undefined)).toBe(0);
    expect(acrRank('https://www.spid.gov.it/SpidL4')).toBe(0);
    expect(acrRank('SpidL2')).toBe(0);
  });

  it('takes the first known acr value as the requested level, SpidL2 by default', () => {
    expect(requestedAcr(undefined)).toBe(DEFAULT_ACR);
    expect(DEFAULT_ACR).toBe(ACR.L2);
    expect(requestedAcr(ACR.L3)).toBe(ACR.L3);
    expect(requestedAcr(`urn:unknown ${ACR.L1} ${ACR.L3}`)).toBe(ACR.L1);
    expect(requestedAcr('urn:unknown')).toBe(ACR.L2);
  });

  it('accepts the requested level or a higher one, never a lower one', () => {
    expect(meetsRequestedLevel(ACR.L2, ACR.L2)).toBe(true);
    expect(meetsRequestedLevel(ACR.L3, ACR.L1)).toBe(true);
    expect(meetsRequestedLevel(ACR.L1, ACR.L2)).toBe(false);
    expect(meetsRequestedLevel(undefined, ACR.L1)).toBe(false);
  });

  it('offers credentials up to L2, the card at L3 and always on CIE', () => {
    expect(loginMethods('spid', ACR.L1)).toEqual(['password']);
    expect(loginMethods('spid', ACR.L2)).toEqual(['password']);
    expect(loginMethods('spid', ACR.L3)).toEqual(['card']);
    expect(loginMethods('cie', ACR.L1)).toEqual(['password', 'card']);
    expect(loginMethods('cie', ACR.L3)).toEqual(['card']);
  });

  it('asks for the second factor from L2', () => {
    expect(needsSecondFactor(ACR.L1)).toBe(false);
    expect(needsSecondFactor(ACR.L2)).toBe(true);
    expect(needsSecondFactor(ACR.L3)).toBe(true);
  });
});
