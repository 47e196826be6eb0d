// SELECT and EXAMINE (RFC 3501 6.3.1, 6.3.2; RFC 7162 3.1.8 HIGHESTMODSEQ, the
// CONDSTORE parameter and 3.2.5 the QRESYNC parameter), authenticated or
// selected. A failed SELECT leaves no mailbox selected.
import { findMailbox } from '../../store/mailboxes.ts';
import { listResponseFor } from '../mailbox-list.ts';
import { listMessageStates } from '../../store/messages.ts';
import { no } from '../imap-error.ts';
import { readMailboxName } from '../mailbox-argument.ts';
import { ArgumentReader } from '../parser/argument-reader.ts';
import { ImapParseError } from '../parser/command-parser.ts';
import { concreteRanges, type SequenceSet } from '../parser/sequence-set.ts';
import { SelectedMailbox } from '../selected-mailbox.ts';
import { mailboxSnapshot, uidsChangedSince } from '../../store/mailbox-snapshot.ts';
import { reportVanishedEarlier } from '../vanished.ts';
import { AUTHENTICATED, defineCommand, type ImapCommand } from './command.ts';

interface QresyncParameter {
  uidValidity: number;
  modseq: number;
  knownUids?: SequenceSet;
}

interface SelectInput {
  mailbox: string;
  condstore: boolean;
  qresync?: QresyncParameter;
}

/** RFC 7162 3.2.5: QRESYNC (uidvalidity mod-sequence-value [known-uids [seq-match-data]]). */
function parseQresync(args: ArgumentReader): QresyncParameter {
  const inner = new ArgumentReader(args.list('QRESYNC parameter'), 'QRESYNC parameter');
  const uidValidity = inner.number('UIDVALIDITY');
  const modseq = inner.number('modseq', Number.MAX_SAFE_INTEGER);
  if (uidValidity === 0 || modseq === 0) throw new ImapParseError('QRESYNC needs a non-zero UIDVALIDITY and modseq');
  const knownUids = !inner.done && inner.peek()?.type === 'atom' ? inner.sequenceSet('known UIDs') : undefined;
  if (!inner.done) {
    // The sequence match data only helps servers that forget expunges; it is checked, not used.
    const match = new ArgumentReader(inner.list('sequence match data'), 'sequence match data');
    match.sequenceSet('known sequence set');
    match.sequenceSet('known UID set');
    match.end();
  }
  inner.end();
  return { uidValidity, modseq, ...(knownUids ? { knownUids } : {}) };
}

function selectCommandNamed(name: 'SELECT' | 'EXAMINE', readOnly: boolean): ImapCommand<SelectInput> {
  return defineCommand({
    name,
    states: AUTHENTICATED,
    parse(args, { session }) {
      const mailbox = readMailboxName(args, session);
      const params = new ArgumentReader(args.optionalList() ?? [], 'select parameter');
      args.end();
      const input: SelectInput = { mailbox, condstore: false };
      while (!params.done) {
        const param = params.atom('select parameter').toUpperCase();
        if (param === 'CONDSTORE') input.condstore = true;
        else if (param === 'QRESYNC') {
          // RFC 7162 3.2.5: only after ENABLE QRESYNC.
          if (!session.qresync) throw new ImapParseError('QRESYNC must be enabled first');
          input.qresync = parseQresync(params);
        } else throw new ImapParseError(`unknown select parameter ${param.slice(0, 20)}`);
      }
      return input;
    },
    async handle({ session }, { mailbox: name, condstore, qresync }) {
      // RFC 7162 3.2.11, RFC 9051 7.1: the mailbox selected before is closed, and said so.
      if (session.selected) session.untagged('OK', '[CLOSED]', 'Previous mailbox closed');
      session.selected = null;
      session.setState('AUTHENTICATED');
      const accountId = session.account!.id;
      const mailbox = await findMailbox(session.store, accountId, name);
      if (!mailbox) throw no('NONEXISTENT', `No mailbox ${name}`);
      if (condstore) session.enabled.add('CONDSTORE');
      const snapshot = await mailboxSnapshot(session.store, mailbox);
      const uids = snapshot.uids;
      const selected = new SelectedMailbox(mailbox, mailbox.name, readOnly, uids);
      await selected.takeRecent(session, uids, mailbox.recentUid);
      selected.sendFlags(session);
      session.untagged(uids.length, 'EXISTS');
      if (session.rev2) {
        // RFC 9051 6.3.2: the mailbox's LIST response; RECENT and UNSEEN are gone from rev2.
        session.untagged('LIST', ...(await listResponseFor(session, mailbox)));
      } else {
        session.untagged(selected.recentUids.size, 'RECENT');
        const firstUnseen = snapshot.firstUnseenUid === null ? 0 : selected.seqOf(snapshot.firstUnseenUid);
        if (firstUnseen) session.untagged('OK', `[UNSEEN ${firstUnseen}]`, 'First unseen');
      }
      session.untagged('OK', `[UIDVALIDITY ${mailbox.uidValidity}]`, 'UIDs valid');
      session.untagged('OK', `[UIDNEXT ${snapshot.uidNext}]`, 'Predicted next UID');
      session.untagged('OK', `[HIGHESTMODSEQ ${mailbox.highestModseq}]`, 'Highest');
      // RFC 7162 3.2.5.2: with the same UIDVALIDITY, what changed since the client's modseq.
      if (qresync && qresync.uidValidity === mailbox.uidValidity) {
        // "*" reaches past the last UID still there: expunged ones above it count too.
        const ranges = qresync.knownUids ? concreteRanges(qresync.knownUids, 0xffffffff) : undefined;
        await reportVanishedEarlier(session, mailbox.id, qresync.modseq, ranges);
        // The rows of only the messages changed since, as the kept index says.
        const changed = await uidsChangedSince(session.store, accountId, mailbox.id, uids, qresync.modseq);
        for (const message of await listMessageStates(session.store, accountId, mailbox.id, { uids: changed, changedSince: qresync.modseq })) {
          const seq = selected.seqOf(message.uid);
          if (seq) session.untagged(seq, 'FETCH', ['UID', message.uid, 'FLAGS', selected.flagsForFetch(session, message.uid, message.flags), 'MODSEQ', [message.modseq]]);
        }
      }
      session.selected = selected;
      session.setState('SELECTED');
      return { code: readOnly ? 'READ-ONLY' : 'READ-WRITE' };
    },
  });
}

export const selectCommand = selectCommandNamed('SELECT', false);
export const examineCommand = selectCommandNamed('EXAMINE', true);
