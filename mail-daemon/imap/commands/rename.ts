// RENAME (RFC 3501 6.3.5), authenticated: children follow; renaming INBOX
// moves its messages into the new mailbox and leaves INBOX empty.
import { renameMailbox } from '../../store/mailboxes.ts';
import { newMailboxName, readMailboxName, readNewMailboxName } from '../mailbox-argument.ts';
import { listResponseFor } from '../mailbox-list.ts';
import { mailboxToWire } from '../parser/mailbox-name.ts';
import { str } from '../parser/response.ts';
import { AUTHENTICATED, defineCommand } from './command.ts';

export const renameCommand = defineCommand({
  name: 'RENAME',
  states: AUTHENTICATED,
  parse(args, { session }) {
    const from = readMailboxName(args, session, 'existing mailbox name');
    const to = readNewMailboxName(args, session, 'new mailbox name');
    args.end();
    return { from, to };
  },
  async handle({ session }, { from, to }) {
    const renamed = await renameMailbox(session.store, session.account!.id, from, newMailboxName(to));
    const selected = session.selected;
    if (selected && from !== 'INBOX' && (selected.name === from || selected.name.startsWith(`${from}/`))) {
      selected.name = renamed.name + selected.name.slice(from.length);
    }
    // RFC 9051 6.3.6 and 7.3.1: a rev2 client is told the new name with its
    // OLDNAME. Renaming INBOX leaves INBOX in place, so there is no old name to give.
    if (session.rev2 && from !== 'INBOX') {
      session.untagged('LIST', ...(await listResponseFor(session, renamed)), [str('OLDNAME'), [str(mailboxToWire(from, session.utf8))]]);
    }
  },
});
