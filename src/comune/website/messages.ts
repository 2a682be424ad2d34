// Strings of the ente site's frame and its own pages (topics, FAQ, inefficiency report), merged with the
// comune's catalog. The Italian footer labels are the ones the PNRR 1.4.1 validator reads verbatim.
import { defineMessages, mergeMessages, translator, type Locale, type Translate } from '../../core/i18n.ts';
import { comuneMessages, type ComuneKey } from '../messages.ts';

const it = {
  'nav.main': 'Menu principale',
  'nav.services': 'Servizi',
  'nav.topics': 'Tutti gli argomenti',
  'footer.help': 'Assistenza',
  'footer.faq': 'Leggi le FAQ',
  'footer.report': 'Segnalazione disservizio',
  'footer.allServices': 'Tutti i servizi',
  'home.topicsTitle': 'Argomenti',
  'home.topicsText': 'I servizi del Comune raccolti per argomento.',
  'topics.title': 'Argomenti',
  'topics.intro': 'Gli argomenti dei servizi del Comune, secondo l’elenco del modello Designers Italia per i siti comunali.',
  'topics.services': 'Servizi: {count}',
  'topics.empty': 'Nessun servizio pubblicato ha ancora un argomento.',
  'faq.title': 'Domande frequenti (FAQ)',
  'faq.intro': 'Le risposte alle domande più comuni sui servizi online di {name}.',
  'faq.q.access': 'Come accedo ai servizi online?',
  'faq.a.access': 'Con la tua identità digitale, SPID o CIE, dal pulsante «Accedi all’area personale» in alto a destra. Ogni scheda servizio indica il livello di accesso richiesto; alcuni servizi non lo richiedono.',
  'faq.q.area': 'Dove trovo le domande che ho presentato?',
  'faq.a.area': 'Nell’area personale trovi i tuoi dati, i tuoi recapiti e le domande presentate online, con il loro stato.',
  'faq.q.times': 'Quanto tempo ha il Comune per rispondere?',
  'faq.a.times': 'Ogni scheda servizio indica, alla voce «Tempi e scadenze», il termine entro cui il Comune conclude il procedimento.',
  'faq.q.language': 'Posso usare il sito in un’altra lingua?',
  'faq.a.language': 'Sì, nelle lingue attivate dal Comune: scegli la lingua in alto a destra. I testi non ancora tradotti sono mostrati in italiano.',
  'faq.q.contact': 'Chi posso contattare per avere assistenza?',
  'faq.a.contact': 'Gli uffici del Comune ai recapiti indicati nella scheda di ogni servizio, alla voce «Contatti», o ai recapiti generali:',
  'report.title': 'Segnalazione disservizio',
  'report.intro': 'Hai notato un disservizio, per esempio un guasto, un problema di pulizia o di illuminazione pubblica, o un servizio del Comune che non funziona come dovrebbe?',
  'report.notYet': 'La segnalazione online con mappa e foto non è ancora disponibile su questo sito: sarà pubblicata in questa pagina.',
  'report.meanwhile': 'Nel frattempo puoi segnalare il disservizio direttamente al Comune:',
  'report.noContacts': 'Rivolgiti all’Ufficio relazioni con il pubblico del Comune.',
  'report.emergency': 'Per le emergenze chiama il numero unico 112.',
  'report.mailSubject': 'Segnalazione disservizio',
  // The wording the Designers Italia model prescribes for the legal notes (validator C.SI.3.4, compared verbatim).
  'legal.licenceTitle': 'Licenza dei contenuti',
  'legal.licenceText': 'In applicazione del principio open by default ai sensi dell’articolo 52 del decreto legislativo 7 marzo 2005, n. 82 (CAD) e salvo dove diversamente specificato (compresi i contenuti incorporati di terzi), i dati, i documenti e le informazioni pubblicati sul sito sono rilasciati con licenza CC-BY 4.0. Gli utenti sono quindi liberi di condividere (riprodurre, distribuire, comunicare al pubblico, esporre in pubblico), rappresentare, eseguire e recitare questo materiale con qualsiasi mezzo e formato e modificare (trasformare il materiale e utilizzarlo per opere derivate) per qualsiasi fine, anche commerciale con il solo onere di attribuzione, senza apporre restrizioni aggiuntive.',
} as const;

type Key = keyof typeof it;

const en: Record<Key, string> = {
  'nav.main': 'Main menu',
  'nav.services': 'Services',
  'nav.topics': 'All topics',
  'footer.help': 'Help',
  'footer.faq': 'Read the FAQ',
  'footer.report': 'Report a problem',
  'footer.allServices': 'All services',
  'home.topicsTitle': 'Topics',
  'home.topicsText': 'The municipality’s services grouped by topic.',
  'topics.title': 'Topics',
  'topics.intro': 'The topics of the municipality’s services, from the Designers Italia list for municipal websites.',
  'topics.services': 'Services: {count}',
  'topics.empty': 'No published service has a topic yet.',
  'faq.title': 'Frequently asked questions (FAQ)',
  'faq.intro': 'Answers to the most common questions about the online services of {name}.',
  'faq.q.access': 'How do I log in to the online services?',
  'faq.a.access': 'With your digital identity, SPID or CIE, using the “Log in to your personal area” button at the top right. Each service page states the access level it needs; some services need none.',
  'faq.q.area': 'Where do I find the applications I submitted?',
  'faq.a.area': 'Your personal area holds your data, your contacts and the applications you submitted online, with their status.',
  'faq.q.times': 'How long does the municipality have to answer?',
  'faq.a.times': 'Each service page states, under “Times and deadlines”, the term within which the municipality concludes the procedure.',
  'faq.q.language': 'Can I use the site in another language?',
  'faq.a.language': 'Yes, in the languages the municipality has enabled: pick the language at the top right. Texts not yet translated are shown in Italian.',
  'faq.q.contact': 'Whom can I contact for help?',
  'faq.a.contact': 'The municipality’s offices at the contacts on each service page, under “Contacts”, or at the general contacts:',
  'report.title': 'Report a problem',
  'report.intro': 'Have you noticed a problem, such as a fault, a cleaning or street-lighting issue, or a municipal service not working as it should?',
  'report.notYet': 'Online reporting with a map and photos is not yet available on this site: it will be published on this page.',
  'report.meanwhile': 'In the meantime you can report the problem directly to the municipality:',
  'report.noContacts': 'Contact the municipality’s public relations office.',
  'report.emergency': 'For emergencies call the single emergency number 112.',
  'report.mailSubject': 'Segnalazione disservizio',
  'legal.licenceTitle': 'Content licence',
  'legal.licenceText': 'Under the open-by-default principle of article 52 of legislative decree no. 82 of 7 March 2005 (CAD), and unless stated otherwise (including third-party embedded content), the data, documents and information published on this site are released under the CC-BY 4.0 licence. Users are therefore free to share (reproduce, distribute, communicate to the public, display in public), perform and recite this material in any medium and format, and to adapt it (transform it and use it for derivative works) for any purpose, even commercially, with the sole obligation of attribution and without adding further restrictions.',
};

const de: Record<Key, string> = {
  'nav.main': 'Hauptmenü',
  'nav.services': 'Dienste',
  'nav.topics': 'Alle Themen',
  'footer.help': 'Hilfe',
  'footer.faq': 'Häufige Fragen (FAQ)',
  'footer.report': 'Störung melden',
  'footer.allServices': 'Alle Dienste',
  'home.topicsTitle': 'Themen',
  'home.topicsText': 'Die Dienste der Gemeinde nach Themen.',
  'topics.title': 'Themen',
  'topics.intro': 'Die Themen der Dienste der Gemeinde, aus der Liste des Designers-Italia-Modells für Gemeindewebsites.',
  'topics.services': 'Dienste: {count}',
  'topics.empty': 'Noch kein veröffentlichter Dienst hat ein Thema.',
  'faq.title': 'Häufige Fragen (FAQ)',
  'faq.intro': 'Antworten auf die häufigsten Fragen zu den Online-Diensten von {name}.',
  'faq.q.access': 'Wie melde ich mich bei den Online-Diensten an?',
  'faq.a.access': 'Mit Ihrer digitalen Identität, SPID oder CIE, über die Schaltfläche „Zum persönlichen Bereich anmelden“ oben rechts. Jede Dienstseite nennt die nötige Anmeldestufe; manche Dienste brauchen keine.',
  'faq.q.area': 'Wo finde ich meine eingereichten Anträge?',
  'faq.a.area': 'Im persönlichen Bereich finden Sie Ihre Daten, Ihre Kontakte und die online eingereichten Anträge mit ihrem Stand.',
  'faq.q.times': 'Wie lange hat die Gemeinde Zeit für eine Antwort?',
  'faq.a.times': 'Jede Dienstseite nennt unter „Fristen“ die Frist, in der die Gemeinde das Verfahren abschließt.',
  'faq.q.language': 'Kann ich die Website in einer anderen Sprache nutzen?',
  'faq.a.language': 'Ja, in den von der Gemeinde aktivierten Sprachen: Wählen Sie die Sprache oben rechts. Noch nicht übersetzte Texte erscheinen auf Italienisch.',
  'faq.q.contact': 'An wen kann ich mich für Hilfe wenden?',
  'faq.a.contact': 'An die Ämter der Gemeinde über die Kontakte auf jeder Dienstseite unter „Kontakte“ oder an die allgemeinen Kontakte:',
  'report.title': 'Störung melden',
  'report.intro': 'Haben Sie eine Störung bemerkt, etwa einen Defekt, ein Problem mit Sauberkeit oder Straßenbeleuchtung oder einen Dienst der Gemeinde, der nicht wie vorgesehen funktioniert?',
  'report.notYet': 'Die Online-Meldung mit Karte und Fotos ist auf dieser Website noch nicht verfügbar: Sie wird auf dieser Seite veröffentlicht.',
  'report.meanwhile': 'Bis dahin können Sie die Störung direkt der Gemeinde melden:',
  'report.noContacts': 'Wenden Sie sich an das Bürgerbüro der Gemeinde.',
  'report.emergency': 'In Notfällen wählen Sie die einheitliche Notrufnummer 112.',
  'report.mailSubject': 'Segnalazione disservizio',
  'legal.licenceTitle': 'Lizenz der Inhalte',
  'legal.licenceText': 'Nach dem Grundsatz „open by default“ gemäß Artikel 52 des Gesetzesvertretenden Dekrets Nr. 82 vom 7. März 2005 (CAD) und sofern nicht anders angegeben (einschließlich eingebetteter Inhalte Dritter) werden die auf dieser Website veröffentlichten Daten, Dokumente und Informationen unter der Lizenz CC-BY 4.0 bereitgestellt. Sie dürfen dieses Material daher in jedem Medium und Format teilen (vervielfältigen, verbreiten, öffentlich zugänglich machen, öffentlich ausstellen), darstellen, aufführen und vortragen sowie verändern (umgestalten und für abgeleitete Werke verwenden), für jeden Zweck, auch kommerziell, allein unter der Pflicht zur Namensnennung und ohne weitere Einschränkungen.',
};

export const websiteMessages = defineMessages<Key>({ it, en, de });
export type WebsiteT = Translate<Key | ComuneKey>;

const merged = mergeMessages(comuneMessages, websiteMessages);

export function websiteT(locale: Locale): WebsiteT {
  return translator(merged, locale);
}
