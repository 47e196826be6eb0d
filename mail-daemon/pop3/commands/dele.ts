// DELE (RFC 1939 5): only marks the message; QUIT removes it (RFC 1939 6).
import { TRANSACTION, type Pop3Command } from './command.ts';

export const deleCommand: Pop3Command = {
  name: 'DELE',
  states: TRANSACTION,
  minArgs: 1,
  maxArgs: 1,
  handle(session, [n]) {
    const message = session.message(n);
    if (!message) return;
    session.deleted.add(message.number);
    session.reply(`+OK Message ${message.number} deleted`);
  },
};
