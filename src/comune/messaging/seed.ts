// Demo only: the demo entes send through the demo IO services IO's seed provisions, their keys derived from SECRET.
import type { AppContext } from '../../core/runtime.ts';
import { DEMO_IO_SERVICES, demoIoKey } from '../../clients/io/demo.ts';
import { DEFAULT_REMINDER_DAYS, ioSettingsFor, saveIoSettings } from './settings.ts';

/**
 * Demo seed: each demo ente whose fiscal code is a demo IO service's organization gets that service with the key
 * derived from SECRET (the one IO's seed provisions); an ente already configured keeps its own settings.
 */
export async function seedMessagingDemo(ctx: AppContext, tenants: readonly { id: string; fiscalCode: string }[]): Promise<void> {
  const db = ctx.database.db;
  for (const tenant of tenants) {
    const demo = DEMO_IO_SERVICES.find((s) => s.organizationFiscalCode === tenant.fiscalCode);
    if (!demo || (await ioSettingsFor(db, tenant.id))) continue;
    await saveIoSettings(db, ctx.secret, tenant.id, null, {
      ioServiceId: demo.serviceId,
      ioUrl: ctx.config.urls.io,
      apiKey: demoIoKey(ctx.secret, demo.serviceId, 'primary'),
      reminderDays: DEFAULT_REMINDER_DAYS,
      enabled: true,
    });
  }
}
