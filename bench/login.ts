// Complete SPID OIDC logins per second against the identity app, as a relying party sees them:
// authorization request (PKCE, acr L1) → login page → password → consent → code at the RP's
// redirect_uri → token (private_key_jwt) → signed userinfo. The RP is the one of the identity tests
// (test/identity/rp.ts, openid-client); the identity app runs in a child process.
//   node --import tsx bench/login.ts [--users 1,10] [--duration 20] [--warmup 3]
// Each login comes from its own client address (X-Forwarded-For, as the TLS proxy in front of the
// app sets it): citizens log in from many addresses, and the per-address limit on login POSTs
// (30 a minute) is not what this measures.
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import * as client from 'openid-client';
import { onboardRelyingParty } from '../src/platforms/identity/onboarding.ts';
import { identityDemoUsers, type DemoCredentials } from '../src/platforms/identity/users.ts';
import { Browser } from '../test/identity/browser.ts';
import { FISCAL_NUMBER, L1, approve, expectPage, expectRedirect } from '../test/identity/flow.ts';
import { startTestRelyingParty } from '../test/identity/rp.ts';
import { fixed, formatTable, mean, percentile, printHeader, serveIfChild, startBenchSystem, startChild } from './support.ts';

interface IdentityServer {
  url: string;
  database: string;
}

const roles = {
  async identity([entityId]: string[]) {
    const system = await startBenchSystem(['identity']);
    await onboardRelyingParty(system.ctx.database.db, { entityId: entityId!, organizationName: 'Comune di Benchmark' });
    return { info: { url: system.urls.identity, database: system.database } satisfies IdentityServer, stop: () => system.stop() };
  },
};

/** What the comune asks for at login. */
const CLAIMS = { userinfo: { [FISCAL_NUMBER]: { essential: true }, given_name: null, family_name: null } };

/** A citizen's browser from its own address (the proxy's X-Forwarded-For). */
class CitizenBrowser extends Browser {
  constructor(
    origin: string,
    private readonly address: string,
  ) {
    super(origin);
  }

  override request(url: URL | string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('x-forwarded-for', this.address);
    return super.request(url, { ...init, headers });
  }
}

let addresses = 0;
const nextAddress = () => {
  const n = ++addresses;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
};

interface Run {
  users: number;
  seconds: number;
  latencies: number[];
  failures: string[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { users: { type: 'string', default: '1,10' }, duration: { type: 'string', default: '20' }, warmup: { type: 'string', default: '3' } },
  });
  const userCounts = values.users.split(',').map(Number);
  const duration = Number(values.duration);
  const warmup = Number(values.warmup);

  const rp = await startTestRelyingParty({ name: 'Comune di Benchmark' });
  const server = await startChild<IdentityServer>(new URL(import.meta.url), 'identity', [rp.entityId]);
  try {
    printHeader('SPID OIDC logins (identity app, level 1)', [
      `Flow:   authorize (PKCE) → login page → password → consent → code → token (private_key_jwt) → signed userinfo`,
      `Load:   ${userCounts.join(' then ')} concurrent virtual users, ${warmup} s warm-up then ${duration} s each; identity app in a child process on ${server.info.database}`,
      `Client: one address per login (X-Forwarded-For); RP work (PKCE, client assertion, ID token and userinfo checks) counted in the latency`,
    ]);
    const issuer = `${server.info.url}/oidc/spid`;
    const origin = new URL(server.info.url).origin;
    const config = await rp.configFor(issuer);
    const people = identityDemoUsers();

    async function login(person: DemoCredentials): Promise<void> {
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: rp.redirectUri,
        scope: 'openid',
        state,
        nonce,
        prompt: 'consent',
        acr_values: L1,
        claims: JSON.stringify(CLAIMS),
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      });
      const browser = new CitizenBrowser(origin, nextAddress());
      const loginPage = expectPage(await browser.navigate(url));
      if (loginPage.status !== 200) throw new Error(`login page: ${loginPage.status}`);
      const consent = expectPage(await browser.submit(loginPage, '/password', { username: person.username, password: person.password }));
      if (!consent.html.includes('name="decision"')) throw new Error(`no consent page after the password (${consent.status})`);
      const callback = expectRedirect(await approve(browser, consent));
      const tokens = await client.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
        idTokenExpected: true,
      });
      const userinfo = await client.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
      if (userinfo[FISCAL_NUMBER] !== `TINIT-${person.fiscalCode}`) throw new Error('userinfo is not the person who logged in');
    }

    async function run(users: number, seconds: number): Promise<Run> {
      const latencies: number[] = [];
      const failures: string[] = [];
      const started = performance.now();
      const deadline = started + seconds * 1000;
      await Promise.all(
        Array.from({ length: users }, async (_, vu) => {
          for (let i = 0; performance.now() < deadline; i++) {
            const person = people[(vu + i * users) % people.length]!;
            const t0 = performance.now();
            try {
              await login(person);
              latencies.push(performance.now() - t0);
            } catch (err) {
              failures.push((err as Error).message);
            }
          }
        }),
      );
      return { users, seconds: (performance.now() - started) / 1000, latencies, failures };
    }

    const rows = [['USERS', 'LOGINS', 'LOGINS/S', 'P50 MS', 'P99 MS', 'MEAN MS', 'MAX MS', 'FAILED']];
    for (const users of userCounts) {
      if (warmup > 0) await run(users, warmup);
      const result = await run(users, duration);
      rows.push([
        String(users),
        String(result.latencies.length),
        fixed(result.latencies.length / result.seconds, 1),
        fixed(percentile(result.latencies, 50), 0),
        fixed(percentile(result.latencies, 99), 0),
        fixed(mean(result.latencies), 0),
        fixed(Math.max(...result.latencies), 0),
        String(result.failures.length),
      ]);
      console.log(`measured ${users} user(s): ${fixed(result.latencies.length / result.seconds, 1)} logins/s over ${fixed(result.seconds, 1)} s`);
      for (const [message, count] of countBy(result.failures)) console.log(`  failed ${count}×: ${message}`);
    }
    console.log(`\n${formatTable(rows)}\n`);
    console.log(`LOGINS/S: completed logins / wall time of the run (until the last login in flight ends). RP Entity Configuration fetched ${rp.ecRequests}×.`);
  } finally {
    await server.stop();
    await rp.close();
  }
}

function countBy(items: string[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
  return [...counts];
}

if (!serveIfChild(roles)) await main();
