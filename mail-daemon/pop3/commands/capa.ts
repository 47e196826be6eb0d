// CAPA (RFC 2449 5), in either state. USER and SASL are offered only where a
// password may be sent (RFC 2595 4), STLS only before TLS.
import { EITHER_STATE, type Pop3Command } from './command.ts';

const CAPABILITIES = ['TOP', 'UIDL', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING', 'EXPIRE NEVER', 'IMPLEMENTATION mailplatform'];

export const capaCommand: Pop3Command = {
  name: 'CAPA',
  states: EITHER_STATE,
  minArgs: 0,
  maxArgs: 0,
  handle(session) {
    const lines = [...CAPABILITIES];
    if (session.state === 'AUTHORIZATION') {
      if (session.plaintextAllowed) lines.push('USER', 'SASL PLAIN');
      if (!session.secure) lines.push('STLS');
    }
    session.replyLines('+OK Capability list follows', lines);
  },
};
