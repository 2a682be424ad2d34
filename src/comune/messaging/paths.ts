// The addresses of the messages' pages (the back-office navigation and the personal area link to them).
/** The personal area's messages; each message's page is this path and its id. */
export const MESSAGES_AREA_PATH = '/area-personale/messaggi';
export const IO_SETTINGS_PATH = '/backoffice/app-io';
export const UNDELIVERED_PATH = '/backoffice/messaggi-non-recapitati';
