// A local push service (RFC 8030) for tests: subscriptions made like a browser's (P-256 key pair and auth secret),
// each push checked for its VAPID Authorization (RFC 8292: ES256 JWT for this origin, signed by the key given in k=)
// and decrypted (RFC 8291 aes128gcm) with the subscriber's private key, as a browser would before showing it.
import { createECDH, createDecipheriv, createPublicKey, hkdfSync, randomBytes, randomUUID, verify, type ECDH } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PushSubscriptionJSON {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export interface ReceivedPush {
  subscriptionId: string;
  /** The decrypted payload, parsed as JSON. */
  payload: unknown;
  ttl: number;
  /** The Topic header (RFC 8030 §5.4), if any. */
  topic: string | undefined;
  /** The VAPID claims and the public key that signed them. */
  vapid: { aud: string; sub: string; exp: number; publicKey: string };
}

export interface PushService {
  url: string;
  /** A new subscription, as PushManager.subscribe would answer. */
  subscribe(): PushSubscriptionJSON & { id: string };
  /** Pushes accepted (201), in order of arrival. */
  received: ReceivedPush[];
  /** Requests refused, with the reason (bad VAPID, undecryptable...). */
  refused: { status: number; reason: string }[];
  /** Answer 410 Gone to this subscription from now on (the browser unsubscribed). */
  expire(subscriptionId: string): void;
  /** Answer this status to every push from now on (e.g. 503), or undefined to accept again. */
  failWith(status: number | undefined): void;
  close(): Promise<void>;
}

const b64url = (data: string) => Buffer.from(data, 'base64url');

/** RFC 8292 §2-3: "vapid t=<jwt>, k=<key>", ES256 over the origin of the push resource, not expired, at most 24 h. */
function checkVapid(header: string | undefined, origin: string): ReceivedPush['vapid'] {
  const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header ?? '');
  if (!match) throw new Error('Authorization is not "vapid t=..., k=..."');
  const [, token, key] = match as unknown as [string, string, string];
  const [head, body, signature] = token.split('.');
  if (!head || !body || !signature) throw new Error('the JWT has not three parts');
  if (JSON.parse(b64url(head).toString()).alg !== 'ES256') throw new Error('the JWT is not ES256');
  const point = b64url(key);
  if (point.length !== 65 || point[0] !== 4) throw new Error('k is not an uncompressed P-256 point');
  const publicKey = createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33).toString('base64url') },
    format: 'jwk',
  });
  if (!verify('sha256', Buffer.from(`${head}.${body}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, b64url(signature))) {
    throw new Error('the JWT signature does not verify with k');
  }
  const claims = JSON.parse(b64url(body).toString()) as { aud: string; sub: string; exp: number };
  const now = Date.now() / 1000;
  if (claims.aud !== origin) throw new Error(`aud ${claims.aud} is not ${origin}`);
  if (!(claims.exp > now && claims.exp <= now + 24 * 3600 + 60)) throw new Error('exp is not within the next 24 hours');
  if (!/^(mailto:|https:)/.test(claims.sub)) throw new Error('sub is not a mailto: or https: URL');
  return { ...claims, publicKey: key };
}

/** RFC 8291 §3.4 + RFC 8188: the aes128gcm body decrypted with the subscriber's key pair and auth secret. */
export function decryptAes128gcm(body: Buffer, subscriber: ECDH, authSecret: Buffer): Buffer {
  const salt = body.subarray(0, 16);
  const recordSize = body.readUInt32BE(16);
  const idLength = body[20]!;
  const serverPublic = body.subarray(21, 21 + idLength);
  const ciphertext = body.subarray(21 + idLength);
  if (ciphertext.length > recordSize) throw new Error('more than one record');
  const ecdhSecret = subscriber.computeSecret(serverPublic);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), subscriber.getPublicKey(), serverPublic]);
  const ikm = Buffer.from(hkdfSync('sha256', ecdhSecret, authSecret, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const padded = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()]);
  // The last record ends with the delimiter 0x02 then zero padding (RFC 8188 §2).
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error('no last-record delimiter');
  return padded.subarray(0, end);
}

export async function startPushService(): Promise<PushService> {
  const subscribers = new Map<string, { ecdh: ECDH; auth: Buffer }>();
  const gone = new Set<string>();
  const received: ReceivedPush[] = [];
  const refused: PushService['refused'] = [];
  let failure: number | undefined;
  let origin = '';

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const answer = (status: number, reason?: string) => {
        if (reason) refused.push({ status, reason });
        response.writeHead(status).end();
      };
      const id = /^\/push\/([\w-]+)$/.exec(request.url ?? '')?.[1];
      const subscriber = id ? subscribers.get(id) : undefined;
      if (request.method !== 'POST' || !id || !subscriber) return answer(404, 'unknown subscription');
      if (gone.has(id)) return answer(410);
      if (failure) return answer(failure);
      if (request.headers['content-encoding'] !== 'aes128gcm') return answer(415, 'Content-Encoding is not aes128gcm');
      const ttl = Number(request.headers.ttl);
      if (!Number.isInteger(ttl) || ttl < 0) return answer(400, 'TTL header missing');
      try {
        const vapid = checkVapid(request.headers.authorization, origin);
        const payload = JSON.parse(decryptAes128gcm(Buffer.concat(chunks), subscriber.ecdh, subscriber.auth).toString('utf8')) as unknown;
        received.push({ subscriptionId: id, payload, ttl, topic: request.headers.topic as string | undefined, vapid });
        response.writeHead(201, { location: `${origin}/message/${randomUUID()}` }).end();
      } catch (err) {
        answer(403, (err as Error).message);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: origin,
    subscribe() {
      const id = randomUUID();
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const auth = randomBytes(16);
      subscribers.set(id, { ecdh, auth });
      return { id, endpoint: `${origin}/push/${id}`, keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: auth.toString('base64url') } };
    },
    received,
    refused,
    expire: (id) => void gone.add(id),
    failWith: (status) => void (failure = status),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
