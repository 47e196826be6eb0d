// AUTH PLAIN and LOGIN for submission (RFC 4954), through the one login check
// with its rate limit. Without TLS only loopback clients may log in, and only
// when ALLOW_PLAINTEXT_LOOPBACK allows it (tests).
import type { SMTPServerAuthentication, SMTPServerAuthenticationResponse, SMTPServerSession } from 'smtp-server';
import type { MailStore } from '../../store/context.ts';
import type { LoginLimiter } from '../../accounts/login-limiter.ts';
import { checkLogin } from '../../accounts/login.ts';
import { actsAsAnother } from '../../accounts/login-name.ts';
import { smtpError } from '../smtp-error.ts';
import { isLoopback } from '../../dns/loopback.ts';

export function onAuth(store: MailStore, limiter: LoginLimiter, allowPlaintextLoopback: boolean) {
  return (auth: SMTPServerAuthentication, session: SMTPServerSession, callback: (err: Error | null | undefined, response?: SMTPServerAuthenticationResponse) => void) => {
    if (!session.secure && !(allowPlaintextLoopback && isLoopback(session.remoteAddress))) {
      return callback(smtpError(538, '5.7.11', 'Encryption required: use STARTTLS first'));
    }
    if (auth.method !== 'PLAIN' && auth.method !== 'LOGIN') return callback(smtpError(504, '5.5.4', 'Unsupported authentication mechanism'));
    // RFC 4954 4: 535 5.7.8 when the credentials do not authorize the identity asked for.
    if (actsAsAnother(auth.authzid ?? '', auth.username ?? '')) {
      return callback(smtpError(535, '5.7.8', 'Authentication credentials invalid: logging in as another user is not offered'));
    }
    checkLogin(store, limiter, { service: 'smtp', client: session.remoteAddress, account: auth.username ?? '' }, auth.password ?? '').then(
      (result) => {
        if (result.ok) return callback(null, { user: result.account });
        if (result.reason === 'rate-limited') {
          return callback(smtpError(454, '4.7.0', `Too many failed logins, try again in ${Math.ceil(result.retryAfterMs / 60_000)} minutes`));
        }
        callback(smtpError(535, '5.7.8', 'Authentication credentials invalid'));
      },
      () => callback(smtpError(454, '4.7.0', 'Temporary authentication failure')),
    );
  };
}
