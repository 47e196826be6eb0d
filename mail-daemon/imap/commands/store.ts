// STORE and UID STORE (RFC 3501 6.4.6; RFC 7162 3.1.3 UNCHANGEDSINCE with
// [MODIFIED]), selected. Without .SILENT every message in the set gets a
// FETCH with its flags; the session remembers its own change so that the
// next refresh does not report it again.
import { normalizeFlags } from '../../store/flags.ts';
import { setFlags } from '../../store/message-flags.ts';
import { listMessageStates } from '../../store/messages.ts';
import { atomsOf } from '../parser/argument-reader.ts';
import { ImapParseError } from '../parser/command-parser.ts';
import { formatSequenceSet } from '../parser/sequence-set.ts';
import { assertFlagLimit } from '../flag-limit.ts';
import { SELECTED, defineCommand } from './command.ts';

const MODES = { FLAGS: 'set', '+FLAGS': 'add', '-FLAGS': 'remove' } as const;

export const storeCommand = defineCommand({
  name: 'STORE',
  states: SELECTED,
  hasUidForm: true,
  holdsExpunges: true,
  parse(args) {
    const set = args.sequenceSet();
    let unchangedSince: number | undefined;
    const modifiers = args.optionalList();
    if (modifiers) {
      const [name, value] = atomsOf(modifiers, 'store modifier');
      if (modifiers.length !== 2 || name.toUpperCase() !== 'UNCHANGEDSINCE' || !/^\d{1,19}$/.test(value)) throw new ImapParseError('invalid store modifier');
      unchangedSince = Number(value);
    }
    const item = args.atom('store item').toUpperCase();
    const silent = item.endsWith('.SILENT');
    const mode = MODES[(silent ? item.slice(0, -'.SILENT'.length) : item) as keyof typeof MODES];
    if (!mode) throw new ImapParseError(`invalid store item ${item.slice(0, 20)}`);
    // The flags come as a list, or as flags separated by spaces.
    const flags: string[] = [];
    if (args.done) throw new ImapParseError('missing flags');
    while (!args.done) flags.push(...atomsOf(args.listOrSingle('flags'), 'flag'));
    assertFlagLimit(flags);
    return { set, unchangedSince, mode, silent, flags: normalizeFlags(flags) };
  },
  async handle({ session, uid }, { set, unchangedSince, mode, silent, flags }) {
    const selected = session.selected!;
    selected.assertWritable();
    const accountId = session.account!.id;
    const uids = selected.resolve(set, uid).filter((u) => !selected.isExpunged(u));
    if (unchangedSince !== undefined) session.enabled.add('CONDSTORE');
    if (uids.length === 0) return;
    const result = await setFlags(session.store, accountId, selected.id, uids, mode, flags, { unchangedSince });
    if (result.updated.length > 0) selected.noteOwnChange(result.updated[0].modseq);
    const modified = new Set(result.modified);
    // RFC 7162 3.1.3: with UNCHANGEDSINCE, changed messages are reported (with MODSEQ) even when silent.
    const report = silent ? (unchangedSince !== undefined ? result.updated.map((u) => u.uid) : []) : uids.filter((u) => !modified.has(u));
    if (report.length > 0) {
      const messages = await listMessageStates(session.store, accountId, selected.id, { uids: report });
      for (const message of messages) {
        const seq = selected.seqOf(message.uid);
        if (!seq) continue;
        const items: (string | number | string[] | number[])[] = [];
        if (uid) items.push('UID', message.uid);
        items.push('FLAGS', selected.flagsForFetch(session, message.uid, message.flags));
        if (session.condstore) items.push('MODSEQ', [message.modseq]);
        session.untagged(seq, 'FETCH', items);
      }
    }
    if (result.modified.length > 0) {
      const numbers = uid ? result.modified : result.modified.map((u) => selected.seqOf(u)).sort((a, b) => a - b);
      return { code: `MODIFIED ${formatSequenceSet(numbers)}`, text: 'Conditional STORE failed for some messages' };
    }
  },
});
