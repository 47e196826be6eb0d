// Runs SEARCH criteria over the selected mailbox: the one place that SEARCH,
// SORT and THREAD find their messages (RFC 5256 3: SORT and THREAD take
// SEARCH's criteria). BODY and TEXT go to the store's full-text search first;
// the other keys are matched against each message's flags and modseq (the
// mailbox's index, checked against its row: mailbox-snapshot.ts), the values
// that never change once a message is delivered (internal date, size,
// subject, and the stored search fields for From, To, Cc, Bcc and Date, kept
// in sort-fields-cache.ts), and the header bytes only when a key needs
// another field or the content has no stored fields (search.ts). So a
// SEARCH of a whole mailbox reads its rows once per process, not per command.
import { loadHeaders } from '../store/bulk-reads.ts';
import { searchMessageText } from '../store/full-text-search.ts';
import { messageFlagStates } from '../store/mailbox-snapshot.ts';
import { no } from './imap-error.ts';
import type { ImapSession } from './imap-session.ts';
import { SEARCH_CHARSETS, usesModseq, type SearchKey } from './parser/search-keys.ts';
import { headerNeeds, matches, requiredUids, textKeys, type SearchScope, type SearchTarget } from './search.ts';
import { sortMessages } from './sort/sort-fields-cache.ts';

export interface FoundMessage {
  seq: number;
  uid: number;
  /** 0 when the criteria are ALL, which reads no message rows (and names no MODSEQ). */
  modseq: number;
}

const HEADER_BATCH = 500;

/** RFC 3501 6.4.4, RFC 5256 3: an unknown charset is NO [BADCHARSET] with the ones that work. */
export function checkSearchCharset(charset: string | undefined): void {
  if (charset && !SEARCH_CHARSETS.includes(charset)) throw no(`BADCHARSET (${SEARCH_CHARSETS.join(' ')})`, `Unsupported charset ${charset.slice(0, 20)}`);
}

/** The messages of the session's view that match, in sequence order. A MODSEQ key enables CONDSTORE (RFC 7162 3.1). */
export async function searchSelected(session: ImapSession, key: SearchKey): Promise<FoundMessage[]> {
  const selected = session.selected!;
  if (usesModseq(key)) session.enabled.add('CONDSTORE');
  // ALL (SORT's and THREAD's usual criteria) is the session's view as it is.
  if (key.op === 'all') {
    const all: FoundMessage[] = [];
    selected.uids.forEach((uid, i) => selected.isExpunged(uid) || all.push({ seq: i + 1, uid, modseq: 0 }));
    return all;
  }
  const accountId = session.account!.id;
  const scope: SearchScope = { exists: selected.exists, largestUid: selected.uids[selected.uids.length - 1] ?? 0, recent: selected.recentUids, textHits: new Map() };
  for (const textKey of textKeys(key)) {
    const hits = await searchMessageText(session.store, accountId, { mailboxId: selected.id, query: textKey.value, part: textKey.where });
    scope.textHits.set(textKey, new Set(hits.map((hit) => hit.uid)));
  }
  const required = requiredUids(key, scope);
  const needs = headerNeeds(key);
  // The view's messages (those a BODY or TEXT key requires, if any), in sequence order.
  const candidates: number[] = [];
  for (const uid of selected.uids) if (!selected.isExpunged(uid) && (required === null || required.has(uid))) candidates.push(uid);
  const values = await sortMessages(session.store, accountId, selected, candidates, { searchFields: needs === 'search-fields' });
  // Read at once, before any other await: the index is kept current in the background.
  const stateOf = await messageFlagStates(session.store, accountId, selected.id);
  const targets: SearchTarget[] = [];
  for (let i = 0; i < candidates.length; i++) {
    const uid = candidates[i];
    const value = values[i];
    const state = stateOf(uid);
    if (!value || !state) continue;
    const { internalDate, size, subject, contentHash, searchFields } = value;
    const message = { uid, modseq: state.modseq, flags: state.flags, internalDate, size, subject, contentHash };
    targets.push({ message, seq: selected.seqOf(uid), searchFields: searchFields ?? undefined });
  }
  const found: FoundMessage[] = [];
  // What the keys read of a message is its header (BODY and TEXT went to the full-text search):
  // its stored search fields, or its bytes for other fields and for contents stored without them.
  for (let i = 0; i < targets.length; i += HEADER_BATCH) {
    const batch = targets.slice(i, i + HEADER_BATCH);
    const unstored = needs === 'none' ? [] : batch.filter((t) => !(needs === 'search-fields' && t.searchFields));
    const contents = unstored.length > 0 ? await loadHeaders(session.store, unstored.map((t) => t.message.contentHash)) : null;
    for (const target of batch) {
      target.content = contents?.get(target.message.contentHash);
      if (matches(key, target, scope)) found.push({ seq: target.seq, uid: target.message.uid, modseq: target.message.modseq });
    }
  }
  return found;
}
