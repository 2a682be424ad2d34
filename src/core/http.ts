// The HTTP server every app is built on: Fastify + TypeBox schemas (one source for validation,
// types and the OpenAPI document), problem+json errors, request ids, security headers, rate limits.
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyError } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import helmet from 'helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Type } from '@sinclair/typebox';
import { HttpProblem, PROBLEM_CONTENT_TYPE, ProblemSchema, problemType, statusTitle, type InvalidField } from './problem.ts';
import { DEFAULT_LOCALE, isLocale, negotiateLocale, type Locale } from './i18n.ts';
import type { SafeHtml } from './html.ts';

export type App = FastifyInstance<any, any, any, FastifyBaseLogger, TypeBoxTypeProvider>;

declare module 'fastify' {
  interface FastifyRequest {
    /** The language of this request: ?lang=, then the lang cookie, then Accept-Language. */
    locale: Locale;
  }
  interface FastifyContextConfig {
    /** Errors on this route render as an HTML page rather than problem+json. */
    html?: boolean;
  }
}

export interface ErrorPageInput {
  status: number;
  title: string;
  detail?: string;
  requestId: string;
}

export interface HttpAppOptions {
  name: string;
  title: string;
  description: string;
  version?: string;
  logLevel?: string;
  /** Public URL of this app (OpenAPI servers entry). */
  publicUrl: string;
  /** Other origins a form on this app may post or redirect to (e.g. relying parties of the IdP). */
  formActionOrigins?: string[];
  bodyLimit?: number;
  /** Renders error pages for HTML routes; without it they get problem+json too. */
  renderErrorPage?: (request: FastifyRequest, input: ErrorPageInput) => SafeHtml | string;
  /** Health checks beyond "the process answers" (e.g. the database). */
  healthChecks?: Record<string, () => Promise<void>>;
  /** OpenAPI security schemes beyond bearerAuth (e.g. a subscription-key header). */
  securitySchemes?: Record<string, Record<string, unknown>>;
  /** Secret for signed cookies. */
  cookieSecret?: string;
  /** Which proxies' X-Forwarded-For to believe (Fastify trustProxy: hop count, addresses or CIDRs). */
  trustProxy?: boolean | number | string | string[];
}

/** Trusts the first n hops in front of the app (proxy-addr semantics of a hop count). */
const trustHops = (n: number) => (_address: string, hop: number) => hop < n;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function pointerFor(error: NonNullable<FastifyError['validation']>[number], context: string | undefined): string {
  const base = `/${context ?? 'body'}`;
  const path = error.instancePath ?? '';
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required' && typeof params.missingProperty === 'string') {
    return `${base}${path}/${params.missingProperty}`;
  }
  if (error.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
    return `${base}${path}/${params.additionalProperty}`;
  }
  return `${base}${path}`;
}

function toInvalidFields(error: FastifyError): InvalidField[] {
  return (error.validation ?? []).map((v) => ({
    pointer: pointerFor(v, error.validationContext),
    detail: v.message ?? 'is invalid',
    code: v.keyword,
  }));
}

/** Wants an HTML page rather than JSON: page routes, or a browser asking for HTML. */
export function wantsHtml(request: FastifyRequest): boolean {
  if (request.routeOptions.config?.html) return true;
  const accept = request.headers.accept ?? '';
  return accept.includes('text/html') && !request.url.startsWith('/api/');
}

export async function createHttpApp(options: HttpAppOptions): Promise<App> {
  const app = Fastify({
    logger: { level: options.logLevel ?? 'info', base: { app: options.name } },
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    // Only a configured proxy may tell us the client address: otherwise X-Forwarded-For would let anyone dodge rate limits.
    trustProxy: typeof options.trustProxy === 'number' ? trustHops(options.trustProxy) : (options.trustProxy ?? false),
    ajv: { customOptions: { allErrors: true, coerceTypes: 'array', removeAdditional: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Cookies first: the locale hook below reads the lang cookie, and hooks run in registration order.
  await app.register(cookie, { secret: options.cookieSecret });
  app.decorateRequest('locale', DEFAULT_LOCALE);
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    const query = request.query as Record<string, unknown> | undefined;
    const fromQuery = query?.lang;
    const fromCookie = request.cookies?.lang;
    request.locale = isLocale(fromQuery) ? fromQuery : isLocale(fromCookie) ? fromCookie : negotiateLocale(request.headers['accept-language']);
  });

  await app.register(formbody);
  // Built once: @fastify/helmet rebuilt the middleware (and two CSP nonces we do not use) on every request.
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'", ...(options.formActionOrigins ?? [])],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
      },
    },
    // Served over plain HTTP on loopback in the embedded default; HSTS belongs to the TLS proxy.
    strictTransportSecurity: false,
  });
  app.addHook('onRequest', (request, reply, done) => securityHeaders(request.raw, reply.raw, (err?: unknown) => done(err as Error | undefined)));
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new HttpProblem(429, {
        type: problemType('rate-limited'),
        detail: `Too many requests: retry in ${Math.ceil(context.ttl / 1000)} seconds.`,
        headers: { 'retry-after': String(Math.ceil(context.ttl / 1000)) },
      }),
  });

  app.addSchema(ProblemSchema);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: options.title, description: options.description, version: options.version ?? '1.0.0' },
      servers: [{ url: options.publicUrl }],
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'an API key issued by this platform' }, ...options.securitySchemes } },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });

  app.setErrorHandler(async (error: FastifyError | HttpProblem, request, reply) => {
    let problem: HttpProblem;
    if (error instanceof HttpProblem) {
      problem = error;
    } else if ((error as FastifyError).validation) {
      problem = new HttpProblem(400, {
        type: problemType('validation'),
        title: 'Invalid request',
        detail: 'The request contains invalid fields.',
        errors: toInvalidFields(error as FastifyError),
      });
    } else {
      const status = (error as FastifyError).statusCode ?? 500;
      if (status >= 500) request.log.error({ err: error }, 'unhandled error');
      problem = new HttpProblem(status >= 400 && status < 600 ? status : 500, {
        type: status === 413 ? problemType('payload-too-large') : 'about:blank',
        detail: status >= 500 ? 'An unexpected error occurred; it has been logged with the request id.' : error.message,
      });
    }
    return sendProblem(request, reply, problem);
  });

  app.setNotFoundHandler(async (request, reply) =>
    sendProblem(request, reply, new HttpProblem(404, { type: problemType('not-found'), detail: `No resource at ${request.method} ${request.url.split('?')[0]}` })),
  );

  async function sendProblem(request: FastifyRequest, reply: FastifyReply, problem: HttpProblem) {
    for (const [name, value] of Object.entries(problem.headers ?? {})) reply.header(name, value);
    reply.status(problem.status);
    if (options.renderErrorPage && wantsHtml(request)) {
      const page = options.renderErrorPage(request, {
        status: problem.status,
        title: problem.title,
        detail: problem.detail,
        requestId: request.id,
      });
      return reply.type('text/html; charset=utf-8').send(String(page));
    }
    return reply.type(PROBLEM_CONTENT_TYPE).send(problem.toJSON(`${request.url.split('?')[0]}#${request.id}`));
  }

  app.get(
    '/health',
    {
      schema: {
        tags: ['system'],
        summary: 'Liveness and readiness of this app',
        response: {
          200: Type.Object({ status: Type.Literal('ok'), app: Type.String(), checks: Type.Record(Type.String(), Type.String()) }),
          503: Type.Object({ status: Type.Literal('unavailable'), app: Type.String(), checks: Type.Record(Type.String(), Type.String()) }),
        },
      },
    },
    async (_request, reply) => {
      const checks: Record<string, string> = {};
      let healthy = true;
      for (const [name, check] of Object.entries(options.healthChecks ?? {})) {
        try {
          await check();
          checks[name] = 'ok';
        } catch (err) {
          healthy = false;
          checks[name] = `failing: ${(err as Error).message}`;
        }
      }
      if (!healthy) return reply.status(503).send({ status: 'unavailable' as const, app: options.name, checks });
      return { status: 'ok' as const, app: options.name, checks };
    },
  );

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  return app;
}

export { statusTitle };
