// Mail from our own users (587 and 465, after AUTH): the From: must be an
// address the account owns, Message-ID and Date are added when missing, the
// message is DKIM-signed with the sender domain's key, then the one delivery
// function takes it (local recipients with their rules at once, remote ones
// through the queue). The web app's send goes through submitMessage too.
import { randomBytes } from 'node:crypto';
import { senderAddresses } from '../accounts/sender-addresses.ts';
import { signWithDomainKey } from '../domains/dkim-sign.ts';
import { deliverMail, type MailFlow } from '../delivery/deliver-mail.ts';
import { addRecipient, noRecipients } from '../delivery/recipients.ts';
import { addressesIn, headerText, headerValues, prependHeaders } from './message-headers.ts';
import { smtpError } from './smtp-error.ts';
import { recordCorrespondents } from '../spam/correspondents.ts';
import { countSubmission } from '../spam/send-limits.ts';

export interface Submission {
  accountId: number;
  mailFrom: string;
  recipients: string[];
  raw: Buffer;
  /** The id of its Received: field (SMTP), or one made for the log (the web app). */
  receivedId: string;
  /** Trace field for the message as received (SMTP); none for the web app. */
  received?: string;
}

export interface SubmissionResult {
  messageId: string;
  delivered: number;
  queueId: number | null;
  /** The message as sent, signed: the web app stores it in Sent. */
  message: Buffer;
}

export async function submitMessage(flow: MailFlow, submission: Submission): Promise<SubmissionResult> {
  const { store } = flow;
  const owned = await senderAddresses(store, submission.accountId);
  const header = headerText(submission.raw);
  const fromValues = headerValues(header, 'from');
  const fromAddresses = fromValues.flatMap(addressesIn);
  if (fromAddresses.length === 0) throw smtpError(550, '5.6.0', 'The message has no From: address');
  const foreign = fromAddresses.filter((a) => !owned.has(a));
  if (foreign.length > 0) throw smtpError(553, '5.7.1', `From: address <${foreign[0]}> is not yours`);

  const added: string[] = [];
  let messageId = headerValues(header, 'message-id')[0];
  if (!messageId) {
    messageId = `<${randomBytes(12).toString('hex')}@${flow.config.hostname}>`;
    added.push(`Message-ID: ${messageId}`);
  }
  if (headerValues(header, 'date').length === 0) added.push(`Date: ${new Date().toUTCString().replace('GMT', '+0000')}`);
  if (submission.received) added.unshift(submission.received);
  let message = prependHeaders(submission.raw, added);
  message = await signWithDomainKey(store, message, fromAddresses[0]);

  const recipients = noRecipients();
  for (const recipient of submission.recipients) {
    const kind = await addRecipient(flow.store, recipients, recipient);
    if (kind !== 'ok' && kind !== 'not-hosted') throw smtpError(550, '5.1.1', `No such user here: ${recipient}`);
  }
  // Over the account's sending limits: 451, nothing delivered (spam/send-limits.ts).
  await countSubmission(store, flow.config.spam.sendLimits, submission.accountId, submission.recipients.length);
  const { copies, queueIds } = await deliverMail(flow, {
    kind: 'submission',
    message,
    mailFrom: submission.mailFrom,
    rcptTo: submission.recipients,
    recipients,
    receivedId: submission.receivedId,
    accountId: submission.accountId,
    messageId,
  });
  const queueId = queueIds[0] ?? null;
  // The user wrote to them: their replies are no first contact for the junk filter.
  await recordCorrespondents(store, submission.accountId, submission.recipients);
  return { messageId, delivered: copies.length, queueId, message };
}
