// QUIT (RFC 1939 4 and 6): in AUTHORIZATION it only ends the session; in
// TRANSACTION it enters UPDATE, marks what RETR sent as \Seen and removes
// the messages marked by DELE, all or nothing.
import { EITHER_STATE, type Pop3Command } from './command.ts';

export const quitCommand: Pop3Command = {
  name: 'QUIT',
  states: EITHER_STATE,
  minArgs: 0,
  maxArgs: 0,
  async handle(session) {
    const { hostname, log } = session.context;
    if (session.state === 'AUTHORIZATION') {
      session.reply(`+OK ${hostname} POP3 server signing off`);
      return session.close();
    }
    session.state = 'UPDATE';
    const maildrop = session.maildrop!;
    const doomed = maildrop.messages.filter((m) => session.deleted.has(m.number)).map((m) => m.uid);
    const doomedSet = new Set(doomed);
    try {
      await maildrop.markSeen([...session.retrieved].filter((uid) => !doomedSet.has(uid)));
      const removed = await maildrop.remove(doomed);
      session.reply(`+OK ${hostname} POP3 server signing off (${removed} message${removed === 1 ? '' : 's'} deleted)`);
    } catch (error) {
      log(`pop3: UPDATE for ${session.user}: ${error}`);
      // RFC 1939 6: -ERR when some deleted messages could not be removed; the transaction removed none.
      session.reply('-ERR [SYS/TEMP] Some deleted messages not removed; nothing was deleted');
    } finally {
      await session.releaseMaildrop();
    }
    session.close();
  },
};
