// The PDND command line: API keys, clients, keys and console accounts of a body.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { verifyApiKey } from '../../src/core/auth/api-keys.ts';
import { generateClientKeyPair } from '../../src/clients/pdnd/consumer.ts';
import { checkLogin } from '../../src/platforms/pdnd/accounts.ts';
import { runPdndCommand } from '../../src/platforms/pdnd/cli.ts';
import { withPdnd } from './harness.ts';

await withPdnd('PDND command line', (harness) => {
  it('creates an API key, lists clients, adds a key and a console account', async () => {
    const { db } = harness();
    const [line] = await runPdndCommand(db, ['apikey', 'create', 'c_m999', 'comune']);
    const key = /: (sk_\S+)$/.exec(line!)![1]!;
    expect(await verifyApiKey(db, 'pdnd', key)).toMatchObject({ ownerType: 'tenant' });
    const listing = await runPdndCommand(db, ['clients', 'c_m999']);
    const clientId = /^client (\S+)/.exec(listing[0]!)![1]!;
    expect(listing.filter((l) => l.includes('purpose')).length).toBe(6);
    const pair = await generateClientKeyPair();
    const file = path.join(os.tmpdir(), `pdnd-key-${process.pid}.pem`);
    fs.writeFileSync(file, pair.publicKeyPem);
    try {
      expect(await runPdndCommand(db, ['key', 'add', 'c_m999', clientId, file, 'Chiave', 'CLI'])).toEqual([`Key ${pair.kid} added to client ${clientId}`]);
      // A client of another body is not found
      await expect(runPdndCommand(db, ['key', 'add', 'c_l850_demo', clientId, file])).rejects.toThrow(/No such client/);
    } finally {
      fs.rmSync(file);
    }
    await runPdndCommand(db, ['account', 'create', 'c_m999', 'altro@comune.bugliano.pi.it', 'Una-password-lunga', 'Altra', 'Persona']);
    expect((await checkLogin(db, 'altro@comune.bugliano.pi.it', 'Una-password-lunga')).outcome).toBe('ok');
    await expect(runPdndCommand(db, ['apikey', 'create', 'c_nessuno'])).rejects.toThrow(/No body/);
    await expect(runPdndCommand(db, ['boh'])).rejects.toThrow(/Usage/);
  });
});
