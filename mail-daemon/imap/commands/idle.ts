// IDLE (RFC 2177), authenticated or selected: "+ idling", then changes to the
// selected mailbox are sent as they happen (the session's notifyChange)
// until the client sends DONE.
import { bad } from '../imap-error.ts';
import { AUTHENTICATED, defineCommand } from './command.ts';

export const idleCommand = defineCommand({
  name: 'IDLE',
  states: AUTHENTICATED,
  parse: (args) => args.end(),
  async handle({ session }) {
    session.sendText('+ idling');
    session.idling = true;
    try {
      // What changed before IDLE began goes out at once.
      if (session.selected) await session.refresh(true);
      const line = (await session.readLine()).toString('latin1');
      if (line.toUpperCase() !== 'DONE') throw bad('Expected DONE');
    } finally {
      session.idling = false;
    }
    return { text: 'IDLE terminated' };
  },
});
