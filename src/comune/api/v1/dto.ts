// What the REST API and the webhooks send: OpenCity's Service and Application DTOs (Stanza del
// Cittadino src/Dto/Service.php, src/Dto/Application.php), field names kept so integrations carry over.
import { Type, type Static } from '@sinclair/typebox';
import type { Service, ServiceStatus } from '../../catalog/model.ts';
import { ACCESS_LEVEL_CODES } from '../../catalog/model.ts';
import type { Application, Attachment } from '../../applications/store.ts';
import { checkTransition, STATUS, statusName, type StatusCode } from '../../applications/states.ts';

// OpenCity service status: 0 hidden, 1 published, 2 suspended, 3 private (our drafts are not public).
const SERVICE_STATUS_CODES: Record<ServiceStatus, number> = { hidden: 0, active: 1, suspended: 2, draft: 3 };

export const ServiceDto = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    name: Type.String(),
    slug: Type.String(),
    tenant: Type.String({ format: 'uuid' }),
    topics: Type.Array(Type.String()),
    description: Type.String(),
    who: Type.String(),
    howto: Type.String(),
    more_info: Type.String(),
    status: Type.Integer({ description: '0 hidden, 1 published, 2 suspended, 3 private' }),
    access_level: Type.Integer({ description: '0 anonymous, 2000 SPID L1, 3000 SPID L2, 4000 SPID L3/CIE' }),
    protocol_required: Type.Boolean(),
    scheduled_from: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
    scheduled_to: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
    deadline_days: Type.Integer(),
    form_id: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  },
  { $id: 'Service' },
);

export function serviceDto(s: Service): Static<typeof ServiceDto> {
  const it = s.content.it;
  return {
    id: s.id,
    name: it.name,
    slug: s.slug,
    tenant: s.tenantId,
    topics: s.topics,
    description: it.description,
    who: it.who,
    howto: it.howTo,
    more_info: it.moreInfo,
    status: SERVICE_STATUS_CODES[s.status],
    access_level: ACCESS_LEVEL_CODES[s.accessLevel],
    protocol_required: s.protocolRequired,
    scheduled_from: s.activeFrom,
    scheduled_to: s.activeTo,
    deadline_days: s.deadlineDays,
    form_id: s.formId,
  };
}

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const DateTime = Type.String({ format: 'date-time' });

export const ApplicationDto = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    user: Type.String({ description: 'the applicant’s codice fiscale' }),
    user_name: Type.String(),
    service: Type.String({ description: 'the service’s slug' }),
    service_id: Type.String({ format: 'uuid' }),
    service_name: Type.String(),
    tenant: Type.String({ format: 'uuid' }),
    subject: Type.String(),
    data: Type.Record(Type.String(), Type.Unknown()),
    attachments: Type.Array(Type.Object({ id: Type.String({ description: 'SHA-256' }), name: Type.String(), mime_type: Type.String(), size: Type.Integer(), url: Type.String() })),
    creation_time: Type.Integer({ description: 'unix seconds' }),
    created_at: DateTime,
    submission_time: Nullable(Type.Integer()),
    submitted_at: Nullable(DateTime),
    latest_status_change_time: Type.Integer(),
    latest_status_change_at: DateTime,
    protocol_number: Nullable(Type.String()),
    protocol_document_id: Nullable(Type.String()),
    protocolled_at: Nullable(DateTime),
    outcome: Nullable(Type.Boolean()),
    outcome_motivation: Nullable(Type.String()),
    status: Type.String({ description: 'OpenCity status code, e.g. "2000"' }),
    status_name: Type.String({ description: 'e.g. status_submitted' }),
    links: Type.Array(Type.Object({ action: Type.String(), description: Type.String(), url: Type.String() })),
  },
  { $id: 'Application' },
);
export type ApplicationDtoValue = Static<typeof ApplicationDto>;

/** What the API and webhooks know of an application beyond its row. */
export interface ApplicationView {
  application: Application;
  serviceSlug: string;
  attachments: readonly Attachment[];
  statusChangedAt: Date;
  outcomeMotivation: string | null;
}

const unix = (d: Date) => Math.floor(d.getTime() / 1000);
const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
export const statusLabel = (code: StatusCode) => `status_${snake(statusName(code))}`;

/** The transitions an integration may ask for, by OpenCity's action names (POST …/transition/<action>). */
export const TRANSITION_ACTIONS = ['take-in-charge', 'request-integration', 'accept', 'reject', 'revoke'] as const;
export type TransitionAction = (typeof TRANSITION_ACTIONS)[number];

/** The target status of an action from the current one (the state machine then says whether it is allowed). */
export function transitionTarget(action: TransitionAction, from: StatusCode): StatusCode {
  const afterIntegration = from === STATUS.submittedAfterIntegration || from === STATUS.registeredAfterIntegration;
  switch (action) {
    case 'take-in-charge':
      return afterIntegration ? STATUS.pendingAfterIntegration : STATUS.pending;
    case 'request-integration':
      return STATUS.requestIntegration;
    case 'accept':
      return STATUS.complete;
    case 'reject':
      return STATUS.cancelled;
    case 'revoke':
      return STATUS.revoked;
  }
}

/** `base` is the ente's API root, e.g. https://host/comune-di-bugliano/api/v1. */
export function applicationDto(view: ApplicationView, base: string): ApplicationDtoValue {
  const a = view.application;
  const self = `${base}/applications/${a.id}`;
  return {
    id: a.id,
    user: a.citizenFiscalCode,
    user_name: a.citizenName,
    service: view.serviceSlug,
    service_id: a.serviceId,
    service_name: a.serviceName,
    tenant: a.tenantId,
    subject: `${a.serviceName} — ${a.citizenName}`,
    data: a.data,
    attachments: view.attachments.map((f) => ({ id: f.sha256, name: f.name, mime_type: f.mime, size: f.size, url: `${self}/attachments/${f.sha256}` })),
    creation_time: unix(a.createdAt),
    created_at: a.createdAt.toISOString(),
    submission_time: a.submittedAt && unix(a.submittedAt),
    submitted_at: a.submittedAt?.toISOString() ?? null,
    latest_status_change_time: unix(view.statusChangedAt),
    latest_status_change_at: view.statusChangedAt.toISOString(),
    protocol_number: a.protocol ? `${a.protocol.number}/${a.protocol.year}` : null,
    protocol_document_id: a.protocol?.id ?? null,
    protocolled_at: a.protocol?.registeredAt.toISOString() ?? null,
    outcome: a.status === STATUS.complete ? true : a.status === STATUS.cancelled ? false : null,
    outcome_motivation: view.outcomeMotivation,
    status: String(a.status),
    status_name: statusLabel(a.status),
    // Only the actions the state machine allows an operator now.
    links: TRANSITION_ACTIONS.filter((action) => checkTransition(a.status, transitionTarget(action, a.status), 'operator').ok).map((action) => ({
      action,
      description: `POST {message}`,
      url: `${self}/transition/${action}`,
    })),
  };
}
