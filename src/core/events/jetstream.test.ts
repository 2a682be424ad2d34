import { describe, expect, it } from 'vitest';
import { eventSubject, subjectToken } from './jetstream.ts';

describe('JetStream subjects', () => {
  it('keeps an ente slug and the event type levels as they are', () => {
    expect(eventSubject('comune-di-bugliano', 'application.2000')).toBe('sportello.comune-di-bugliano.application.2000');
    expect(eventSubject('bugliano', 'message.created')).toBe('sportello.bugliano.message.created');
  });

  it('makes any token NATS-safe: no separator, wildcard, space or empty token', () => {
    expect(subjectToken('a.b')).toBe('a_b');
    expect(subjectToken('*')).toBe('_');
    expect(subjectToken('>')).toBe('_');
    expect(subjectToken('due parole\t')).toBe('due_parole_');
    expect(subjectToken('')).toBe('_');
    expect(eventSubject('x.*', 'application.>')).toBe('sportello.x__.application._');
  });
});
