// Runs an oidc-provider (a Koa app) under a path of the Fastify app: the provider reads the raw
// request itself, so its routes get no Fastify body parsing and the reply is handed over (hijacked).
import type { IncomingMessage } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { App } from '../../core/http.ts';

export async function mountProvider(app: App, path: string, provider: Provider): Promise<void> {
  const callback = provider.callback();
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    reply.hijack();
    const raw = request.raw as IncomingMessage & { originalUrl?: string };
    // Mounted the way Express mounts: the provider sees the path below its mount point and derives
    // the mount point from originalUrl.
    const rest = raw.url!.slice(path.length);
    raw.originalUrl = raw.url;
    raw.url = rest.startsWith('/') ? rest : `/${rest}`;
    // Keep the headers the app's hooks set (request id, helmet's CSP and the other security headers).
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined) reply.raw.setHeader(name, value as string | string[] | number);
    }
    await callback(raw, reply.raw);
  };
  await app.register(async (scope) => {
    // Leave the body stream unread for the provider's own parser.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    scope.all(path, { schema: { hide: true } }, handler);
    scope.all(`${path}/*`, { schema: { hide: true } }, handler);
  });
}
