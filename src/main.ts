// The sportello command: start apps, migrate, seed, and provision tenants and users.
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { ConfigError, loadConfig, type AppName } from './core/config.ts';
import { createContext, migrateApps, seedApps, startApps, stopApps, type AppContext } from './core/runtime.ts';
import { HttpProblem } from './core/problem.ts';
import { CommandError } from './core/cli.ts';
import { START_ORDER, isAppName, loadApps } from './apps.ts';

const USAGE = `Usage: sportello <command>

  start [all | <app>...]     migrate, seed the demo on first start (SEED_DEMO=false to skip), and run the apps
  migrate [all | <app>...]   apply pending database migrations
  seed [all | <app>...]      load the demo data (idempotent)
  seed anpr --people <n> [--seed <n>]   add n synthetic residents to ANPR (for benchmarks), with progress
  tenant create --slug <s> --name <n> --ipa <code> --fiscal-code <cf> --istat <code> [--pec <pec>] [--languages it,en,de]
  user create --email <e> --role <operator|tenant_admin|platform_admin> --given-name <n> --family-name <n>
              --password <p> [--tenant <slug>] [--totp]
  apikey create --scope <scope>[,<scope>] --label <label>   a platform API key (shown once)
  apikey create --tenant <slug> --scope applications:read[,...] --label <label>   an ente's REST API key (shown once)
  rp onboard <entity_id> <organization name> | rp suspend|resume <entity_id> | rp list
                             relying parties admitted by the SPID/CIE identity providers
  pdnd apikey create <ipa> [label] | pdnd clients <ipa> | pdnd key add <ipa> <client id> <pem file> [name]
       | pdnd account create <ipa> <e-mail> <password> <name>   bodies on the PDND platform
  anpr officer create <istat> <e-mail> <name>   a registry officer of a comune (password and TOTP secret shown once)
  pagopa operator-key create [label] | pagopa institutions | pagopa subscription-key create <fiscal code> [label]
                             operators' keys and creditor institutions on pagoPA
  psp close-day [YYYY-MM-DD] [idPSP]   the demo PSPs' day closing: reporting flows on pagoPA, credit transfers to the treasuries

Apps: ${START_ORDER.join(', ')}. Configuration is read from the environment (see README).`;

function selectApps(args: string[]): AppName[] {
  if (args.length === 0 || args.includes('all')) return START_ORDER;
  const unknown = args.filter((a) => !isAppName(a));
  if (unknown.length) throw new UsageError(`Unknown app: ${unknown.join(', ')}`);
  return args as AppName[];
}

class UsageError extends Error {}

function padTable(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

async function start(args: string[]): Promise<void> {
  const began = performance.now();
  const config = loadConfig();
  const names = selectApps(args);
  const ctx = await createContext(config);
  const modules = await loadApps(names);
  await migrateApps(ctx, modules);
  if (config.seedDemo) await seedApps(ctx, modules);
  const running = await startApps(ctx, modules);
  const seconds = ((performance.now() - began) / 1000).toFixed(1);
  const appRows = [['APP', 'URL', 'WHAT'], ...running.map((r) => [r.module.name, r.url, r.module.title])];
  if (running.some((r) => r.module.name === 'mail') && config.smtp.catcherEnabled) {
    appRows.push(['smtp', `smtp://127.0.0.1:${config.smtp.catcherPort}`, 'SMTP catcher (messages listed on the mail app)']);
  }
  const accounts = running.flatMap((r) => r.module.demoAccounts?.(ctx) ?? []);
  const out = [
    '',
    `Sportello is running (${ctx.database.kind === 'pglite' ? `embedded database in ${ctx.database.location}` : `PostgreSQL ${ctx.database.location}`}; ready in ${seconds}s)`,
    '',
    padTable(appRows),
  ];
  if (config.seedDemo && accounts.length) out.push('', 'Demo accounts', padTable([['WHO', 'LOGIN', 'PASSWORD / SECRET'], ...accounts.map((a) => [a.who, a.login, a.secret])]));
  out.push('', 'Each app: GET /health, GET /openapi.json, reference at /docs. Stop with Ctrl+C.', '');
  process.stdout.write(out.join('\n') + '\n');

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    ctx.logger.info({ signal }, 'stopping');
    await stopApps(running);
    ctx.mailer.close();
    await ctx.database.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

async function withContext(fn: (ctx: AppContext) => Promise<void>): Promise<void> {
  const ctx = await createContext(loadConfig());
  try {
    await fn(ctx);
  } finally {
    ctx.mailer.close();
    await ctx.database.close();
  }
}

/** A platform's own command: its schema migrated first, the lines it returns printed. */
async function runAppCommand(app: AppName, run: (db: AppContext['database']['db'], ctx: AppContext) => Promise<string[]>): Promise<void> {
  await withContext(async (ctx) => {
    await migrateApps(ctx, await loadApps([app]));
    for (const line of await run(ctx.database.db, ctx)) console.log(line);
  });
}

async function provision(kind: string, action: string | undefined, argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      slug: { type: 'string' },
      name: { type: 'string' },
      ipa: { type: 'string' },
      'fiscal-code': { type: 'string' },
      istat: { type: 'string' },
      pec: { type: 'string' },
      languages: { type: 'string' },
      email: { type: 'string' },
      role: { type: 'string' },
      'given-name': { type: 'string' },
      'family-name': { type: 'string' },
      password: { type: 'string' },
      tenant: { type: 'string' },
      totp: { type: 'boolean' },
      scope: { type: 'string' },
      label: { type: 'string' },
    },
  });
  if (action !== 'create') throw new UsageError(`Unknown action "${action ?? ''}" for ${kind}`);
  const cli = { type: 'system' as const, id: 'cli' };
  await withContext(async (ctx) => {
    const [comune] = await loadApps(['comune']);
    await migrateApps(ctx, [comune!]);
    const db = ctx.database.db;
    const { createTenant, createStaffUser } = await import('./comune/commands.ts');
    if (kind === 'tenant') {
      const tenant = await createTenant(
        db,
        {
          slug: values.slug ?? '',
          name: values.name ?? '',
          ipaCode: values.ipa ?? '',
          fiscalCode: values['fiscal-code'] ?? '',
          istatCode: values.istat ?? '',
          pec: values.pec ?? null,
          languages: (values.languages?.split(',') ?? ['it']) as ('it' | 'en' | 'de')[],
        },
        cli,
      );
      console.log(`Created tenant ${tenant.name}: ${ctx.config.urls.comune}/${tenant.slug}/`);
    } else if (kind === 'user') {
      const { TenantRepository } = await import('./comune/tenants/tenants.ts');
      const { generateTotpSecret } = await import('./core/auth/totp.ts');
      const tenant = values.tenant ? await new TenantRepository(db).bySlug(values.tenant) : undefined;
      if (values.tenant && !tenant) throw new UsageError(`No tenant with slug ${values.tenant}`);
      const totpSecret = values.totp ? generateTotpSecret() : null;
      const user = await createStaffUser(
        db,
        {
          tenantId: tenant?.id ?? null,
          role: (values.role ?? '') as 'operator',
          email: values.email ?? '',
          givenName: values['given-name'] ?? '',
          familyName: values['family-name'] ?? '',
          password: values.password ?? '',
          totpSecret,
        },
        cli,
      );
      console.log(`Created ${user.role} ${user.email}${totpSecret ? `; TOTP secret (add it to an authenticator app): ${totpSecret}` : ''}`);
    } else {
      const { createApiKey } = await import('./core/auth/api-keys.ts');
      const { PLATFORM_API_KEY_OWNER } = await import('./comune/admin/routes.ts');
      const scopes = (values.scope ?? '').split(',').filter(Boolean);
      if (!scopes.length) throw new UsageError('--scope is required, e.g. --scope tenants:write');
      // With --tenant: a key of that ente for its REST API (/<slug>/api/v1), limited to the API's scopes.
      const { TENANT_API_KEY_OWNER, API_SCOPES, isApiScope } = await import('./comune/api/v1/auth.ts');
      const { TenantRepository } = await import('./comune/tenants/tenants.ts');
      const tenant = values.tenant ? await new TenantRepository(db).bySlug(values.tenant) : undefined;
      if (values.tenant && !tenant) throw new UsageError(`No tenant with slug ${values.tenant}`);
      if (tenant && !scopes.every(isApiScope)) throw new UsageError(`Scopes of an ente's key: ${API_SCOPES.join(', ')}`);
      const owner = tenant ? { ownerType: TENANT_API_KEY_OWNER, ownerId: tenant.id } : { ownerType: PLATFORM_API_KEY_OWNER, ownerId: 'platform' };
      const { key } = await createApiKey(db, 'comune', { ...owner, label: values.label ?? 'cli', scopes });
      console.log(`API key (shown only now, stored hashed): ${key}`);
    }
  });
}

async function seedPeople(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { people: { type: 'string' }, seed: { type: 'string' } } });
  const people = Number(values.people);
  if (positionals.join(' ') !== 'anpr' || !Number.isInteger(people) || people < 1) throw new UsageError('Usage: sportello seed anpr --people <n> [--seed <n>]');
  await withContext(async (ctx) => {
    const [anpr] = await loadApps(['anpr']);
    await migrateApps(ctx, [anpr!]);
    const { seedPopulation } = await import('./platforms/anpr/index.ts');
    const result = await seedPopulation(ctx.database.db, {
      people,
      seed: values.seed ? Number(values.seed) : undefined,
      onProgress: (p) => process.stdout.write(`\r${p.people.toLocaleString('en')} / ${p.total.toLocaleString('en')} people · ${Math.round(p.rate).toLocaleString('en')}/s `),
    });
    process.stdout.write(`\nSeeded ${result.people} people in ${result.families} families (${result.omocodia} omocodia cases) in ${(result.elapsedMs / 1000).toFixed(1)}s: ${Math.round(result.rate)} people/s\n`);
  });
}

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'start':
        return await start(rest);
      case 'migrate':
        return await withContext(async (ctx) => {
          const applied = await migrateApps(ctx, await loadApps(selectApps(rest)));
          for (const [app, ids] of Object.entries(applied)) console.log(`${app}: ${ids.length ? ids.join(', ') : 'up to date'}`);
        });
      case 'seed':
        if (rest.includes('--people')) return await seedPeople(rest);
        return await withContext(async (ctx) => {
          const modules = await loadApps(selectApps(rest));
          await migrateApps(ctx, modules);
          await seedApps(ctx, modules);
          console.log(`Seeded: ${modules.map((m) => m.name).join(', ')}`);
        });
      case 'rp':
        return await runAppCommand('identity', async (db) => (await import('./platforms/identity/cli.ts')).runRelyingPartyCommand(db, rest));
      case 'pdnd':
        return await runAppCommand('pdnd', async (db) => (await import('./platforms/pdnd/cli.ts')).runPdndCommand(db, rest));
      case 'pagopa':
        return await runAppCommand('pagopa', async (db) => (await import('./platforms/pagopa/cli.ts')).runPagopaCommand(db, rest));
      case 'psp':
        return await runAppCommand('psp', async (_db, ctx) => (await import('./simulators/psp/cli.ts')).runPspCommand(ctx, rest));
      case 'anpr':
        return await runAppCommand('anpr', async (db, ctx) => (await import('./platforms/anpr/office/accounts.ts')).runAnprCommand(db, ctx.secret, rest));
      case 'tenant':
      case 'user':
      case 'apikey':
        return await provision(command, rest[0], rest.slice(1));
      case undefined:
      case 'help':
      case '--help':
        console.log(USAGE);
        return;
      default:
        throw new UsageError(`Unknown command: ${command}`);
    }
  } catch (err) {
    if (err instanceof ConfigError || err instanceof UsageError || err instanceof CommandError) {
      console.error(err.message);
      if (err instanceof UsageError) console.error(`\n${USAGE}`);
    } else if (err instanceof HttpProblem) {
      console.error(`${err.title}: ${err.detail ?? ''}`);
      for (const field of err.errors ?? []) console.error(`  ${field.pointer.replace('/body/', '')}: ${field.detail}`);
    } else {
      console.error(err);
    }
    process.exitCode = 1;
  }
}
