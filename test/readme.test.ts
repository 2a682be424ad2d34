// The README documents the demo logins: it must match what the seed really creates.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { identityDemoUsers, DEMO_PASSWORD, DEMO_PIN } from '../src/platforms/identity/users.ts';
import { DEMO_STAFF } from '../src/comune/seed.ts';

const readme = fs.readFileSync(new URL('../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('starts with the two commands', () => {
    expect(readme).toMatch(/```sh\nnpm install && npm start\nnpm test\n```/);
  });

  it('lists every demo citizen with their real credentials', () => {
    expect(readme).toContain(`**\`${DEMO_PASSWORD}\`**`);
    expect(readme).toContain(`**\`${DEMO_PIN}\`**`);
    for (const u of identityDemoUsers()) {
      expect(readme).toContain(`| ${u.givenName} ${u.familyName} | \`${u.fiscalCode}\` | \`${u.username}\` | \`${u.totpSecret}\` | \`${u.cardNumber}\` |`);
    }
  });

  it('lists every demo staff account', () => {
    for (const s of DEMO_STAFF) {
      expect(readme).toContain(`\`${s.email}\``);
      expect(readme).toContain(`\`${s.password}\``);
      if (s.totpSecret) expect(readme).toContain(s.totpSecret);
    }
  });
});
