// The provider side of PDND: verify the voucher a consumer sends (signature against PDND's JWKS
// fetched over HTTP, typ at+jwt, iss, aud = this e-service, exp/nbf), ask PDND whether its purpose
// chain is still active and what its daily-calls estimate is, and count calls per purpose per day
// in the PROVIDER's own schema. Reference §5.3. A provider never reads PDND's tables.
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { createRemoteJWKSet, customFetch, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { sql, type Executor } from '../../core/db.ts';
import { sqlMigration, type Migration } from '../../core/migrations.ts';
import { HttpProblem, problemType } from '../../core/problem.ts';
import { VOUCHER_ALG, VOUCHER_TYP, pdndEndpoints, type VoucherStatus } from './endpoints.ts';

export type VoucherFailure = 'missing' | 'invalid' | 'expired' | 'wrong_audience' | 'purpose_inactive' | 'unavailable';

/** Why a voucher was refused: 401 (missing, invalid, expired), 403 (another e-service, inactive purpose), 503 (PDND unreachable). */
export class VoucherError extends Error {
  constructor(
    readonly failure: VoucherFailure,
    message: string,
  ) {
    super(message);
    this.name = 'VoucherError';
  }
  get status(): 401 | 403 | 503 {
    return this.failure === 'wrong_audience' || this.failure === 'purpose_inactive' ? 403 : this.failure === 'unavailable' ? 503 : 401;
  }
}

/** Who is calling, as verified: exported to the route as request.pdnd. */
export interface VerifiedCaller {
  voucherId: string;
  clientId: string;
  purposeId: string;
  eserviceId: string;
  descriptorId: string;
  consumer: { id: string; name: string; ipaCode: string };
  /** The purpose's Active estimate of calls per day. */
  dailyCalls: number;
  expiresAt: Date;
  /** digest claim (SHA-256 of the Agid-JWT-TrackingEvidence), when the consumer bound one. */
  digest?: { alg: string; value: string };
  claims: JWTPayload;
}

export interface VoucherValidatorOptions {
  pdndUrl: string;
  /** This e-service's audience (the descriptor's audience), e.g. `${ANPR_URL}/C015-servizioAccertamentoGeneralita/v1`. */
  audience: string | string[];
  fetch?: typeof fetch;
  /** JWKS kept this long before a refetch (default 10 minutes). */
  jwksCacheSeconds?: number;
  /** An unknown kid triggers a refetch, at most once per this many seconds (default 30). */
  jwksRefetchFloorSeconds?: number;
  /** Purpose status kept this long (default 30 s): a suspension takes effect within it. */
  statusCacheSeconds?: number;
  /** Vouchers whose signature was verified, kept (until they expire, at most jwksCacheSeconds) so that a consumer reusing one is not verified again; default 10,000. */
  verifiedCacheSize?: number;
  clockToleranceSeconds?: number;
  now?: () => Date;
}

export interface VoucherValidator {
  /** The verified caller, or a VoucherError. */
  verify(token: string | undefined): Promise<VerifiedCaller>;
}

export function createVoucherValidator(options: VoucherValidatorOptions): VoucherValidator {
  const endpoints = pdndEndpoints(options.pdndUrl);
  const doFetch = options.fetch ?? fetch;
  const now = () => options.now?.() ?? new Date();
  const audiences = Array.isArray(options.audience) ? options.audience : [options.audience];
  const jwks = createRemoteJWKSet(new URL(endpoints.jwksUrl), {
    cacheMaxAge: (options.jwksCacheSeconds ?? 600) * 1000,
    cooldownDuration: (options.jwksRefetchFloorSeconds ?? 30) * 1000,
    timeoutDuration: 5000,
    [customFetch]: (url: string, init: RequestInit) => doFetch(url, init),
  });
  const statusCache = new Map<string, { at: number; status: Promise<VoucherStatus> }>();
  const statusTtl = (options.statusCacheSeconds ?? 30) * 1000;
  const clockTolerance = options.clockToleranceSeconds ?? 10;
  // Signature, typ, iss and alg of a token never change: a verified one is kept until it expires, and no longer
  // than the JWKS, so that a key PDND withdraws stops its vouchers as soon as it would without this cache.
  const verified = new Map<string, { payload: JWTPayload; until: number }>();
  const verifiedMax = options.verifiedCacheSize ?? 10_000;
  const verifiedTtl = (options.jwksCacheSeconds ?? 600) * 1000;

  async function verifySignature(token: string): Promise<JWTPayload> {
    const at = now().getTime();
    const cached = verified.get(token);
    // `until` is never past the expiry: beyond it jwtVerify runs again, and refuses an expired voucher.
    if (cached && at < cached.until) return cached.payload;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        issuer: endpoints.issuer,
        typ: VOUCHER_TYP,
        algorithms: [VOUCHER_ALG],
        clockTolerance,
        currentDate: now(),
        requiredClaims: ['jti', 'exp', 'iat', 'aud', 'sub'],
      }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw new VoucherError('expired', 'The voucher has expired: ask PDND for a new one');
      if (err instanceof joseErrors.JWKSTimeout || !(err instanceof joseErrors.JOSEError)) {
        throw new VoucherError('unavailable', `PDND's keys cannot be fetched: ${(err as Error).message}`);
      }
      throw new VoucherError('invalid', `The voucher is not valid: ${(err as Error).message}`);
    }
    if (verified.size >= verifiedMax) verified.delete(verified.keys().next().value!);
    verified.set(token, { payload, until: Math.min(at + verifiedTtl, (payload.exp! + clockTolerance) * 1000) });
    return payload;
  }

  async function status(purposeId: string, token: string): Promise<VoucherStatus> {
    const cached = statusCache.get(purposeId);
    if (cached && now().getTime() - cached.at < statusTtl) return cached.status;
    const pending = (async () => {
      let response: Response;
      try {
        response = await doFetch(endpoints.voucherStatusUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ token }),
        });
      } catch (err) {
        throw new VoucherError('unavailable', `PDND is unreachable: ${(err as Error).message}`);
      }
      if (response.status === 401) throw new VoucherError('invalid', 'PDND does not recognise this voucher');
      if (!response.ok) throw new VoucherError('unavailable', `PDND answered ${response.status} on the voucher status`);
      return (await response.json()) as VoucherStatus;
    })();
    statusCache.set(purposeId, { at: now().getTime(), status: pending });
    pending.catch(() => statusCache.get(purposeId)?.status === pending && statusCache.delete(purposeId));
    if (statusCache.size > 10_000) statusCache.delete(statusCache.keys().next().value!);
    return pending;
  }

  return {
    async verify(token) {
      if (!token) throw new VoucherError('missing', 'A PDND voucher is required: Authorization: Bearer <voucher>');
      const payload = await verifySignature(token);
      const aud = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
      if (!aud.some((a) => typeof a === 'string' && audiences.includes(a))) {
        throw new VoucherError('wrong_audience', 'The voucher was issued for another e-service');
      }
      const purposeId = payload.purposeId;
      if (typeof purposeId !== 'string') throw new VoucherError('invalid', 'The voucher has no purposeId');
      const chain = await status(purposeId, token);
      if (!chain.active) throw new VoucherError('purpose_inactive', `The purpose is not active at PDND (${(chain.reason ?? 'inactive').replaceAll('_', ' ')})`);
      return {
        voucherId: String(payload.jti),
        clientId: String(payload.client_id ?? payload.sub),
        purposeId,
        eserviceId: chain.eserviceId,
        descriptorId: chain.descriptorId,
        consumer: chain.consumer,
        dailyCalls: chain.dailyCalls,
        expiresAt: new Date(payload.exp! * 1000),
        ...(payload.digest ? { digest: payload.digest as VerifiedCaller['digest'] } : {}),
        claims: payload,
      };
    },
  };
}

// --- Daily calls per purpose, in the provider's schema ----------------------------------------------

export interface CallCount {
  allowed: boolean;
  /** The call's number among those counted today for the purpose (when allowed); else the day's count. */
  count: number;
}

/** Counts a purpose's calls per day; consume() refuses (without counting) once the limit is reached. */
export interface VoucherCallCounter {
  consume(purposeId: string, day: string, limit: number): Promise<CallCount>;
  /** Gives back what the counter holds and has not used (at shutdown). */
  close?(): Promise<void>;
}

/** Include in the provider's migrations: creates {schema}.voucher_calls. */
export const voucherCallCounterMigrations: Migration[] = [
  sqlMigration(
    'pdnd_client.voucher_calls.001',
    `create table {schema}.voucher_calls (
       purpose_id text not null,
       day date not null,
       calls integer not null,
       primary key (purpose_id, day)
     )`,
  ),
];

/** Calls reserved at once for a daily limit: a thousandth of it, at most 1,000, so that limits under 2,000 are counted call by call. */
export const leaseSize = (limit: number): number => Math.max(1, Math.min(1000, Math.floor(limit / 1000)));

interface Lease {
  purposeId: string;
  day: string;
  /** Next call number to hand out, and the last one reserved. */
  next: number;
  end: number;
  /** The reservation under way: resolves to the day's count when the limit is reached. */
  refill?: Promise<number | undefined>;
}

/**
 * The counter in the provider's own PostgreSQL schema, shared by every process of the provider. The row of
 * the day counts calls RESERVED: a process reserves a lease of numbered calls (leaseSize) with one atomic
 * upsert and hands them out from memory, allowing only numbers up to the limit — so the limit is never
 * exceeded, whatever the processes and even if the limit is lowered during the day. close() gives back
 * what was not used; a process that dies without it leaves at most one lease per purpose unused (calls
 * refused that many too early, never allowed beyond the limit).
 */
export function postgresCallCounter(db: Executor, schema: string): Required<VoucherCallCounter> {
  const table = sql.table(`${schema}.voucher_calls`);
  const leases = new Map<string, Lease>();

  /** Reserves up to `want` calls into the lease; undefined, or the day's count when none is left. */
  async function reserve(lease: Lease, limit: number): Promise<number | undefined> {
    let want = Math.min(leaseSize(limit), limit);
    for (;;) {
      const { rows } = await sql<{ calls: number }>`
        insert into ${table} as c (purpose_id, day, calls) values (${lease.purposeId}, ${lease.day}, ${want})
        on conflict (purpose_id, day) do update set calls = c.calls + ${want} where c.calls + ${want} <= ${limit}
        returning calls`.execute(db);
      if (rows[0]) {
        lease.next = rows[0].calls - want + 1;
        lease.end = rows[0].calls;
        return undefined;
      }
      const current = await sql<{ calls: number }>`select calls from ${table} where purpose_id = ${lease.purposeId} and day = ${lease.day}`.execute(db);
      const count = current.rows[0]?.calls ?? 0;
      if (count >= limit) return count;
      want = Math.min(want, limit - count);
    }
  }

  return {
    async consume(purposeId, day, limit) {
      if (limit <= 0) return { allowed: false, count: 0 };
      const key = `${purposeId}|${day}`;
      let lease = leases.get(key);
      if (!lease) {
        // A new day: the leases of the days before can no longer be used.
        for (const [k, l] of leases) if (l.day !== day) leases.delete(k);
        lease = { purposeId, day, next: 1, end: 0 };
        leases.set(key, lease);
      }
      for (;;) {
        if (lease.next <= lease.end) {
          // A limit lowered since the lease was taken: its numbers beyond are kept, to be given back.
          if (lease.next > limit) return { allowed: false, count: lease.next - 1 };
          return { allowed: true, count: lease.next++ };
        }
        // One reservation at a time per purpose; the calls waiting for it share its outcome.
        const l = lease;
        l.refill ??= reserve(l, limit).finally(() => (l.refill = undefined));
        const full = await l.refill;
        if (full !== undefined) return { allowed: false, count: full };
      }
    },
    async close() {
      for (const l of leases.values()) {
        const unused = l.end - l.next + 1;
        if (unused > 0) await sql`update ${table} set calls = calls - ${unused} where purpose_id = ${l.purposeId} and day = ${l.day}`.execute(db);
      }
      leases.clear();
    },
  };
}

/** In memory, for tests and single-process demos. */
export function memoryCallCounter(): VoucherCallCounter {
  const counts = new Map<string, number>();
  return {
    async consume(purposeId, day, limit) {
      const key = `${purposeId}|${day}`;
      const count = counts.get(key) ?? 0;
      if (count >= limit) return { allowed: false, count };
      counts.set(key, count + 1);
      return { allowed: true, count: count + 1 };
    },
  };
}

export const CALL_DAY_TIME_ZONE = 'Europe/Rome';

// Made once: building an Intl.DateTimeFormat costs more than the rest of a call's checks.
const callDayFormat = new Intl.DateTimeFormat('en-GB', { timeZone: CALL_DAY_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

let lastCallDay: { second: number; value: { day: string; secondsToNextDay: number } } | undefined;

/** The calendar day (YYYY-MM-DD, Italian time) a call counts on, and the seconds until the next one. */
export function callDay(at: Date): { day: string; secondsToNextDay: number } {
  const second = Math.floor(at.getTime() / 1000);
  // Every call of the same second gets the same answer: worked out once.
  if (lastCallDay?.second === second) return lastCallDay.value;
  const parts = Object.fromEntries(callDayFormat.formatToParts(at).map((p) => [p.type, p.value]));
  const elapsed = Number(parts.hour) * 3600 + Number(parts.minute) * 60 + Number(parts.second);
  lastCallDay = { second, value: { day: `${parts.year}-${parts.month}-${parts.day}`, secondsToNextDay: Math.max(1, 86400 - elapsed) } };
  return lastCallDay.value;
}

// --- The Fastify guard ----------------------------------------------------------------------------------

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified PDND caller, set by requireVoucher on e-service routes. */
    pdnd?: VerifiedCaller;
  }
}

export interface RequireVoucherOptions extends Omit<VoucherValidatorOptions, 'audience'> {
  audience: string | string[];
  /** Daily calls per purpose; without one, calls are not limited. */
  counter?: VoucherCallCounter;
  /** Reuse one validator (and its caches) across routes of the same e-service. */
  validator?: VoucherValidator;
}

const bearerOf = (request: FastifyRequest): string | undefined => {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+([A-Za-z0-9._~+/=-]+)$/i.exec(header.trim()) : null;
  return match?.[1];
};

/**
 * A preHandler for an e-service's routes: no voucher → 401 with WWW-Authenticate: Bearer; expired or
 * tampered → 401; voucher of another e-service or inactive purpose → 403; beyond the purpose's daily
 * estimate → 429 with Retry-After. Sets request.pdnd to the verified caller. Errors are problem+json.
 */
export function requireVoucher(options: RequireVoucherOptions): preHandlerAsyncHookHandler {
  const validator = options.validator ?? createVoucherValidator(options);
  const now = () => options.now?.() ?? new Date();
  return async function pdndVoucherGuard(request: FastifyRequest, _reply: FastifyReply) {
    let caller: VerifiedCaller;
    try {
      caller = await validator.verify(bearerOf(request));
    } catch (err) {
      if (!(err instanceof VoucherError)) throw err;
      const challenge =
        err.failure === 'missing'
          ? 'Bearer realm="pdnd"'
          : err.status === 401
            ? `Bearer realm="pdnd", error="invalid_token", error_description="${err.message.replace(/["\\]/g, '')}"`
            : err.status === 403
              ? 'Bearer realm="pdnd", error="insufficient_scope"'
              : undefined;
      throw new HttpProblem(err.status, {
        type: problemType(`pdnd-voucher-${err.failure.replaceAll('_', '-')}`),
        detail: err.message,
        headers: challenge ? { 'www-authenticate': challenge } : undefined,
      });
    }
    if (options.counter) {
      const { day, secondsToNextDay } = callDay(now());
      const count = await options.counter.consume(caller.purposeId, day, caller.dailyCalls);
      if (!count.allowed) {
        throw new HttpProblem(429, {
          type: problemType('pdnd-daily-calls-exceeded'),
          title: 'Daily calls exceeded',
          detail: `The purpose ${caller.purposeId} declared ${caller.dailyCalls} calls per day at PDND and has used them all today (${day}); raise the estimate on PDND or retry tomorrow.`,
          headers: { 'retry-after': String(secondsToNextDay) },
          extra: { purposeId: caller.purposeId, dailyCalls: caller.dailyCalls, day },
        });
      }
    }
    request.pdnd = caller;
  };
}
