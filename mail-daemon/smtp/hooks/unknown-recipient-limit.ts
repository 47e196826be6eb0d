// Port 25 RCPT TO against address harvesting: a client that tries one
// unknown user after another learns, from quick 550 5.1.1 answers, which
// addresses exist. After SMTP_UNKNOWN_RCPT_SLOW_AFTER unknown recipients in
// a session each further one is answered only after SMTP_UNKNOWN_RCPT_DELAY
// (a tarpit, as Postfix's smtpd_error_sleep_time), and at
// SMTP_UNKNOWN_RCPT_LIMIT the session ends with 421 (RFC 5321 3.8: the server
// may close the channel; smtp-server closes it after a 421).
import type { SMTPServerAddress, SMTPServerSession } from 'smtp-server';
import type { Config } from '../../config/config.ts';
import { smtpError } from '../smtp-error.ts';

type RcptHook = (address: SMTPServerAddress, session: SMTPServerSession, callback: (err?: Error | null) => void) => void;

const isUnknownUser = (error: Error | null | undefined) => !!error && (error as { responseCode?: number }).responseCode === 550 && error.message.startsWith('5.1.1 ');

export function withUnknownRecipientLimit(limits: Config['unknownRecipients'], next: RcptHook): RcptHook {
  // Per connection: smtp-server passes one session object for its life.
  const unknown = new WeakMap<SMTPServerSession, number>();
  return (address, session, callback) => {
    next(address, session, (error) => {
      if (!isUnknownUser(error)) return callback(error);
      const count = (unknown.get(session) ?? 0) + 1;
      unknown.set(session, count);
      if (count >= limits.disconnectAfter) return callback(smtpError(421, '4.7.0', 'Too many unknown recipients, closing connection'));
      if (count <= limits.slowAfter) return callback(error);
      setTimeout(() => callback(error), limits.delayMs).unref();
    });
  };
}
