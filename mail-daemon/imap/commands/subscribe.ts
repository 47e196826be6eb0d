// SUBSCRIBE and UNSUBSCRIBE (RFC 3501 6.3.6, 6.3.7), authenticated. Only
// existing mailboxes can be subscribed; the name stays subscribed after its
// mailbox is deleted, until UNSUBSCRIBE.
import { setSubscribed } from '../../store/mailboxes.ts';
import { parseMailboxArgument } from '../mailbox-argument.ts';
import { AUTHENTICATED, defineCommand, type ImapCommand } from './command.ts';

function subscription(name: 'SUBSCRIBE' | 'UNSUBSCRIBE', subscribed: boolean): ImapCommand<string> {
  return defineCommand({
    name,
    states: AUTHENTICATED,
    parse: parseMailboxArgument,
    async handle({ session }, mailbox) {
      await setSubscribed(session.store, session.account!.id, mailbox, subscribed);
    },
  });
}

export const subscribeCommand = subscription('SUBSCRIBE', true);
export const unsubscribeCommand = subscription('UNSUBSCRIBE', false);
