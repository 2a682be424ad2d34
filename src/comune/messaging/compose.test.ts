import { describe, expect, it } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import { MessageContent, MESSAGE_LIMITS } from '../../clients/io/wire.ts';
import { STATUS, STATUS_CODES } from '../applications/states.ts';
import { composeMessage, ctaFrontMatter, cut, fitSubject, ioMarkdown, kindOfStatus, plainParagraphs } from './compose.ts';

const app = { tenantName: 'Comune di Bugliano', serviceName: 'Iscrizione *mensa* [scolastica]', applicationId: '0b9d6a52-5c55-4a49-9f4c-6f0a3f7f1a10' };
const notice = { tenantName: 'Comune di Bugliano', reason: 'TARI 2026', amountCents: 12345, noticeNumber: '301000000000000017', payeeFiscalCode: '80000990509', dueDay: '2026-12-31' };
const href = 'https://sportello.example/comune-di-bugliano/area-personale/messaggi/x';
const chars = (s: string) => Array.from(s).length;

describe('which statuses the citizen hears about', () => {
  it('announces the iter and the outcome, never a draft nor the payment steps', () => {
    expect(kindOfStatus(STATUS.submitted)).toBe('status_change');
    expect(kindOfStatus(STATUS.requestIntegration)).toBe('status_change');
    expect(kindOfStatus(STATUS.withdrawn)).toBe('status_change');
    expect(kindOfStatus(STATUS.complete)).toBe('outcome');
    expect(kindOfStatus(STATUS.cancelled)).toBe('outcome');
    for (const quiet of [STATUS.draft, STATUS.paymentPending, STATUS.paymentOutcomePending, STATUS.paymentSuccess, STATUS.preSubmit, STATUS.draftForIntegration]) expect(kindOfStatus(quiet)).toBeUndefined();
  });
});

describe('composing', () => {
  it('writes every announced status in it, en and de within IO limits, values escaped', () => {
    for (const status of STATUS_CODES.filter((s) => kindOfStatus(s) === 'status_change')) {
      for (const locale of ['it', 'en', 'de'] as const) {
        const m = composeMessage({ kind: 'status_change', ...app, status, note: 'Serve la *ricevuta*', protocol: { number: 12, year: 2026 } }, locale);
        expect(chars(m.subject)).toBeGreaterThanOrEqual(MESSAGE_LIMITS.subject.min);
        expect(chars(m.subject)).toBeLessThanOrEqual(MESSAGE_LIMITS.subject.max);
        expect(m.markdown).not.toContain('{');
        expect(m.markdown).toContain('\\*mensa\\* \\[scolastica\\]');
        expect(Value.Check(MessageContent, { subject: m.subject, markdown: ioMarkdown(m.markdown, href) })).toBe(true);
      }
    }
    expect(composeMessage({ kind: 'status_change', ...app, status: STATUS.registered, note: null, protocol: { number: 12, year: 2026 } }, 'it').markdown).toContain('protocollata con il numero 12/2026');
  });

  it('the outcome says accepted or rejected, with the motivation and the way to the letter', () => {
    const yes = composeMessage({ kind: 'outcome', ...app, accepted: true, motivation: 'Requisiti presenti' }, 'it');
    expect(yes.subject).toBe('Iscrizione *mensa* [scolastica]: domanda accolta');
    expect(plainParagraphs(yes.markdown)).toContain('Motivazione: Requisiti presenti');
    expect(yes.markdown).toContain('lettera');
    expect(composeMessage({ kind: 'outcome', ...app, accepted: false, motivation: null }, 'en').subject).toContain('rejected');
  });

  it('a notice and its reminder carry the amount, the code and the due date in the citizen’s words', () => {
    const it_ = composeMessage({ kind: 'payment_notice', ...notice }, 'it');
    expect(it_.subject).toBe('Avviso di pagamento: TARI 2026');
    expect(it_.markdown).toMatch(/123,45\s€/);
    expect(it_.markdown).toContain('31 dicembre 2026');
    expect(it_.markdown).toContain('301000000000000017');
    expect(composeMessage({ kind: 'payment_reminder', ...notice }, 'de').subject).toContain('Erinnerung');
  });
});

describe('IO limits', () => {
  it('cuts a subject to 120 and completes a short one to 10', () => {
    expect(chars(fitSubject('x'.repeat(300), 'Ente'))).toBe(120);
    expect(fitSubject('x'.repeat(300), 'Ente').endsWith('…')).toBe(true);
    expect(fitSubject('Esito', 'Ente')).toBe('Esito – Ente');
    expect(chars(fitSubject('A', 'B'))).toBe(10);
  });

  it('cuts the Markdown to 10,000 with its front-matter, never in the middle of a character', () => {
    const long = ioMarkdown('😀'.repeat(20_000), href);
    expect(chars(long)).toBe(MESSAGE_LIMITS.markdown.max);
    expect(long.startsWith(ctaFrontMatter(href))).toBe(true);
    expect(cut('ab😀cd', 4)).toBe('ab😀…');
    expect(chars(ioMarkdown('', href))).toBeGreaterThanOrEqual(MESSAGE_LIMITS.markdown.min);
  });

  it('the CTA opens the personal area, in Italian and English', () => {
    const front = ctaFrontMatter(href);
    expect(front).toMatch(/^---\nit:\n {4}cta_1:\n/);
    expect(front).toContain(`action: "iohandledlink://${href}"`);
    expect(front).toContain('\nen:\n');
  });
});
