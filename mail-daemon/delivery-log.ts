// One line of the delivery log (SMTP in, submission, the outbound queue),
// which admins search.
import type { MailStore } from './store/context.ts';

export interface DeliveryLogEntry {
  kind: string;
  mailFrom: string;
  rcptTo: string;
  status: string;
  detail?: string;
  messageId?: string;
  queueId?: number | null;
  /** The id of the message's Received: field. */
  receivedId?: string;
}

export async function logDelivery(store: MailStore, entry: DeliveryLogEntry): Promise<void> {
  await store.database.prisma.deliveryLog.create({
    data: {
      kind: entry.kind,
      mailFrom: entry.mailFrom,
      rcptTo: entry.rcptTo.slice(0, 2000),
      status: entry.status,
      detail: (entry.detail ?? '').slice(0, 2000),
      messageId: entry.messageId ?? '',
      queueId: entry.queueId ?? null,
      receivedId: entry.receivedId ?? '',
    },
  });
}
