// The parts of a service's workflow settings whose integrations are not enabled yet: each says so, with no controls.
import { html, type SafeHtml } from '../../core/html.ts';
import type { Locale } from '../../core/i18n.ts';
import { consoleT } from './messages.ts';

/** The "Pagamenti (pagoPA)" and "Messaggi (app IO)" sections of the service settings, until their integrations exist. */
export function pendingIntegrations(locale: Locale): SafeHtml {
  const tr = consoleT(locale);
  const section = (id: string, title: string, text: string) =>
    html`<section class="callout note mb-4" aria-labelledby="${id}"><h2 class="callout-title h6" id="${id}">${title}</h2><p>${text}</p></section>`;
  return html`${section('workflow-payments', tr('workflow.payments'), tr('workflow.paymentsLater'))}${section('workflow-messages', tr('workflow.messages'), tr('workflow.messagesLater'))}`;
}
