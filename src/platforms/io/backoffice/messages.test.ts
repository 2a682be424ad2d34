import { expect, it } from 'vitest';
import { missingTranslations } from '../../../core/i18n.ts';
import { MESSAGE_STATUSES, NOTIFICATION_CHANNEL_STATUSES, REJECTION_REASONS } from '../../../clients/io/wire.ts';
import { backofficeMessages } from './messages.ts';

it('the back-office has every string in it, en and de, and a label for every message, rejection and notification state', () => {
  expect(missingTranslations(backofficeMessages)).toEqual([]);
  for (const status of MESSAGE_STATUSES) expect(backofficeMessages.it).toHaveProperty([`mst_${status}`]);
  for (const reason of REJECTION_REASONS) expect(backofficeMessages.it).toHaveProperty([`rej_${reason}`]);
  for (const status of NOTIFICATION_CHANNEL_STATUSES) expect(backofficeMessages.it).toHaveProperty([`nst_${status}`]);
});
