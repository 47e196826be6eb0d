// Signing outgoing mail (RFC 6376) with the key of the From: domain, when we
// host it: submitted mail, the web app's, and auto-replies.
import { dkimSign } from 'mailauth';
import type { MailStore } from '../store/context.ts';
import { prependHeaders } from '../smtp/message-headers.ts';

export async function signWithDomainKey(store: MailStore, message: Buffer, fromAddress: string): Promise<Buffer> {
  const domainName = fromAddress.slice(fromAddress.lastIndexOf('@') + 1);
  const domain = await store.database.prisma.domain.findUnique({ where: { name: domainName } });
  if (!domain) return message;
  const result = await dkimSign(message, {
    canonicalization: 'relaxed/relaxed',
    algorithm: 'rsa-sha256',
    signatureData: [{ signingDomain: domain.name, selector: domain.dkimSelector, privateKey: domain.dkimPrivateKey }],
  } as Parameters<typeof dkimSign>[1]);
  if (result.errors?.length) throw new Error(`DKIM signing failed: ${JSON.stringify(result.errors)}`);
  return prependHeaders(message, [result.signatures.replace(/\r\n$/, '')]);
}
