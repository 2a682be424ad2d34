// The wire contract of IO's Services API v1, shared by the IO app, which serves it, and the client: paths, field
// names, enums and limits after pagopa/io-functions-services openapi/index.yaml (NewMessage, MessageContent,
// PaymentData, LimitedProfile, ExternalMessageResponseWithContent). Reference: ../shared/reference/io.md §1.
import { Type, type Static } from '@sinclair/typebox';
import { Enum } from '../../core/schema.ts';

export const IO_API_PREFIX = '/api/v1';
export const SUBSCRIPTION_KEY_HEADER = 'Ocp-Apim-Subscription-Key';
export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';


export const FISCAL_CODE_PATTERN = '^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$';
/** IO's sandbox fiscal code, a new service's only recipient (reference io.md §2.1, §7): it matches the pattern, not the check character. */
export const SANDBOX_FISCAL_CODE = 'AAAAAA00A00A000A';
export const FiscalCode = Type.String({ pattern: FISCAL_CODE_PATTERN, minLength: 16, maxLength: 16, description: 'a person’s fiscal code, upper case', examples: ['SPNDNL80R13C555X'] });
export const OrganizationFiscalCode = Type.String({ pattern: '^[0-9]{11}$', description: 'an organization’s fiscal code' });

export const MESSAGE_STATUSES = ['ACCEPTED', 'THROTTLED', 'FAILED', 'PROCESSED', 'REJECTED'] as const;
export type MessageStatusValue = (typeof MESSAGE_STATUSES)[number];
export const REJECTION_REASONS = ['SERVICE_NOT_ALLOWED', 'USER_NOT_FOUND', 'UNKNOWN'] as const;
export const NOTIFICATION_CHANNEL_STATUSES = ['SENT', 'THROTTLED', 'EXPIRED', 'FAILED'] as const;
export type NotificationChannelStatusValue = (typeof NOTIFICATION_CHANNEL_STATUSES)[number];
export const PREFERRED_LANGUAGES = ['it_IT', 'en_GB', 'es_ES', 'de_DE', 'fr_FR'] as const;
export type PreferredLanguage = (typeof PREFERRED_LANGUAGES)[number];

export const MESSAGE_LIMITS = { subject: { min: 10, max: 120 }, markdown: { min: 80, max: 10_000 }, timeToLive: { min: 3600, max: 604_800, default: 3600 } } as const;
export const MAX_PAYMENT_AMOUNT = 9_999_999_999;

export const PaymentData = Type.Object({
  amount: Type.Integer({ minimum: 1, maximum: MAX_PAYMENT_AMOUNT, description: 'euro cents' }),
  notice_number: Type.String({ pattern: '^[0123][0-9]{17}$', description: 'the 18-digit pagoPA notice number (NAV); check digits are verified' }),
  invalid_after_due_date: Type.Optional(Type.Boolean({ default: false })),
  payee: Type.Optional(Type.Object({ fiscal_code: OrganizationFiscalCode })),
});
export type PaymentData = Static<typeof PaymentData>;

export const MessageContent = Type.Object({
  subject: Type.String({ minLength: MESSAGE_LIMITS.subject.min, maxLength: MESSAGE_LIMITS.subject.max }),
  markdown: Type.String({ minLength: MESSAGE_LIMITS.markdown.min, maxLength: MESSAGE_LIMITS.markdown.max }),
  require_secure_channels: Type.Optional(Type.Boolean()),
  due_date: Type.Optional(Type.String({ format: 'date-time', description: 'ISO-8601 UTC' })),
  payment_data: Type.Optional(PaymentData),
});
export type MessageContent = Static<typeof MessageContent>;

export const NewMessage = Type.Object(
  {
    time_to_live: Type.Optional(Type.Integer({ minimum: MESSAGE_LIMITS.timeToLive.min, maximum: MESSAGE_LIMITS.timeToLive.max, default: MESSAGE_LIMITS.timeToLive.default })),
    content: MessageContent,
    default_addresses: Type.Optional(Type.Object({ email: Type.Optional(Type.String({ format: 'email' })) })),
    fiscal_code: Type.Optional(FiscalCode),
    feature_level_type: Type.Optional(Enum(['STANDARD', 'ADVANCED'] as const, { default: 'STANDARD' })),
  },
  { $id: 'NewMessage' },
);
export type NewMessage = Static<typeof NewMessage>;

export const CreatedMessage = Type.Object({ id: Type.String({ description: 'the message id (a ULID)' }) });
export type CreatedMessage = Static<typeof CreatedMessage>;

export const LimitedProfile = Type.Object({
  sender_allowed: Type.Boolean(),
  preferred_languages: Type.Optional(Type.Array(Enum(PREFERRED_LANGUAGES))),
});
export type LimitedProfile = Static<typeof LimitedProfile>;

export const ExternalMessageResponseWithContent = Type.Object({
  message: Type.Object({
    id: Type.String(),
    fiscal_code: FiscalCode,
    time_to_live: Type.Integer(),
    created_at: Type.String({ format: 'date-time' }),
    content: MessageContent,
    sender_service_id: Type.String(),
    feature_level_type: Enum(['STANDARD', 'ADVANCED'] as const),
  }),
  status: Enum(MESSAGE_STATUSES),
  rejection_reason: Type.Optional(Enum(REJECTION_REASONS)),
  notification: Type.Optional(Type.Object({ email: Type.Optional(Enum(NOTIFICATION_CHANNEL_STATUSES)), webhook: Type.Optional(Enum(NOTIFICATION_CHANNEL_STATUSES)) })),
  read_status: Type.Optional(Enum(['UNAVAILABLE', 'UNREAD', 'READ'] as const)),
  payment_status: Type.Optional(Enum(['PAID', 'NOT_PAID'] as const)),
});
export type ExternalMessageResponseWithContent = Static<typeof ExternalMessageResponseWithContent>;

export const SubscriptionsFeed = Type.Object({ dateUTC: Type.String(), subscriptions: Type.Array(Type.String()), unsubscriptions: Type.Array(Type.String()) });
export type SubscriptionsFeed = Static<typeof SubscriptionsFeed>;

export const ServiceKeys = Type.Object({ primary_key: Type.String(), secondary_key: Type.String() });
export type ServiceKeys = Static<typeof ServiceKeys>;

// --- Services (/manage/services): the legacy Service object of io-functions-commons (reference §2.1) -------------

const NonEmpty = Type.String({ minLength: 1 });
export const ServiceMetadata = Type.Object(
  {
    scope: Enum(['LOCAL', 'NATIONAL'] as const),
    description: Type.Optional(Type.String({ minLength: 1, description: 'Markdown; required for a visible service' })),
    privacy_url: Type.Optional(Type.String({ minLength: 1, format: 'uri' })),
    tos_url: Type.Optional(Type.String({ minLength: 1, format: 'uri' })),
    web_url: Type.Optional(Type.String({ minLength: 1, format: 'uri' })),
    email: Type.Optional(Type.String({ minLength: 1, format: 'email' })),
    pec: Type.Optional(Type.String({ minLength: 1, format: 'email' })),
    phone: Type.Optional(NonEmpty),
    support_url: Type.Optional(Type.String({ minLength: 1, format: 'uri' })),
    address: Type.Optional(NonEmpty),
    cta: Type.Optional(NonEmpty),
    category: Type.Optional(Enum(['STANDARD', 'SPECIAL'] as const)),
  },
  { $id: 'ServiceMetadata', additionalProperties: false, description: 'at least one support contact: email, pec, phone or support_url' },
);
export type ServiceMetadata = Static<typeof ServiceMetadata>;

const CIDR = Type.String({ pattern: '^([0-9]{1,3}[.]){3}[0-9]{1,3}(/([0-9]|[1-2][0-9]|3[0-2]))?$' });

/** What a body may change of its service (PUT /manage/services/{id}); the payment cap and test mode are the operators'. */
export const ServicePayload = Type.Object(
  {
    service_name: Type.String({ minLength: 1, maxLength: 200 }),
    department_name: Type.String({ minLength: 1, maxLength: 200 }),
    is_visible: Type.Optional(Type.Boolean()),
    require_secure_channels: Type.Optional(Type.Boolean()),
    authorized_recipients: Type.Optional(Type.Array(FiscalCode, { maxItems: 100 })),
    authorized_cidrs: Type.Optional(Type.Array(CIDR, { maxItems: 100 })),
    service_metadata: Type.Optional(Type.Ref('ServiceMetadata')),
  },
  { $id: 'ServicePayload', additionalProperties: false },
);
export type ServicePayload = Static<typeof ServicePayload> & { service_metadata?: ServiceMetadata };

export const ServiceObject = Type.Object(
  {
    service_id: Type.String(),
    id: Type.String({ description: '{service_id}-{16-digit version}' }),
    service_name: Type.String(),
    organization_name: Type.String(),
    department_name: Type.String(),
    organization_fiscal_code: OrganizationFiscalCode,
    authorized_cidrs: Type.Array(Type.String()),
    authorized_recipients: Type.Array(Type.String()),
    max_allowed_payment_amount: Type.Integer({ description: 'euro cents' }),
    is_visible: Type.Boolean(),
    require_secure_channels: Type.Boolean(),
    version: Type.Integer(),
    service_metadata: Type.Ref('ServiceMetadata'),
    is_test_mode: Type.Boolean({ description: 'messages only to authorized_recipients' }),
    is_disabled: Type.Boolean(),
    rate_limit_per_second: Type.Integer(),
  },
  { $id: 'Service' },
);
export type ServiceObject = Static<typeof ServiceObject> & { service_metadata: ServiceMetadata };
