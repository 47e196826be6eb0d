// DELETE (RFC 3501 6.3.4), authenticated: INBOX cannot be deleted, and a
// mailbox with children is refused with HASCHILDREN (RFC 9051 6.3.5).
import { deleteMailbox } from '../../store/mailboxes.ts';
import { parseMailboxArgument } from '../mailbox-argument.ts';
import { AUTHENTICATED, defineCommand } from './command.ts';

export const deleteCommand = defineCommand({
  name: 'DELETE',
  states: AUTHENTICATED,
  parse: parseMailboxArgument,
  async handle({ session }, name) {
    await deleteMailbox(session.store, session.account!.id, name);
    // Deleting the selected mailbox leaves nothing selected.
    if (session.selected?.name === name) {
      session.selected = null;
      session.setState('AUTHENTICATED');
    }
  },
});
