// Putting a message on the outbound queue (remote recipients of submitted
// mail, forwards, notices to remote senders). The content is stored once, like
// local mail, and the queue runner (mail-daemon/queue/) delivers it.
import { mutate, type MailStore } from '../store/context.ts';
import { storeContent } from '../store/content.ts';
import { prepareContent, type PreparedContent } from '../store/prepared-message.ts';
import { signalQueued } from './queue-wakeup.ts';

export interface EnqueueInput {
  message: Buffer | PreparedContent;
  /** Envelope sender; "" is the null sender <>. */
  mailFrom: string;
  recipients: string[];
  accountId?: number | null;
  /** The id of the Received: field of the message this came from (forwards, submissions). */
  receivedId?: string;
}

export async function enqueueMessage(store: MailStore, input: EnqueueInput): Promise<number> {
  const content = Buffer.isBuffer(input.message) ? prepareContent(input.message) : input.message;
  const recipients = [...new Set(input.recipients.map((r) => r.toLowerCase()))];
  if (recipients.length === 0) throw new Error('enqueueMessage needs at least one recipient');
  const id = await mutate(store, async (tx) => {
    await storeContent(tx, content);
    const entry = await tx.queueMessage.create({
      data: {
        contentHash: content.hash,
        mailFrom: input.mailFrom,
        accountId: input.accountId ?? null,
        receivedId: input.receivedId ?? '',
        recipients: { create: recipients.map((address) => ({ address, domain: address.slice(address.lastIndexOf('@') + 1) })) },
      },
      select: { id: true },
    });
    return entry.id;
  });
  signalQueued();
  return id;
}
