// RCPT TO. On the MX (port 25) only hosted addresses are taken: another
// domain is relaying (550 5.7.1), an unknown user 550 5.1.1, a full mailbox
// 452 4.2.2, one too small for the SIZE= announced 552 5.2.2. After login (submission) any address is taken; hosted ones must
// still exist. An SRS address of ours (a bounce to mail we forwarded) goes
// back to the original sender, or is refused when forged (550 5.7.1).
import type { SMTPServerAddress, SMTPServerSession } from 'smtp-server';
import type { MailStore } from '../../store/context.ts';
import { roomFor, roomIn } from '../../store/quota.ts';
import { quotaReply } from '../../delivery/quota-reply.ts';
import { resolveRecipient } from '../../aliases/resolve-recipient.ts';
import { transactionState } from '../session-state.ts';
import { addResolved, domainOf } from '../../delivery/recipients.ts';
import { srsRecipient } from '../../delivery/srs-recipient.ts';
import type { SrsKeys } from '../../delivery/srs.ts';
import { smtpError } from '../smtp-error.ts';
import { parseAddress } from '../../accounts/addresses.ts';

/** The SIZE= the client announced with MAIL FROM (RFC 1870), or 0. */
export function declaredSize(session: SMTPServerSession): number {
  const mailFrom = session.envelope.mailFrom;
  const args = (mailFrom ? mailFrom.args : false) as Record<string, string> | false;
  return Number((args && args.SIZE) || 0);
}

export function onRcptTo(store: MailStore, mode: 'inbound' | 'submission', srsKeys: () => SrsKeys) {
  return (address: SMTPServerAddress, session: SMTPServerSession, callback: (err?: Error | null) => void) => {
    (async () => {
      const srs = await srsRecipient(store, srsKeys, address.address);
      if (srs.kind === 'invalid') throw smtpError(550, '5.7.1', `No such SRS address here: ${srs.reason}`);
      if (srs.kind === 'ok') {
        transactionState(session.envelope).remote.set(srs.address, domainOf(address.address.toLowerCase()));
        return;
      }
      let normalized: string;
      try {
        normalized = parseAddress(address.address).address;
      } catch {
        throw smtpError(501, '5.1.3', `Bad recipient address syntax <${address.address}>`);
      }
      const resolution = await resolveRecipient(store, normalized);
      const state = transactionState(session.envelope);
      if (resolution.kind === 'not-hosted') {
        if (mode === 'inbound') throw smtpError(550, '5.7.1', `Relaying denied: ${normalized} is not hosted here`);
        state.remote.set(normalized, null);
        return;
      }
      if (resolution.kind === 'unknown') throw smtpError(550, '5.1.1', `No such user here: ${normalized}`);
      if (resolution.kind === 'disabled') throw smtpError(550, '5.2.1', `Mailbox disabled: ${normalized}`);
      const size = declaredSize(session);
      for (const recipient of resolution.local) {
        const refusal = quotaReply(recipient.usage ? roomIn(recipient.usage, size) : await roomFor(store, recipient.accountId, size), normalized);
        if (refusal) throw refusal;
      }
      addResolved(state, normalized, resolution);
    })().then(() => callback(), (error) => callback(error.responseCode ? error : smtpError(451, '4.3.0', 'Temporary failure, try again later')));
  };
}
