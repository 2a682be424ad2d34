// Demo provisioning only: the PDND seed and the comune seed each derive a demo comune's management API
// key from the shared SECRET, so `npm start` connects the comune to PDND with no manual step and no
// room reads the other's tables. A real ente gets its key from the PDND console.
import { derivedApiKey } from '../../core/auth/api-keys.ts';

/** The ente's management API key, derived from the shared secret and its IPA code. */
export const demoPdndApiKey = (secret: string, ipaCode: string): string => derivedApiKey(secret, 'pdnd-demo-api-key', ipaCode);
