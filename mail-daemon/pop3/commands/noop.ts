// NOOP (RFC 1939 5).
import { TRANSACTION, type Pop3Command } from './command.ts';

export const noopCommand: Pop3Command = {
  name: 'NOOP',
  states: TRANSACTION,
  minArgs: 0,
  maxArgs: 0,
  handle(session) {
    session.reply('+OK');
  },
};
