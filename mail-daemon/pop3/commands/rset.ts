// RSET (RFC 1939 5): unmarks every message marked deleted.
import { TRANSACTION, type Pop3Command } from './command.ts';

export const rsetCommand: Pop3Command = {
  name: 'RSET',
  states: TRANSACTION,
  minArgs: 0,
  maxArgs: 0,
  handle(session) {
    session.deleted.clear();
    const { count, octets } = session.totals();
    session.reply(`+OK Maildrop has ${count} message${count === 1 ? '' : 's'} (${octets} octets)`);
  },
};
