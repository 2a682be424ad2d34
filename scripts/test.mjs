#!/usr/bin/env node
// `npm test`: type-check, then every unit, API and browser test (vitest). API tests use the
// PostgreSQL at TEST_DATABASE_URL (else 127.0.0.1:5432) and PGlite; the output says which ran.
import { spawnSync } from 'node:child_process';

const run = (command, args) => {
  console.log(`\n> ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

run('npx', ['tsc', '--noEmit']);
run('npx', ['vitest', 'run', ...process.argv.slice(2)]);
