// PASS (RFC 1939 7): the password for the name USER gave; spaces belong to it.
import { AUTHORIZATION, type Pop3Command } from './command.ts';
import { logIn } from './log-in.ts';

export const passCommand: Pop3Command = {
  name: 'PASS',
  states: AUTHORIZATION,
  minArgs: 1,
  maxArgs: 1,
  restOfLine: true,
  async handle(session, [password]) {
    if (session.refusePlaintext()) return;
    const user = session.pendingUser;
    session.pendingUser = null;
    if (user === null) return session.error('Send USER first');
    await logIn(session, user, password);
  },
};
