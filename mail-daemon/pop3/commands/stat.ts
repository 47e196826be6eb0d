// STAT (RFC 1939 5): count and size of the messages not marked deleted.
import { TRANSACTION, type Pop3Command } from './command.ts';

export const statCommand: Pop3Command = {
  name: 'STAT',
  states: TRANSACTION,
  minArgs: 0,
  maxArgs: 0,
  handle(session) {
    const { count, octets } = session.totals();
    session.reply(`+OK ${count} ${octets}`);
  },
};
