// UID EXPUNGE (RFC 4315 2.1), selected: removes only the \Deleted messages
// among the given UIDs.
import { expungeMessages } from '../../store/expunge.ts';
import { SELECTED, defineCommand } from './command.ts';

export const uidExpungeCommand = defineCommand({
  name: 'UID EXPUNGE',
  states: SELECTED,
  parse(args) {
    const set = args.sequenceSet('UID set');
    args.end();
    return set;
  },
  async handle({ session }, set) {
    const selected = session.selected!;
    selected.assertWritable();
    const uids = selected.resolve(set, true);
    if (uids.length > 0) await expungeMessages(session.store, session.account!.id, selected.id, { onlyDeleted: true, uids });
  },
});
