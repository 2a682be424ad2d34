// The app backend's JSON API under /app/api/v1, shaped like io-backend's api_backend.yaml (reference io.md §3.1,
// §3.2, §4.3): the signed-in citizen's session cookie authenticates, writes carry the page's CSRF token in the
// X-CSRF-Token header (the service worker and the push button's script send it), errors are problem+json.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { assertCsrf } from '../../../core/auth/csrf.ts';
import { Enum } from '../../../core/schema.ts';
import type { App } from '../../../core/http.ts';
import { notFound, problemResponses, unauthorized } from '../../../core/problem.ts';
import { PREFERRED_LANGUAGES, type PaymentData } from '../../../clients/io/wire.ts';
import type { CitizenSession } from '../../../clients/identity/citizen-routes.ts';
import { registerInstallation } from '../pipeline/installations.ts';
import { vapidPublicKey } from '../pipeline/vapid.ts';
import { CHANNELS, type PreferenceMode } from '../rules/delivery.ts';
import { getService, listServices } from '../services/store.ts';
import { startEmailValidation } from './email-validation.ts';
import { changeMessageStatus, getMessage, listMessages, PAGE_SIZE, type InboxMessage } from './inbox.ts';
import { getProfile, getServicePreference, upsertServicePreference, updateProfile, PUSH_CONTENT_TYPES, REMINDER_STATUSES, type Profile, type ServicePreference } from './profiles.ts';
import { paymentsOf } from '../payments/store.ts';
import { appCitizen, type AppDeps } from './session.ts';

export const APP_API = '/app/api/v1';
export const CSRF_HEADER = 'x-csrf-token';

const Ulid = Type.String({ pattern: '^[0-9A-Z]{26}$' });
const ServiceId = Type.String({ pattern: '^[0-9A-Z]{26}$' });
const tags = ['IO app backend'];

const ProfileBody = Type.Object({
  fiscal_code: Type.String(),
  name: Type.String(),
  family_name: Type.String(),
  email: Type.Optional(Type.String()),
  is_email_validated: Type.Boolean(),
  is_email_enabled: Type.Boolean(),
  is_inbox_enabled: Type.Boolean(),
  is_webhook_enabled: Type.Boolean(),
  accepted_tos_version: Type.Optional(Type.Integer()),
  blocked_inbox_or_channels: Type.Record(Type.String(), Type.Array(Enum(CHANNELS))),
  service_preferences_settings: Type.Object({ mode: Enum(['LEGACY', 'AUTO', 'MANUAL'] as const) }),
  preferred_languages: Type.Array(Enum(PREFERRED_LANGUAGES)),
  reminder_status: Type.Optional(Enum(REMINDER_STATUSES)),
  push_notifications_content_type: Type.Optional(Enum(PUSH_CONTENT_TYPES)),
  is_test_profile: Type.Boolean(),
  version: Type.Integer(),
});

const ProfileUpdate = Type.Object(
  {
    version: Type.Integer({ minimum: 0, description: 'the version read: 409 when the profile has changed since' }),
    email: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
    is_email_enabled: Type.Optional(Type.Boolean()),
    is_inbox_enabled: Type.Optional(Type.Boolean()),
    is_webhook_enabled: Type.Optional(Type.Boolean()),
    accepted_tos_version: Type.Optional(Type.Integer({ minimum: 1 })),
    blocked_inbox_or_channels: Type.Optional(Type.Record(ServiceId, Type.Array(Enum(CHANNELS), { uniqueItems: true }))),
    service_preferences_settings: Type.Optional(Type.Object({ mode: Enum(['AUTO', 'MANUAL'] as const) }, { additionalProperties: false })),
    preferred_languages: Type.Optional(Type.Array(Enum(PREFERRED_LANGUAGES), { minItems: 1, maxItems: 5, uniqueItems: true })),
    reminder_status: Type.Optional(Enum(REMINDER_STATUSES)),
    push_notifications_content_type: Type.Optional(Enum(PUSH_CONTENT_TYPES)),
  },
  { additionalProperties: false },
);

const MessageCategory = Type.Object({ tag: Enum(['GENERIC', 'PAYMENT'] as const), rptId: Type.Optional(Type.String()) });
const MessageItem = Type.Object({
  id: Type.String(),
  fiscal_code: Type.String(),
  sender_service_id: Type.String(),
  service_name: Type.String(),
  organization_name: Type.String(),
  organization_fiscal_code: Type.String(),
  message_title: Type.String(),
  category: MessageCategory,
  created_at: Type.String({ format: 'date-time' }),
  due_date: Type.Optional(Type.String()),
  is_read: Type.Boolean(),
  is_archived: Type.Boolean(),
  has_attachments: Type.Boolean(),
  has_precondition: Type.Boolean(),
});
const MessageDetail = Type.Object({
  id: Type.String(),
  fiscal_code: Type.String(),
  sender_service_id: Type.String(),
  service_name: Type.String(),
  organization_name: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  content: Type.Object({
    subject: Type.String(),
    markdown: Type.String(),
    due_date: Type.Optional(Type.String()),
    payment_data: Type.Optional(Type.Object({ amount: Type.Integer(), notice_number: Type.String(), invalid_after_due_date: Type.Optional(Type.Boolean()), payee: Type.Optional(Type.Object({ fiscal_code: Type.String() })) })),
  }),
  is_read: Type.Boolean(),
  is_archived: Type.Boolean(),
});

const StatusChange = Type.Union([
  Type.Object({ change_type: Type.Literal('reading'), is_read: Type.Literal(true) }, { additionalProperties: false }),
  Type.Object({ change_type: Type.Literal('archiving'), is_archived: Type.Boolean() }, { additionalProperties: false }),
  Type.Object({ change_type: Type.Literal('bulk'), is_archived: Type.Boolean(), is_read: Type.Literal(true) }, { additionalProperties: false }),
]);

const PreferenceBody = Type.Object({
  is_inbox_enabled: Type.Boolean(),
  is_email_enabled: Type.Boolean(),
  is_webhook_enabled: Type.Boolean(),
  settings_version: Type.Integer({ minimum: 0 }),
  can_access_message_read_status: Type.Boolean(),
});
const PreferenceUpsert = Type.Object(
  {
    is_inbox_enabled: Type.Boolean(),
    is_email_enabled: Type.Boolean(),
    is_webhook_enabled: Type.Boolean(),
    settings_version: Type.Integer({ minimum: 0 }),
    can_access_message_read_status: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const Installation = Type.Object(
  {
    endpoint: Type.String({ format: 'uri', pattern: '^https?://', maxLength: 2000 }),
    // RFC 8291 §3: the browser's P-256 key and auth secret, base64url.
    keys: Type.Object({ p256dh: Type.String({ pattern: '^[A-Za-z0-9_-]{80,100}$' }), auth: Type.String({ pattern: '^[A-Za-z0-9_-]{16,32}$' }) }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);

export function profileJson(profile: Profile, citizen: CitizenSession): Static<typeof ProfileBody> {
  return {
    fiscal_code: profile.fiscalCode,
    name: citizen.givenName,
    family_name: citizen.familyName,
    ...(profile.email ? { email: profile.email } : {}),
    is_email_validated: profile.isEmailValidated,
    is_email_enabled: profile.isEmailEnabled,
    is_inbox_enabled: profile.isInboxEnabled,
    is_webhook_enabled: profile.isWebhookEnabled,
    ...(profile.acceptedTosVersion ? { accepted_tos_version: profile.acceptedTosVersion } : {}),
    blocked_inbox_or_channels: Object.fromEntries(Object.entries(profile.blockedInboxOrChannels).map(([k, v]) => [k, [...v]])),
    service_preferences_settings: { mode: profile.mode },
    preferred_languages: profile.preferredLanguages,
    ...(profile.reminderStatus !== 'UNSET' ? { reminder_status: profile.reminderStatus } : {}),
    ...(profile.pushNotificationsContentType !== 'UNSET' ? { push_notifications_content_type: profile.pushNotificationsContentType } : {}),
    is_test_profile: profile.isTestProfile,
    version: profile.version,
  };
}

/** The message's category: PAYMENT with the notice's rptId (payee fiscal code + notice number) when it asks to pay. */
export function messageCategory(message: InboxMessage): Static<typeof MessageCategory> {
  const payment: PaymentData | undefined = message.content.payment_data;
  if (!payment) return { tag: 'GENERIC' };
  return { tag: 'PAYMENT', rptId: `${payment.payee?.fiscal_code ?? message.organizationFiscalCode}${payment.notice_number}` };
}

const itemJson = (m: InboxMessage): Static<typeof MessageItem> => ({
  id: m.id,
  fiscal_code: m.fiscalCode,
  sender_service_id: m.senderServiceId,
  service_name: m.serviceName,
  organization_name: m.organizationName,
  organization_fiscal_code: m.organizationFiscalCode,
  message_title: m.content.subject,
  category: messageCategory(m),
  created_at: m.createdAt.toISOString(),
  ...(m.content.due_date ? { due_date: m.content.due_date } : {}),
  is_read: m.isRead,
  is_archived: m.isArchived,
  has_attachments: false,
  has_precondition: false,
});

const preferenceJson = (p: ServicePreference): Static<typeof PreferenceBody> => ({
  is_inbox_enabled: p.isInboxEnabled,
  is_email_enabled: p.isEmailEnabled,
  is_webhook_enabled: p.isWebhookEnabled,
  settings_version: p.settingsVersion,
  can_access_message_read_status: p.canAccessMessageReadStatus !== 'DENY',
});

function citizenOf(request: FastifyRequest): CitizenSession {
  const citizen = appCitizen(request);
  if (!citizen) throw unauthorized('Sign in to the IO app first.');
  return citizen;
}

export async function registerAppApi(pages: App, deps: AppDeps): Promise<void> {
  await pages.register(async (instance: FastifyInstance) => {
    const api = instance as App;
    api.addHook('onRequest', async (request) => {
      citizenOf(request);
      // Writes come from the app's own pages: the session's CSRF token in a header (a cross-site form cannot set it).
      if (request.method !== 'GET' && request.method !== 'HEAD') assertCsrf(deps.secret, request.session.data.csrfSeed, request.headers[CSRF_HEADER]);
    });
    const profileOf = async (request: FastifyRequest) => {
      const profile = await getProfile(deps.db, citizenOf(request).fiscalCode);
      if (!profile) throw notFound('No profile: complete the onboarding first.');
      return profile;
    };
    const knownService = async (serviceId: string) => {
      const service = await getService(deps.db, serviceId);
      if (!service || !service.isVisible || service.isDisabled) throw notFound('No such service.');
      return service;
    };

    api.get(`${APP_API}/profile`, { schema: { tags, summary: 'The citizen’s profile', response: { 200: ProfileBody, ...problemResponses(401, 404) } } }, async (request) =>
      profileJson(await profileOf(request), citizenOf(request)),
    );

    api.post(
      `${APP_API}/profile`,
      { schema: { tags, summary: 'Updates the profile (409 when `version` is stale)', body: ProfileUpdate, response: { 200: ProfileBody, ...problemResponses(400, 401, 403, 404, 409) } } },
      async (request) => {
        const b = request.body;
        const updated = await updateProfile(deps.db, citizenOf(request).fiscalCode, b.version, {
          email: b.email,
          isEmailEnabled: b.is_email_enabled,
          isInboxEnabled: b.is_inbox_enabled,
          isWebhookEnabled: b.is_webhook_enabled,
          acceptedTosVersion: b.accepted_tos_version,
          blockedInboxOrChannels: b.blocked_inbox_or_channels,
          mode: b.service_preferences_settings?.mode as PreferenceMode | undefined,
          preferredLanguages: b.preferred_languages,
          reminderStatus: b.reminder_status,
          pushNotificationsContentType: b.push_notifications_content_type,
        });
        return profileJson(updated, citizenOf(request));
      },
    );

    api.post(
      `${APP_API}/email-validation-process`,
      { schema: { tags, summary: 'Sends the link that validates the profile’s e-mail', response: { 202: Type.Object({ email: Type.String() }), ...problemResponses(401, 403, 404, 409) } } },
      async (request, reply) => reply.status(202).send({ email: await startEmailValidation(deps, request) }),
    );

    api.get(
      `${APP_API}/messages`,
      {
        schema: {
          tags,
          summary: 'The inbox (or the archive), newest first',
          querystring: Type.Object({
            archived: Type.Optional(Type.Boolean()),
            page_size: Type.Optional(Type.Integer({ minimum: PAGE_SIZE.min, maximum: PAGE_SIZE.max })),
            maximum_id: Type.Optional(Ulid),
            enrich_result_data: Type.Optional(Type.Boolean()),
          }),
          response: { 200: Type.Object({ items: Type.Array(MessageItem), next: Type.Optional(Type.String()) }), ...problemResponses(400, 401) },
        },
      },
      async (request) => {
        const page = await listMessages(deps.db, citizenOf(request).fiscalCode, { archived: request.query.archived, pageSize: request.query.page_size, maximumId: request.query.maximum_id });
        return { items: page.items.map(itemJson), ...(page.next ? { next: page.next } : {}) };
      },
    );

    api.get(
      `${APP_API}/messages/:id`,
      { schema: { tags, summary: 'One message with its content', params: Type.Object({ id: Ulid }), response: { 200: MessageDetail, ...problemResponses(400, 401, 404) } } },
      async (request) => {
        const m = await getMessage(deps.db, citizenOf(request).fiscalCode, request.params.id);
        return {
          id: m.id,
          fiscal_code: m.fiscalCode,
          sender_service_id: m.senderServiceId,
          service_name: m.serviceName,
          organization_name: m.organizationName,
          created_at: m.createdAt.toISOString(),
          content: m.content,
          is_read: m.isRead,
          is_archived: m.isArchived,
        };
      },
    );

    api.put(
      `${APP_API}/messages/:id/message-status`,
      {
        schema: {
          tags,
          summary: 'Marks a message read (for good) or (un)archives it',
          params: Type.Object({ id: Ulid }),
          body: StatusChange,
          response: { 200: Type.Object({ is_read: Type.Boolean(), is_archived: Type.Boolean() }), ...problemResponses(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const b = request.body;
        const change = b.change_type === 'reading' ? { changeType: 'reading' as const } : { changeType: b.change_type, isArchived: b.is_archived };
        const status = await changeMessageStatus(deps.db, citizenOf(request).fiscalCode, request.params.id, change);
        return { is_read: status.isRead, is_archived: status.isArchived };
      },
    );

    api.get(
      `${APP_API}/payments`,
      {
        schema: {
          tags,
          summary: 'The citizen’s payments made in the app, paid and pending, newest first (receipt id once paid)',
          response: {
            200: Type.Object({
              items: Type.Array(
                Type.Object({
                  id: Type.String(),
                  rptId: Type.String({ description: 'payee fiscal code + notice number' }),
                  amount: Type.Integer({ description: 'euro cents' }),
                  description: Type.String(),
                  status: Enum(['PENDING', 'PAID'] as const),
                  message_id: Type.Optional(Type.String()),
                  receipt_id: Type.Optional(Type.String()),
                  paid_at: Type.Optional(Type.String({ format: 'date-time' })),
                  created_at: Type.String({ format: 'date-time' }),
                }),
              ),
            }),
            ...problemResponses(401),
          },
        },
      },
      async (request) => ({
        items: (await paymentsOf(deps.db, citizenOf(request).fiscalCode)).map((p) => ({
          id: p.id,
          rptId: `${p.payeeFiscalCode}${p.noticeNumber}`,
          amount: p.amount,
          description: p.description,
          status: p.status as 'PENDING' | 'PAID',
          ...(p.messageId ? { message_id: p.messageId } : {}),
          ...(p.receipt ? { receipt_id: p.receipt.receiptId } : {}),
          ...(p.paidAt ? { paid_at: p.paidAt.toISOString() } : {}),
          created_at: p.createdAt.toISOString(),
        })),
      }),
    );

    api.get(
      `${APP_API}/services`,
      {
        schema: {
          tags,
          summary: 'The services a citizen can find in the app',
          response: { 200: Type.Object({ items: Type.Array(Type.Object({ service_id: Type.String(), service_name: Type.String(), organization_name: Type.String(), organization_fiscal_code: Type.String(), department_name: Type.String(), scope: Type.String() })) }) },
        },
      },
      async () => ({
        items: (await listServices(deps.db))
          .filter((s) => s.isVisible && !s.isDisabled)
          .map((s) => ({ service_id: s.serviceId, service_name: s.serviceName, organization_name: s.organizationName, organization_fiscal_code: s.organizationFiscalCode, department_name: s.departmentName, scope: s.metadata.scope })),
      }),
    );

    api.get(
      `${APP_API}/services/:service_id/preferences`,
      { schema: { tags, summary: 'The citizen’s preference for a service (409 in LEGACY)', params: Type.Object({ service_id: ServiceId }), response: { 200: PreferenceBody, ...problemResponses(400, 401, 404, 409) } } },
      async (request) => {
        const profile = await profileOf(request);
        await knownService(request.params.service_id);
        return preferenceJson(await getServicePreference(deps.db, profile, request.params.service_id));
      },
    );

    api.post(
      `${APP_API}/services/:service_id/preferences`,
      {
        schema: {
          tags,
          summary: 'Saves the preference (409 when settings_version is stale or the profile is LEGACY)',
          params: Type.Object({ service_id: ServiceId }),
          body: PreferenceUpsert,
          response: { 200: PreferenceBody, ...problemResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        await knownService(request.params.service_id);
        const b = request.body;
        const saved = await upsertServicePreference(deps.db, citizenOf(request).fiscalCode, request.params.service_id, {
          isInboxEnabled: b.is_inbox_enabled,
          isEmailEnabled: b.is_email_enabled,
          isWebhookEnabled: b.is_webhook_enabled,
          settingsVersion: b.settings_version,
          canAccessMessageReadStatus: b.can_access_message_read_status === undefined ? undefined : b.can_access_message_read_status ? 'ALLOW' : 'DENY',
        });
        return preferenceJson(saved);
      },
    );

    api.put(
      `${APP_API}/installations/:installationID`,
      {
        schema: {
          tags,
          summary: 'Registers this browser for Web Push (its PushSubscription)',
          params: Type.Object({ installationID: Type.String({ pattern: '^[A-Za-z0-9_-]{1,128}$' }) }),
          body: Installation,
          response: { 200: Type.Object({ installation_id: Type.String() }), ...problemResponses(400, 401, 403) },
        },
      },
      async (request) => {
        const installation = await registerInstallation(deps.db, citizenOf(request).fiscalCode, {
          installationId: request.params.installationID,
          endpoint: request.body.endpoint,
          keys: request.body.keys,
          userAgent: request.headers['user-agent']?.slice(0, 500) ?? null,
        });
        return { installation_id: installation.installationId };
      },
    );

    api.get(`${APP_API}/vapid-public-key`, { schema: { tags, summary: 'The application server key for PushManager.subscribe', response: { 200: Type.Object({ public_key: Type.String() }) } } }, async () => ({
      public_key: await vapidPublicKey(deps.db, deps.secret),
    }));
  });
}
