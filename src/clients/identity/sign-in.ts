// The "Entra con SPID" / "Entra con CIE" choices every relying party shows on its login page, and the
// messages of a login that did not complete, in it/en/de.
import { html, type SafeHtml } from '../../core/html.ts';
import { defineMessages, translator, type Locale } from '../../core/i18n.ts';
import type { LoginFailure } from './login.ts';

export const signInMessages = defineMessages({
  it: {
    spid: 'Entra con SPID',
    spidTitle: 'SPID, il Sistema Pubblico di Identità Digitale',
    spidText: "Accedi con SPID, il sistema di accesso che consente di utilizzare, con un'identità digitale unica, i servizi online della Pubblica Amministrazione e dei privati accreditati.",
    chooseIdp: 'Scegli il tuo gestore di identità digitale',
    noSpid: 'Non hai SPID?',
    moreInfo: 'Maggiori informazioni su SPID',
    cie: 'Entra con CIE',
    cieTitle: "CIE, la Carta d'Identità Elettronica",
    cieText: 'Accedi con la tua Carta di Identità Elettronica: con la carta e il PIN, oppure con le credenziali CieID.',
    failed: "L'accesso non è riuscito: {reason}. Riprova.",
    cancelled: "L'accesso è stato annullato o negato.",
    levelTooLow: 'il livello di sicurezza raggiunto non è sufficiente',
    expired: 'la richiesta di accesso è scaduta',
  },
  en: {
    spid: 'Log in with SPID',
    spidTitle: 'SPID, the Public Digital Identity System',
    spidText: 'Log in with SPID, the system that lets you use the online services of the public administration and accredited private companies with a single digital identity.',
    chooseIdp: 'Choose your digital identity provider',
    noSpid: "Don't have SPID?",
    moreInfo: 'More about SPID',
    cie: 'Log in with CIE',
    cieTitle: 'CIE, the Electronic Identity Card',
    cieText: 'Log in with your Electronic Identity Card: with the card and its PIN, or with your CieID credentials.',
    failed: 'Login failed: {reason}. Please try again.',
    cancelled: 'The login was cancelled or denied.',
    levelTooLow: 'the security level reached is not sufficient',
    expired: 'the login request has expired',
  },
  de: {
    spid: 'Mit SPID anmelden',
    spidTitle: 'SPID, das öffentliche System für digitale Identität',
    spidText: 'Melden Sie sich mit SPID an, dem System, mit dem Sie die Online-Dienste der öffentlichen Verwaltung und akkreditierter Privater mit einer einzigen digitalen Identität nutzen.',
    chooseIdp: 'Wählen Sie Ihren Identitätsanbieter',
    noSpid: 'Sie haben kein SPID?',
    moreInfo: 'Mehr über SPID',
    cie: 'Mit CIE anmelden',
    cieTitle: 'CIE, der elektronische Personalausweis',
    cieText: 'Melden Sie sich mit Ihrem elektronischen Personalausweis an: mit Karte und PIN oder mit Ihren CieID-Zugangsdaten.',
    failed: 'Die Anmeldung ist fehlgeschlagen: {reason}. Bitte versuchen Sie es erneut.',
    cancelled: 'Die Anmeldung wurde abgebrochen oder abgelehnt.',
    levelTooLow: 'die erreichte Sicherheitsstufe reicht nicht aus',
    expired: 'die Anmeldeanfrage ist abgelaufen',
  },
});

/** The SPID identity providers offered in the button. */
export const SPID_IDPS: readonly { id: string; name: string }[] = [{ id: 'sportello-id', name: 'Sportello ID (demo)' }];

/** A new random order each time: the SPID button guidelines forbid favouring a provider by its place. */
export function shuffled<T>(items: readonly T[], random: () => number = Math.random): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

export interface SignInChoicesInput {
  locale: Locale;
  /** The RP's link that starts a SPID login at the chosen identity provider. */
  spidHref: (idpId: string) => string;
  cieHref: string;
}

/** The SPID section (button opening the shuffled list of identity providers) and the CIE section. */
export function signInChoices(input: SignInChoicesInput): SafeHtml {
  const tr = translator(signInMessages, input.locale);
  return html`<section class="mb-5" aria-labelledby="spid-title">
    <h2 id="spid-title" class="h4">${tr('spidTitle')}</h2>
    <p>${tr('spidText')}</p>
    <div class="dropdown">
      <button class="btn btn-primary btn-icon dropdown-toggle" type="button" id="spid-button" data-bs-toggle="dropdown" aria-haspopup="true" aria-expanded="false">
        <img src="/assets/sportello/spid-icon.svg" alt="" width="24" height="24" class="me-2">${tr('spid')}
      </button>
      <div class="dropdown-menu" aria-labelledby="spid-button">
        <div class="link-list-wrapper"><p class="px-3 pt-2 small">${tr('chooseIdp')}</p>
          <ul class="link-list spid-idp-list">
            ${shuffled(SPID_IDPS).map((idp) => html`<li><a class="dropdown-item list-item" href="${input.spidHref(idp.id)}"><span>${idp.name}</span></a></li>`)}
          </ul>
        </div>
      </div>
    </div>
    <p class="mt-3 small"><a href="https://www.spid.gov.it/cos-e-spid/come-attivare-spid/">${tr('noSpid')}</a> ·
      <a href="https://www.spid.gov.it">${tr('moreInfo')}</a></p>
  </section>
  <section aria-labelledby="cie-title">
    <h2 id="cie-title" class="h4">${tr('cieTitle')}</h2>
    <p>${tr('cieText')}</p>
    <a class="btn btn-primary btn-icon" href="${input.cieHref}"><img src="/assets/sportello/cie-icon.svg" alt="" width="24" height="24" class="me-2">${tr('cie')}</a>
  </section>`;
}

/** What to tell the citizen when a login did not complete. */
export function loginFailureMessage(locale: Locale, failure: { reason: LoginFailure; detail?: string }): string {
  const tr = translator(signInMessages, locale);
  switch (failure.reason) {
    case 'cancelled':
      return tr('cancelled');
    case 'level':
      return tr('failed', { reason: tr('levelTooLow') });
    case 'expired':
      return tr('failed', { reason: tr('expired') });
    case 'claims':
    case 'failed':
      return tr('failed', { reason: failure.detail ?? '' });
  }
}
