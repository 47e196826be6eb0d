// The folder list of the web app: every mailbox of the account with its
// message and unread counts (two grouped counts, not one query per folder),
// nested by the "/" delimiter, special-use folders first in a fixed order.
// Creating, renaming and deleting folders are the store's own functions.
import type { MailStore } from '../store/context.ts';
import { DELIMITER, listMailboxes } from '../store/mailboxes.ts';

export interface FolderView {
  id: number;
  /** Full name, e.g. "Projects/2026". */
  name: string;
  /** The last level of the name, for display. */
  label: string;
  depth: number;
  specialUse: string | null;
  total: number;
  unread: number;
}

const SPECIAL_ORDER = ['\\Inbox', '\\Drafts', '\\Sent', '\\Archive', '\\Junk', '\\Trash'];

export async function listFolders(store: MailStore, accountId: number): Promise<FolderView[]> {
  const prisma = store.database.prisma;
  const mailboxes = await listMailboxes(store, accountId);
  const ids = mailboxes.map((m) => m.id);
  const [totals, unread] = await Promise.all([
    prisma.message.groupBy({ by: ['mailboxId'], where: { mailboxId: { in: ids } }, _count: { _all: true } }),
    prisma.message.groupBy({ by: ['mailboxId'], where: { mailboxId: { in: ids }, seen: false, deleted: false }, _count: { _all: true } }),
  ]);
  const totalOf = new Map(totals.map((t) => [t.mailboxId, t._count._all]));
  const unreadOf = new Map(unread.map((t) => [t.mailboxId, t._count._all]));
  const rank = (special: string | null) => {
    const i = special ? SPECIAL_ORDER.indexOf(special) : -1;
    return i === -1 ? SPECIAL_ORDER.length : i;
  };
  // Sort top-level trees by their root's rank, then by name, so children follow their parent.
  const rootOf = new Map(mailboxes.map((m) => [m.name, m]));
  const rootRank = (name: string) => rank(rootOf.get(name.split(DELIMITER)[0])?.specialUse ?? null);
  return mailboxes
    .map((m) => ({
      id: m.id,
      name: m.name,
      // RFC 9051 5.1: INBOX is the protocol's name; people read "Inbox".
      label: m.name === 'INBOX' ? 'Inbox' : m.name.split(DELIMITER).pop()!,
      depth: m.name.split(DELIMITER).length - 1,
      specialUse: m.specialUse,
      total: totalOf.get(m.id) ?? 0,
      unread: unreadOf.get(m.id) ?? 0,
    }))
    .sort((a, b) => rootRank(a.name) - rootRank(b.name) || treeOrder(a.name, b.name));
}

/** By name, a folder's children right after it ("a", "a/b", "a b"). */
function treeOrder(a: string, b: string): number {
  const ka = a.split(DELIMITER).join('\u0000');
  const kb = b.split(DELIMITER).join('\u0000');
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
