// EXPUNGE (RFC 3501 6.4.3), selected: removes the \Deleted messages; the
// registry's refresh then reports each as an untagged EXPUNGE.
import { expungeMessages } from '../../store/expunge.ts';
import { SELECTED, defineCommand } from './command.ts';

export const expungeCommand = defineCommand({
  name: 'EXPUNGE',
  states: SELECTED,
  parse: (args) => args.end(),
  async handle({ session }) {
    const selected = session.selected!;
    selected.assertWritable();
    await expungeMessages(session.store, session.account!.id, selected.id, { onlyDeleted: true });
  },
});
