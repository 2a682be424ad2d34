import { describe, expect, it } from 'vitest';
import { ANPR_ESERVICES, PdndApiError, VoucherRequestError, type PdndConsumerClient, type PdndEserviceInfo, type PdndPurpose } from '../../clients/pdnd/index.ts';
import { connectErrorOf, planConnection } from './connect.ts';

const eservice = (name: string, id = `e-${name}`): PdndEserviceInfo => ({ id, producerId: 'anpr', producerName: 'ANPR', name, description: '', technology: 'Rest', descriptors: [] });
const purpose = (id: string, eserviceId: string, state: PdndPurpose['state'] = 'Active'): PdndPurpose =>
  ({ id, eserviceId, eserviceName: '', consumerId: 'c', consumerName: '', title: '', description: '', isFreeOfCharge: true, suspendedByConsumer: false, suspendedByProducer: false, state, versions: [] });
const client = (id: string, purposes: string[]): PdndConsumerClient => ({ id, consumerId: 'c', name: id, description: '', kind: 'Consumer', purposes, keys: [], createdAt: '' });

const [c030, c015, c020] = ANPR_ESERVICES.filter((e) => ['C030', 'C015', 'C020'].includes(e.code));
const catalogue = [eservice(c030!.name), eservice(c015!.name), eservice(c020!.name), eservice('X001-altro')];

describe('planConnection', () => {
  it('picks the client covering most ANPR e-services, with an Active purpose of its own for each', () => {
    const purposes = [purpose('p030', `e-${c030!.name}`), purpose('p015', `e-${c015!.name}`), purpose('p020-old', `e-${c020!.name}`, 'Archived'), purpose('p020', `e-${c020!.name}`), purpose('px', 'e-X001-altro')];
    const clients = [client('small', ['p030', 'px']), client('main', ['p030', 'p015', 'p020-old', 'p020']), client('other', [])];
    expect(planConnection(catalogue, purposes, clients)).toEqual({ clientId: 'main', purposes: { C030: 'p030', C015: 'p015', C020: 'p020' } });
  });

  it('refuses a catalogue without ANPR e-services, and a body whose clients have no Active ANPR purpose', () => {
    expect(planConnection([eservice('X001-altro')], [], [client('a', [])])).toEqual({ error: 'no-anpr-eservices' });
    const suspended = [purpose('p030', `e-${c030!.name}`, 'Suspended')];
    expect(planConnection(catalogue, suspended, [client('a', ['p030'])])).toEqual({ error: 'no-client' });
    expect(planConnection(catalogue, [purpose('p030', `e-${c030!.name}`)], [client('a', [])])).toEqual({ error: 'no-client' });
  });
});

describe('connectErrorOf', () => {
  it('names why a connection failed', () => {
    expect(connectErrorOf(new PdndApiError(401, { type: 'about:blank', title: 'Unauthorized', status: 401 })).code).toBe('unauthorized');
    expect(connectErrorOf(new PdndApiError(500, { type: 'about:blank', title: 'Server Error', status: 500 })).code).toBe('pdnd-error');
    expect(connectErrorOf(new VoucherRequestError(400, 'invalid_grant', undefined)).code).toBe('voucher-refused');
    expect(connectErrorOf(new TypeError('fetch failed', { cause: new Error('ECONNREFUSED') }))).toMatchObject({ code: 'unreachable', message: 'PDND cannot be reached: ECONNREFUSED' });
  });
});
