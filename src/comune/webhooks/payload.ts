// The body of an application's event, the same for a webhook's POST and for its JetStream message:
// OpenCity's Application DTO with the event's status, id, time and version (OpenCity WebhookService).
import type { Executor } from '../../core/db.ts';
import { PermanentJobError } from '../../core/jobs.ts';
import { applicationDto, statusLabel } from '../api/v1/dto.ts';
import { applicationView } from '../api/v1/views.ts';
import type { StatusCode } from '../applications/states.ts';

export const APP_VERSION = '1.0.0';

export interface ApplicationEvent {
  id: string;
  applicationId: string;
  status: number;
  kind: 'status' | 'message';
  createdAt: Date;
  tenantId: string;
  tenantSlug: string;
}

/** The event's name: the webhook's X-Sportello-Event header and the tail of its JetStream subject. */
export const eventType = (event: Pick<ApplicationEvent, 'kind' | 'status'>): string => (event.kind === 'message' ? 'message.created' : `application.${event.status}`);

/** The JSON body, from the application as it is now; `version` is the webhook's (OpenCity's event_version). */
export async function eventBody(db: Executor, event: ApplicationEvent, options: { publicUrl: string; version: number }): Promise<string> {
  const view = await applicationView(db, event.tenantId, event.applicationId);
  if (!view) throw new PermanentJobError(`Application ${event.applicationId} is not visible to its ente's subscribers`);
  const status = event.status as StatusCode;
  return JSON.stringify({
    ...applicationDto(view, `${options.publicUrl}/${event.tenantSlug}/api/v1`),
    status: String(status),
    status_name: statusLabel(status),
    event_id: event.id,
    event_created_at: event.createdAt.toISOString(),
    event_version: options.version,
    app_version: APP_VERSION,
  });
}
