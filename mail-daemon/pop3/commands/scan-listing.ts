// The shape LIST and UIDL share (RFC 1939 5, 7): with an argument one line
// for that message, without it a multi-line listing of every message not
// marked deleted.
import type { MaildropMessage } from '../maildrop.ts';
import type { Pop3Session } from '../pop3-session.ts';

export function scanListing(session: Pop3Session, arg: string | undefined, line: (m: MaildropMessage) => string, what: string): void {
  if (arg !== undefined) {
    const message = session.message(arg);
    if (message) session.reply(`+OK ${line(message)}`);
    return;
  }
  const lines = session.liveMessages().map(line);
  session.replyLines(`+OK ${lines.length} ${what}`, lines);
}
