// FETCH and UID FETCH (RFC 3501 6.4.5, 6.4.8; RFC 7162 3.1.4 CHANGEDSINCE
// and MODSEQ, 3.2.6 VANISHED), selected. Messages are read in batches and each response is
// written before the next batch, waiting while the client reads slowly.
import { setFlags } from '../../store/message-flags.ts';
import { listMessageStates } from '../../store/messages.ts';
import { uidsChangedSince } from '../../store/mailbox-snapshot.ts';
import { keptMessageStates, type FetchRow } from '../fetch/kept-states.ts';
import { fetchItemValues, isEnvelope, needsContent, needsHeaderOnly, setsSeen } from '../fetch/fetch-response.ts';
import { parseFetchItems, parseFetchModifiers, type FetchItem } from '../parser/fetch-items.ts';
import { byContentSize, envelopeContent, loadContents, loadEnvelopes, loadHeaders, type LoadedContent } from '../../store/bulk-reads.ts';
import { ImapParseError } from '../parser/command-parser.ts';
import { concreteRanges } from '../parser/sequence-set.ts';
import { reportVanishedEarlier } from '../vanished.ts';
import { SELECTED, defineCommand } from './command.ts';

const BATCH = 500;
/** From this many messages on, a message list is written from what is kept in memory (kept-states.ts). */
const KEPT_FROM = 200;

export const fetchCommand = defineCommand({
  name: 'FETCH',
  states: SELECTED,
  hasUidForm: true,
  holdsExpunges: true,
  parse(args, { session, uid }) {
    const set = args.sequenceSet();
    const items = parseFetchItems(args.next('fetch items'));
    const modifiers = parseFetchModifiers(args.optionalList() ?? []);
    args.end();
    // RFC 7162 3.2.6: VANISHED is for UID FETCH once QRESYNC is enabled.
    if (modifiers.vanished && !(uid && session.qresync)) throw new ImapParseError('VANISHED needs UID FETCH and ENABLE QRESYNC');
    return { set, items, modifiers };
  },
  async handle({ session, uid }, { set, items: requested, modifiers }) {
    const selected = session.selected!;
    const accountId = session.account!.id;
    let items: FetchItem[] = requested;
    const has = (name: string) => items.some((i) => i.kind === 'simple' && i.name === name);
    // RFC 3501 6.4.8: UID FETCH always returns UID; RFC 7162 3.1.4.1: CHANGEDSINCE implies MODSEQ.
    if (uid && !has('UID')) items = [{ kind: 'simple', name: 'UID' }, ...items];
    if (modifiers.changedSince !== undefined && !has('MODSEQ')) items = [...items, { kind: 'simple', name: 'MODSEQ' }];
    // RFC 7162 3.1: the first MODSEQ or CHANGEDSINCE turns CONDSTORE on.
    if (has('MODSEQ')) session.enabled.add('CONDSTORE');
    const marksSeen = !selected.readOnly && items.some(setsSeen);
    const withContent = items.some(needsContent);
    // Envelopes and header fields (what clients fetch for a message list) need
    // only the header's bytes, and envelopes alone not even those.
    const envelopeOnly = withContent && items.filter(needsContent).every(isEnvelope);
    const headerOnly = withContent && items.filter(needsContent).every(needsHeaderOnly);
    if (modifiers.vanished) await reportVanishedEarlier(session, selected.id, modifiers.changedSince!, concreteRanges(set, 0xffffffff));
    const inView = selected.resolve(set, uid).filter((u) => !selected.isExpunged(u));
    // CHANGEDSINCE: only the rows of the messages changed since, as the kept index says.
    const uids = modifiers.changedSince === undefined ? inView : await uidsChangedSince(session.store, accountId, selected.id, inView, modifiers.changedSince);
    // What a message list fetches (flags, envelopes, dates, sizes), and nothing that marks \Seen;
    // a few messages are one short read of their rows, cheaper than checking the kept index.
    const fromMemory = uids.length >= KEPT_FROM && modifiers.changedSince === undefined && !marksSeen && (!withContent || envelopeOnly);
    for (let i = 0; i < uids.length; i += BATCH) {
      const batch = uids.slice(i, i + BATCH);
      // Flags, dates, sizes and envelopes from what is kept in memory (kept-states.ts); else
      // the rows, with the envelopes in the same statement (ContentExtras).
      let messages: FetchRow[] = fromMemory
        ? await keptMessageStates(session, batch, envelopeOnly)
        : await listMessageStates(session.store, accountId, selected.id, {
            uids: batch,
            envelope: envelopeOnly,
            ...(modifiers.changedSince !== undefined ? { changedSince: modifiers.changedSince } : {}),
          });
      let batchItems = items;
      if (marksSeen) {
        const unseen = messages.filter((m) => !m.flags.includes('\\Seen')).map((m) => m.uid);
        if (unseen.length > 0) {
          const { updated } = await setFlags(session.store, accountId, selected.id, unseen, 'add', ['\\Seen']);
          if (updated.length > 0) selected.noteOwnChange(updated[0].modseq);
          const byUid = new Map(updated.map((u) => [u.uid, u]));
          messages = messages.map((m) => (byUid.has(m.uid) ? { ...m, flags: byUid.get(m.uid)!.flags, modseq: byUid.get(m.uid)!.modseq } : m));
          // RFC 3501 6.4.5: the changed \Seen is reported in the same response.
          if (!has('FLAGS')) batchItems = [...items, { kind: 'simple', name: 'FLAGS' }];
        }
      }
      const wantsFlags = batchItems.some((i) => i.kind === 'simple' && i.name === 'FLAGS');
      for (const part of withContent && !headerOnly ? byContentSize(messages) : [messages]) {
        const unread = envelopeOnly ? part.filter((m) => !m.envelope) : part;
        const hashes = unread.map((m) => m.contentHash);
        const load = !withContent || hashes.length === 0 ? null : envelopeOnly ? loadEnvelopes : headerOnly ? loadHeaders : loadContents;
        const contents = load ? await load(session.store, hashes) : new Map<string, LoadedContent>();
        if (envelopeOnly) for (const m of part) if (m.envelope) contents.set(m.contentHash, envelopeContent(m.envelope));
        for (const message of part) {
          const seq = selected.seqOf(message.uid);
          if (!seq) continue;
          const flags = wantsFlags ? selected.flagsForFetch(session, message.uid, message.flags) : message.flags;
          const shown = flags === message.flags ? message : { ...message, flags };
          session.untagged(seq, 'FETCH', fetchItemValues(shown, contents.get(message.contentHash), batchItems));
          const slow = session.drain();
          if (slow) await slow;
        }
      }
    }
  },
});
