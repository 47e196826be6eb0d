// What a FETCH of a message list writes (FLAGS, MODSEQ, INTERNALDATE,
// RFC822.SIZE, ENVELOPE), from what is kept in memory instead of the message
// rows: flags and modseqs from the mailbox's index, checked against its row
// (store/mailbox-snapshot.ts, so another daemon's change shows at once), and
// the values that never change once delivered, envelopes included, from
// sort/sort-fields-cache.ts. Dovecot answers such a FETCH from its index and
// cache files in the same way.
import { messageFlagStates } from '../../store/mailbox-snapshot.ts';
import type { ContentExtras, MessageState } from '../../store/messages.ts';
import type { ImapSession } from '../imap-session.ts';
import { sortMessages } from '../sort/sort-fields-cache.ts';

/** A message as FETCH writes it. */
export type FetchRow = Omit<MessageState, 'id'> & ContentExtras;

/** The messages of `uids` (the session's selected mailbox's, ascending) still in the mailbox, with their envelopes when asked. */
export async function keptMessageStates(session: ImapSession, uids: number[], envelopes: boolean): Promise<FetchRow[]> {
  const selected = session.selected!;
  const accountId = session.account!.id;
  const values = await sortMessages(session.store, accountId, selected, uids, { envelopes });
  const stateOf = await messageFlagStates(session.store, accountId, selected.id);
  const out: FetchRow[] = [];
  for (let i = 0; i < uids.length; i++) {
    const value = values[i];
    const state = value && stateOf(uids[i]);
    if (!value || !state) continue;
    const { uid, internalDate, size, contentHash, envelope } = value;
    out.push({ uid, modseq: state.modseq, flags: state.flags, internalDate, size, contentHash, ...(envelopes ? { envelope: envelope ?? null } : {}) });
  }
  return out;
}
