// What the web app does to a selection of messages, named by row id: read or
// unread, flag, move, archive, delete (to Trash; for good from Trash), spam.
// The ids are resolved to (mailbox, UID) pairs of the account's own mailboxes
// only, then the store's setFlags / moveMessages / expungeMessages do the work,
// so IMAP sessions see the same change at once through the change bus.
import type { MailStore } from '../store/context.ts';
import { StoreError } from '../store/errors.ts';
import { expungeMessages } from '../store/expunge.ts';
import { findSpecialUseMailbox, getOwnedMailbox } from '../store/mailboxes.ts';
import { setFlags } from '../store/message-flags.ts';
import { moveMessages } from '../store/copy-move.ts';

export const MAX_SELECTION = 5000;

export type MessageAction =
  | { kind: 'seen'; value: boolean }
  | { kind: 'flagged'; value: boolean }
  | { kind: 'move'; mailboxId: number }
  | { kind: 'archive' }
  | { kind: 'delete' }
  | { kind: 'spam' }
  | { kind: 'not-spam' };

export interface ActionResult {
  /** Messages acted on (ids of others' or vanished messages are skipped, never reported). */
  count: number;
}

/** The account's messages among `ids`, grouped by mailbox as UID lists. */
async function ownedByMailbox(store: MailStore, accountId: number, ids: number[]): Promise<Map<number, number[]>> {
  if (ids.length > MAX_SELECTION) throw new StoreError('INVALID', `at most ${MAX_SELECTION} messages at a time`);
  const rows = await store.database.prisma.message.findMany({
    where: { id: { in: ids.filter((id) => Number.isSafeInteger(id)) }, mailbox: { accountId } },
    select: { mailboxId: true, uid: true },
  });
  const groups = new Map<number, number[]>();
  for (const r of rows) groups.set(r.mailboxId, [...(groups.get(r.mailboxId) ?? []), r.uid]);
  return groups;
}

async function specialMailboxId(store: MailStore, accountId: number, specialUse: string): Promise<number> {
  const mailbox = await findSpecialUseMailbox(store.database.prisma, accountId, specialUse);
  if (!mailbox) throw new StoreError('NONEXISTENT', `the account has no ${specialUse.slice(1)} folder`);
  return mailbox.id;
}

export async function applyMessageAction(store: MailStore, accountId: number, ids: number[], action: MessageAction): Promise<ActionResult> {
  const groups = await ownedByMailbox(store, accountId, ids);
  let count = 0;
  for (const uids of groups.values()) count += uids.length;
  switch (action.kind) {
    case 'seen':
    case 'flagged': {
      const flag = action.kind === 'seen' ? '\\Seen' : '\\Flagged';
      for (const [mailboxId, uids] of groups) await setFlags(store, accountId, mailboxId, uids, action.value ? 'add' : 'remove', [flag]);
      return { count };
    }
    case 'move':
      await getOwnedMailbox(store.database.prisma, accountId, action.mailboxId);
      await moveAll(store, accountId, groups, action.mailboxId);
      return { count };
    case 'archive':
      await moveAll(store, accountId, groups, await specialMailboxId(store, accountId, '\\Archive'));
      return { count };
    case 'spam': {
      const junk = await specialMailboxId(store, accountId, '\\Junk');
      for (const [mailboxId, uids] of groups) await setFlags(store, accountId, mailboxId, uids, 'add', ['$Junk']);
      await moveAll(store, accountId, groups, junk);
      return { count };
    }
    case 'not-spam': {
      const inbox = await specialMailboxId(store, accountId, '\\Inbox').catch(() => undefined);
      for (const [mailboxId, uids] of groups) await setFlags(store, accountId, mailboxId, uids, 'remove', ['$Junk']);
      if (inbox !== undefined) await moveAll(store, accountId, groups, inbox);
      return { count };
    }
    case 'delete': {
      const trash = await specialMailboxId(store, accountId, '\\Trash');
      for (const [mailboxId, uids] of groups) {
        // Already in Trash (or a draft thrown away there): gone for good.
        if (mailboxId === trash) await expungeMessages(store, accountId, mailboxId, { onlyDeleted: false, uids });
        else await moveMessages(store, accountId, mailboxId, uids, trash);
      }
      return { count };
    }
  }
}

async function moveAll(store: MailStore, accountId: number, groups: Map<number, number[]>, target: number): Promise<void> {
  for (const [mailboxId, uids] of groups) {
    if (mailboxId !== target) await moveMessages(store, accountId, mailboxId, uids, target);
  }
}

/** Empties a folder for good (the "Empty Trash" / "Empty Junk" button). */
export async function emptyFolder(store: MailStore, accountId: number, mailboxId: number): Promise<number> {
  return (await expungeMessages(store, accountId, mailboxId, { onlyDeleted: false })).length;
}
