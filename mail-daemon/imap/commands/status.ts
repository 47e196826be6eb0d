// STATUS (RFC 3501 6.3.10), authenticated or selected.
import { findMailbox } from '../../store/mailboxes.ts';
import { no } from '../imap-error.ts';
import { readMailboxName } from '../mailbox-argument.ts';
import { parseStatusItems, statusValues } from '../mailbox-status.ts';
import { atomsOf } from '../parser/argument-reader.ts';
import { mailboxToWire } from '../parser/mailbox-name.ts';
import { str } from '../parser/response.ts';
import { AUTHENTICATED, defineCommand } from './command.ts';

export const statusCommand = defineCommand({
  name: 'STATUS',
  states: AUTHENTICATED,
  parse(args, { session }) {
    const mailbox = readMailboxName(args, session);
    const items = parseStatusItems(atomsOf(args.list('status items'), 'status item'));
    args.end();
    return { mailbox, items };
  },
  async handle({ session }, { mailbox: name, items }) {
    const mailbox = await findMailbox(session.store, session.account!.id, name);
    if (!mailbox) throw no('NONEXISTENT', `No mailbox ${name}`);
    session.untagged('STATUS', str(mailboxToWire(mailbox.name, session.utf8)), await statusValues(session.store, mailbox, items));
  },
});
