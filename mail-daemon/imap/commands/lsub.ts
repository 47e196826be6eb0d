// LSUB (RFC 3501 6.3.9), authenticated or selected: the subscribed names
// that match. (LIST (SUBSCRIBED) is its LIST-EXTENDED form.)
import { DELIMITER, listSubscriptions, parentNames } from '../../store/mailboxes.ts';
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
    const subscribed = await listSubscriptions(session.store, session.account!.id);
    const subscribedSet = new Set(subscribed);
    const found = new Map<string, string[]>();
    for (const name of subscribed) {
      if (matches(name)) {
        found.set(name, []);
        continue;
      }
      // RFC 3501 6.3.9: when "%" stops at a parent of a subscribed name that is
      // not subscribed itself, the parent is returned with \Noselect.
      for (const parent of parentNames(name)) {
        if (!subscribedSet.has(parent) && matches(parent)) found.set(parent, ['\\Noselect']);
      }
    }
    for (const name of [...found.keys()].sort()) {
      session.untagged('LSUB', found.get(name)!, str(DELIMITER), str(mailboxToWire(name, session.utf8)));
    }
  },
});
