import { describe, expect, it } from 'vitest';
import { checkProtocolConnection, protocolInput } from './protocol.ts';

describe('protocol settings form', () => {
  const saved = { baseUrl: 'https://prot.example/api/v1', token: 'sealed-one' };
  const pointers = (form: Parameters<typeof protocolInput>[0], s = saved) => protocolInput(form, s).errors.map((e) => e.pointer);

  it('takes the built-in register with the AOO code, PROT_GEN by default', () => {
    expect(protocolInput({ aooCode: ' AOO_1 ', adapter: 'builtin' }, undefined).input).toEqual({ aooCode: 'AOO_1', registerCode: 'PROT_GEN', adapter: 'builtin' });
    expect(pointers({ aooCode: '', registerCode: 'con spazi', adapter: 'builtin' })).toEqual(['/body/aooCode', '/body/registerCode']);
    expect(pointers({ aooCode: 'A'.repeat(17), adapter: 'builtin' })).toEqual(['/body/aooCode']);
  });

  it('keeps the saved token only for the saved address', () => {
    expect(protocolInput({ aooCode: 'AOO', adapter: 'http', baseUrl: 'https://prot.example/api/v1/', token: '' }, saved).input).toMatchObject({ baseUrl: saved.baseUrl, token: 'sealed-one' });
    expect(pointers({ aooCode: 'AOO', adapter: 'http', baseUrl: 'https://elsewhere.example/api', token: '' })).toEqual(['/body/token']);
    expect(protocolInput({ aooCode: 'AOO', adapter: 'http', baseUrl: 'https://elsewhere.example/api', token: 'new' }, saved).input).toMatchObject({ token: 'new' });
    expect(pointers({ aooCode: 'AOO', adapter: 'http', baseUrl: 'ftp://x', token: 't' })).toEqual(['/body/baseUrl']);
    expect(pointers({ aooCode: 'AOO', adapter: 'http', baseUrl: 'https://user:pw@prot.example', token: 't' })).toEqual(['/body/baseUrl']);
  });
});

describe('protocol connection test', () => {
  const answering = (status: number): typeof fetch => async (input, init) => {
    expect(String(input)).toBe('https://prot.example/api/v1/status');
    expect(new Headers(init?.headers).get('authorization')).toBe('Bearer t');
    return new Response('{}', { status });
  };

  it('tells a working connection from a refused token, an error and an unreachable system', async () => {
    expect(await checkProtocolConnection('https://prot.example/api/v1', 't', answering(200))).toEqual({ outcome: 'ok' });
    expect(await checkProtocolConnection('https://prot.example/api/v1', 't', answering(403))).toEqual({ outcome: 'unauthorized', status: 403 });
    expect(await checkProtocolConnection('https://prot.example/api/v1', 't', answering(502))).toEqual({ outcome: 'failed', status: 502 });
    const refused: typeof fetch = async () => {
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    };
    expect(await checkProtocolConnection('https://prot.example/api/v1', 't', refused)).toEqual({ outcome: 'unreachable', reason: 'ECONNREFUSED' });
  });
});
