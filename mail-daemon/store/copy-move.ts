// COPY and MOVE between mailboxes of one account (RFC 3501 6.4.7, RFC 6851):
// the copies share the stored content, get new UIDs in the target, keep their
// flags and internal date; MOVE also removes the originals in the same
// transaction. The UID pairs feed COPYUID (RFC 4315).
import type { Mailbox, Message } from '../../prisma/generated/sqlite/client.ts';
import type { StoreChange } from './change-bus.ts';
import { mutate, type MailStore } from './context.ts';
import { allocateUids } from './deliver.ts';
import { removeMessages } from './expunge.ts';
import { getOwnedMailbox, keywordList, recordKeywords } from './mailboxes.ts';
import { chargeQuota } from './quota.ts';
import type { Tx } from './transaction.ts';
import { selectionOf, uidConditions, type UidSelection } from './uid-set.ts';
import { trainAfterAction, verdictOfMove } from '../spam/training.ts';

export interface CopyResult {
  uidValidity: number;
  /** [source UID, target UID] in source UID order. */
  uidMap: [number, number][];
}

interface CopiedRows extends CopyResult {
  /** Contents copied, for the junk filter's training. */
  contentHashes: string[];
  verdict: ReturnType<typeof verdictOfMove>;
}

async function copyRows(tx: Tx, source: Mailbox, target: Mailbox, uids: UidSelection, enforceQuota: boolean, changes: StoreChange[]): Promise<CopiedRows> {
  const rows: Message[] = [];
  for (const condition of uidConditions(uids)) {
    rows.push(...(await tx.message.findMany({ where: { mailboxId: source.id, ...condition }, orderBy: { uid: 'asc' } })));
  }
  rows.sort((a, b) => a.uid - b.uid);
  const verdict = verdictOfMove(source.specialUse, target.specialUse);
  if (rows.length === 0) return { uidValidity: target.uidValidity, uidMap: [], contentHashes: [], verdict };
  const { firstUid, modseq, uidValidity } = await allocateUids(tx, target.id, rows.length);
  await recordKeywords(tx, target.id, new Set(rows.flatMap((r) => keywordList(r.keywords))));
  await tx.message.createMany({
    data: rows.map(({ id: _id, mailboxId: _mailboxId, uid: _uid, modseq: _modseq, ...rest }, i) => ({
      ...rest,
      mailboxId: target.id,
      uid: firstUid + i,
      modseq,
    })),
  });
  await chargeQuota(tx, target.accountId, rows.reduce((sum, r) => sum + r.size, 0), enforceQuota);
  changes.push({ accountId: target.accountId, mailboxId: target.id, kind: 'messages-added', modseq });
  return { uidValidity, uidMap: rows.map((r, i) => [r.uid, firstUid + i]), contentHashes: rows.map((r) => r.contentHash), verdict };
}

async function ownedPair(tx: Tx, accountId: number, fromId: number, toId: number) {
  return [await getOwnedMailbox(tx, accountId, fromId), await getOwnedMailbox(tx, accountId, toId)] as const;
}

/** After the commit: a copy or move into or out of Junk trains the account's junk filter (spam/training.ts). */
async function trained(store: MailStore, accountId: number, copied: CopiedRows): Promise<CopyResult> {
  await trainAfterAction(store, accountId, copied.contentHashes, copied.verdict);
  return { uidValidity: copied.uidValidity, uidMap: copied.uidMap };
}

export async function copyMessages(store: MailStore, accountId: number, fromMailboxId: number, uids: UidSelection | number[], toMailboxId: number): Promise<CopyResult> {
  const copied = await mutate(store, async (tx, changes) => {
    const [source, target] = await ownedPair(tx, accountId, fromMailboxId, toMailboxId);
    return copyRows(tx, source, target, selectionOf(uids), true, changes);
  });
  return trained(store, accountId, copied);
}

/** Moving within one mailbox is allowed (RFC 6851 3.3): the copies take new UIDs, then the originals go. */
export async function moveMessages(store: MailStore, accountId: number, fromMailboxId: number, uids: UidSelection | number[], toMailboxId: number): Promise<CopyResult> {
  const moved = await mutate(store, async (tx, changes) => {
    const [source, target] = await ownedPair(tx, accountId, fromMailboxId, toMailboxId);
    const result = await copyRows(tx, source, target, selectionOf(uids), false, changes);
    // The removal gives back what the copy charged: a move never changes usage.
    await removeMessages(tx, source, { onlyDeleted: false, uids: result.uidMap.map(([from]) => from) }, changes);
    return result;
  });
  return trained(store, accountId, moved);
}

/** Moves every message (RENAME INBOX, RFC 3501 6.3.5). */
export async function moveAllMessages(tx: Tx, source: Mailbox, target: Mailbox, changes: StoreChange[]): Promise<void> {
  const result = await copyRows(tx, source, target, 'all', false, changes);
  if (result.uidMap.length > 0) await removeMessages(tx, source, { onlyDeleted: false }, changes);
}
