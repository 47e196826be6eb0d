// Changing flags (IMAP STORE, the web app's read/flag buttons, POP3 RETR
// marking \Seen). Each changed message gets the mailbox's new modseq;
// with unchangedSince (RFC 7162 3.1.3) a message modified after that modseq is
// left alone and reported back.
import { mutate, type MailStore } from './context.ts';
import { applyFlagChange, columnsToFlags, flagsToColumns, normalizeFlags, sameFlags } from './flags.ts';
import { getOwnedMailbox, recordKeywords } from './mailboxes.ts';
import { selectionOf, uidConditions, type UidSelection } from './uid-set.ts';
import { trainAfterAction, verdictOfKeywords, type Verdict } from '../spam/training.ts';

export interface FlagUpdate {
  uid: number;
  flags: string[];
  modseq: number;
}

export interface SetFlagsResult {
  /** Messages whose flags changed, with their new flags. */
  updated: FlagUpdate[];
  /** UIDs refused because they changed after unchangedSince. */
  modified: number[];
}

export async function setFlags(
  store: MailStore,
  accountId: number,
  mailboxId: number,
  uids: UidSelection | number[],
  mode: 'set' | 'add' | 'remove',
  flags: string[],
  options: { unchangedSince?: number } = {},
): Promise<SetFlagsResult> {
  normalizeFlags(flags); // refuse bad flags before opening a transaction
  // $Junk / $NotJunk set here train the junk filter after the commit.
  const training: Record<Verdict, string[]> = { spam: [], ham: [] };
  const result = await mutate(store, async (tx, changes) => {
    training.spam = [];
    training.ham = [];
    const mailbox = await getOwnedMailbox(tx, accountId, mailboxId);
    const rows: { id: number; uid: number; modseq: number; seen: boolean; answered: boolean; flagged: boolean; deleted: boolean; draft: boolean; keywords: string; contentHash: string }[] = [];
    for (const condition of uidConditions(selectionOf(uids))) {
      rows.push(
        ...(await tx.message.findMany({
          where: { mailboxId, ...condition },
          select: { id: true, uid: true, modseq: true, seen: true, answered: true, flagged: true, deleted: true, draft: true, keywords: true, contentHash: true },
        })),
      );
    }
    const modified: number[] = [];
    const pending: { id: number; uid: number; flags: string[] }[] = [];
    for (const row of rows) {
      if (options.unchangedSince !== undefined && row.modseq > options.unchangedSince) {
        modified.push(row.uid);
        continue;
      }
      const current = columnsToFlags(row);
      const next = applyFlagChange(current, mode, flags);
      if (sameFlags(current, next)) continue;
      pending.push({ id: row.id, uid: row.uid, flags: next });
      const verdict = verdictOfKeywords(current, next);
      if (verdict) training[verdict].push(row.contentHash);
    }
    if (pending.length === 0) return { updated: [], modified: modified.sort((a, b) => a - b) };
    const { highestModseq: modseq } = await tx.mailbox.update({
      where: { id: mailbox.id },
      data: { highestModseq: { increment: 1 } },
      select: { highestModseq: true },
    });
    if (mode !== 'remove') await recordKeywords(tx, mailbox.id, flags);
    // One UPDATE per distinct resulting flag set: "+FLAGS \Seen" on 1:* is one statement.
    const groups = new Map<string, { columns: ReturnType<typeof flagsToColumns>; ids: number[] }>();
    for (const item of pending) {
      const columns = flagsToColumns(item.flags);
      const key = JSON.stringify(columns);
      const group = groups.get(key) ?? { columns, ids: [] };
      group.ids.push(item.id);
      groups.set(key, group);
    }
    for (const { columns, ids } of groups.values()) {
      for (let i = 0; i < ids.length; i += 500) {
        await tx.message.updateMany({ where: { id: { in: ids.slice(i, i + 500) } }, data: { ...columns, modseq } });
      }
    }
    changes.push({ accountId, mailboxId, kind: 'flags-changed', modseq });
    return {
      updated: pending.map((p) => ({ uid: p.uid, flags: p.flags, modseq })).sort((a, b) => a.uid - b.uid),
      modified: modified.sort((a, b) => a - b),
    };
  });
  await trainAfterAction(store, accountId, training.spam, 'spam');
  await trainAfterAction(store, accountId, training.ham, 'ham');
  return result;
}
