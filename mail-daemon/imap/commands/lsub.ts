// LSUB (RFC 3501 6.3.9), authenticated or selected: the subscribed mailboxes
// that match. (LIST (SUBSCRIBED) is its LIST-EXTENDED form.)
import { DELIMITER, listSubscriptions } from '../../store/mailboxes.ts';
import { patternMatcher } from '../mailbox-list.ts';
import { looseMailboxFromWire, mailboxToWire } from '../parser/mailbox-name.ts';
import { str } from '../parser/response.ts';
import { AUTHENTICATED, defineCommand } from './command.ts';

export const lsubCommand = defineCommand({
  name: 'LSUB',
  states: AUTHENTICATED,
  parse(args, { session }) {
    const reference = looseMailboxFromWire(args.astringBytes('reference'), session.utf8);
    const pattern = looseMailboxFromWire(args.astringBytes('mailbox pattern'), session.utf8);
    args.end();
    return { reference, pattern };
  },
  async handle({ session }, { reference, pattern }) {
    const matches = patternMatcher(reference, pattern);
    for (const name of await listSubscriptions(session.store, session.account!.id)) {
      if (matches(name)) session.untagged('LSUB', [], str(DELIMITER), str(mailboxToWire(name, session.utf8)));
    }
  },
});
