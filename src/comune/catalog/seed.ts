// Demo catalog of the Comune di Bugliano: categories (Design Comuni vocabulary), offices with the demo
// operator, and six services of the PNRR 1.4.1 kind. Forms are attached later (formId null). Idempotent.
import type { Executor } from '../../core/db.ts';
import { HttpProblem } from '../../core/problem.ts';
import type { CommandActor } from '../commands.ts';
import { StaffRepository } from '../staff/staff.ts';
import type { Tenant } from '../tenants/tenants.ts';
import { createCategory, createOffice, createService, setOfficeMembers } from './commands.ts';
import { CategoryRepository } from './categories.ts';
import { OfficeRepository } from './offices.ts';
import type { CategoryInput, OfficeInput, ServiceContent, ServiceInput } from './model.ts';

const CATEGORIES: CategoryInput[] = [
  { slug: 'educazione-e-formazione', names: { it: 'Educazione e formazione', en: 'Education and training', de: 'Bildung und Ausbildung' }, descriptions: { it: 'Scuola, servizi educativi, mensa e trasporto scolastico.' }, position: 1 },
  { slug: 'mobilita-e-trasporti', names: { it: 'Mobilità e trasporti', en: 'Mobility and transport', de: 'Mobilität und Verkehr' }, descriptions: { it: 'Permessi di circolazione e sosta, ZTL, contrassegni.' }, position: 2 },
  { slug: 'autorizzazioni', names: { it: 'Autorizzazioni', en: 'Permits', de: 'Genehmigungen' }, descriptions: { it: 'Concessioni e autorizzazioni per attività su suolo pubblico.' }, position: 3 },
  { slug: 'salute-benessere-e-assistenza', names: { it: 'Salute, benessere e assistenza', en: 'Health, well-being and welfare', de: 'Gesundheit, Wohlbefinden und Fürsorge' }, descriptions: { it: 'Contributi economici e servizi sociali.' }, position: 4 },
  { slug: 'giustizia-e-sicurezza-pubblica', names: { it: 'Giustizia e sicurezza pubblica', en: 'Justice and public safety', de: 'Justiz und öffentliche Sicherheit' }, descriptions: { it: 'Accesso ai documenti amministrativi e trasparenza.' }, position: 5 },
];

const OFFICES: (OfficeInput & { key: string; operators: boolean })[] = [
  { key: 'scuola', operators: true, name: 'Ufficio Scuola e Servizi educativi', email: 'scuola@comune.bugliano.pi.it', phone: '050 000010', address: 'Piazza del Municipio 1, primo piano', openingHours: 'Lunedì, mercoledì e venerdì 9:00-12:30; giovedì 15:00-17:30' },
  { key: 'polizia', operators: false, name: 'Polizia Municipale – Ufficio Permessi', email: 'poliziamunicipale@comune.bugliano.pi.it', phone: '050 000020', address: 'Via della Repubblica 4', openingHours: 'Da lunedì a sabato 8:30-12:30' },
  { key: 'tributi', operators: false, name: 'Ufficio Tributi e Canone unico', email: 'tributi@comune.bugliano.pi.it', phone: '050 000030', address: 'Piazza del Municipio 1, piano terra', openingHours: 'Martedì e giovedì 9:00-12:30' },
  { key: 'urp', operators: true, name: 'Ufficio Relazioni con il Pubblico (URP)', email: 'urp@comune.bugliano.pi.it', phone: '050 000000', address: 'Piazza del Municipio 1, piano terra', openingHours: 'Da lunedì a venerdì 9:00-13:00; martedì e giovedì anche 15:00-17:30' },
  { key: 'sociale', operators: false, name: 'Servizi Sociali', email: 'sociale@comune.bugliano.pi.it', phone: '050 000040', address: 'Via Roma 12', openingHours: 'Lunedì e giovedì 9:00-12:30, su appuntamento' },
];

interface DemoService {
  slug: string;
  category: string;
  office: string;
  /** The legal basis of the deadline, kept beside the number. */
  deadlineDays: number;
  activeFrom?: string;
  activeTo?: string;
  topics: string[];
  lifeEvents: string[];
  channels: ServiceInput['channels'];
  it: ServiceContent;
  en: Pick<ServiceContent, 'name' | 'description'>;
  de: Pick<ServiceContent, 'name' | 'description'>;
}

const SERVICES: DemoService[] = [
  {
    slug: 'iscrizione-mensa-scolastica',
    category: 'educazione-e-formazione',
    office: 'scuola',
    // L. 241/1990 art. 2 c. 2: 30 days when no other term is set.
    deadlineDays: 30,
    topics: ['Istruzione', 'Tassa sui servizi'],
    lifeEvents: ['Iscrizione a scuola'],
    channels: ['online', 'office'],
    it: {
      name: 'Iscrizione alla mensa scolastica',
      description: 'Iscrizione al servizio di refezione per gli alunni delle scuole dell’infanzia, primarie e secondarie di primo grado del Comune.',
      who: 'Genitori o tutori di alunni iscritti alle scuole dell’infanzia, primarie e secondarie di primo grado statali di Bugliano.',
      howTo: 'Compila la domanda online accedendo con SPID o CIE, indica l’alunno, la scuola e l’eventuale dieta speciale, e invia. L’iscrizione vale per tutto il ciclo scolastico: va ripresentata solo cambiando scuola.',
      needed: 'Codice fiscale dell’alunno.\n\nAttestazione ISEE in corso di validità, per le tariffe agevolate.\n\nCertificato medico, per le diete speciali per motivi di salute.',
      obtained: 'L’iscrizione al servizio mensa e la tariffa applicata, comunicate nell’area personale.',
      times: 'Le iscrizioni per l’anno scolastico si presentano di norma dal 1° giugno al 31 luglio; quelle successive sono accolte nei limiti dei posti disponibili.',
      costs: 'Tariffa per pasto in base all’ISEE (DPCM 159/2013), da 1,50 € a 4,80 €; esenzione per ISEE fino a 5.000 €.',
      conditions: 'Il servizio è regolato dal Regolamento comunale della refezione scolastica. I pasti si pagano con pagoPA.',
      contacts: '',
      moreInfo: 'I menù sono approvati dall’Azienda USL Toscana nord ovest.',
    },
    en: { name: 'School canteen enrolment', description: 'Enrolment in the school meals service for pupils of the municipal nursery, primary and lower secondary schools.' },
    de: { name: 'Anmeldung zur Schulmensa', description: 'Anmeldung zur Schulverpflegung für Kinder der Kindergärten, Grund- und Mittelschulen der Gemeinde.' },
  },
  {
    slug: 'permesso-ztl',
    category: 'mobilita-e-trasporti',
    office: 'polizia',
    // L. 241/1990 art. 2 c. 2 (no specific term in D.Lgs. 285/1992 art. 7 c. 9 for ZTL permits).
    deadlineDays: 30,
    topics: ['ZTL', 'Mobilità sostenibile'],
    lifeEvents: ['Cambio di residenza'],
    channels: ['online', 'office'],
    it: {
      name: 'Permesso di accesso alla ZTL',
      description: 'Rilascio del permesso per entrare e circolare con un veicolo nella Zona a Traffico Limitato del centro storico.',
      who: 'Residenti e domiciliati nella ZTL, titolari di attività con sede nella ZTL, proprietari di box o posti auto nella ZTL.',
      howTo: 'Compila la domanda online indicando la categoria di permesso e la targa del veicolo (fino a due targhe). Il permesso è digitale: la targa viene abilitata ai varchi elettronici.',
      needed: 'Targa e carta di circolazione del veicolo.\n\nPer le attività: visura camerale. Per i box: titolo di proprietà o contratto di affitto.',
      obtained: 'Il permesso ZTL associato alla targa, valido fino a due anni.',
      times: 'Il permesso è attivo dal giorno successivo al rilascio.',
      costs: 'Diritti di istruttoria di 20 €, pagabili con pagoPA; i residenti pagano 10 €.',
      conditions: 'Il permesso è regolato dall’ordinanza istitutiva della ZTL (D.Lgs. 285/1992, art. 7 c. 9). L’accesso senza permesso è sanzionato.',
      contacts: '',
      moreInfo: 'Gli orari di attivazione dei varchi sono pubblicati sul sito del Comune.',
    },
    en: { name: 'Limited traffic zone (ZTL) access permit', description: 'Permit to enter and drive a vehicle in the limited traffic zone of the historic centre.' },
    de: { name: 'Zufahrtsgenehmigung für die ZTL', description: 'Genehmigung zur Einfahrt in die verkehrsberuhigte Zone der Altstadt.' },
  },
  {
    slug: 'occupazione-suolo-pubblico',
    category: 'autorizzazioni',
    office: 'tributi',
    // L. 241/1990 art. 2 c. 2; the canone is set by L. 160/2019 art. 1 c. 816 ff.
    deadlineDays: 30,
    topics: ['Imprese', 'Commercio al minuto'],
    lifeEvents: ['Avvio di un’attività'],
    channels: ['online', 'pec'],
    it: {
      name: 'Concessione per l’occupazione di suolo pubblico',
      description: 'Autorizzazione a occupare temporaneamente o permanentemente spazi pubblici con dehors, ponteggi, banchi o altre strutture.',
      who: 'Cittadini, imprese e associazioni che devono occupare una strada, una piazza o un marciapiede comunale.',
      howTo: 'Presenta la domanda online almeno 15 giorni prima dell’occupazione, indicando luogo, superficie, durata e motivo, con la planimetria.',
      needed: 'Planimetria dell’area con le misure dell’occupazione.\n\nPer i ponteggi: titolo edilizio dei lavori.\n\nMarca da bollo da 16 €, assolta in modo virtuale.',
      obtained: 'La concessione di occupazione, con il calcolo del canone unico patrimoniale.',
      times: 'La domanda va presentata almeno 15 giorni prima dell’inizio dell’occupazione.',
      costs: 'Canone unico patrimoniale (L. 160/2019), calcolato su superficie, durata e zona; imposta di bollo di 16 €.',
      conditions: 'Il canone si paga prima del ritiro della concessione con pagoPA. L’occupazione senza concessione è sanzionata.',
      contacts: '',
      moreInfo: 'Le tariffe sono nel Regolamento comunale del canone unico patrimoniale.',
    },
    en: { name: 'Permit to occupy public land', description: 'Permit to occupy public space temporarily or permanently with outdoor seating, scaffolding, stalls or other structures.' },
    de: { name: 'Genehmigung zur Nutzung öffentlicher Flächen', description: 'Genehmigung zur vorübergehenden oder dauerhaften Nutzung öffentlicher Flächen mit Außenbewirtung, Gerüsten oder Ständen.' },
  },
  {
    slug: 'accesso-agli-atti',
    category: 'giustizia-e-sicurezza-pubblica',
    office: 'urp',
    // L. 241/1990 art. 25 c. 4: thirty days, after which the request is deemed refused.
    deadlineDays: 30,
    topics: ["Accesso all'informazione", 'Trasparenza amministrativa'],
    lifeEvents: [],
    channels: ['online', 'office', 'pec'],
    it: {
      name: 'Accesso agli atti amministrativi',
      description: 'Richiesta di prendere visione o di avere copia di documenti amministrativi del Comune (accesso documentale).',
      who: 'Chiunque abbia un interesse diretto, concreto e attuale, collegato al documento richiesto (L. 241/1990, art. 22).',
      howTo: 'Compila la richiesta online indicando gli estremi del documento e il motivo. Puoi scegliere di prendere visione del documento o di riceverne copia.',
      needed: 'Estremi del documento o elementi che permettano di individuarlo.\n\nMotivazione dell’interesse; eventuale delega se richiedi per conto di altri.',
      obtained: 'La visione del documento o la sua copia, semplice o conforme all’originale.',
      times: 'Il Comune risponde entro 30 giorni; decorso il termine la richiesta si intende respinta (L. 241/1990, art. 25).',
      costs: 'La visione è gratuita. Le copie costano 0,10 € a pagina; le copie conformi richiedono la marca da bollo.',
      conditions: 'Se il documento riguarda altre persone, il Comune le informa e possono opporsi entro 10 giorni (DPR 184/2006, art. 3).',
      contacts: '',
      moreInfo: 'Per i documenti che il Comune deve pubblicare puoi usare l’accesso civico (D.Lgs. 33/2013).',
    },
    en: { name: 'Access to administrative records', description: 'Request to view or obtain copies of administrative documents held by the comune.' },
    de: { name: 'Akteneinsicht', description: 'Antrag auf Einsicht in Verwaltungsunterlagen der Gemeinde oder auf Kopien davon.' },
  },
  {
    slug: 'contrassegno-disabili',
    category: 'mobilita-e-trasporti',
    office: 'polizia',
    // L. 241/1990 art. 2 c. 2; the badge itself is governed by DPR 495/1992 art. 381.
    deadlineDays: 30,
    topics: ['Assistenza agli invalidi', 'Parcheggi'],
    lifeEvents: [],
    channels: ['online', 'office'],
    it: {
      name: 'Contrassegno di parcheggio per persone con disabilità',
      description: 'Rilascio o rinnovo del contrassegno europeo che consente la sosta negli spazi riservati e l’accesso alle ZTL.',
      who: 'Persone con capacità di deambulazione sensibilmente ridotta e persone non vedenti, residenti a Bugliano.',
      howTo: 'Compila la domanda online allegando il certificato medico e una fototessera. Per il rinnovo basta il certificato del medico curante.',
      needed: 'Certificato dell’Ufficio medico-legale dell’Azienda USL, o verbale di invalidità che lo attesta.\n\nUna fototessera recente.',
      obtained: 'Il contrassegno unificato europeo (CUDE), valido fino a 5 anni.',
      times: 'Il contrassegno si ritira presso la Polizia Municipale dopo la comunicazione di rilascio.',
      costs: 'Il rilascio è gratuito.',
      conditions: 'Il contrassegno è personale e va esposto in originale (DPR 495/1992, art. 381). L’uso improprio comporta il ritiro.',
      contacts: '',
      moreInfo: 'Il contrassegno è valido in tutta l’Unione europea.',
    },
    en: { name: 'Disability parking badge', description: 'Issue or renewal of the European badge for parking in reserved spaces and entering limited traffic zones.' },
    de: { name: 'Parkausweis für Menschen mit Behinderung', description: 'Ausstellung oder Verlängerung des EU-Parkausweises für reservierte Stellplätze und verkehrsberuhigte Zonen.' },
  },
  {
    slug: 'bonus-affitto',
    category: 'salute-benessere-e-assistenza',
    office: 'sociale',
    // L. 241/1990 art. 2 c. 3: the comune's regulation sets 90 days to rank the applications of the call.
    deadlineDays: 90,
    activeFrom: '2026-09-01',
    activeTo: '2026-12-31',
    topics: ['Assistenza sociale', 'Integrazione sociale'],
    lifeEvents: [],
    channels: ['online'],
    it: {
      name: 'Contributo economico per il pagamento dell’affitto',
      description: 'Contributo a sostegno delle famiglie in difficoltà nel pagamento del canone di locazione dell’abitazione principale (bonus affitto).',
      who: 'Nuclei familiari residenti a Bugliano, titolari di un contratto di locazione registrato, con ISEE fino a 16.500 €.',
      howTo: 'Presenta la domanda online entro la scadenza del bando. La graduatoria è pubblicata all’albo pretorio e il contributo è versato sul conto indicato.',
      needed: 'Contratto di locazione registrato e ricevute dei canoni pagati.\n\nAttestazione ISEE in corso di validità.\n\nIBAN del conto intestato al richiedente.',
      obtained: 'Un contributo fino a 2.000 € all’anno, secondo la graduatoria e le risorse disponibili.',
      times: 'Il bando è aperto dal 1° settembre al 31 dicembre; la graduatoria è pubblicata entro 90 giorni dalla chiusura.',
      costs: 'La domanda è gratuita.',
      conditions: 'Il contributo è finanziato dal Fondo nazionale per il sostegno all’accesso alle abitazioni in locazione (L. 431/1998, art. 11). Il Comune controlla le dichiarazioni (DPR 445/2000, art. 71).',
      contacts: '',
      moreInfo: 'Il contributo non è cumulabile con la quota affitto dell’Assegno di inclusione.',
    },
    en: { name: 'Rent support grant', description: 'Grant for households struggling to pay the rent of their main home (rent bonus).' },
    de: { name: 'Mietzuschuss', description: 'Zuschuss für Haushalte, die Schwierigkeiten haben, die Miete ihrer Hauptwohnung zu zahlen.' },
  },
];

/** Creation that tolerates "already there" (409), so the seed can run on every start. */
async function unlessExists<T>(create: () => Promise<T>): Promise<T | undefined> {
  try {
    return await create();
  } catch (err) {
    if (err instanceof HttpProblem && err.status === 409) return undefined;
    throw err;
  }
}

export async function seedCatalogDemo(db: Executor, tenant: Tenant, actor: CommandActor): Promise<void> {
  for (const category of CATEGORIES) await unlessExists(() => createCategory(db, tenant.id, category, actor));
  const categoryIds = new Map((await new CategoryRepository(db).list(tenant.id)).map((c) => [c.slug, c.id]));

  const existing = await new OfficeRepository(db).list(tenant.id);
  const operators = (await new StaffRepository(db).listByTenant(tenant.id)).filter((s) => s.role === 'operator').map((s) => s.id);
  const officeIds = new Map<string, string>();
  for (const { key, operators: staffed, ...input } of OFFICES) {
    const found = existing.find((o) => o.name === input.name);
    const office = found ?? (await createOffice(db, tenant.id, input, actor));
    if (!found && staffed) await setOfficeMembers(db, tenant.id, office.id, operators, actor);
    officeIds.set(key, office.id);
  }

  for (const s of SERVICES) {
    await unlessExists(() =>
      createService(
        db,
        tenant.id,
        {
          slug: s.slug,
          categoryId: categoryIds.get(s.category) ?? null,
          status: 'active',
          activeFrom: s.activeFrom ?? null,
          activeTo: s.activeTo ?? null,
          accessLevel: 'spid-l2',
          officeId: officeIds.get(s.office) ?? null,
          deadlineDays: s.deadlineDays,
          protocolRequired: true,
          formId: null,
          content: { it: s.it, en: s.en, de: s.de },
          topics: s.topics,
          lifeEvents: s.lifeEvents,
          channels: s.channels,
        },
        actor,
      ),
    );
  }
}
