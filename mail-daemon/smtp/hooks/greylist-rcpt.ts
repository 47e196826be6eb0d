// Port 25 RCPT TO with greylisting (spam/greylist.ts) before the recipient
// checks: 451 4.7.1 with the time to wait, as Postfix's postgrey answers.
import type { SMTPServerAddress, SMTPServerSession } from 'smtp-server';
import { greylistWait } from '../../spam/greylist.ts';
import type { SmtpContext } from '../smtp-context.ts';
import { smtpError } from '../smtp-error.ts';

type RcptHook = (address: SMTPServerAddress, session: SMTPServerSession, callback: (err?: Error | null) => void) => void;

export function withGreylisting(context: SmtpContext, next: RcptHook): RcptHook {
  const { enabled, delayMs } = context.config.spam.greylist;
  if (!enabled) return next;
  return (address, session, callback) => {
    const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
    greylistWait(context.store, delayMs, { ip: session.remoteAddress, mailFrom, rcptTo: address.address }).then(
      (wait) => {
        if (wait > 0) return callback(smtpError(451, '4.7.1', `Greylisted: first mail from your network to this address, please retry in ${Math.ceil(wait / 1000)} seconds`));
        next(address, session, callback);
      },
      () => next(address, session, callback),
    );
  };
}
