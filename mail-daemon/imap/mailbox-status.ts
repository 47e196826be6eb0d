// The STATUS items of a mailbox (RFC 3501 6.3.10, RFC 7162 3.1.9
// HIGHESTMODSEQ, RFC 9051 6.3.11 DELETED and SIZE), for STATUS and for
// LIST-STATUS (RFC 5819).
import type { Mailbox } from '../../prisma/generated/sqlite/client.ts';
import type { MailStore } from '../store/context.ts';
import { ImapParseError } from './parser/command-parser.ts';
import type { ResponseValue } from './parser/response.ts';
import { mailboxCounts } from '../store/bulk-reads.ts';
import { unclaimedRecentCount } from '../store/mailboxes.ts';

export const STATUS_ITEMS = ['MESSAGES', 'RECENT', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN', 'DELETED', 'SIZE', 'HIGHESTMODSEQ'] as const;
export type StatusItem = (typeof STATUS_ITEMS)[number];

export function parseStatusItems(names: string[]): StatusItem[] {
  if (names.length === 0) throw new ImapParseError('STATUS needs at least one item');
  return names.map((name) => {
    const upper = name.toUpperCase() as StatusItem;
    if (!STATUS_ITEMS.includes(upper)) throw new ImapParseError(`unknown status item ${name.slice(0, 20)}`);
    return upper;
  });
}

export async function statusValues(store: MailStore, mailbox: Mailbox, items: StatusItem[]): Promise<ResponseValue[]> {
  const needsCounts = items.some((i) => i === 'MESSAGES' || i === 'UNSEEN' || i === 'DELETED' || i === 'SIZE');
  const counts = needsCounts ? await mailboxCounts(store, mailbox.id) : null;
  const recent = items.includes('RECENT') ? await unclaimedRecentCount(store, mailbox) : 0;
  const value: Record<StatusItem, () => number> = {
    MESSAGES: () => counts!.messages,
    RECENT: () => recent,
    UIDNEXT: () => mailbox.uidNext,
    UIDVALIDITY: () => mailbox.uidValidity,
    UNSEEN: () => counts!.unseen,
    DELETED: () => counts!.deleted,
    SIZE: () => counts!.size,
    HIGHESTMODSEQ: () => mailbox.highestModseq,
  };
  return items.flatMap((item) => [item, value[item]()]);
}
