// CLOSE (RFC 3501 6.4.2), selected: expunges \Deleted messages silently
// (unless the mailbox is read-only) and leaves the selected state.
import { expungeMessages } from '../../store/expunge.ts';
import { SELECTED, defineCommand } from './command.ts';

export const closeCommand = defineCommand({
  name: 'CLOSE',
  states: SELECTED,
  parse: (args) => args.end(),
  async handle({ session }) {
    const selected = session.selected!;
    session.selected = null;
    session.setState('AUTHENTICATED');
    if (!selected.readOnly) await expungeMessages(session.store, session.account!.id, selected.id, { onlyDeleted: true });
  },
});
