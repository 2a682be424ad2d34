// The strings citizens read from the pipeline (it/en/de): the forwarded e-mail and the generic push text.
import { defineMessages, isLocale, translator, DEFAULT_LOCALE, type Locale, type Translate } from '../../../core/i18n.ts';

export const pipelineMessages = defineMessages({
  it: {
    emailIntro: 'Hai ricevuto un nuovo messaggio da {service} nell’app IO.',
    emailOpen: 'Apri il messaggio in IO',
    emailMore: 'Il messaggio completo è disponibile nell’app IO.',
    emailFooter: 'Ricevi questa e-mail perché hai attivato l’inoltro dei messaggi via e-mail. Puoi disattivarlo nelle preferenze dell’app IO.',
    pushTitle: 'IO',
    pushGeneric: 'Hai un nuovo messaggio',
  },
  en: {
    emailIntro: 'You have received a new message from {service} in the IO app.',
    emailOpen: 'Open the message in IO',
    emailMore: 'The full message is available in the IO app.',
    emailFooter: 'You receive this e-mail because you turned on forwarding of messages by e-mail. You can turn it off in the IO app’s preferences.',
    pushTitle: 'IO',
    pushGeneric: 'You have a new message',
  },
  de: {
    emailIntro: 'Sie haben in der App IO eine neue Nachricht von {service} erhalten.',
    emailOpen: 'Nachricht in IO öffnen',
    emailMore: 'Die vollständige Nachricht finden Sie in der App IO.',
    emailFooter: 'Sie erhalten diese E-Mail, weil Sie die Weiterleitung von Nachrichten per E-Mail aktiviert haben. Sie können sie in den Einstellungen der App IO deaktivieren.',
    pushTitle: 'IO',
    pushGeneric: 'Sie haben eine neue Nachricht',
  },
});

export type PipelineKey = keyof typeof pipelineMessages.it;

export const pipelineT = (locale: Locale): Translate<PipelineKey> => translator(pipelineMessages, locale);

/** The first of the citizen's preferred languages (it_IT, en_GB, de_DE...) the platform speaks, else Italian. */
export function citizenLocale(preferredLanguages: readonly string[] | null | undefined): Locale {
  for (const language of preferredLanguages ?? []) {
    const locale = language.split('_')[0]!.toLowerCase();
    if (isLocale(locale)) return locale;
  }
  return DEFAULT_LOCALE;
}
