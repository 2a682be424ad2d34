import { describe, expect, it } from 'vitest';
import { originsOf, withFormActionOrigins } from './csp.ts';

describe('form-action for redirects to another origin', () => {
  it('adds origins to the form-action directive', () => {
    expect(withFormActionOrigins("default-src 'self';form-action 'self';frame-ancestors 'none'", ['http://localhost:3000'])).toBe(
      "default-src 'self';form-action 'self' http://localhost:3000;frame-ancestors 'none'",
    );
    expect(withFormActionOrigins("default-src 'self'", ['https://rp.it'])).toBe("default-src 'self';form-action 'self' https://rp.it");
    expect(withFormActionOrigins("form-action 'self'", [])).toBe("form-action 'self'");
  });

  it('takes the origin of a URL, none of anything else', () => {
    expect(originsOf('https://comune.example.it:8443/pagamenti/esito?ok=1')).toEqual(['https://comune.example.it:8443']);
    expect(originsOf('not a url')).toEqual([]);
    expect(originsOf(undefined)).toEqual([]);
  });
});
