// Mail from other servers (port 25) once its data is in: check SPF, DKIM,
// DMARC and ARC with mailauth, add the trace and result fields, apply the
// sender domain's DMARC policy and each recipient's own rules (filters,
// forwarding), then store it for every local recipient in one transaction and
// queue forwards. Only after the commit does the client get its 250; vacation
// replies go out after that.
import type { SMTPServerSession, SMTPServerAddress } from 'smtp-server';
import { authenticate } from 'mailauth';
import { deliverMessage, prepareMessage, type DeliveryTarget, type PreparedMessage } from '../store/deliver.ts';
import { findMailbox } from '../store/mailboxes.ts';
import type { MailStore } from '../store/context.ts';
import { enqueueMessage } from '../queue/enqueue.ts';
import { deliveryRulesFor } from '../settings/delivery-rules.ts';
import { vacationReplyFor } from '../settings/vacation.ts';
import type { SmtpContext } from './smtp-context.ts';
import type { LocalRecipient } from '../aliases/resolve-recipient.ts';
import type { TransactionState } from './session-state.ts';
import { prependHeaders } from './message-headers.ts';
import { receivedHeader } from './received-header.ts';
import { smtpError } from './smtp-error.ts';
import { submitMessage } from './submission.ts';
import { logDelivery } from '../delivery-log.ts';

/** Where one recipient's copy goes after its filters and forwarding. */
async function routeFor(store: MailStore, recipient: LocalRecipient, prepared: PreparedMessage, junk: boolean): Promise<{ target: DeliveryTarget | null; forwardTo: string | null }> {
  const { summary } = prepared;
  const rules = await deliveryRulesFor(store, recipient.accountId, { from: summary.fromAddress, to: `${summary.toAddresses}, ${summary.ccAddresses}`, subject: summary.subject });
  if (!rules.keepLocal) return { target: null, forwardTo: rules.forwardTo };
  const target: DeliveryTarget = { accountId: recipient.accountId, flags: rules.flags };
  if (junk) target.specialUse = '\\Junk';
  else if (rules.folder) {
    // A filter naming a folder that was deleted since delivers to the Inbox.
    const folder = await findMailbox(store, recipient.accountId, rules.folder).catch(() => null);
    if (folder) target.mailboxId = folder.id;
  }
  return { target, forwardTo: rules.forwardTo };
}

/** RFC 3834 auto-replies of recipients on vacation, sent from <>. */
async function sendVacationReplies(context: SmtpContext, recipients: LocalRecipient[], mailFrom: string, message: Buffer): Promise<void> {
  const prisma = context.store.database.prisma;
  for (const recipient of recipients) {
    const account = await prisma.account.findUnique({ where: { id: recipient.accountId }, select: { id: true, address: true, displayName: true } });
    if (!account) continue;
    const reply = await vacationReplyFor(context.store, account, { mailFrom, raw: message, ownAddresses: [account.address, recipient.address] });
    if (!reply) continue;
    await submitMessage(context.store, { accountId: account.id, mailFrom: reply.mailFrom, recipients: [reply.rcptTo], raw: reply.raw, hostname: context.config.hostname });
  }
}

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
  const prepared = await prepareMessage(message);
  const local = [...state.local.values()];
  const routes = await Promise.all(local.map((recipient) => routeFor(context.store, recipient, prepared, !!junk)));
  const targets = routes.flatMap((r) => (r.target ? [r.target] : []));
  const external = new Set([...state.external, ...routes.flatMap((r) => (r.forwardTo ? [r.forwardTo] : []))]);
  const copies = await deliverMessage(context.store, prepared, targets);
  let queueId: number | null = null;
  if (external.size > 0) {
    queueId = await enqueueMessage(context.store, { message: prepared.content, mailFrom, recipients: [...external] });
  }
  if (!junk) {
    await sendVacationReplies(context, local, mailFrom, message).catch((error) => context.log(`smtp: vacation reply failed: ${error}`));
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
