// The login step LOGIN and AUTHENTICATE share: the plaintext rule, the rate
// limit and password check of accounts/login.ts, and the response codes of
// RFC 5530 (AUTHENTICATIONFAILED, UNAVAILABLE, PRIVACYREQUIRED).
import { checkLogin } from '../accounts/login.ts';
import type { CommandDone } from './commands/command.ts';
import { no } from './imap-error.ts';
import type { ImapSession } from './imap-session.ts';

export async function logIn(session: ImapSession, address: string, password: string): Promise<CommandDone> {
  if (!session.loginAllowed) throw no('PRIVACYREQUIRED', 'Use STARTTLS or port 993 first');
  const result = await checkLogin(session.store, session.options.limiter, { service: 'imap', client: session.remoteAddress, account: address }, password);
  if (!result.ok) {
    if (result.reason === 'rate-limited') throw no('UNAVAILABLE', 'Too many failed logins; try again later');
    throw no('AUTHENTICATIONFAILED', 'Invalid credentials');
  }
  session.account = result.account;
  session.setState('AUTHENTICATED');
  return { code: `CAPABILITY ${session.capabilities().join(' ')}`, text: 'Logged in' };
}
