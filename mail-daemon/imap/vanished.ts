// VANISHED (EARLIER) (RFC 7162 3.2.10): the UIDs expunged since a modseq the
// client names, for SELECT ... (QRESYNC ...) (3.2.5) and UID FETCH ...
// (CHANGEDSINCE n VANISHED) (3.2.6). The store keeps every expunged UID with
// its modseq, so the answer is exact and the seq-match hint is not needed.
import { expungedSince } from '../store/messages.ts';
import type { ImapSession } from './imap-session.ts';
import { formatSequenceSet } from './parser/sequence-set.ts';

/** Sends `* VANISHED (EARLIER) <uids>` for the UIDs within `ranges` (all when left out) expunged after `modseq`. */
export async function reportVanishedEarlier(session: ImapSession, mailboxId: number, modseq: number, ranges?: [number, number][]): Promise<void> {
  const gone = (await expungedSince(session.store, session.account!.id, mailboxId, modseq)).filter(
    (uid) => !ranges || ranges.some(([low, high]) => uid >= low && uid <= high),
  );
  if (gone.length > 0) session.untagged('VANISHED', ['EARLIER'], formatSequenceSet(gone));
}
