// The IO app's APIs for public bodies and operators: the Services API (/api/v1), its manage part (/api/v1/manage)
// and the operators' onboarding (/admin/v1).
import type { App } from '../../../core/http.ts';
import type { Executor } from '../../../core/db.ts';
import { registerAdminApi } from '../admin.ts';
import { addServiceSchemas, registerManageApi } from './manage.ts';
import { registerServicesApi } from './services-api.ts';

export { subscriptionKeySchemes } from './services-api.ts';

export async function registerIoApis(app: App, { db, secret }: { db: Executor; secret: string }): Promise<void> {
  addServiceSchemas(app);
  await registerServicesApi(app, db);
  await registerManageApi(app, db, secret);
  await registerAdminApi(app, db, secret);
}
