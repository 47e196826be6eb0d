// STLS (RFC 2595 4): TLS from here on; nothing sent in the clear before it counts.
import { AUTHORIZATION, type Pop3Command } from './command.ts';

export const stlsCommand: Pop3Command = {
  name: 'STLS',
  states: AUTHORIZATION,
  minArgs: 0,
  maxArgs: 0,
  handle(session) {
    if (session.secure) return session.error('Already using TLS');
    session.reply('+OK Begin TLS negotiation');
    session.startTls();
  },
};
