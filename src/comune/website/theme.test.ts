import { describe, expect, it } from 'vitest';
import { contrastRatio, isReadableOnWhiteText, themeCss } from './theme.ts';

describe('tenant theme', () => {
  it('computes WCAG contrast ratios', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#ffffff', '#ffffff')).toBeCloseTo(1, 5);
    expect(contrastRatio('#0066cc', '#ffffff')).toBeGreaterThan(5.5);
  });

  it('accepts only colours that keep white text readable', () => {
    expect(isReadableOnWhiteText('#0066cc')).toBe(true);
    expect(isReadableOnWhiteText('#ffff00')).toBe(false);
    expect(themeCss('#ffff00')).toContain('#0066cc');
    expect(themeCss('#8a1538')).toContain('#8a1538');
  });
});
