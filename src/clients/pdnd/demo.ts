// Demo provisioning only: the PDND seed and the comune seed each derive a demo comune's management API
// key from the shared SECRET, so `npm start` connects the comune to PDND with no manual step and no
// room reads the other's tables. A real ente gets its key from the PDND console.
import { createHmac } from 'node:crypto';

/** "sk_<12 hex>.<HMAC-SHA256(secret, 'pdnd-demo-api-key:' + ipaCode), base64url>", the format of core api-keys. */
export function demoPdndApiKey(secret: string, ipaCode: string): string {
  const mac = (label: string) => createHmac('sha256', secret).update(`${label}:${ipaCode}`);
  return `sk_${mac('pdnd-demo-api-key-prefix').digest('hex').slice(0, 12)}.${mac('pdnd-demo-api-key').digest('base64url')}`;
}
