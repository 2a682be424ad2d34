// Every app of the system, in start order: the providers first, the comune (their client) last.
import { APP_NAMES, type AppName } from './core/config.ts';
import type { AppModule } from './core/runtime.ts';

const loaders: Record<AppName, () => Promise<{ default: AppModule }>> = {
  mail: () => import('./devtools/mailcatcher/index.ts'),
  identity: () => import('./platforms/identity/index.ts'),
  anpr: () => import('./platforms/anpr/index.ts'),
  pdnd: () => import('./platforms/pdnd/index.ts'),
  pagopa: () => import('./platforms/pagopa/index.ts'),
  psp: () => import('./simulators/psp/index.ts'),
  io: () => import('./platforms/io/index.ts'),
  inad: () => import('./platforms/inad/index.ts'),
  send: () => import('./platforms/send/index.ts'),
  comune: () => import('./comune/index.ts'),
};

export const START_ORDER: AppName[] = ['mail', 'identity', 'anpr', 'pdnd', 'pagopa', 'psp', 'io', 'inad', 'send', 'comune'];

export function isAppName(name: string): name is AppName {
  return (APP_NAMES as readonly string[]).includes(name);
}

export async function loadApps(names: readonly AppName[] = START_ORDER): Promise<AppModule[]> {
  const ordered = START_ORDER.filter((name) => names.includes(name));
  return Promise.all(ordered.map(async (name) => (await loaders[name]()).default));
}
