// MOVE and UID MOVE (RFC 6851), selected: COPYUID goes out first as an
// untagged OK, then the registry's refresh reports the moved messages as
// EXPUNGE, then the tagged OK (RFC 6851 3.3). The target may be the selected
// mailbox itself: the messages get new UIDs (EXISTS) and the old ones go.
import { moveMessages } from '../../store/copy-move.ts';
import { SELECTED, defineCommand } from './command.ts';
import { copyUidCode, parseTransfer, resolveTransfer } from './copy.ts';

export const moveCommand = defineCommand({
  name: 'MOVE',
  states: SELECTED,
  hasUidForm: true,
  parse: parseTransfer,
  async handle({ session, uid }, input) {
    const selected = session.selected!;
    selected.assertWritable();
    const { uids, target } = await resolveTransfer(session, input, uid);
    if (uids.length === 0) return;
    const code = copyUidCode(await moveMessages(session.store, session.account!.id, selected.id, uids, target.id));
    if (code) session.untagged('OK', `[${code}]`, 'Moved');
  },
});
