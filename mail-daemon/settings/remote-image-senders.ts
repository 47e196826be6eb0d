// Senders whose remote images an account allowed for good in webmail. Kept
// with the account, not in one browser, so the choice follows the user.
// A From: can be forged, so this only lifts the image block (as every
// webmail's "always show" does); scripts stay off whatever the sender.
import { parseAddress } from '../accounts/addresses.ts';
import type { MailStore } from '../store/context.ts';

/** Remembers a sender; the address is checked and stored lower case. */
export async function allowRemoteImagesFrom(store: MailStore, accountId: number, address: string): Promise<string> {
  const normalized = parseAddress(address).address;
  await store.database.prisma.remoteImageSender.upsert({
    where: { accountId_address: { accountId, address: normalized } },
    create: { accountId, address: normalized },
    update: {},
  });
  return normalized;
}

export async function remoteImagesAllowedFrom(store: MailStore, accountId: number, address: string): Promise<boolean> {
  if (!address) return false;
  const row = await store.database.prisma.remoteImageSender.findUnique({ where: { accountId_address: { accountId, address: address.toLowerCase() } } });
  return row !== null;
}
