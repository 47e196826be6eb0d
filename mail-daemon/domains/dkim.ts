// DKIM keys: a 2048-bit RSA pair per domain (RFC 8301 asks for at least 1024,
// 2048 is what providers publish), and the TXT value that publishes it.
import { generateKeyPair, createPublicKey } from 'node:crypto';
import { promisify } from 'node:util';

const generate = promisify(generateKeyPair);

export interface DkimKey {
  selector: string;
  privateKey: string;
  publicKey: string;
}

/** A new key; the selector carries the date, so a rotated key gets a new name. */
export async function generateDkimKey(now = new Date()): Promise<DkimKey> {
  const { privateKey, publicKey } = await generate('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 12);
  return { selector: `mail${stamp}`, privateKey, publicKey };
}

/** The TXT record value for `<selector>._domainkey.<domain>` (RFC 6376 3.6.1). */
export function dkimTxtValue(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return `v=DKIM1; k=rsa; p=${der.toString('base64')}`;
}
