// The catalog's routes under /:tenant: the public service pages and the admin console's.
import type { App } from '../../core/http.ts';
import type { ComuneContext } from '../context.ts';
import { registerCatalogPages } from './pages.ts';
import { registerCatalogAdmin } from './admin.ts';

export function registerCatalog(app: App, comune: ComuneContext): void {
  registerCatalogPages(app, comune);
  registerCatalogAdmin(app, comune);
}
