// CREATE (RFC 3501 6.3.3), authenticated: parents are created too; a
// trailing delimiter is dropped. RFC 6154 5.2 CREATE-SPECIAL-USE is not offered.
import { createMailbox } from '../../store/mailboxes.ts';
import { newMailboxName, readNewMailboxName } from '../mailbox-argument.ts';
import { AUTHENTICATED, defineCommand } from './command.ts';

export const createCommand = defineCommand({
  name: 'CREATE',
  states: AUTHENTICATED,
  parse(args, { session }) {
    const name = readNewMailboxName(args, session);
    args.end();
    return name;
  },
  async handle({ session }, name) {
    await createMailbox(session.store, session.account!.id, newMailboxName(name));
  },
});
