// Free loopback ports for tests and benchmarks that run apps beside a running `npm start`.
import net from 'node:net';
import { APP_NAMES } from '../../src/core/config.ts';

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Every app's port (and the SMTP catcher's) set to a free one. */
export async function freePortsEnv(): Promise<Record<string, string>> {
  const env: Record<string, string> = { SMTP_CATCHER_PORT: String(await freePort()) };
  for (const app of APP_NAMES) env[`${app.toUpperCase()}_PORT`] = String(await freePort());
  return env;
}
