// getProfile of the Services API (io-functions-services utils/profile.ts, reference io.md §1.3): may this service
// write to the citizen? The profile and the service's current preference (citizen/facts.ts), decided by rules/delivery.ts.
import type { Executor } from '../../../core/db.ts';
import { notFound } from '../../../core/problem.ts';
import type { LimitedProfile } from '../../../clients/io/wire.ts';
import { deliveryFacts, recipientKey } from '../citizen/facts.ts';
import { senderAllowed } from '../rules/delivery.ts';
import type { Service } from '../services/store.ts';
import { assertRecipientAllowed } from '../messages/submit.ts';

/** 403 for a test-mode service and a recipient it may not write to, 404 with no profile or the inbox off. */
export async function limitedProfile(db: Executor, service: Service, fiscalCode: string): Promise<LimitedProfile> {
  // Before any read: a sandbox key must not learn whether a fiscal code is on IO (§1.3 step 1).
  assertRecipientAllowed(service, fiscalCode);
  const recipient = { fiscalCode, serviceId: service.serviceId };
  const facts = (await deliveryFacts(db, [recipient])).get(recipientKey(recipient));
  if (!facts || !facts.profile.isInboxEnabled) throw notFound('Profile not found');
  return { sender_allowed: senderAllowed(facts.profile, service.serviceId, facts.preference), preferred_languages: facts.preferredLanguages };
}
