// Runs SEARCH criteria over the selected mailbox: the one place that SEARCH,
// SORT and THREAD find their messages (RFC 5256 3: SORT and THREAD take
// SEARCH's criteria). BODY and TEXT go to the store's full-text search first;
// the other keys are matched against the message rows, with the stored search
// fields for From, To, Cc, Bcc and Date, and the header bytes only when a key
// needs another field or the content has no stored fields (search.ts).
import { loadHeaders } from '../store/bulk-reads.ts';
import { searchMessageText } from '../store/full-text-search.ts';
import { listSearchRows } from '../store/messages.ts';
import { no } from './imap-error.ts';
import type { ImapSession } from './imap-session.ts';
import { SEARCH_CHARSETS, usesModseq, type SearchKey } from './parser/search-keys.ts';
import { headerNeeds, matches, requiredUids, textKeys, type SearchScope, type SearchTarget } from './search.ts';

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
  if (key.op === 'all') return selected.uids.filter((uid) => !selected.isExpunged(uid)).map((uid) => ({ seq: selected.seqOf(uid), uid, modseq: 0 }));
  const accountId = session.account!.id;
  const scope: SearchScope = { exists: selected.exists, largestUid: selected.uids[selected.uids.length - 1] ?? 0, recent: selected.recentUids, textHits: new Map() };
  for (const textKey of textKeys(key)) {
    const hits = await searchMessageText(session.store, accountId, { mailboxId: selected.id, query: textKey.value, part: textKey.where });
    scope.textHits.set(textKey, new Set(hits.map((hit) => hit.uid)));
  }
  const required = requiredUids(key, scope);
  const needs = headerNeeds(key);
  const searchFields = needs === 'search-fields';
  // Few required UIDs are read by UID; many, as the whole mailbox in one go.
  const listed =
    required === null || required.size > selected.exists / 4
      ? await listSearchRows(session.store, accountId, selected.id, { searchFields })
      : required.size === 0
        ? []
        : await listSearchRows(session.store, accountId, selected.id, { uids: [...required], searchFields });
  const all = listed.filter((m) => selected.seqOf(m.uid) && !selected.isExpunged(m.uid));
  const found: FoundMessage[] = [];
  // What the keys read of a message is its header (BODY and TEXT went to the full-text search):
  // its stored search fields, or its bytes for other fields and for contents stored without them.
  for (let i = 0; i < all.length; i += HEADER_BATCH) {
    const batch = all.slice(i, i + HEADER_BATCH);
    const unstored = needs === 'none' ? [] : batch.filter((m) => !(searchFields && m.searchFields));
    const contents = unstored.length > 0 ? await loadHeaders(session.store, unstored.map((m) => m.contentHash)) : null;
    for (const message of batch) {
      const target: SearchTarget = { message, seq: selected.seqOf(message.uid), content: contents?.get(message.contentHash) };
      if (matches(key, target, scope)) found.push({ seq: target.seq, uid: message.uid, modseq: message.modseq });
    }
  }
  return found;
}
