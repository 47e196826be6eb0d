// SELECT and EXAMINE (RFC 3501 6.3.1, 6.3.2; RFC 7162 3.1.8 HIGHESTMODSEQ and
// the CONDSTORE parameter), authenticated or selected. A failed SELECT leaves
// no mailbox selected.
import { SYSTEM_FLAGS } from '../../store/flags.ts';
import { findMailbox } from '../../store/mailboxes.ts';
import { listUids } from '../../store/messages.ts';
import { no } from '../imap-error.ts';
import { readMailboxName } from '../mailbox-argument.ts';
import { atomsOf } from '../parser/argument-reader.ts';
import { ImapParseError } from '../parser/command-parser.ts';
import { SelectedMailbox } from '../selected-mailbox.ts';
import { mailboxCounts } from '../store-queries.ts';
import { AUTHENTICATED, defineCommand, type ImapCommand } from './command.ts';

function selectCommandNamed(name: 'SELECT' | 'EXAMINE', readOnly: boolean): ImapCommand<{ mailbox: string; condstore: boolean }> {
  return defineCommand({
    name,
    states: AUTHENTICATED,
    parse(args, { session }) {
      const mailbox = readMailboxName(args, session);
      const params = args.optionalList();
      args.end();
      const names = atomsOf(params ?? [], 'select parameter').map((p) => p.toUpperCase());
      for (const param of names) if (param !== 'CONDSTORE') throw new ImapParseError(`unknown select parameter ${param.slice(0, 20)}`);
      return { mailbox, condstore: names.includes('CONDSTORE') };
    },
    async handle({ session }, { mailbox: name, condstore }) {
      session.selected = null;
      session.setState('AUTHENTICATED');
      const accountId = session.account!.id;
      const mailbox = await findMailbox(session.store, accountId, name);
      if (!mailbox) throw no('NONEXISTENT', `No mailbox ${name}`);
      if (condstore) session.enabled.add('CONDSTORE');
      const [uids, counts] = await Promise.all([listUids(session.store, accountId, mailbox.id), mailboxCounts(session.store, mailbox.id)]);
      const selected = new SelectedMailbox(mailbox, mailbox.name, readOnly, uids);
      session.untagged('FLAGS', [...SYSTEM_FLAGS]);
      session.untagged('OK', `[PERMANENTFLAGS (${readOnly ? '' : [...SYSTEM_FLAGS, '\\*'].join(' ')})]`, 'Flags permitted');
      session.untagged(uids.length, 'EXISTS');
      session.untagged(0, 'RECENT');
      const firstUnseen = counts.firstUnseenUid === null ? 0 : selected.seqOf(counts.firstUnseenUid);
      if (firstUnseen) session.untagged('OK', `[UNSEEN ${firstUnseen}]`, 'First unseen');
      session.untagged('OK', `[UIDVALIDITY ${mailbox.uidValidity}]`, 'UIDs valid');
      session.untagged('OK', `[UIDNEXT ${mailbox.uidNext}]`, 'Predicted next UID');
      session.untagged('OK', `[HIGHESTMODSEQ ${mailbox.highestModseq}]`, 'Highest');
      session.selected = selected;
      session.setState('SELECTED');
      return { code: readOnly ? 'READ-ONLY' : 'READ-WRITE' };
    },
  });
}

export const selectCommand = selectCommandNamed('SELECT', false);
export const examineCommand = selectCommandNamed('EXAMINE', true);
