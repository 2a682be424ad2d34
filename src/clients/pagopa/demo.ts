// Demo provisioning only: the pagoPA seed and the comune each derive a demo institution's GPD subscription
// key from the shared SECRET, so `npm start` lets the comune create debt positions with no manual step and
// no room reads the other's tables. A real ente gets its key from the pagoPA back office.
import { derivedApiKey } from '../../core/auth/api-keys.ts';

/** The demo comuni as creditor institutions (fiscal codes as in the comune's demo tenants). */
export const DEMO_CREDITOR_INSTITUTIONS = [
  {
    fiscalCode: '80000990509',
    companyName: 'Comune di Bugliano',
    /** Start of the IUPDs of the demo positions. */
    iupdPrefix: 'bug',
    officeName: 'Servizi finanziari',
    segregationCode: '01',
    stationId: '80000990509_01',
    cbillCode: 'BUG01',
    iban: 'IT35C0103070950000000001234',
    postalIban: 'IT07P0760114000000012345678',
  },
  {
    fiscalCode: '80000380503',
    companyName: 'Comune di Vicopisano (demo)',
    iupdPrefix: 'vic',
    officeName: 'Ufficio tributi',
    segregationCode: '01',
    stationId: '80000380503_01',
    cbillCode: 'VIC01',
    iban: 'IT56H0103070950000000005678',
    postalIban: 'IT74W0760114000000087654321',
  },
] as const;

/**
 * Fictional demo PSPs on the Nodo (a bank, the post office, a tobacconists' network): ids after the Nodo's
 * conventions (idPSP a BIC, idBrokerPSP the broker's fiscal code, idChannel <broker>_NN); `fee` in euro cents
 * for an online card payment; `paymentTypes` stPaymentMethodFee codes. Key holder: `psp:<idPSP>`.
 */
export const DEMO_PSPS = [
  {
    idPSP: 'BDEBITM1XXX',
    idBrokerPSP: '09123450505',
    idChannel: '09123450505_01',
    companyName: 'Banca della Valdera (demo)',
    fiscalCode: '09123450505',
    fee: 150,
    paymentTypes: ['CP', 'BBT', 'MYBK'],
  },
  {
    idPSP: 'PSTDITRRXXX',
    idBrokerPSP: '09567800587',
    idChannel: '09567800587_01',
    companyName: 'Poste della Repubblica (demo)',
    fiscalCode: '09567800587',
    fee: 200,
    paymentTypes: ['PO', 'CP', 'BP'],
  },
  {
    idPSP: 'TABDITM1XXX',
    idBrokerPSP: '09345670120',
    idChannel: '09345670120_01',
    companyName: 'Rete Tabaccai Italiani (demo)',
    fiscalCode: '09345670120',
    fee: 100,
    paymentTypes: ['PO', 'CP'],
  },
] as const;

/** The key holder of a PSP's demo subscription key. */
export const pspKeyHolder = (idPSP: string) => `psp:${idPSP}`;

/**
 * A demo key of pagoPA for `holder` (an institution's fiscal code: its GPD subscription key; "platform_operator":
 * the onboarding API's key; `psp:<idPSP>`: a PSP's Nodo key), derived from the shared secret.
 */
export const demoPagopaKey = (secret: string, holder: string): string => derivedApiKey(secret, 'pagopa-demo-key', holder);
