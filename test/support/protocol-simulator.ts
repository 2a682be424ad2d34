// A stand-in for an ente's external protocol system: POST /api/v1/registrations with a bearer token
// and the documents inline → 201 {id, number, year, registeredAt}; the same Idempotency-Key → the
// same registration (200); POST /api/v1/registrations/:id/annulment {reason, authorisedBy} annuls one
// (404 unknown, 409 already annulled), keeping it and its number; GET /api/v1/status checks address and
// token. It can be switched "down" (503) to test retries.
import { createHash, randomUUID } from 'node:crypto';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';

export interface SimulatedRegistration {
  id: string;
  number: number;
  year: number;
  registeredAt: string;
  subject: string;
  direction: string;
  linkedTo: { id: string; number: number; year: number } | null;
  documents: { name: string; sha256: string }[];
  annulment?: { reason: string; authorisedBy: string; annulledAt: string };
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
  direction?: unknown;
  linkedTo?: { id: string; number: number; year: number } | null;
  documents?: { name?: unknown; sha256?: unknown; content?: unknown }[];
}

export async function startProtocolSimulator(token = 'sim-token'): Promise<ProtocolSimulator> {
  const app = Fastify({ bodyLimit: 50 * 1024 * 1024 });
  const byKey = new Map<string, SimulatedRegistration>();
  const state: Omit<ProtocolSimulator, 'baseUrl' | 'close'> = { token, down: false, refused: 0, registrations: [] };

  // Down or a wrong token: the answer that ends the request (undefined: go on).
  const gate = (request: FastifyRequest, reply: FastifyReply) => {
    if (state.down) {
      state.refused++;
      return reply.code(503).header('retry-after', '1').type('application/problem+json').send({ title: 'Service Unavailable', status: 503 });
    }
    if (request.headers.authorization !== `Bearer ${state.token}`) return reply.code(401).send({ title: 'Unauthorized', status: 401 });
    return undefined;
  };

  // The console's connection test: answers only when up and with the right token, registering nothing.
  app.get('/api/v1/status', async (request, reply) => gate(request, reply) ?? { status: 'ok' });

  app.post('/api/v1/registrations', async (request, reply) => {
    const stop = gate(request, reply);
    if (stop) return stop;
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
      direction: String(body.direction),
      linkedTo: body.linkedTo ?? null,
      documents: documents.map((d) => ({ name: String(d.name), sha256: String(d.sha256) })),
    };
    state.registrations.push(registration);
    byKey.set(key, registration);
    return reply.code(201).send(registration);
  });

  app.post<{ Params: { id: string }; Body: { reason?: unknown; authorisedBy?: unknown } }>('/api/v1/registrations/:id/annulment', async (request, reply) => {
    const stop = gate(request, reply);
    if (stop) return stop;
    const registration = state.registrations.find((r) => r.id === request.params.id);
    if (!registration) return reply.code(404).send({ title: 'Not Found', status: 404 });
    const { reason, authorisedBy } = request.body ?? {};
    if (typeof reason !== 'string' || !reason || typeof authorisedBy !== 'string' || !authorisedBy) return reply.code(422).send({ title: 'Reason and authorisation required', status: 422 });
    if (registration.annulment) return reply.code(409).send({ title: 'Already annulled', status: 409 });
    registration.annulment = { reason, authorisedBy, annulledAt: new Date().toISOString() };
    return reply.code(200).send(registration);
  });

  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return Object.assign(state, { baseUrl: `${address}/api/v1`, close: () => app.close() });
}
