import { expect, it } from 'vitest';
import { missingTranslations } from '../../../core/i18n.ts';
import { paymentMessages } from './messages.ts';
import { PAYMENT_STATUSES } from './store.ts';

it('the payments have every string in it, en and de, and a label for every payment state', () => {
  expect(missingTranslations(paymentMessages)).toEqual([]);
  for (const status of PAYMENT_STATUSES) expect(paymentMessages.it).toHaveProperty([`st_${status}`]);
});
