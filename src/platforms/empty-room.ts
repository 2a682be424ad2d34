// A platform whose issue has not been built yet: it owns its schema and answers /health and
// /openapi.json, and nothing else (no placeholder pages).
import type { AppName } from '../core/config.ts';
import { createHttpApp } from '../core/http.ts';
import { databaseHealth, type AppModule } from '../core/runtime.ts';

export function emptyRoom(name: AppName, title: string, description: string): AppModule {
  return {
    name,
    title,
    migrations: [],
    async buildHttp(ctx) {
      return createHttpApp({
        name,
        title,
        description,
        publicUrl: ctx.config.urls[name],
        logLevel: ctx.config.logLevel,
        trustProxy: ctx.config.trustProxy,
        healthChecks: databaseHealth(ctx),
      });
    },
  };
}
