import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.ts';
import { eventSubject, natsConnectionOptions, subjectToken } from './jetstream.ts';

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

describe('NATS_URL', () => {
  it('is optional, and checked at start with its password masked', () => {
    expect(loadConfig({}).natsUrl).toBeUndefined();
    expect(loadConfig({ NATS_URL: 'nats://a:4222,tls://b:4443' }).natsUrl).toBe('nats://a:4222,tls://b:4443');
    for (const bad of ['http://nats:4222', 'nats://[oops', 'nats://ok:4222,nats', 'nats://u:secret@bad host']) {
      expect(() => loadConfig({ NATS_URL: bad }), bad).toThrow(ConfigError);
    }
    expect(() => loadConfig({ NATS_URL: 'redis://u:secret@x' })).toThrow(/NATS_URL.*u:\*\*\*@x/);
  });

  it('lists the servers without scheme or credentials', () => {
    expect(natsConnectionOptions('nats://127.0.0.1:4222')).toEqual({ servers: ['127.0.0.1:4222'] });
    expect(natsConnectionOptions('nats://a.example.it:4222, nats://b.example.it')).toEqual({ servers: ['a.example.it:4222', 'b.example.it'] });
  });

  it('takes a login or a token from the URL and requires TLS for tls://', () => {
    expect(natsConnectionOptions('tls://sportello:p%40ss%3Aw@nats.example.it:4443')).toEqual({ servers: ['nats.example.it:4443'], user: 'sportello', pass: 'p@ss:w', tls: {} });
    expect(natsConnectionOptions('nats://s3cr3t@nats.example.it')).toEqual({ servers: ['nats.example.it'], token: 's3cr3t' });
  });
});
