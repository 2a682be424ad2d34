// A NATS server with JetStream for tests: our own nats-server process (Debian's package) on a free port
// with a temporary store, so a test can stop and restart it; else the one at NATS_URL (no restarts);
// else none, and the caller skips its cases with the reason given here.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports.ts';

export interface TestNats {
  url: string;
  /** Our own process: stop() and start() simulate an outage (the stream's files are kept). */
  restartable: boolean;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and deletes its store. */
  close(): Promise<void>;
}

const READY_TIMEOUT_MS = 10_000;

/** nats-server on the PATH or in Debian's /usr/sbin (not on a normal user's PATH). */
function natsServerBinary(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/local/sbin'];
  return dirs.map((dir) => path.join(dir, 'nats-server')).find((file) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Resolves once the server logs that it is ready; rejects (with its output) if it exits first. */
function waitReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail(new Error(`nats-server not ready after ${READY_TIMEOUT_MS} ms:\n${output}`)), READY_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Server is ready')) done();
    };
    const onExit = (code: number | null) => fail(new Error(`nats-server exited (${code}):\n${output}`));
    function cleanup() {
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
    }
    function done() {
      cleanup();
      resolve();
    }
    function fail(err: Error) {
      cleanup();
      child.kill('SIGKILL');
      reject(err);
    }
    child.stderr?.on('data', onData);
    child.stdout?.on('data', onData);
    child.on('exit', onExit);
  });
}

async function ownServer(binary: string, args: string[]): Promise<TestNats> {
  const port = await freePort();
  const storeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sportello-nats-'));
  let child: ChildProcess | undefined;
  const server: TestNats = {
    url: `nats://127.0.0.1:${port}`,
    restartable: true,
    async start() {
      if (child) return;
      const running = spawn(binary, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      await waitReady(running);
      // Keep the pipes flowing so the server never blocks on a full buffer.
      running.stdout?.resume();
      running.stderr?.resume();
      child = running;
    },
    async stop() {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGTERM');
      await exited;
    },
    async close() {
      await server.stop();
      fs.rmSync(storeDir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}

/** The test's NATS server, or why there is none; `args` (e.g. --user/--pass) need our own server. */
export async function startTestNats(options: { args?: string[] } = {}): Promise<TestNats | { skipped: string }> {
  const binary = natsServerBinary();
  if (binary) return ownServer(binary, options.args ?? []);
  const url = process.env.NATS_URL;
  if (options.args?.length) return { skipped: `no nats-server binary to start with ${options.args.join(' ')}` };
  if (url) {
    const unsupported = async () => {
      throw new Error(`The NATS server at ${url} is not this test's: it cannot be stopped`);
    };
    return { url, restartable: false, stop: unsupported, start: unsupported, close: async () => undefined };
  }
  return { skipped: 'no nats-server binary (apt-get install nats-server) and no NATS_URL' };
}
