// USER (RFC 1939 7): names the mailbox; PASS follows.
import { AUTHORIZATION, type Pop3Command } from './command.ts';

export const userCommand: Pop3Command = {
  name: 'USER',
  states: AUTHORIZATION,
  minArgs: 1,
  maxArgs: 1,
  handle(session, [name]) {
    if (session.refusePlaintext()) return;
    session.pendingUser = name;
    session.reply('+OK Send your password');
  },
};
