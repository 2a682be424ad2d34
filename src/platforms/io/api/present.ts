// A service in the Services API's words (snake_case, as io-functions-commons' Service), and a payload back to settings.
import type { ServiceObject, ServicePayload } from '../../../clients/io/wire.ts';
import type { Service } from '../services/store.ts';
import type { ServiceSettings } from '../services/validation.ts';

export function presentService(s: Service): ServiceObject {
  return {
    service_id: s.serviceId,
    id: `${s.serviceId}-${String(s.version).padStart(16, '0')}`,
    service_name: s.serviceName,
    organization_name: s.organizationName,
    department_name: s.departmentName,
    organization_fiscal_code: s.organizationFiscalCode,
    authorized_cidrs: s.authorizedCidrs,
    authorized_recipients: s.authorizedRecipients,
    max_allowed_payment_amount: s.maxAllowedPaymentAmount,
    is_visible: s.isVisible,
    require_secure_channels: s.requireSecureChannels,
    version: s.version,
    service_metadata: s.metadata,
    is_test_mode: s.isTestMode,
    is_disabled: s.isDisabled,
    rate_limit_per_second: s.rateLimitPerSecond,
  };
}

export const settingsOf = (p: ServicePayload): ServiceSettings & { serviceName: string; departmentName: string } => ({
  serviceName: p.service_name,
  departmentName: p.department_name,
  isVisible: p.is_visible,
  requireSecureChannels: p.require_secure_channels,
  authorizedRecipients: p.authorized_recipients,
  authorizedCidrs: p.authorized_cidrs,
  metadata: p.service_metadata,
});
