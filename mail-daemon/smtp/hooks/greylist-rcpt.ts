// Port 25 RCPT TO with greylisting (spam/greylist.ts) before the recipient
// checks: 451 4.7.1 with the time to wait, as Postfix's postgrey answers.
// A 451 counts towards no other limit, and each one writes a row: past
// `perSession` of them (as many recipients as one transaction may carry) the
// session ends with 421, as Postfix's smtpd_hard_error_limit ends one.
import type { SMTPServerAddress, SMTPServerSession } from 'smtp-server';
import { greylistWait } from '../../spam/greylist.ts';
import type { SmtpContext } from '../smtp-context.ts';
import { smtpError } from '../smtp-error.ts';

type RcptHook = (address: SMTPServerAddress, session: SMTPServerSession, callback: (err?: Error | null) => void) => void;

export function withGreylisting(context: SmtpContext, perSession: number, next: RcptHook): RcptHook {
  const { enabled, delayMs } = context.config.spam.greylist;
  if (!enabled) return next;
  // Per connection: smtp-server passes one session object for its life.
  const greylisted = new WeakMap<SMTPServerSession, number>();
  return (address, session, callback) => {
    if ((greylisted.get(session) ?? 0) >= perSession) return callback(smtpError(421, '4.7.0', 'Too many greylisted recipients, closing connection'));
    const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
    greylistWait(context.store, delayMs, { ip: session.remoteAddress, mailFrom, rcptTo: address.address }).then(
      (wait) => {
        if (wait > 0) {
          greylisted.set(session, (greylisted.get(session) ?? 0) + 1);
          return callback(smtpError(451, '4.7.1', `Greylisted: first mail from your network to this address, please retry in ${Math.ceil(wait / 1000)} seconds`));
        }
        next(address, session, callback);
      },
      () => next(address, session, callback),
    );
  };
}
