// Mail from other servers (port 25) once its data is in: check SPF, DKIM,
// DMARC and ARC with mailauth, add the trace and result fields, apply the
// sender domain's DMARC policy and, with RSPAMD_URL set, Rspamd's action,
// then hand it to the one delivery function (the recipients' junk filters
// and own rules, local copies, forwards). Only after that has committed does
// the client get its 250.
import type { SMTPServerSession, SMTPServerAddress } from 'smtp-server';
import { deliverMail, startDeliveryReads } from '../delivery/deliver-mail.ts';
import { authenticateMessage, tracedMessage, type AuthenticationRequest } from './message-authentication.ts';
import type { SmtpContext } from './smtp-context.ts';
import type { TransactionState } from './session-state.ts';
import { prependHeaders } from './message-headers.ts';
import { receivedHeader } from './received-header.ts';
import { smtpError } from './smtp-error.ts';
import { logDelivery } from '../delivery/delivery-log.ts';
import { deliveryStage } from '../metrics/metrics.ts';
import { checkWithRspamd } from './inbound-rspamd.ts';
import { earlySenderCheck, unprovenHostedSender } from './hosted-sender-proof.ts';

export async function acceptInbound(context: SmtpContext, raw: Buffer, session: SMTPServerSession, state: TransactionState, receivedId: string): Promise<string> {
  const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address.toLowerCase() : '';
  const recipients = (session.envelope.rcptTo as SMTPServerAddress[]).map((r) => r.address.toLowerCase());
  const early = earlySenderCheck(context.store, mailFrom);
  const reads = startDeliveryReads(context.store, state, mailFrom);
  const request: AuthenticationRequest = { ip: session.remoteAddress.replace(/^::ffff:/, ''), helo: session.hostNameAppearsAs, sender: mailFrom, mta: context.config.hostname };
  const trace = [`Return-Path: <${mailFrom}>`, receivedHeader(session, context.config.hostname, receivedId, recipients.length === 1 ? recipients[0] : null)];
  const { traced, rspamd, quarantined } = await deliveryStage('checks', async () => {
    const auth = await authenticateMessage(raw, request, context.resolver);
    const spoofed = await unprovenHostedSender(context.store, mailFrom, auth, early);
    if (spoofed) {
      await logDelivery(context.store, { kind: 'inbound', mailFrom, rcptTo: recipients.join(', '), status: 'rejected', detail: `${spoofed} as sender without SPF or DKIM pass`, receivedId });
      throw smtpError(550, '5.7.1', `Sender domain ${spoofed} is hosted here, but neither SPF nor DKIM passes for it: use your account (submission with login) to send as it`);
    }
    const { dmarc } = auth;
    const dmarcFailed = dmarc && dmarc.status?.result === 'fail';
    if (dmarcFailed && dmarc.policy === 'reject') {
      await logDelivery(context.store, { kind: 'inbound', mailFrom, rcptTo: recipients.join(', '), status: 'rejected', detail: 'DMARC policy reject', receivedId });
      throw smtpError(550, '5.7.1', 'Message rejected by the sender domain\'s DMARC policy');
    }
    const traced = tracedMessage(raw, trace, auth);
    // RFC 7489 6.3: p=quarantine sends a failing message to Junk.
    return { traced, rspamd: await checkWithRspamd(context, traced, session, { mailFrom, rcptTo: recipients, receivedId }), quarantined: !!dmarcFailed && dmarc.policy === 'quarantine' };
  });
  await deliverMail(context, {
    kind: 'inbound',
    message: rspamd.header ? prependHeaders(traced, [rspamd.header]) : traced,
    mailFrom,
    rcptTo: recipients,
    recipients: state,
    receivedId,
    junk: quarantined || rspamd.junk,
    filterJunk: true,
    early: reads,
  });
  return `Message accepted as ${receivedId}`;
}
