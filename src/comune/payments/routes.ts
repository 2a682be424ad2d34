// The payments' pages of an ente (registered under /:tenant): the citizen's, the admin's and the desk's.
import type { App } from '../../core/http.ts';
import type { ComuneContext } from '../context.ts';
import { registerPaymentAdmin } from './admin.ts';
import { registerCitizenPayments } from './citizen.ts';
import { registerDeskPayments } from './desk.ts';

export function registerPayments(app: App, comune: ComuneContext): void {
  registerCitizenPayments(app, comune);
  registerPaymentAdmin(app, comune);
  registerDeskPayments(app, comune);
}
