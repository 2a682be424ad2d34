import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_PORTS, loadConfig } from './config.ts';

describe('configuration', () => {
  it('has working defaults: embedded database, fixed ports, local SMTP catcher', () => {
    const config = loadConfig({});
    expect(config.databaseUrl).toBeUndefined();
    expect(config.ports).toEqual(DEFAULT_PORTS);
    expect(config.ports.comune).toBe(3000);
    expect(config.urls.identity).toBe('http://localhost:3001');
    expect(config.smtp).toMatchObject({ url: 'smtp://127.0.0.1:2525', catcherEnabled: true });
  });

  it('switches to PostgreSQL and a real relay by configuration', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/sportello', SMTP_URL: 'smtps://relay.example.it:465', COMUNE_URL: 'https://servizi.comune.example.it/' });
    expect(config.databaseUrl).toBe('postgres://u:p@db:5432/sportello');
    expect(config.smtp.catcherEnabled).toBe(false);
    expect(config.urls.comune).toBe('https://servizi.comune.example.it');
  });

  it('names every bad value in one clear error', () => {
    let error: unknown;
    try {
      loadConfig({ COMUNE_PORT: '70000', IO_URL: 'ftp://x', DATABASE_URL: 'mysql://x', SEED_DEMO: 'maybe', NODE_ENV: 'production' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['COMUNE_PORT', 'IO_URL', 'DATABASE_URL', 'SEED_DEMO', 'SECRET']) expect(problems).toContain(name);
  });
});

describe('trusted proxies', () => {
  it('believes no X-Forwarded-For unless told which proxies to trust', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, loopback' }).trustProxy).toEqual(['10.0.0.0/8', 'loopback']);
    expect(() => loadConfig({ TRUST_PROXY: 'everyone' })).toThrow(/TRUST_PROXY/);
  });
});
