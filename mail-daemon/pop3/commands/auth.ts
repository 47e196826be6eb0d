// AUTH (RFC 5034 4); only PLAIN (RFC 4616), since passwords are stored hashed.
// AUTH without a mechanism lists them (RFC 1734 practice, used by fetchmail).
import { actsAsAnother } from '../../accounts/login-name.ts';
import type { Pop3Session } from '../pop3-session.ts';
import { AUTHORIZATION, type Pop3Command } from './command.ts';
import { logIn } from './log-in.ts';

export const authCommand: Pop3Command = {
  name: 'AUTH',
  states: AUTHORIZATION,
  minArgs: 0,
  maxArgs: 2,
  async handle(session, [mechanism, initial]) {
    if (mechanism === undefined) return session.replyLines('+OK Supported mechanisms follow', ['PLAIN']);
    if (mechanism.toUpperCase() !== 'PLAIN') return session.error('Unsupported authentication mechanism');
    if (session.refusePlaintext()) return;
    if (initial === undefined) {
      session.awaitSaslResponse();
      return session.reply('+ ');
    }
    // RFC 5034 4: "=" is an empty initial response.
    await saslPlainResponse(session, initial === '=' ? '' : initial);
  },
};

/** The client's PLAIN response, given with AUTH or on the line after "+ ". */
export async function saslPlainResponse(session: Pop3Session, line: string): Promise<void> {
  if (line === '*') return session.error('Authentication cancelled');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(line) || line.length % 4 !== 0) return session.error('Invalid base64 in the SASL response');
  const parts = Buffer.from(line, 'base64').toString('utf8').split('\0');
  if (parts.length !== 3) return session.error('[AUTH] Malformed PLAIN response');
  const [authzid, authcid, password] = parts;
  if (actsAsAnother(authzid, authcid)) return session.error('[AUTH] Authentication failed');
  await logIn(session, authcid, password);
}
