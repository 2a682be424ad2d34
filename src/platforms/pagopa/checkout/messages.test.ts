import { expect, it } from 'vitest';
import { missingTranslations } from '../../../core/i18n.ts';
import { checkoutMessages } from './messages.ts';
import { CART_FAILURES } from './store.ts';

it('has every Checkout string in it, en and de, and a message for every reason a cart fails', () => {
  expect(missingTranslations(checkoutMessages)).toEqual([]);
  for (const failure of CART_FAILURES) expect(checkoutMessages.it).toHaveProperty([`failure.${failure}`]);
});
