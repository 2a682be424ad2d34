// Demo provisioning only: the IO seed and the comune each derive a demo service's keys from the shared SECRET, so
// `npm start` lets the comune send IO messages with no manual step and no room reads the other's tables. A real
// ente copies its service's key from IO's back-office.
import { derivedApiKey } from '../../core/auth/api-keys.ts';

/** The demo comuni's IO services: one per comune for its applications and payments (ids are ULIDs). */
export const DEMO_IO_SERVICES = [
  {
    serviceId: '01JD8B0G1ANZ8C0MVNE5ERV1Z0',
    organizationFiscalCode: '80000990509',
    organizationName: 'Comune di Bugliano',
    departmentName: 'Servizi al cittadino',
    serviceName: 'Pratiche e pagamenti online',
    maxAllowedPaymentAmount: 150_000,
  },
  {
    serviceId: '01JD8B0G1ANZ8C0MVNE5ERV1Z1',
    organizationFiscalCode: '80000380503',
    organizationName: 'Comune di Vicopisano (demo)',
    departmentName: 'Servizi al cittadino',
    serviceName: 'Pratiche e pagamenti online',
    maxAllowedPaymentAmount: 150_000,
  },
] as const;

export type IoKeyType = 'primary' | 'secondary';

/** A demo service's key, the same on both sides. */
export const demoIoKey = (secret: string, serviceId: string, keyType: IoKeyType = 'primary'): string => derivedApiKey(secret, `io-${keyType}`, serviceId);
