// Mail to an SRS address of one of our domains is a bounce (or a reply) to
// mail we forwarded: it goes back to the original sender when our hash and
// timestamp check out, and is refused when they do not, so nobody uses our
// SRS addresses as an open relay (forged or replayed ones).
import type { MailStore } from '../store/context.ts';
import { srsReverse, type SrsKeys, type SrsReversal } from './srs.ts';
import { domainOf } from './recipients.ts';

const SRS_LOCAL_PART = /^srs[01][=+-]/i;

export async function srsRecipient(store: MailStore, keys: () => SrsKeys, address: string): Promise<SrsReversal> {
  if (!SRS_LOCAL_PART.test(address)) return { kind: 'not-srs' };
  const domain = await store.database.prisma.domain.findUnique({ where: { name: domainOf(address).toLowerCase() }, select: { verified: true, disabled: true } });
  if (!domain || !domain.verified || domain.disabled) return { kind: 'not-srs' };
  return srsReverse(keys(), address);
}
