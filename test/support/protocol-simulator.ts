// A stand-in for an ente's external protocol system: POST /api/v1/registrations with a bearer token
// and the documents inline → 201 {id, number, year, registeredAt}; the same Idempotency-Key → the
// same registration (200). It can be switched "down" (503) to test retries.
import { createHash, randomUUID } from 'node:crypto';
import Fastify from 'fastify';

export interface SimulatedRegistration {
  id: string;
  number: number;
  year: number;
  registeredAt: string;
  subject: string;
  documents: { name: string; sha256: string }[];
}

export interface ProtocolSimulator {
  /** Base URL of the API, e.g. http://127.0.0.1:1234/api/v1. */
  baseUrl: string;
  token: string;
  down: boolean;
  /** Requests refused while down. */
  refused: number;
  registrations: SimulatedRegistration[];
  close(): Promise<void>;
}

interface Body {
  subject?: unknown;
  documents?: { name?: unknown; sha256?: unknown; content?: unknown }[];
}

export async function startProtocolSimulator(token = 'sim-token'): Promise<ProtocolSimulator> {
  const app = Fastify({ bodyLimit: 50 * 1024 * 1024 });
  const byKey = new Map<string, SimulatedRegistration>();
  const state: Omit<ProtocolSimulator, 'baseUrl' | 'close'> = { token, down: false, refused: 0, registrations: [] };

  app.post('/api/v1/registrations', async (request, reply) => {
    if (state.down) {
      state.refused++;
      return reply.code(503).header('retry-after', '1').type('application/problem+json').send({ title: 'Service Unavailable', status: 503 });
    }
    if (request.headers.authorization !== `Bearer ${state.token}`) return reply.code(401).send({ title: 'Unauthorized', status: 401 });
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string' || !key) return reply.code(400).send({ title: 'Idempotency-Key required', status: 400 });
    const repeat = byKey.get(key);
    if (repeat) return reply.code(200).send(repeat);
    const body = request.body as Body;
    const documents = Array.isArray(body?.documents) ? body.documents : [];
    // Checks each document's fingerprint against its bytes, as a real system would.
    const bad = documents.find((d) => typeof d.content !== 'string' || createHash('sha256').update(Buffer.from(d.content, 'base64')).digest('hex') !== d.sha256);
    if (typeof body?.subject !== 'string' || !documents.length || bad) return reply.code(422).send({ title: 'Invalid registration', status: 422 });
    const now = new Date();
    const year = now.getUTCFullYear();
    const registration: SimulatedRegistration = {
      id: randomUUID(),
      number: state.registrations.filter((r) => r.year === year).length + 1,
      year,
      registeredAt: now.toISOString(),
      subject: body.subject,
      documents: documents.map((d) => ({ name: String(d.name), sha256: String(d.sha256) })),
    };
    state.registrations.push(registration);
    byKey.set(key, registration);
    return reply.code(201).send(registration);
  });

  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return Object.assign(state, { baseUrl: `${address}/api/v1`, close: () => app.close() });
}
