import { expect, it } from 'vitest';
import { STATUS } from '../../applications/states.ts';
import { statusLabel, transitionTarget } from './dto.ts';
import { pageLinks } from './routes.ts';

it('maps the API actions to the state machine’s targets (taking in charge after an integration is 4500)', () => {
  expect(transitionTarget('take-in-charge', STATUS.registered)).toBe(STATUS.pending);
  expect(transitionTarget('take-in-charge', STATUS.registeredAfterIntegration)).toBe(STATUS.pendingAfterIntegration);
  expect(transitionTarget('accept', STATUS.pending)).toBe(STATUS.complete);
  expect(transitionTarget('reject', STATUS.pending)).toBe(STATUS.cancelled);
  expect(statusLabel(STATUS.requestIntegration)).toBe('status_request_integration');
});

it('links prev/next pages of the same query, none past either end', () => {
  const links = pageLinks('https://x/a', { service: 'mensa', offset: 10, limit: 10 }, 25);
  expect(links.self).toBe('https://x/a?service=mensa&offset=10&limit=10');
  expect(links.prev).toBe('https://x/a?service=mensa&offset=0&limit=10');
  expect(links.next).toBe('https://x/a?service=mensa&offset=20&limit=10');
  expect(pageLinks('https://x/a', { offset: 20, limit: 10 }, 25).next).toBeNull();
  expect(pageLinks('https://x/a', { offset: 0, limit: 10 }, 25).prev).toBeNull();
});
