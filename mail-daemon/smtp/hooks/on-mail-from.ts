// MAIL FROM. On submission the envelope sender must be an address the
// account owns (RFC 6409 6.1 lets the server enforce this); on the MX any
// sender is taken here and judged by SPF/DMARC once the message is in.
import type { SMTPServerAddress, SMTPServerSession } from 'smtp-server';
import type { MailStore } from '../../store/context.ts';
import type { AccountView } from '../../accounts/accounts.ts';
import { senderAddresses } from '../../accounts/sender-addresses.ts';
import { smtpError } from '../smtp-error.ts';

export function onMailFrom(store: MailStore, mode: 'inbound' | 'submission', maxSize: number) {
  return (address: SMTPServerAddress, session: SMTPServerSession, callback: (err?: Error | null) => void) => {
    const declared = Number(((address.args || {}) as Record<string, string>).SIZE || 0);
    if (declared > maxSize) return callback(smtpError(552, '5.3.4', `Message too big: the limit is ${maxSize} bytes`));
    if (mode === 'inbound') return callback();
    const account = session.user as AccountView | undefined;
    if (!account) return callback(smtpError(530, '5.7.0', 'Authentication required'));
    senderAddresses(store, account.id).then(
      (owned) => {
        if (owned.has(address.address.toLowerCase())) return callback();
        callback(smtpError(553, '5.7.1', `Sender address <${address.address}> is not yours; you may send as ${[...owned].join(', ')}`));
      },
      () => callback(smtpError(451, '4.3.0', 'Temporary failure, try again later')),
    );
  };
}
