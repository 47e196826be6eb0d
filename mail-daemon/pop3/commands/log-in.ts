// The end of PASS and AUTH: check the password through the shared login
// limiter, lock the maildrop (RFC 1939 8: one session at a time) and enter
// the TRANSACTION state.
import { checkLogin } from '../../accounts/login.ts';
import type { MaildropRelease } from '../maildrop-lock.ts';
import { Maildrop } from '../maildrop.ts';
import type { Pop3Session } from '../pop3-session.ts';

export async function logIn(session: Pop3Session, address: string, password: string): Promise<void> {
  const { store, limiter, locks, log } = session.context;
  const result = await checkLogin(store, limiter, { service: 'pop3', client: session.remoteAddress, account: address }, password);
  if (session.closed) return;
  if (!result.ok) {
    // RFC 3206: [AUTH] is the user's credentials, [SYS/TEMP] a condition that passes with time.
    if (result.reason === 'rate-limited') return session.error(`[SYS/TEMP] Too many failed logins; try again in ${Math.ceil(result.retryAfterMs / 1000)} s`);
    return session.error('[AUTH] Authentication failed');
  }
  let release: MaildropRelease | null;
  try {
    release = await locks.acquire(result.account.id);
  } catch (error) {
    log(`pop3: locking the maildrop of ${result.account.address}: ${error}`);
    return session.error('[SYS/TEMP] Cannot lock the maildrop, try again later');
  }
  if (!release) return session.error('[IN-USE] Another POP3 session is using this maildrop');
  let maildrop: Maildrop;
  try {
    maildrop = await Maildrop.open(store, result.account.id);
  } catch (error) {
    await release();
    log(`pop3: opening the maildrop of ${result.account.address}: ${error}`);
    return session.error('[SYS/TEMP] Cannot open the maildrop, try again later');
  }
  session.enterTransaction(result.account.address, maildrop, release);
  log(`pop3: ${session.user} logged in from ${session.remoteAddress}${session.secure ? ' over TLS' : ''}`);
  // The connection may have dropped during the login; finish() runs after this handler then.
  const { count, octets } = session.totals();
  session.reply(`+OK Logged in, ${count} message${count === 1 ? '' : 's'} (${octets} octets)`);
}
