// Mail from other servers (port 25) once its data is in: check SPF, DKIM,
// DMARC and ARC with mailauth, add the trace and result fields, apply the
// sender domain's DMARC policy, then store it for every local recipient in one
// transaction and queue forwards. Only after the commit does the client get
// its 250.
import type { SMTPServerSession, SMTPServerAddress } from 'smtp-server';
import { authenticate } from 'mailauth';
import { deliverMessage } from '../store/deliver.ts';
import { enqueueMessage } from '../queue/enqueue.ts';
import type { SmtpContext } from './smtp-context.ts';
import type { TransactionState } from './session-state.ts';
import { prependHeaders } from './message-headers.ts';
import { receivedHeader } from './received-header.ts';
import { smtpError } from './smtp-error.ts';
import { logDelivery } from '../delivery-log.ts';

export async function acceptInbound(context: SmtpContext, raw: Buffer, session: SMTPServerSession, state: TransactionState): Promise<string> {
  const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address.toLowerCase() : '';
  const recipients = (session.envelope.rcptTo as SMTPServerAddress[]).map((r) => r.address.toLowerCase());
  const auth = await authenticate(raw, {
    ip: session.remoteAddress.replace(/^::ffff:/, ''),
    helo: session.hostNameAppearsAs,
    sender: mailFrom,
    mta: context.config.hostname,
    resolver: context.resolver.resolve as never,
  });
  const dmarc = auth.dmarc as { status?: { result?: string }; policy?: string } | false;
  const dmarcFailed = dmarc && dmarc.status?.result === 'fail';
  if (dmarcFailed && dmarc.policy === 'reject') {
    await logDelivery(context.store, { kind: 'inbound', mailFrom, rcptTo: recipients.join(', '), status: 'rejected', detail: 'DMARC policy reject' });
    throw smtpError(550, '5.7.1', 'Message rejected by the sender domain\'s DMARC policy');
  }
  const junk = dmarcFailed && dmarc.policy === 'quarantine';
  const trace = [
    `Return-Path: <${mailFrom}>`,
    receivedHeader(session, context.config.hostname, recipients.length === 1 ? recipients[0] : null),
    auth.headers.replace(/\r\n$/, ''),
  ];
  const message = prependHeaders(raw, trace);
  const copies = await deliverMessage(
    context.store,
    message,
    [...state.local.values()].map((r) => ({ accountId: r.accountId, specialUse: junk ? '\\Junk' : undefined })),
  );
  let queueId: number | null = null;
  if (state.external.size > 0) {
    queueId = await enqueueMessage(context.store, { message, mailFrom, recipients: [...state.external] });
  }
  await logDelivery(context.store, {
    kind: 'inbound',
    mailFrom,
    rcptTo: recipients.join(', '),
    status: 'delivered',
    detail: `${copies.length} local${junk ? ' (to Junk: DMARC quarantine)' : ''}${queueId ? `, forwarded as queue entry ${queueId}` : ''}`,
    queueId,
  });
  return `Message accepted as ${session.id}`;
}
