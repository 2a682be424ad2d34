import { expect, it } from 'vitest';
import { missingTranslations } from '../../../core/i18n.ts';
import { DEBT_POSITION_STATUSES } from '../rules.ts';
import { consoleMessages } from './messages.ts';

it('the consoles have every string in it, en and de, and a label for every GPD state and notice-number failure', () => {
  expect(missingTranslations(consoleMessages)).toEqual([]);
  const states = [...DEBT_POSITION_STATUSES, 'PO_UNPAID', 'PO_PAID', 'PO_PARTIALLY_REPORTED', 'PO_REPORTED', 'T_UNREPORTED', 'T_REPORTED'];
  for (const state of states) expect(consoleMessages.it).toHaveProperty([`st_${state}`]);
  for (const failure of ['invalid-length', 'invalid-pattern', 'invalid-aux-digit', 'invalid-check-digits']) expect(consoleMessages.it).toHaveProperty([`nav_${failure}`]);
});
