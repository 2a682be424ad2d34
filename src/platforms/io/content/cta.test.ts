import { describe, expect, it } from 'vitest';
import { ctaHref, parseCta } from './cta.ts';

const FRONT = `---
it:
  cta_1: { text: "Paga la TARI", action: "iohandledlink://https://www.comune.example.it/tari" }
  cta_2:
    text: 'Scrivi all''ufficio'
    action: "iohandledlink://mailto:tributi@comune.example.it"
en:
  cta_1: { text: "Pay", action: "ioit://wallet" }
---
Il **testo** del messaggio.`;

describe('parseCta', () => {
  it('takes the CTAs of the citizen’s language and strips the front-matter', () => {
    expect(parseCta(FRONT, 'it')).toEqual({
      body: 'Il **testo** del messaggio.',
      ctas: [
        { text: 'Paga la TARI', href: 'https://www.comune.example.it/tari' },
        { text: "Scrivi all'ufficio", href: 'mailto:tributi@comune.example.it' },
      ],
    });
    expect(parseCta(FRONT, 'en').ctas).toEqual([{ text: 'Pay', href: '/app/pagamenti' }]);
  });

  it('falls back to it for another language; no it → no CTA', () => {
    expect(parseCta(FRONT, 'de').ctas[0]!.text).toBe('Paga la TARI');
    const onlyEn = '---\nen:\n  cta_1: { text: "Pay", action: "ioit://wallet" }\n---\nbody';
    expect(parseCta(onlyEn, 'de')).toEqual({ body: 'body', ctas: [] });
  });

  it('maps ioit:// routes to the app’s pages and drops unknown actions', () => {
    expect(ctaHref('ioit://messages')).toBe('/app/messaggi');
    expect(ctaHref('ioit://main/messages')).toBe('/app/messaggi');
    expect(ctaHref('ioit://wallet/payments-history')).toBe('/app/pagamenti');
    expect(ctaHref('ioit://services/service-detail?serviceId=01HZX8Q2W3E4R5T6Y7U8I9O0PA&activate=true')).toBe('/app/servizi/01HZX8Q2W3E4R5T6Y7U8I9O0PA');
    expect(ctaHref('ioit://profile/preferences')).toBe('/app/profilo');
    expect(ctaHref('iohandledlink://tel:+390501234567')).toBe('tel:+390501234567');
    expect(ctaHref('iohandledlink://sms:+393331234567')).toBe('sms:+393331234567');
    for (const bad of ['iohandledlink://javascript:alert(1)', 'javascript:alert(1)', 'https://x.example', 'iohandledlink://data:text/html,x', 'ioit://services/service-detail?serviceId=../../x', 'ioit://fci/signature-requests']) {
      expect(ctaHref(bad)).toBeUndefined();
    }
  });

  it('ignores an invalid front-matter and still shows the body', () => {
    expect(parseCta('---\nit: [broken\n---\nbody', 'it')).toEqual({ body: 'body', ctas: [] });
    expect(parseCta('---\nfr:\n  cta_1: { text: "x", action: "ioit://messages" }\n---\nbody', 'it')).toEqual({ body: 'body', ctas: [] });
    expect(parseCta('---\nit:\n  cta_2: { text: "x", action: "ioit://messages" }\n---\nbody', 'it').ctas).toEqual([]);
    expect(parseCta('No front-matter\n---\nhere', 'it')).toEqual({ body: 'No front-matter\n---\nhere', ctas: [] });
    expect(parseCta('---\nit:\n  cta_1: { text: "x", action: "ioit://messages" }\nnever closed', 'it').ctas).toEqual([]);
  });
});
