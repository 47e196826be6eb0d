// SEARCH and UID SEARCH (RFC 3501 6.4.4, 6.4.8), with ESEARCH's RETURN
// (RFC 4731) and MODSEQ (RFC 7162 3.1.5); selected.
import { searchMessageText } from '../../store/full-text-search.ts';
import { listMessages } from '../../store/messages.ts';
import { no } from '../imap-error.ts';
import { parseSearch, SEARCH_CHARSETS, usesModseq } from '../parser/search-keys.ts';
import { formatSequenceSet } from '../parser/sequence-set.ts';
import { str, type ResponseValue } from '../parser/response.ts';
import { matches, needsContent, requiredUids, textKeys, type SearchScope, type SearchTarget } from '../search.ts';
import { loadHeaders } from '../../store/bulk-reads.ts';
import { SELECTED, defineCommand } from './command.ts';

const HEADER_BATCH = 500;

export const searchCommand = defineCommand({
  name: 'SEARCH',
  states: SELECTED,
  hasUidForm: true,
  holdsExpunges: true,
  parse: (args) => {
    const tokens = [];
    while (!args.done) tokens.push(args.next('search key'));
    return parseSearch(tokens);
  },
  async handle({ session, uid, tag }, { key, charset, returns }) {
    // RFC 3501 6.4.4: an unknown charset is NO [BADCHARSET] with the ones that work.
    if (charset && !SEARCH_CHARSETS.includes(charset)) throw no(`BADCHARSET (${SEARCH_CHARSETS.join(' ')})`, `Unsupported charset ${charset.slice(0, 20)}`);
    const selected = session.selected!;
    const withModseq = usesModseq(key);
    if (withModseq) session.enabled.add('CONDSTORE');
    const accountId = session.account!.id;
    const scope: SearchScope = { exists: selected.exists, largestUid: selected.uids[selected.uids.length - 1] ?? 0, textHits: new Map() };
    for (const textKey of textKeys(key)) {
      const hits = await searchMessageText(session.store, accountId, { mailboxId: selected.id, query: textKey.value, part: textKey.where });
      scope.textHits.set(textKey, new Set(hits.map((hit) => hit.uid)));
    }
    const required = requiredUids(key, scope);
    // Few required UIDs are read by UID; many, as the whole mailbox in one go.
    const listed =
      required === null || required.size > selected.exists / 4
        ? await listMessages(session.store, accountId, selected.id)
        : required.size === 0
          ? []
          : await listMessages(session.store, accountId, selected.id, { uids: [...required] });
    const all = listed.filter((m) => selected.seqOf(m.uid) && !selected.isExpunged(m.uid));
    const found: { seq: number; uid: number; modseq: number }[] = [];
    // What the keys read of a message is its header (BODY and TEXT went to the full-text search).
    for (let i = 0; i < all.length; i += HEADER_BATCH) {
      const batch = all.slice(i, i + HEADER_BATCH);
      const contents = needsContent(key) ? await loadHeaders(session.store, batch.map((m) => m.contentHash)) : null;
      for (const message of batch) {
        const target: SearchTarget = { message, seq: selected.seqOf(message.uid), content: contents?.get(message.contentHash) };
        if (matches(key, target, scope)) found.push({ seq: target.seq, uid: message.uid, modseq: message.modseq });
      }
    }
    const numbers = found.map((f) => (uid ? f.uid : f.seq));
    const highestOf = (messages: typeof found) => messages.reduce((max, f) => Math.max(max, f.modseq), 0);
    // RFC 9051 6.4.4: a rev2 session always gets ESEARCH; no RETURN means ALL.
    if (returns === undefined && !session.rev2) {
      const line: ResponseValue[] = ['SEARCH', ...numbers];
      if (withModseq && found.length > 0) line.push(['MODSEQ', highestOf(found)]);
      session.untagged(...line);
      return;
    }
    // RFC 4731 3.1: RETURN () means ALL.
    const options = !returns || returns.length === 0 ? ['ALL'] : returns;
    const line: ResponseValue[] = ['ESEARCH', [`TAG`, str(tag)]];
    if (uid) line.push('UID');
    if (numbers.length > 0) {
      if (options.includes('MIN')) line.push('MIN', numbers[0]);
      if (options.includes('MAX')) line.push('MAX', numbers[numbers.length - 1]);
      if (options.includes('ALL')) line.push('ALL', formatSequenceSet(numbers));
    }
    if (options.includes('COUNT')) line.push('COUNT', numbers.length);
    if (withModseq && found.length > 0) {
      // RFC 4731 3.2: the highest mod-sequence of the messages returned; with only MIN
      // and/or MAX those are the first and last found, not all of them.
      const ends = [...(options.includes('MIN') ? [found[0]] : []), ...(options.includes('MAX') ? [found[found.length - 1]] : [])];
      const returned = options.includes('ALL') || options.includes('COUNT') ? found : ends;
      line.push('MODSEQ', highestOf(returned));
    }
    session.untagged(...line);
  },
});
