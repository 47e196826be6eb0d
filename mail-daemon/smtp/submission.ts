// Mail from our own users (587 and 465, after AUTH): the From: must be an
// address the account owns, Message-ID and Date are added when missing, the
// message is DKIM-signed with the sender domain's key, local recipients get it
// at once and remote ones through the queue. The web app's send goes through
// submitMessage too.
import { randomBytes } from 'node:crypto';
import { dkimSign } from 'mailauth';
import type { MailStore } from '../store/context.ts';
import { deliverMessage } from '../store/deliver.ts';
import { enqueueMessage } from '../queue/enqueue.ts';
import { senderAddresses } from '../accounts/sender-addresses.ts';
import { resolveRecipient, type LocalRecipient } from '../aliases/resolve-recipient.ts';
import { addressesIn, headerText, headerValues, prependHeaders } from './message-headers.ts';
import { smtpError } from './smtp-error.ts';
import { logDelivery } from '../delivery-log.ts';

export interface Submission {
  accountId: number;
  mailFrom: string;
  recipients: string[];
  raw: Buffer;
  hostname: string;
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

export async function submitMessage(store: MailStore, submission: Submission): Promise<SubmissionResult> {
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
    messageId = `<${randomBytes(12).toString('hex')}@${submission.hostname}>`;
    added.push(`Message-ID: ${messageId}`);
  }
  if (headerValues(header, 'date').length === 0) added.push(`Date: ${new Date().toUTCString().replace('GMT', '+0000')}`);
  if (submission.received) added.unshift(submission.received);
  let message = prependHeaders(submission.raw, added);
  message = await signWithDomainKey(store, message, fromAddresses[0]);

  const local = new Map<number, LocalRecipient>();
  const external = new Set<string>();
  for (const recipient of submission.recipients) {
    const resolution = await resolveRecipient(store, recipient);
    if (resolution.kind === 'not-hosted') external.add(recipient.toLowerCase());
    else if (resolution.kind === 'ok') {
      for (const r of resolution.local) local.set(r.accountId, r);
      for (const e of resolution.external) external.add(e);
    } else throw smtpError(550, '5.1.1', `No such user here: ${recipient}`);
  }
  const copies = await deliverMessage(store, message, [...local.values()].map((r) => ({ accountId: r.accountId })));
  const queueId = external.size > 0
    ? await enqueueMessage(store, { message, mailFrom: submission.mailFrom, recipients: [...external], accountId: submission.accountId })
    : null;
  await logDelivery(store, {
    kind: 'submission',
    mailFrom: submission.mailFrom,
    rcptTo: submission.recipients.join(', '),
    status: queueId ? 'queued' : 'delivered',
    detail: `${copies.length} local, ${external.size} remote`,
    messageId,
    queueId,
  });
  return { messageId, delivered: copies.length, queueId, message };
}

/** Adds a DKIM-Signature (RFC 6376) with the key of the From: domain, when we host it. */
async function signWithDomainKey(store: MailStore, message: Buffer, fromAddress: string): Promise<Buffer> {
  const domainName = fromAddress.slice(fromAddress.lastIndexOf('@') + 1);
  const domain = await store.database.prisma.domain.findUnique({ where: { name: domainName } });
  if (!domain) return message;
  const result = await dkimSign(message, {
    canonicalization: 'relaxed/relaxed',
    algorithm: 'rsa-sha256',
    signatureData: [{ signingDomain: domain.name, selector: domain.dkimSelector, privateKey: domain.dkimPrivateKey }],
  } as Parameters<typeof dkimSign>[1]);
  if (result.errors?.length) throw new Error(`DKIM signing failed: ${JSON.stringify(result.errors)}`);
  return prependHeaders(message, [result.signatures.replace(/\r\n$/, '')]);
}
